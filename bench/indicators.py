"""Indicators benchmark: 1,000,000 observations and 100,000 company sales records, then time
the comparison of regions and the sales aggregation.

Run from the repository root::

    .venv/bin/python bench/indicators.py                      # 1,000,000 / 100,000, SQLite
    .venv/bin/python bench/indicators.py --observations 100000 --organizations 10000 --repeat 5
    .venv/bin/python bench/indicators.py --database-url postgres://postgres@127.0.0.1:5432/bench_indicators
    .venv/bin/python bench/indicators.py --profile            # + slowest SQL, query plan, cProfile

Everything happens in a throw-away database (a SQLite file in a temporary directory, or a
PostgreSQL database the script creates and drops). Each figure comes with a baseline measured
in the same run, so the ratio says how much the application adds to the bare query.
The last line of output is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import math
import os
import platform
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from measuring import Timing, source_revision, stopwatch

COMPARE_TARGET_MS = 1000.0
SALES_TARGET_MS = 1000.0
WARMUP = 2
SEED = 20240402
DEFAULT_PG_NAME = "bench_indicators"

# The comparison the issue asks for: three shipped regions beside three synthetic ones.
SHIPPED_REGIONS = ["gtb", "massachusetts", "greater-london"]
SYNTHETIC_REGIONS_COMPARED = 3
PAGE_PATH = "/en/figures/compare/"
PAGE_PARAMS = {"regions": ",".join(SHIPPED_REGIONS)}

# ------------------------------------------------------------------ synthetic data

SUBJECTS = 2_000
INDICATORS = 500
PERIODS = [str(year) for year in range(2000, 2025)]
# kind: (share of the subjects, relative number of observations per subject). A region carries
# five times the figures of an organisation, a hub twice as many.
SUBJECT_MIX: dict[str, tuple[float, int]] = {
    "region": (0.10, 5),
    "hub": (0.15, 2),
    "organization": (0.75, 1),
}
SUBJECT_NAMES: dict[str, tuple[str, str]] = {
    "region": ("合成地域", "Synthetic region"),
    "hub": ("合成拠点", "Synthetic hub"),
    "organization": ("合成機関", "Synthetic organisation"),
}
COUNTRIES = ["JP", "US", "GB", "DE", "FR", "CN", "KR", "SG", "CH", "NL"]
INDICATOR_UNITS = [
    "count",
    "people",
    "JPY-million",
    "USD-million",
    "GBP-million",
    "percent",
    "score",
    "m2",
]
FACTOR_GROUPS = [
    "performance",
    "funding",
    "knowledge",
    "talent",
    "infrastructure",
    "policy",
    "market",
    "other",
]
INDICATOR_TOPICS = [
    ("バイオベンチャー数", "Biotech ventures"),
    ("研究開発費", "R&D spending"),
    ("論文数", "Publications"),
    ("特許出願数", "Patent filings"),
    ("研究者数", "Researchers"),
    ("投資額", "Investment"),
    ("臨床試験数", "Clinical trials"),
    ("インキュベーション面積", "Incubation floor space"),
    ("雇用者数", "Employees"),
    ("売上高", "Sales"),
]
SALES_COMPANY_PREFIXES = [
    "川崎",
    "横浜",
    "湘南",
    "かずさ",
    "つくば",
    "日本橋",
    "本郷",
    "柏の葉",
    "ネオ",
    "サクラ",
    "ミドリ",
    "ヒカリ",
]
SALES_COMPANY_CORES = ["バイオ", "製薬", "ファーマ", "ジェノミクス", "メディカル", "発酵", "化学"]
LISTED_SHARE = 0.25
DISCLOSED_SHARE = 0.90
IN_COMMUNITY_SHARE = 0.40
SALES_UNIT = "JPY-million"


@dataclass
class Load:
    subjects: int = 0
    indicators: int = 0
    observations: int = 0
    observations_s: float = 0.0
    company_sales: int = 0
    company_sales_s: float = 0.0
    compared_regions: list[str] = field(default_factory=list)
    observations_per_kind: dict[str, int] = field(default_factory=dict)


def _quotas(weights: list[int], total: int) -> list[int]:
    """Split ``total`` in proportion to ``weights``; largest remainders get the leftovers."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    quotas = [math.floor(x) for x in exact]
    leftover = total - sum(quotas)
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - quotas[i], reverse=True)
    for i in by_remainder[:leftover]:
        quotas[i] += 1
    return quotas


