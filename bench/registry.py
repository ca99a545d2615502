"""Registry benchmark: import N synthetic organisations, then time the directory page and API.

Run from the repository root::

    .venv/bin/python bench/registry.py                        # 20,000 organisations, SQLite
    .venv/bin/python bench/registry.py --organizations 2000 --requests 50
    .venv/bin/python bench/registry.py --database-url postgres://postgres@127.0.0.1:5432/bench_registry
    .venv/bin/python bench/registry.py --profile              # where the time of slow requests goes

Everything happens in a throw-away database (a SQLite file in a temporary directory, or a
PostgreSQL database the script creates and drops). Each figure comes with a baseline measured
in the same run, so the ratio says how much the application adds to the bare work.
The last line of output is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import io
import json
import os
import platform
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from measuring import Timing, source_revision, stopwatch

IMPORT_TARGET_S = 20.0
P95_TARGET_MS = 100.0
PAGE_SIZE = 25
WARMUP = 10
SEED = 20240401

COLUMNS = [
    "key",
    "name_ja",
    "name_en",
    "short_name",
    "aliases",
    "kinds",
    "prefecture",
    "city_ja",
    "city_en",
    "lat",
    "lon",
    "description_ja",
    "description_en",
    "hubs",
    "market_domains",
    "source",
    "as_of",
]

# The query mixes, as (label, query string). The same parameters go to the page and the API.
MIXES: list[tuple[str, dict[str, str]]] = [
    ("no filter", {}),
    ("q=バイオ", {"q": "バイオ"}),
    ("q=川崎", {"q": "川崎"}),
    ("kind=venture", {"kind": "venture"}),
    ("hub=kawasaki&function=incubation", {"hub": "kawasaki", "function": "incubation"}),
    ("page=50", {"page": "50"}),
]

# ------------------------------------------------------------------ synthetic data

# (Japanese, English) pairs combined into names such as
# 川崎バイオ製薬株式会社 / Kawasaki Bio Pharma Inc.
NAME_PREFIXES = [
    ("川崎", "Kawasaki"),
    ("横浜", "Yokohama"),
    ("湘南", "Shonan"),
    ("かずさ", "Kazusa"),
    ("つくば", "Tsukuba"),
    ("日本橋", "Nihonbashi"),
    ("本郷", "Hongo"),
    ("柏の葉", "Kashiwanoha"),
    ("東京", "Tokyo"),
    ("千葉", "Chiba"),
    ("さいたま", "Saitama"),
    ("関東", "Kanto"),
    ("ネオ", "Neo"),
    ("アステル", "Astel"),
    ("サクラ", "Sakura"),
    ("ミドリ", "Midori"),
    ("ヒカリ", "Hikari"),
    ("アオバ", "Aoba"),
    ("ノヴァ", "Nova"),
    ("ゲノ", "Geno"),
    ("セルテック", "Celltech"),
    ("オルガノ", "Organo"),
]
NAME_CORES = [
    ("バイオ", "Bio"),
    ("製薬", "Pharma"),
    ("セラピューティクス", "Therapeutics"),
    ("ジェノミクス", "Genomics"),
    ("メディカル", "Medical"),
    ("ファーマ", "Pharma"),
    ("細胞医療", "Cell Therapy"),
    ("再生医療", "Regenerative Medicine"),
    ("創薬", "Drug Discovery"),
    ("バイオテック", "Biotech"),
    ("ライフサイエンス", "Life Sciences"),
    ("ヘルスケア", "Healthcare"),
    ("バイオマテリアル", "Biomaterials"),
    ("発酵", "Fermentation"),
    ("診断", "Diagnostics"),
    ("抗体", "Antibody"),
]
# Suffix per kind, so a university reads like one and a venture like a company.
KIND_SUFFIXES: dict[str, list[tuple[str, str]]] = {
    "university": [("大学", "University"), ("医科大学", "Medical University")],
    "research_institute": [("研究所", "Research Institute"), ("研究センター", "Research Center")],
    "company": [("株式会社", "Inc."), ("工業株式会社", "Industries Co., Ltd.")],
    "venture": [("株式会社", "Inc."), ("ラボ株式会社", "Labs Inc.")],
    "investment_fund": [("キャピタル", "Capital"), ("ベンチャーズ", "Ventures")],
    "incubator": [("インキュベーションセンター", "Incubation Center"), ("ラボ", "Lab")],
    "biomanufacturing": [("バイオファウンドリ", "Biofoundry")],
    "local_government": [("市産業振興課", "City Industry Promotion Division")],
    "hospital": [("病院", "Hospital"), ("医療センター", "Medical Center")],
    "support_organization": [("支援機構", "Support Organization")],
    "bio_association": [("協議会", "Council"), ("協会", "Association")],
    "cdmo": [("受託製造株式会社", "CDMO Inc.")],
    "government_agency": [("推進室", "Promotion Office")],
}
KIND_WEIGHTS = {
    "venture": 30,
    "company": 25,
    "university": 6,
    "research_institute": 8,
    "investment_fund": 5,
    "incubator": 4,
    "biomanufacturing": 2,
    "local_government": 2,
    "hospital": 6,
    "support_organization": 4,
    "bio_association": 3,
    "cdmo": 4,
    "government_agency": 1,
}
# (prefecture, city ja, city en, lat, lon): places in Kanto, jittered by ~±0.03°.
PLACES = [
    ("神奈川県", "川崎市", "Kawasaki", 35.531, 139.703),
    ("神奈川県", "横浜市", "Yokohama", 35.444, 139.638),
    ("神奈川県", "藤沢市", "Fujisawa", 35.339, 139.490),
    ("神奈川県", "鎌倉市", "Kamakura", 35.319, 139.547),
    ("東京都", "中央区", "Chuo", 35.671, 139.772),
    ("東京都", "文京区", "Bunkyo", 35.708, 139.752),
    ("東京都", "港区", "Minato", 35.658, 139.751),
    ("東京都", "千代田区", "Chiyoda", 35.694, 139.753),
    ("東京都", "大田区", "Ota", 35.561, 139.716),
    ("千葉県", "木更津市", "Kisarazu", 35.376, 139.917),
    ("千葉県", "柏市", "Kashiwa", 35.868, 139.976),
    ("千葉県", "千葉市", "Chiba", 35.607, 140.106),
    ("茨城県", "つくば市", "Tsukuba", 36.083, 140.077),
    ("埼玉県", "さいたま市", "Saitama", 35.861, 139.645),
    ("埼玉県", "和光市", "Wako", 35.781, 139.606),
    ("栃木県", "宇都宮市", "Utsunomiya", 36.555, 139.883),
    ("群馬県", "前橋市", "Maebashi", 36.389, 139.063),
]
FOCUS = [
    ("抗体医薬", "antibody drugs"),
    ("細胞治療", "cell therapy"),
    ("遺伝子治療", "gene therapy"),
    ("バイオ素材", "biomaterials"),
    ("発酵生産", "fermentation-based production"),
    ("診断薬", "diagnostics"),
    ("デジタルヘルス", "digital health"),
    ("創薬支援", "drug-discovery services"),
    ("培養肉", "cultivated meat"),
    ("合成生物学", "synthetic biology"),
]
ACTIVITIES = [
    ("研究開発", "develops"),
    ("受託製造", "manufactures under contract"),
    ("事業化支援", "helps commercialise"),
    ("臨床研究", "runs clinical research on"),
    ("投資", "invests in"),
]


@dataclass(frozen=True)
class Synthetic:
    data: bytes
    rows: int
    with_hubs: int


def synthetic_csv(count: int, hub_keys: list[str], functions: list[str], seed: int) -> Synthetic:
    """A reproducible CSV of ``count`` organisations in the import's columns."""
    rng = random.Random(seed)
    kinds = list(KIND_WEIGHTS)
    weights = [KIND_WEIGHTS[k] for k in kinds]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    with_hubs = 0
    for i in range(count):
        primary = rng.choices(kinds, weights)[0]
        row_kinds = {primary}
        if rng.random() < 0.15:
            row_kinds.add(rng.choices(kinds, weights)[0])
        pre_ja, pre_en = rng.choice(NAME_PREFIXES)
        core_ja, core_en = rng.choice(NAME_CORES)
        suf_ja, suf_en = rng.choice(KIND_SUFFIXES[primary])
        name_ja = f"{pre_ja}{core_ja}{suf_ja}"
        name_en = f"{pre_en} {core_en} {suf_en}"
        short = f"{pre_en[:3]}{core_en[:3]}".upper() if rng.random() < 0.4 else ""
        aliases = f"{pre_ja}{core_ja}" if rng.random() < 0.3 else ""
        pref, city_ja, city_en, lat, lon = rng.choice(PLACES)
        focus_ja, focus_en = rng.choice(FOCUS)
        act_ja, act_en = rng.choice(ACTIVITIES)
        hubs = ""
        if hub_keys and rng.random() < 0.3:
            with_hubs += 1
            picked = {
                f"{rng.choice(hub_keys)}:{rng.choice(functions)}" for _ in range(rng.randint(1, 2))
            }
            hubs = ";".join(sorted(picked))
        domains = sorted(rng.sample(range(1, 10), rng.randint(0, 2)))
        writer.writerow(
            [
                f"bench-{i:06d}",
                name_ja,
                name_en,
                short,
                aliases,
                ";".join(sorted(row_kinds)),
                pref,
                city_ja,
                city_en,
                f"{lat + rng.uniform(-0.03, 0.03):.5f}",
                f"{lon + rng.uniform(-0.03, 0.03):.5f}",
                f"{city_ja}を拠点に{focus_ja}の{act_ja}を行う。",
                f"Based in {city_en}; {act_en} {focus_en}.",
                hubs,
                ";".join(str(d) for d in domains),
                "bench/registry.py synthetic data",
                rng.choice(["2023", "2024", "2024-04", "2025-01-15"]),
            ]
        )
    return Synthetic(buffer.getvalue().encode("utf-8"), count, with_hubs)


