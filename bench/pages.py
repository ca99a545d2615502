"""Page benchmark: the matching profile page on the demo data, the first profile save after a
start, and (with ``--browser``) the home page's weight and load time in Chromium.

Run from the repository root::

    .venv/bin/python bench/pages.py                       # GTB dataset + 150 profiles, SQLite
    .venv/bin/python bench/pages.py --profiles 50 --requests 40          # quick
    .venv/bin/python bench/pages.py --browser             # + home page bytes and times
    .venv/bin/python bench/pages.py --profile             # + where one profile page's time goes

Everything happens in a throw-away database (a SQLite file in a temporary directory, or with
``--database-url`` a PostgreSQL database whose name starts with ``bench``, created and dropped).
It migrates, loads the shipped GTB dataset (organisations and its capability profiles) and adds
``--profiles`` synthetic bilingual seeds, needs and capabilities, none embedded yet: the state
of a fresh ``make demo``. Each figure is printed beside a bare endpoint (an ``HttpResponse``
through the same middleware) measured in the same run. The last line is one JSON object with
every figure, the machine, the commit and the date.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from measuring import Timing, source_revision, stopwatch
from registry import prepare_database, setup_django

ROOT = Path(__file__).resolve().parents[1]
P95_TARGET_MS = 300.0
SEED = 20261204
WARMUP = 3

# (Japanese, English) topics the synthetic profiles are about, in the seeds' vocabulary.
TOPICS = [
    ("抗体医薬品の受託製造", "contract manufacturing of antibody drugs"),
    ("AAVベクターのGMP製造", "GMP manufacturing of AAV vectors"),
    ("細胞培養用培地の国産化", "domestic cell culture media"),
    ("シングルユースバッグの供給", "supply of single-use bags"),
    ("iPS細胞の分化誘導と品質評価", "iPS cell differentiation and quality testing"),
    ("mRNAワクチンの製剤化", "mRNA vaccine formulation"),
    ("ゲノム編集による育種", "breeding by genome editing"),
    ("バイオファウンドリでの菌株構築", "strain engineering at a biofoundry"),
    ("連続クロマトグラフィーによる精製", "purification by continuous chromatography"),
    ("再生医療等製品の臨床研究", "clinical research on regenerative medicine products"),
    ("微生物発酵による素材生産", "materials from microbial fermentation"),
    ("診断薬の共同開発", "co-development of diagnostics"),
]
SENTENCES = [
    ("当社は{t}について十年以上の実績があります。", "We have over ten years of work on {t}."),
    ("{t}の技術を持つ企業・大学との連携を希望します。", "We seek partners with {t} expertise."),
    ("スケールアップと品質管理の体制を整えています。", "Scale-up and quality control in place."),
    ("治験薬の製造から商用生産まで対応できます。", "From clinical batches to commercial supply."),
    ("海外の製薬企業との共同研究も進めています。", "We also work with overseas pharma."),
]


def synthetic_profiles(count: int, organization_ids: list[int], seed: int) -> list[Any]:
    """Seeded bilingual profiles (seeds, needs, capabilities) of 300-800 characters."""
    from biocommunity.matching.models import Profile

    rng = random.Random(seed)
    kinds = ["need", "seed", "capability"]
    profiles = []
    for number in range(count):
        ja, en = rng.choice(TOPICS)
        chosen = rng.sample(SENTENCES, k=rng.randint(3, 5))
        profiles.append(
            Profile(
                organization_id=rng.choice(organization_ids),
                kind=kinds[number % 3],
                title_ja=f"{ja}（{number}）",
                title_en=f"{en} ({number})",
                body_ja="".join(s.format(t=ja) for s, _ in chosen) * 2,
                body_en=" ".join(e.format(t=en) for _, e in chosen) * 2,
                visibility="public",
                status="active",
                contact_name="Bench",
                contact_email="bench@example.org",
                source="bench/pages.py",
                as_of="2026",
            )
        )
    return profiles


def bare_urlconf() -> str:
    """The project's URLs plus /bench/bare/, a view that does nothing (the baseline)."""
    from django.http import HttpResponse
    from django.urls import path

    from biocommunity import urls

    module = types.ModuleType("bench_pages_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("bench/bare/", lambda request: HttpResponse("ok")),
        *urls.urlpatterns,
    ]
    sys.modules[module.__name__] = module
    return module.__name__