def create_subjects(rng: random.Random) -> list[tuple[int, str, str]]:
    """``SUBJECTS`` synthetic subjects as (id, key, kind), in creation order."""
    from biocommunity.indicators.models import Subject

    objs = []
    for kind, (share, _weight) in SUBJECT_MIX.items():
        name_ja, name_en = SUBJECT_NAMES[kind]
        for n in range(1, round(SUBJECTS * share) + 1):
            objs.append(
                Subject(
                    key=f"bench-{kind}-{n:04d}",
                    kind=kind,
                    name_ja=f"{name_ja} {n:04d}",
                    name_en=f"{name_en} {n:04d}",
                    country=rng.choice(COUNTRIES),
                    source="bench",
                )
            )
    Subject.objects.bulk_create(objs, batch_size=1000)
    created = Subject.objects.filter(source="bench", key__startswith="bench-").order_by("id")
    return list(created.values_list("id", "key", "kind"))


def create_indicators(rng: random.Random) -> list[int]:
    from biocommunity.indicators.models import Indicator

    objs = []
    for n in range(1, INDICATORS + 1):
        topic_ja, topic_en = INDICATOR_TOPICS[n % len(INDICATOR_TOPICS)]
        objs.append(
            Indicator(
                code=f"bench-indicator-{n:03d}",
                name_ja=f"{topic_ja}（合成 {n:03d}）",
                name_en=f"{topic_en} (synthetic {n:03d})",
                unit=rng.choice(INDICATOR_UNITS),
                factor_group=rng.choice(FACTOR_GROUPS),
                higher_is_better=rng.random() < 0.8,
                source="bench",
            )
        )
    Indicator.objects.bulk_create(objs, batch_size=1000)
    created = Indicator.objects.filter(code__startswith="bench-indicator-").order_by("id")
    return list(created.values_list("id", flat=True))


def observation_cells(
    rng: random.Random,
    subjects: list[tuple[int, str, str]],
    indicators: list[int],
    total: int,
) -> Iterator[tuple[int, int, str]]:
    """(indicator id, subject id, period) cells, ``total`` in all and each one at most once.

    Each subject gets its share of ``total`` (by kind, see SUBJECT_MIX) as time series: random
    indicators, each observed over the last 10 to 25 years up to 2024.
    """
    quotas = _quotas([SUBJECT_MIX[kind][1] for _, _, kind in subjects], total)
    capacity = len(indicators) * len(PERIODS)
    if max(quotas) > capacity:
        raise SystemExit(
            f"--observations {total:,} needs {max(quotas):,} cells for one region, "
            f"but {len(indicators)} indicators × {len(PERIODS)} periods give {capacity:,}"
        )
    for (subject_id, _key, _kind), quota in zip(subjects, quotas, strict=True):
        order = rng.sample(indicators, len(indicators))
        # A series is only ever shortened, so a full subject ends with its cells exhausted.
        lengths = [rng.randint(10, len(PERIODS)) for _ in order]
        if sum(lengths) < quota:
            lengths = [len(PERIODS)] * len(order)
        left = quota
        for indicator_id, length in zip(order, lengths, strict=True):
            if left <= 0:
                break
            take = min(length, left)
            for period in PERIODS[len(PERIODS) - take :]:
                yield indicator_id, subject_id, period
            left -= take