# ------------------------------------------------------------------ environment


@dataclass
class Database:
    """Where the benchmark runs; ``drop`` removes a PostgreSQL database it created."""

    url: str | None
    drop: Callable[[], None] = lambda: None


def _admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit("--database-url must name a database, e.g. .../bench_registry")
    return urlunsplit(parts._replace(path="/postgres")), name


def prepare_database(url: str | None) -> Database:
    """Create a fresh PostgreSQL database for ``url`` (SQLite needs nothing: a temp dir)."""
    if url is None:
        return Database(None)
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("--database-url: only PostgreSQL URLs are supported")
    import psycopg
    from psycopg import sql

    admin, name = _admin_url(url)
    if not name.startswith("bench"):
        # The database is dropped and re-created: never risk a real one.
        raise SystemExit(f"refusing to use database '{name}': its name must start with 'bench'")
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    return Database(url, drop)


def setup_django(data_dir: Path, database_url: str | None) -> None:
    os.environ["BIOCOMMUNITY_DATA_DIR"] = str(data_dir)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ["DJANGO_SETTINGS_MODULE"] = "biocommunity.settings"
    os.environ.pop("SECRET_KEY", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


# ------------------------------------------------------------------ measuring


def time_calls(call: Callable[[], object], requests: int, warmup: int = WARMUP) -> Timing:
    for _ in range(warmup):
        call()
    timing = Timing()
    for _ in range(requests):
        start = time.perf_counter()
        call()
        timing.samples_ms.append((time.perf_counter() - start) * 1000)
    return timing


# ------------------------------------------------------------------ the import


def baseline_import(data: bytes) -> float:
    """Seconds to parse the CSV (csv module) and executemany the rows into a scratch table."""
    from django.db import connection, transaction

    quote = connection.ops.quote_name
    table = quote("bench_scratch_organization")
    columns = ", ".join(f"{quote(c)} text" for c in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TABLE {table} ({columns})")
    # Only fixed, quoted identifiers are interpolated; the values go as parameters.
    insert = (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in COLUMNS)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    )
    with stopwatch() as elapsed:
        reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
        rows = [tuple(row[c] for c in COLUMNS) for row in reader]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(insert, rows)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")
    return elapsed[0]


def run_import(data: bytes) -> tuple[float, dict[str, Any]]:
    from biocommunity.registry.services.organizations import import_organizations

    with stopwatch() as elapsed:
        report = import_organizations(data, "bench.csv", check_permission=False)
    if not report.ok:
        first = [e.as_dict() for e in report.errors[:5]]
        raise SystemExit(f"the import failed: {len(report.errors)} error(s), first: {first}")
    return elapsed[0], report.as_dict()


def analyze_after_import() -> None:
    """PostgreSQL: refresh planner statistics, as autovacuum would within a minute of an import.

    Without it the planner still believes the organisation table is nearly empty and sorts
    the whole table for every page. SQLite never gathers statistics on its own, so it is
    measured as it runs in production: without ANALYZE.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def profile_import(data: bytes) -> str:
    """cProfile of a dry run of the same import (everything applied, then rolled back)."""
    from biocommunity.registry.services.organizations import import_organizations

    profiler = cProfile.Profile()
    profiler.enable()
    import_organizations(data, "bench.csv", check_permission=False, dry_run=True)
    profiler.disable()
    return _profile_text(profiler)


def _profile_text(profiler: cProfile.Profile, limit: int = 25) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(limit)
    return out.getvalue()


# ------------------------------------------------------------------ pages and API


def baseline_call(params: dict[str, str]) -> Callable[[], tuple[int, list[Any]]]:
    """The bare ORM work of one page: the same rows in the same order, and the total."""
    from biocommunity.registry.models import Organization
    from biocommunity.registry.services.text import search_terms

    qs = Organization.objects.all()
    for term in search_terms(params.get("q", "")):
        qs = qs.filter(search_text__contains=term)
    if params.get("kind"):
        qs = qs.filter(classifications__kind=params["kind"])
    membership: dict[str, str] = {}
    if params.get("hub"):
        membership["hub_memberships__hub__key"] = params["hub"]
    if params.get("function"):
        membership["hub_memberships__function"] = params["function"]
    if membership:  # one filter() call: both conditions on the same membership row
        qs = qs.filter(**membership)
    qs = qs.order_by("name_ja", "key")
    start = (int(params.get("page", "1")) - 1) * PAGE_SIZE

    def call() -> tuple[int, list[Any]]:
        return qs.count(), list(qs[start : start + PAGE_SIZE])

    return call


def client_call(client: Any, path: str, params: dict[str, str]) -> Callable[[], Any]:
    def call() -> Any:
        response = client.get(path, params)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} {params} answered {response.status_code}")
        return response

    return call


def count_queries(call: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def slowest_queries(call: Callable[[], object], limit: int = 5) -> list[tuple[float, str]]:
    """The slowest SQL statements of one call, timed one by one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    timed = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
    return sorted(timed, reverse=True)[:limit]


def profile_call(call: Callable[[], object]) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    call()
    profiler.disable()
    return _profile_text(profiler, limit=20)


# ------------------------------------------------------------------ report


def machine_info() -> dict[str, Any]:
    import django
    from django.db import connection

    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
        else:
            cursor.execute("show server_version")
        db_version = str(cursor.fetchone()[0])
    return {
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "cpu_model": model or platform.processor(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": connection.vendor,
        "database_version": db_version,
        # Other work on the machine shows up in p95/max: keep the load next to the figures.
        "load_average_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


def _met(ok: bool) -> str:
    return "[green]yes[/green]" if ok else "[red]no[/red]"


def print_tables(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not console.is_terminal:  # piped into a file or tee: do not squeeze to 80 columns
        console = Console(width=140)
    machine = result["machine"]
    console.print(
        f"[bold]Registry benchmark[/bold]  {result['date']}  {machine['database']} "
        f"{machine['database_version']}  Django {machine['django']}  Python {machine['python']}  "
        f"{machine['cpu_count']} CPU ({machine['cpu_model']})  "
        f"load {machine['load_average_1m']}  commit {result['source']['commit']}"
        f"{' (src modified)' if result['source']['src_modified'] else ''}"
    )
    imp = result["import"]
    table = Table(title=f"Import of {result['organizations']:,} organisations")
    for column in ("step", "seconds", "rows/s", "target", "met"):
        table.add_column(column, justify="right" if column != "step" else "left")
    table.add_row(
        "import_organizations()",
        f"{imp['seconds']:.2f}",
        f"{imp['rows_per_s']:,.0f}",
        f"≤ {IMPORT_TARGET_S:.0f} s",
        _met(imp["target_met"]),
    )
    table.add_row(
        "baseline: csv + executemany",
        f"{imp['baseline_seconds']:.2f}",
        f"{result['organizations'] / imp['baseline_seconds']:,.0f}",
        "",
        "",
    )
    table.add_row("ratio import / baseline", f"{imp['ratio']:.1f}×", "", "", "")
    console.print(table)

    for section, title in (("directory", "GET /ja/directory/"), ("api", "GET /api/organizations")):
        heading = f"{title}: {result['requests']} requests per mix after {WARMUP} warm-up"
        table = Table(title=heading)
        for column in (
            "mix",
            "results",
            "queries",
            "p50 ms",
            "p95 ms",
            "max ms",
            "baseline p50",
            "baseline p95",
            "ratio p50",
            "p95 ≤ 100",
        ):
            table.add_column(column, justify="left" if column == "mix" else "right")
        for label, row in result[section].items():
            table.add_row(
                label,
                f"{row['results']:,}",
                str(row["queries"]),
                f"{row['p50_ms']:.1f}",
                f"{row['p95_ms']:.1f}",
                f"{row['max_ms']:.1f}",
                f"{row['baseline']['p50_ms']:.2f}",
                f"{row['baseline']['p95_ms']:.2f}",
                f"{row['ratio_p50']:.0f}×",
                _met(row["target_met"]),
            )
        console.print(table)


# ------------------------------------------------------------------ main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--organizations", type=int, default=20_000, help="synthetic rows to import"
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per query mix")
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL URL of a database to create and drop (its name must start with 'bench'); "
        "default: SQLite in a temporary directory",
    )
    parser.add_argument("--seed", type=int, default=SEED, help="random seed of the synthetic data")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also print cProfile of the import and, for each mix over target, of one request "
        "with its slowest SQL",
    )
    args = parser.parse_args(argv)
    if args.organizations < 1 or args.requests < 1:
        parser.error("--organizations and --requests must be at least 1")
    return args


def run(args: argparse.Namespace, data_dir: Path) -> dict[str, Any]:
    database = prepare_database(args.database_url)
    try:
        setup_django(data_dir, database.url)
        return measure(args)
    finally:
        database.drop()


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.test import Client

    from biocommunity.registry.choices import HubFunction
    from biocommunity.registry.models import Hub, Organization
    from biocommunity.registry.services.dataset import load_dataset

    log = print if args.profile else (lambda *_a: None)
    started = datetime.now(UTC)
    with stopwatch() as setup_time:
        call_command("migrate", interactive=False, verbosity=0)
        load_dataset("gtb")
    gtb_organizations = Organization.objects.count()
    hub_keys = sorted(Hub.objects.values_list("key", flat=True))
    synthetic = synthetic_csv(args.organizations, hub_keys, list(HubFunction.values), args.seed)

    if args.profile:  # before the timed run, so that profiling costs it nothing
        log("=== import_organizations(dry_run=True): cProfile (about 3× slower than unprofiled)")
        log(profile_import(synthetic.data))
    baseline_s = baseline_import(synthetic.data)
    import_s, report = run_import(synthetic.data)
    if report["created"] != args.organizations:
        raise SystemExit(f"expected {args.organizations} created, got {report}")
    analyze_after_import()
    gc.collect()  # drop the import's garbage so that it is not collected inside a timed request

    client = Client()
    result: dict[str, Any] = {
        "benchmark": "registry",
        "date": started.isoformat(timespec="seconds"),
        "machine": machine_info(),
        "source": source_revision(),
        "organizations": args.organizations,
        "gtb_organizations": gtb_organizations,
        "total_organizations": Organization.objects.count(),
        "with_hubs": synthetic.with_hubs,
        "csv_bytes": len(synthetic.data),
        "requests": args.requests,
        "seed": args.seed,
        "setup_seconds": round(setup_time[0], 2),
        "import": {
            "seconds": round(import_s, 3),
            "rows_per_s": round(args.organizations / import_s, 1),
            "baseline_seconds": round(baseline_s, 3),
            "ratio": round(import_s / baseline_s, 2),
            "target_s": IMPORT_TARGET_S,
            "target_met": import_s <= IMPORT_TARGET_S,
            "report": {k: report[k] for k in ("rows", "created", "updated", "unchanged")},
        },
    }
    for section, path in (("directory", "/ja/directory/"), ("api", "/api/organizations")):
        result[section] = {}
        for label, params in MIXES:
            base_call = baseline_call(params)
            total = base_call()[0]
            call = client_call(client, path, params)
            if section == "api":
                answered = json.loads(call().content)["count"]
                if answered != total:
                    raise SystemExit(f"{label}: the API counts {answered}, the baseline {total}")
            timing = time_calls(call, args.requests).summary()
            baseline = time_calls(base_call, args.requests).summary()
            row = {
                "results": total,
                "queries": count_queries(call),
                **timing,
                "baseline": baseline,
                "ratio_p50": round(timing["p50_ms"] / baseline["p50_ms"], 1),
                "ratio_p95": round(timing["p95_ms"] / baseline["p95_ms"], 1),
                "target_ms": P95_TARGET_MS,
                "target_met": timing["p95_ms"] <= P95_TARGET_MS,
            }
            result[section][label] = row
            if args.profile and not row["target_met"]:
                log(f"\n=== {path} {label}: slowest SQL of one request")
                for ms, statement in slowest_queries(call):
                    log(f"{ms:8.1f} ms  {statement[:600]}")
                log(f"\n=== {path} {label}: cProfile of one request")
                log(profile_call(call))
    if hasattr(os, "getloadavg"):
        result["machine"]["load_average_1m_end"] = round(os.getloadavg()[0], 2)
    result["all_targets_met"] = result["import"]["target_met"] and all(
        row["target_met"] for section in ("directory", "api") for row in result[section].values()
    )
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-registry-") as tmp:
        result = run(args, Path(tmp))
    print_tables(result)
    print(json.dumps(result, ensure_ascii=False, sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