def time_requests(call: Callable[[int], Any], requests: int, warmup: int = WARMUP) -> Timing:
    for number in range(warmup):
        call(number)
    timing = Timing()
    for number in range(requests):
        with stopwatch() as took:
            call(number)
        timing.samples_ms.append(took[0] * 1000)
    return timing


def machine() -> dict[str, Any]:
    from django import get_version
    from django.db import connection

    return {
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "django": get_version(),
        "database": f"{connection.vendor} {connection.Database.sqlite_version}"
        if connection.vendor == "sqlite"
        else connection.vendor,
    }


# ------------------------------------------------------------------ first save after start


def first_save_child(mode: str) -> dict[str, Any]:
    """In a fresh process: optionally let the warm-up finish (as a server would before its
    first visitor), then a member posts a profile and is shown its page."""
    from django.test import Client

    from biocommunity.matching.models import Profile
    from biocommunity.matching.services import warmup
    from biocommunity.registry.models import OrganizationMember

    result: dict[str, Any] = {"mode": mode}
    if mode == "warm":
        # What the server's warm-up thread does at start, here waited for: a visitor who
        # comes later finds it done (measured so, it does not compete with the timed requests).
        with stopwatch() as took:
            warmup.warm_up()
        result["warm_up_s"] = round(took[0], 2)
    member = OrganizationMember.objects.select_related("user").first()
    assert member is not None
    client = Client()
    client.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
    form = {
        "kind": "need",
        "title_ja": "抗体医薬品の受託製造先を探しています",
        "title_en": "",
        "body_ja": "CHO細胞を用いた抗体医薬品の治験薬製造を委託できるCDMOを探しています。",
        "body_en": "",
        "tags": "",
        "visibility": "public",
        "status": "active",
        "contact_name": "Bench",
        "contact_email": "bench@example.org",
    }
    # The member opens the form first (as in the browser), which also loads what any first
    # request loads (URLs, templates); then the save and the page it leads to are timed.
    with stopwatch() as took:
        client.get("/ja/matching/profiles/new/")
    result["form_page_ms"] = round(took[0] * 1000, 1)
    with stopwatch() as took:
        response = client.post("/ja/matching/profiles/new/", form)
    result["save_ms"] = round(took[0] * 1000, 1)
    if response.status_code != 302:
        raise SystemExit(f"saving answered {response.status_code}: {response.content[:600]!r}")
    with stopwatch() as took:
        page = client.get(response["Location"])
    result["page_after_save_ms"] = round(took[0] * 1000, 1)
    result["matches"] = page.content.count(b'data-testid="match"')
    Profile.objects.filter(title_ja=form["title_ja"]).delete()
    return result