def load_observations(
    rng: random.Random,
    subjects: list[tuple[int, str, str]],
    indicators: list[int],
    total: int,
    chunk: int = 20_000,
) -> tuple[int, float]:
    """bulk_create ``total`` observations in chunks; (rows, seconds including generation)."""
    from django.db import connection, transaction

    from biocommunity.indicators.models import Indicator, Observation

    batch_size = 5_000 if connection.vendor == "postgresql" else None  # SQLite: 999 params
    units = dict(Indicator.objects.filter(pk__in=indicators).values_list("pk", "unit"))
    rows = 0
    start = time.perf_counter()
    with transaction.atomic():
        pending: list[Observation] = []
        for indicator_id, subject_id, period in observation_cells(rng, subjects, indicators, total):
            pending.append(
                Observation(
                    indicator_id=indicator_id,
                    subject_id=subject_id,
                    period=period,
                    value=Decimal(rng.randrange(0, 10**9)).scaleb(-2),
                    value_kind="exact",
                    unit=units[indicator_id],
                    source="bench",
                    as_of="2025",
                )
            )
            if len(pending) >= chunk:
                Observation.objects.bulk_create(pending, batch_size=batch_size)
                rows += len(pending)
                pending = []
        if pending:
            Observation.objects.bulk_create(pending, batch_size=batch_size)
            rows += len(pending)
    return rows, time.perf_counter() - start


def industries() -> list[tuple[str, str]]:
    """The industries of the shipped 参考5 table (without its grand total)."""
    from biocommunity.indicators.models import SalesByIndustry

    seen: dict[str, str] = {}
    for ja, en in (
        SalesByIndustry.objects.exclude(industry_ja__in=["総合計", "合計"])
        .order_by("scope", "position")
        .values_list("industry_ja", "industry_en")
    ):
        seen.setdefault(ja, en)
    if not seen:
        raise SystemExit("the gtb dataset shipped no sales_by_industry rows")
    return list(seen.items())


def load_company_sales(rng: random.Random, total: int, chunk: int = 20_000) -> float:
    """bulk_create ``total`` company sales records; seconds including generation."""
    from django.db import connection, transaction

    from biocommunity.indicators.models import CompanySales

    batch_size = 5_000 if connection.vendor == "postgresql" else None
    pairs = industries()
    # A few industries hold most companies, as in the shipped table.
    weights = [1.0 / (i + 1) for i in range(len(pairs))]
    start = time.perf_counter()
    with transaction.atomic():
        pending: list[CompanySales] = []
        for n in range(total):
            industry_ja, industry_en = rng.choices(pairs, weights)[0]
            listed = rng.random() < LISTED_SHARE
            disclosed = listed or rng.random() < (DISCLOSED_SHARE - LISTED_SHARE) / (
                1 - LISTED_SHARE
            )
            sales = None
            if disclosed:
                # Log-uniform from 10 million to 1 trillion yen, in million yen.
                sales = Decimal(round(10 ** rng.uniform(1, 6 if listed else 4), 2)).quantize(
                    Decimal("0.01")
                )
            pending.append(
                CompanySales(
                    company_name=f"{rng.choice(SALES_COMPANY_PREFIXES)}"
                    f"{rng.choice(SALES_COMPANY_CORES)}株式会社 {n:06d}",
                    industry_ja=industry_ja,
                    industry_en=industry_en,
                    listed=listed,
                    disclosed=disclosed,
                    in_community=rng.random() < IN_COMMUNITY_SHARE,
                    fiscal_year="2024",
                    sales=sales,
                    unit=SALES_UNIT,
                    source="bench",
                    as_of="2025",
                )
            )
            if len(pending) >= chunk:
                CompanySales.objects.bulk_create(pending, batch_size=batch_size)
                pending = []
        if pending:
            CompanySales.objects.bulk_create(pending, batch_size=batch_size)
    return time.perf_counter() - start


def load_synthetic(args: argparse.Namespace) -> Load:
    rng = random.Random(args.seed)
    subjects = create_subjects(rng)
    indicator_ids = create_indicators(rng)
    load = Load(subjects=len(subjects), indicators=len(indicator_ids))
    load.observations, load.observations_s = load_observations(
        rng, subjects, indicator_ids, args.observations
    )
    load.company_sales = args.organizations
    load.company_sales_s = load_company_sales(rng, args.organizations)
    regions = [key for _, key, kind in subjects if kind == "region"]
    load.compared_regions = sorted(rng.sample(regions, SYNTHETIC_REGIONS_COMPARED))
    return load


# ------------------------------------------------------------------ environment


@dataclass
class Database:
    """Where the benchmark runs; ``drop`` removes a PostgreSQL database it created."""

    url: str | None
    drop: Callable[[], None] = lambda: None


def _admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or DEFAULT_PG_NAME
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

    return Database(urlunsplit(urlsplit(url)._replace(path=f"/{name}")), drop)


def setup_django(data_dir: Path, database_url: str | None) -> None:
    os.environ["BIOCOMMUNITY_DATA_DIR"] = str(data_dir)
    os.environ["ALLOWED_HOSTS"] = "testserver"
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


def analyze_after_load() -> None:
    """PostgreSQL: refresh planner statistics, as autovacuum would within a minute of a load.

    SQLite never gathers statistics on its own, so it is measured as it runs in production:
    without ANALYZE.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# ------------------------------------------------------------------ measuring


def time_calls(call: Callable[[], object], repeat: int, warmup: int = WARMUP) -> Timing:
    for _ in range(warmup):
        call()
    gc.collect()  # earlier garbage is not collected inside a timed call
    timing = Timing()
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        timing.samples_ms.append((time.perf_counter() - start) * 1000)
    return timing


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


def query_plan(queryset: Any) -> str:
    try:
        return str(queryset.explain())
    except Exception as exc:  # a plan is a diagnostic, never a failure
        return f"(no plan: {exc})"


def profile_call(call: Callable[[], object], limit: int = 20) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    call()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("cumulative").print_stats(limit)
    return out.getvalue()


def ratio(value: float, base: float) -> float | None:
    return round(value / base, 1) if base > 0 else None


# ------------------------------------------------------------------ the calls


def compare_calls(keys: list[str]) -> tuple[Callable[[], Any], Callable[[], list[Any]], Any]:
    """compare() and its baseline, the bare rows of the same subjects (and its queryset)."""
    from biocommunity.indicators.models import Observation
    from biocommunity.indicators.services.compare import compare

    bare = Observation.objects.filter(subject__key__in=keys).values_list(
        "indicator_id", "subject_id", "period", "value"
    )

    def app() -> Any:
        return compare(keys)

    def baseline() -> list[Any]:
        return list(bare.all())  # .all(): a fresh queryset, never the cached rows

    return app, baseline, bare


def sales_calls() -> tuple[Callable[[], Any], Callable[[], list[Any]]]:
    from django.db import connection

    from biocommunity.indicators.services.sales import aggregate_sales

    def baseline() -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT industry_ja, count(*), sum(sales) FROM indicators_companysales "
                "GROUP BY industry_ja"
            )
            return cursor.fetchall()

    return aggregate_sales, baseline


def page_call(client: Any) -> Callable[[], Any]:
    def call() -> Any:
        response = client.get(PAGE_PATH, PAGE_PARAMS)
        if response.status_code != 200:
            raise SystemExit(f"GET {PAGE_PATH} {PAGE_PARAMS} answered {response.status_code}")
        return response

    return call


def check_compare(result: dict[str, Any], rows: list[Any]) -> int:
    """The number of values compare() lists; it must equal the baseline's row count."""
    values = sum(len(values) for row in result["indicators"] for values in row["values"].values())
    if values != len(rows):
        raise SystemExit(f"compare() lists {values} values, the bare query {len(rows)} rows")
    return values


def check_sales(table: Any, rows: list[Any], records: int) -> dict[str, Any]:
    """Totals of aggregate_sales() against the baseline's GROUP BY."""
    nation = table.total.nation
    counted = nation.listed_count + nation.unlisted_count + nation.undisclosed_count
    base_count = sum(int(r[1]) for r in rows)
    base_sum = sum(Decimal(str(r[2])) for r in rows if r[2] is not None)
    if counted != records or base_count != records:
        raise SystemExit(f"sales: {counted} counted, baseline {base_count}, {records} records")
    if abs(nation.sales - base_sum) > Decimal("1"):
        raise SystemExit(f"sales: total {nation.sales} but the baseline sums {base_sum}")
    return {"industries": len(table.rows), "total_sales": str(nation.sales)}


# ------------------------------------------------------------------ report