def first_save(data_dir: Path, database_url: str | None) -> list[dict[str, Any]]:
    """Each mode in a new process, from no stored vectors (a fresh demo)."""
    from biocommunity.matching.models import ProfileVector

    results = []
    for mode in ("cold", "warm"):
        ProfileVector.objects.all().delete()
        env = {
            **os.environ,
            "BIOCOMMUNITY_DATA_DIR": str(data_dir),
            # Cold: nothing readied (as before); warm: as a server runs now.
            "BIOCOMMUNITY_MATCHING_WARMUP": "off" if mode == "cold" else "thread",
        }
        if database_url:
            env["DATABASE_URL"] = database_url
        done = subprocess.run(
            [sys.executable, __file__, "--child-first-save", mode],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise SystemExit(f"first-save child ({mode}) failed:\n{done.stderr[-3000:]}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return results


# ------------------------------------------------------------------ the profile page


def profile_pages(requests: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from biocommunity.matching.engine.dense import CachedQueries
    from biocommunity.matching.models import Profile
    from biocommunity.matching.services import indexing, warmup
    from biocommunity.registry.models import OrganizationMember

    with stopwatch() as took:
        report = warmup.warm_up()
    out: dict[str, Any] = {"warm_up_s": round(took[0], 2), "profiles": report.profiles}
    pages = [
        f"/ja/matching/profiles/{pk}/"
        for pk in Profile.objects.filter(kind__in=["need", "seed"])
        .order_by("pk")
        .values_list("pk", flat=True)[:20]
    ]
    member = OrganizationMember.objects.select_related("user").first()
    assert member is not None
    visitor = Client()
    signed_in = Client()
    signed_in.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")

    with override_settings(ROOT_URLCONF=bare_urlconf()):

        def get(client: Client, url: str) -> Any:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"GET {url} answered {response.status_code}")
            return response

        rows: dict[str, Timing] = {}
        rows["bare endpoint"] = time_requests(lambda n: get(visitor, "/bench/bare/"), requests)
        rows["profile page, visitor"] = time_requests(
            lambda n: get(visitor, pages[n % len(pages)]), requests
        )
        rows["profile page, member"] = time_requests(
            lambda n: get(signed_in, pages[n % len(pages)]), requests
        )
        # The same pages with the query vectors not remembered: what every visit cost before.
        index = indexing.current_index()
        embedder = index.embedder
        if isinstance(embedder, CachedQueries):
            index.embedder = embedder.inner
            try:
                rows["profile page, visitor, query not cached (before)"] = time_requests(
                    lambda n: get(visitor, pages[n % len(pages)]), max(10, requests // 5), 1
                )
            finally:
                index.embedder = embedder
        queries = {}
        for label, client in (("visitor", visitor), ("member", signed_in)):
            with CaptureQueriesContext(connection) as captured:
                response = get(client, pages[0])
            queries[label] = len(captured)
            out[f"matches_{label}"] = response.content.count(b'data-testid="match"')
    base = rows["bare endpoint"].summary()["p50_ms"]
    out["rows"] = {}
    for label, timing in rows.items():
        summary = timing.summary()
        summary["ratio_p50"] = round(summary["p50_ms"] / base, 1) if base else None
        summary["requests"] = len(timing.samples_ms)
        out["rows"][label] = summary
    out["queries"] = queries
    out["pages"] = len(pages)
    return out


def profile_one(url: str) -> str:
    from django.test import Client

    client = Client()
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        client.get(url)
        profiler.disable()
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(25)
        return stream.getvalue()
    sampler = Profiler(interval=0.001)
    sampler.start()
    client.get(url)
    sampler.stop()
    return str(sampler.output_text(unicode=True, color=False))


# ------------------------------------------------------------------ the home page in Chromium

NETWORKS = {
    "loopback": None,
    # A phone on a decent mobile network: 10 Mbit/s down, 3 Mbit/s up, 40 ms round trip.
    "mobile 10 Mbit/s": {"latency": 40, "down": 10e6 / 8, "up": 3e6 / 8},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(data_dir: Path, database_url: str | None, src: Path | None) -> tuple[Any, str]:
    port = free_port()
    env = {
        **os.environ,
        "BIOCOMMUNITY_DATA_DIR": str(data_dir),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BIOCOMMUNITY_MATCHING_WARMUP": "off",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    if src:
        env["PYTHONPATH"] = str(src)
    server = subprocess.Popen(
        [sys.executable, "-m", "biocommunity.cli", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server, url
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def _collect(received: list[float]) -> Callable[[dict[str, Any]], None]:
    return lambda event: received.append(event["encodedDataLength"])


def home_page(url: str, runs: int) -> dict[str, Any]:
    """Bytes over the wire (encoded, headers included) until the load event, and after
    scrolling to the charts until they are drawn; times from navigation start."""
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("BIOCOMMUNITY_CHROMIUM", "/usr/bin/chromium")
    results: dict[str, Any] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for network, conditions in NETWORKS.items():
            samples = []
            for _ in range(runs):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                if conditions:
                    cdp.send(
                        "Network.emulateNetworkConditions",
                        {
                            "offline": False,
                            "latency": conditions["latency"],
                            "downloadThroughput": conditions["down"],
                            "uploadThroughput": conditions["up"],
                        },
                    )
                received: list[float] = []
                cdp.on("Network.loadingFinished", _collect(received))
                page.goto(f"{url}/ja/", wait_until="load")
                timing = page.evaluate(
                    "(() => { const n = performance.getEntriesByType('navigation')[0];"
                    " return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd}; })()"
                )
                at_load = sum(received)
                started = time.perf_counter()
                page.locator("#chart-kinds").scroll_into_view_if_needed()
                page.wait_for_selector("#chart-hubs .main-svg", timeout=120_000)
                page.wait_for_load_state("networkidle")
                samples.append(
                    {
                        "bytes_at_load": int(at_load),
                        "dom_content_loaded_ms": round(timing["dcl"], 1),
                        "load_ms": round(timing["load"], 1),
                        "bytes_with_charts": int(sum(received)),
                        "charts_after_scroll_ms": round((time.perf_counter() - started) * 1000, 1),
                    }
                )
                context.close()
            results[network] = {
                key: sorted(sample[key] for sample in samples)[len(samples) // 2]
                for key in samples[0]
            }
            results[network]["runs"] = runs
        browser.close()
    return results


# ------------------------------------------------------------------ throughput

THROUGHPUT_P95_TARGET_MS = 100.0


def serve_gunicorn(
    data_dir: Path, database_url: str | None, src: Path | None, workers: int, threads: int
) -> tuple[Any, str]:
    """The production WSGI server (gunicorn) on 127.0.0.1, DEBUG off, on the bench data."""
    port = free_port()
    env = {
        **os.environ,
        "BIOCOMMUNITY_DATA_DIR": str(data_dir),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BIOCOMMUNITY_MATCHING_WARMUP": "off",
        "DJANGO_SETTINGS_MODULE": "biocommunity.settings",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    if src:
        env["PYTHONPATH"] = str(src)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "biocommunity.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(150):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def hammer(
    url: str, path: str, *, concurrency: int, seconds: float, headers: dict[str, str]
) -> dict[str, Any]:
    """``concurrency`` threads, each with one keep-alive connection, GET ``path`` for
    ``seconds``: requests per second and latency percentiles (a bounded, closed-loop run)."""
    import http.client
    import threading
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    assert host == "127.0.0.1", "the throughput run only talks to this machine"
    samples: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=30)
        mine: list[float] = []
        seen: dict[int, int] = {}
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=30)
                status = 0
            mine.append((time.perf_counter() - started) * 1000)
            seen[status] = seen.get(status, 0) + 1
        connection.close()
        with lock:
            samples.extend(mine)
            for key, n in seen.items():
                statuses[key] = statuses.get(key, 0) + n

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    timing = Timing(samples)
    return {
        "rps": round(len(samples) / elapsed, 1),
        **timing.summary(),
        "requests": len(samples),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def _get(url: str, path: str) -> dict[str, str]:
    """One GET on loopback; the response headers."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return dict(response.getheaders())
    finally:
        connection.close()


def throughput(
    url: str, pages: dict[str, str], *, concurrency: int, seconds: float
) -> dict[str, Any]:
    """Every page in turn (after a few warm-up requests), then the ratios to /api/hubs."""
    rows: dict[str, Any] = {}
    load_before = os.getloadavg()
    for label, path in pages.items():
        headers = {"Accept-Language": "ja"}
        if label.endswith("(If-None-Match)"):
            response_headers = _get(url, path)
            etag = response_headers.get("ETag")
            cookie = response_headers.get("Set-Cookie", "").split(";", 1)[0]
            if etag:
                headers["If-None-Match"] = etag
            if cookie:
                headers["Cookie"] = cookie
        for _ in range(WARMUP):
            _get(url, path)
        rows[label] = hammer(url, path, concurrency=concurrency, seconds=seconds, headers=headers)
    # The ratios are to the mean of the bare endpoint's first and last figures.
    bare_rows = [row for label, row in rows.items() if label.startswith("/api/hubs")]
    bare = sum(row["rps"] for row in bare_rows) / len(bare_rows)
    for row in rows.values():
        row["share_of_api_hubs"] = round(row["rps"] / bare, 3) if bare else None
    return {
        "concurrency": concurrency,
        "seconds_per_page": seconds,
        "load_average_before": [round(v, 2) for v in load_before],
        "load_average_after": [round(v, 2) for v in os.getloadavg()],
        "rows": rows,
    }


def throughput_pages() -> dict[str, str]:
    from biocommunity.registry.models import Hub, Organization

    hub = Hub.objects.order_by("number", "key").first()
    org = Organization.objects.order_by("key").first()
    assert hub is not None and org is not None
    return {
        "/api/hubs (bare endpoint)": "/api/hubs",
        "home": "/ja/",
        "home (If-None-Match)": "/ja/",
        "hub": f"/ja/hubs/{hub.key}/",
        "directory": "/ja/directory/",
        "directory ?kind=cdmo": "/ja/directory/?kind=cdmo",
        "organisation": f"/ja/organizations/{org.key}/",
        "compare": "/ja/figures/compare/",
        "KPIs": "/ja/figures/kpis/",
        "certification register": "/ja/certification/",
        # Measured again last: the load of a shared machine drifts during the run.
        "/api/hubs again (bare, last)": "/api/hubs",
    }


def print_throughput(out: dict[str, Any]) -> None:
    print(
        f"\nthroughput, gunicorn {out['workers']}×{out['threads']}, concurrency "
        f"{out['concurrency']}, {out['seconds_per_page']} s a page, load average "
        f"{out['load_average_before']} → {out['load_average_after']}"
        f" (target p95 ≤ {THROUGHPUT_P95_TARGET_MS:.0f} ms, home ≥ 50 % of /api/hubs)"
    )
    print(f"{'':30} {'req/s':>8} {'p50':>8} {'p95':>8} {'of hubs':>8}  statuses")
    for label, row in out["rows"].items():
        print(
            f"{label:30} {row['rps']:>8.1f} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f}"
            f" {row['share_of_api_hubs']:>8}  {row['statuses']}"
        )


# ------------------------------------------------------------------ main


def print_table(out: dict[str, Any]) -> None:
    print(f"\nprofile page ({out['profiles']} profiles, {out['pages']} pages visited in turn,")
    print(f"warm-up took {out['warm_up_s']} s; target p95 ≤ {P95_TARGET_MS:.0f} ms)")
    print(f"{'':52} {'p50':>9} {'p95':>9} {'max':>9} {'× bare':>8}")
    for label, row in out["rows"].items():
        print(
            f"{label:52} {row['p50_ms']:>9.1f} {row['p95_ms']:>9.1f} {row['max_ms']:>9.1f}"
            f" {row['ratio_p50']:>8}"
        )
    print(f"queries per page: {out['queries']}; matches shown: {out['matches_visitor']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profiles", type=int, default=150, help="synthetic profiles to add")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per row")
    parser.add_argument("--database-url", help="postgres://…/bench_… (default: SQLite)")
    parser.add_argument("--browser", action="store_true", help="home page weight in Chromium")
    parser.add_argument("--browser-runs", type=int, default=3)
    parser.add_argument(
        "--browser-src",
        type=Path,
        help="serve the home page from this source tree (e.g. an older commit's src/)",
    )
    parser.add_argument(
        "--throughput",
        action="store_true",
        help="requests/s and p95 of every public page through gunicorn, beside /api/hubs",
    )
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0, help="per page, throughput run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--server-src", type=Path, help="serve the throughput run from this source tree"
    )
    parser.add_argument("--skip-first-save", action="store_true")
    parser.add_argument("--skip-profile-page", action="store_true", help="e.g. with --browser-src")
    parser.add_argument("--profile", action="store_true", help="profile one profile page")
    parser.add_argument("--child-first-save", choices=["cold", "warm"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child_first_save:
        setup_django(Path(os.environ["BIOCOMMUNITY_DATA_DIR"]), os.environ.get("DATABASE_URL"))
        print(json.dumps(first_save_child(args.child_first_save)))
        return 0

    database = prepare_database(args.database_url)
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        data_dir = Path(tmp)
        os.environ["BIOCOMMUNITY_MATCHING_WARMUP"] = "off"  # the benchmark warms up itself
        os.environ["BIOCOMMUNITY_EMAIL_DELIVERY"] = "outbox"
        setup_django(data_dir, database.url)
        try:
            from io import StringIO

            from django.core.management import call_command

            from biocommunity.matching.models import Profile
            from biocommunity.registry.models import Organization

            call_command("migrate", verbosity=0)
            call_command("load_dataset", "gtb", quiet=True, stdout=StringIO())
            organizations = list(Organization.objects.values_list("pk", flat=True))
            # A member of one organisation: the signed-in visitor and the poster of a profile.
            from django.contrib.auth import get_user_model

            from biocommunity.registry.models import OrganizationMember

            user = get_user_model().objects.create_user("bench-member", "bench@example.org")
            OrganizationMember.objects.create(user=user, organization_id=organizations[0])
            Profile.objects.bulk_create(synthetic_profiles(args.profiles, organizations, SEED))
            result: dict[str, Any] = {"profiles_in_database": Profile.objects.count()}
            if not args.skip_first_save:
                result["first_save"] = first_save(data_dir, database.url)
                for row in result["first_save"]:
                    print(
                        f"first profile save after start ({row['mode']}): save "
                        f"{row['save_ms']:.0f} ms, its page {row['page_after_save_ms']:.0f} ms"
                        + (f" (warm-up before: {row['warm_up_s']} s)" if "warm_up_s" in row else "")
                    )
            if not args.skip_profile_page:
                result["profile_page"] = profile_pages(args.requests)
                print_table(result["profile_page"])
            if args.profile:
                first = Profile.objects.filter(kind="need").order_by("pk").first()
                assert first is not None
                print(profile_one(f"/ja/matching/profiles/{first.pk}/"))
            if args.browser:
                from django.db import connections

                connections.close_all()
                server, url = serve(data_dir, database.url, args.browser_src)
                try:
                    result["home_page"] = home_page(url, args.browser_runs)
                finally:
                    server.terminate()
                    server.wait(timeout=10)
                for network, row in result["home_page"].items():
                    print(
                        f"home page ({network}): {row['bytes_at_load'] / 1024:.0f} KiB at load "
                        f"({row['load_ms']:.0f} ms), {row['bytes_with_charts'] / 1024:.0f} KiB "
                        f"with charts (drawn {row['charts_after_scroll_ms']:.0f} ms after scroll)"
                    )
            if args.throughput:
                from django.db import connections

                pages = throughput_pages()
                # Production serving reads hashed, compressed static files collected at start.
                call_command("collectstatic", interactive=False, verbosity=0)
                connections.close_all()
                server, url = serve_gunicorn(
                    data_dir, database.url, args.server_src, args.workers, args.threads
                )
                try:
                    result["throughput"] = {
                        "workers": args.workers,
                        "threads": args.threads,
                        "server_src": str(args.server_src) if args.server_src else None,
                        **throughput(
                            url, pages, concurrency=args.concurrency, seconds=args.seconds
                        ),
                    }
                finally:
                    server.terminate()
                    server.wait(timeout=10)
                print_throughput(result["throughput"])
            result["machine"] = machine()
            result["revision"] = source_revision()
            result["browser_src"] = str(args.browser_src) if args.browser_src else None
            result["date"] = datetime.now(UTC).isoformat(timespec="seconds")
            print(json.dumps(result, ensure_ascii=False))
        finally:
            database.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