def _memory_gib() -> float | None:
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    return None


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
        "memory_gib": _memory_gib(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": connection.vendor,
        "database_version": db_version,
        # Other work on the machine shows up in p95/max: keep the load next to the figures.
        "load_average_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


def _met(ok: bool | None) -> str:
    if ok is None:
        return ""
    return "[green]yes[/green]" if ok else "[red]no[/red]"


def print_tables(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not console.is_terminal:  # piped into a file or tee: do not squeeze to 80 columns
        console = Console(width=150)
    machine = result["machine"]
    console.print(
        f"[bold]Indicators benchmark[/bold]  {result['date']}  {machine['database']} "
        f"{machine['database_version']}  Django {machine['django']}  Python {machine['python']}  "
        f"{machine['cpu_count']} CPU ({machine['cpu_model']})  {machine['memory_gib']} GiB  "
        f"load {machine['load_average_1m']}  commit {result['source']['commit']}"
        f"{' (src modified)' if result['source']['src_modified'] else ''}"
    )
    load = result["load"]
    table = Table(title="Synthetic data (bulk_create; timed, not a target)")
    for column in ("records", "rows", "seconds", "rows/s"):
        table.add_column(column, justify="left" if column == "records" else "right")
    table.add_row("subjects / indicators", f"{load['subjects']:,} / {load['indicators']:,}", "", "")
    for label, rows, seconds in (
        ("observations", load["observations"], load["observations_s"]),
        ("company sales", load["company_sales"], load["company_sales_s"]),
    ):
        table.add_row(label, f"{rows:,}", f"{seconds:.1f}", f"{rows / seconds:,.0f}")
    console.print(table)

    heading = (
        f"{result['repeat']} timed runs after {WARMUP} warm-ups; compared: "
        f"{', '.join(result['compare']['keys'])}"
    )
    table = Table(title=heading)
    for column in (
        "call",
        "rows",
        "queries",
        "p50 ms",
        "p95 ms",
        "max ms",
        "ratio p50",
        "target",
        "met",
    ):
        table.add_column(column, justify="left" if column == "call" else "right")
    for section, label in (("compare", "compare()"), ("sales", "aggregate_sales()")):
        row = result[section]
        table.add_row(
            label,
            f"{row['rows']:,}",
            str(row["queries"]),
            f"{row['p50_ms']:.1f}",
            f"{row['p95_ms']:.1f}",
            f"{row['max_ms']:.1f}",
            "–" if row["ratio_p50"] is None else f"{row['ratio_p50']:.1f}×",
            f"< {row['target_ms']:.0f} ms",
            _met(row["target_met"]),
        )
        base = row["baseline"]
        table.add_row(
            f"  baseline: {base['what']}",
            f"{base['rows']:,}",
            "1",
            f"{base['p50_ms']:.1f}",
            f"{base['p95_ms']:.1f}",
            f"{base['max_ms']:.1f}",
            "",
            "",
            "",
        )
    page = result["page"]
    table.add_row(
        f"GET {page['path']}?regions={PAGE_PARAMS['regions']}",
        f"{page['bytes']:,} B",
        str(page["queries"]),
        f"{page['p50_ms']:.1f}",
        f"{page['p95_ms']:.1f}",
        f"{page['max_ms']:.1f}",
        "",
        "",
        "",
    )
    console.print(table)


# ------------------------------------------------------------------ main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--observations", type=int, default=1_000_000, help="synthetic observations to load"
    )
    parser.add_argument(
        "--organizations", type=int, default=100_000, help="synthetic company sales records"
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of each call")
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL URL of a database to create and drop (its name must start with "
        f"'bench'; none given: {DEFAULT_PG_NAME}); default: SQLite in a temporary directory",
    )
    parser.add_argument("--seed", type=int, default=SEED, help="random seed of the synthetic data")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also print the slowest SQL, the query plan and a cProfile of one call of each",
    )
    args = parser.parse_args(argv)
    if args.observations < 1 or args.organizations < 1 or args.repeat < 1:
        parser.error("--observations, --organizations and --repeat must be at least 1")
    return args


def run(args: argparse.Namespace, data_dir: Path) -> dict[str, Any]:
    database = prepare_database(args.database_url)
    try:
        setup_django(data_dir, database.url)
        return measure(args)
    finally:
        database.drop()


def timed_section(
    app: Callable[[], Any],
    baseline: Callable[[], list[Any]],
    repeat: int,
    target_ms: float,
) -> dict[str, Any]:
    timing = time_calls(app, repeat).summary()
    base = time_calls(baseline, repeat).summary()
    return {
        **timing,
        "queries": count_queries(app),
        "baseline": base,
        "ratio_p50": ratio(timing["p50_ms"], base["p50_ms"]),
        "ratio_p95": ratio(timing["p95_ms"], base["p95_ms"]),
        "target_ms": target_ms,
        "target_met": timing["p95_ms"] < target_ms,
    }


def diagnose(label: str, call: Callable[[], object], plan: str | None = None) -> None:
    print(f"\n=== {label}: slowest SQL of one call")
    for ms, statement in slowest_queries(call):
        print(f"{ms:8.1f} ms  {statement[:600]}")
    if plan:
        print(f"\n=== {label}: query plan of the main query\n{plan}")
    print(f"\n=== {label}: cProfile of one call")
    print(profile_call(call))


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.test import Client

    from biocommunity.indicators.models import CompanySales, Observation

    started = datetime.now(UTC)
    with stopwatch() as setup_time:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_dataset", "gtb", quiet=True)
    shipped_observations = Observation.objects.count()
    load = load_synthetic(args)
    analyze_after_load()
    gc.collect()

    keys = [*SHIPPED_REGIONS, *load.compared_regions]
    compare_app, compare_base, bare = compare_calls(keys)
    compared_values = check_compare(compare_app(), compare_base())
    sales_app, sales_base = sales_calls()
    sales_check = check_sales(sales_app(), sales_base(), load.company_sales)

    result: dict[str, Any] = {
        "benchmark": "indicators",
        "date": started.isoformat(timespec="seconds"),
        "machine": machine_info(),
        "source": source_revision(),
        "seed": args.seed,
        "repeat": args.repeat,
        "warmup": WARMUP,
        "setup_seconds": round(setup_time[0], 2),
        "load": {
            "subjects": load.subjects,
            "indicators": load.indicators,
            "observations": load.observations,
            "observations_s": round(load.observations_s, 2),
            "observations_total": Observation.objects.count(),
            "shipped_observations": shipped_observations,
            "company_sales": load.company_sales,
            "company_sales_s": round(load.company_sales_s, 2),
            "company_sales_total": CompanySales.objects.count(),
        },
    }

    compare_row = timed_section(compare_app, compare_base, args.repeat, COMPARE_TARGET_MS)
    compare_row["baseline"] |= {"what": "bare values_list", "rows": compared_values}
    result["compare"] = {"keys": keys, "rows": compared_values, **compare_row}

    sales_row = timed_section(sales_app, sales_base, args.repeat, SALES_TARGET_MS)
    sales_row["baseline"] |= {"what": "bare GROUP BY", "rows": sales_check["industries"]}
    result["sales"] = {
        "records": load.company_sales,
        "rows": sales_check["industries"],
        "total_sales_jpy_million": sales_check["total_sales"],
        **sales_row,
    }

    client = Client()
    call = page_call(client)
    page = time_calls(call, args.repeat).summary()
    result["page"] = {
        "path": PAGE_PATH,
        "params": PAGE_PARAMS,
        "bytes": len(call().content),
        "queries": count_queries(call),
        **page,
    }

    if args.profile:
        diagnose("compare()", compare_app, query_plan(bare))
        diagnose("aggregate_sales()", sales_app)
        diagnose(f"GET {PAGE_PATH}", call)
    if hasattr(os, "getloadavg"):
        result["machine"]["load_average_1m_end"] = round(os.getloadavg()[0], 2)
    result["all_targets_met"] = result["compare"]["target_met"] and result["sales"]["target_met"]
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-indicators-") as tmp:
        result = run(args, Path(tmp))
    print_tables(result)
    print(json.dumps(result, ensure_ascii=False, sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
