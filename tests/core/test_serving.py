"""biocommunity serve (gunicorn + WhiteNoise), /health, HSTS and check --deploy in HTTPS mode."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.test import Client

from biocommunity.core import serving
from tests.conftest import assert_status

BIN = Path(sys.executable).parent
REAL_KEY = "k3Jx9-vQz2LmN8pR4tW7yB1cF6hD0sG5aE-uI9oPqZ_wXcV2bN7mK4jH8gT3rY6e"


def test_gunicorn_argv_runs_the_wsgi_app_with_access_log_and_graceful_stop() -> None:
    argv = serving.gunicorn_argv(
        serving.ServeOptions(host="10.0.0.5", port=9000, workers=3, threads=5), python="/py"
    )
    assert argv[:4] == ["/py", "-m", "gunicorn", "biocommunity.wsgi:application"]
    pairs = dict(zip(argv[4::2], argv[5::2], strict=False))
    assert pairs["--bind"] == "10.0.0.5:9000"
    assert pairs["--workers"] == "3"
    assert pairs["--threads"] == "5"
    assert pairs["--worker-class"] == "gthread"
    assert pairs["--access-logfile"] == "-"
    assert int(pairs["--graceful-timeout"]) > 0
    # Each worker imports the app itself, so each runs its own matching warm-up.
    assert "--preload" not in argv


def test_ipv6_host_is_bracketed() -> None:
    assert serving.bind_address("::1", 8000) == "[::1]:8000"
    assert serving.bind_address("[::1]", 8000) == "[::1]:8000"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers", "0"], "--workers"),
        (["--port", "70000"], "--port"),
        (["--threads", "0"], "--threads"),
    ],
)
def test_serve_refuses_impossible_options(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("serve", *args)


def test_static_names_stay_plain_until_collected(settings: Any, tmp_path: Path) -> None:
    # A command rendering a page on a fresh install (no collectstatic yet) must not fail.
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "biocommunity.core.staticfiles.ServingStaticStorage"},
    }
    from django.contrib.staticfiles.storage import staticfiles_storage

    assert staticfiles_storage.url("core/site.css") == "/static/core/site.css"


@pytest.mark.django_db
def test_health_answers_ok_without_a_session(client: Client) -> None:
    response = client.get("/health")
    assert_status(response, 200)
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "sessionid" not in response.cookies
    assert "Cookie" not in response.headers.get("Vary", "")
    assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_health_answers_503_when_the_database_is_unreachable(
    client: Client, monkeypatch: Any
) -> None:
    from django.db import connection

    def unreachable() -> Any:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", unreachable)
    response = client.get("/health")
    assert_status(response, 503)
    assert response.json() == {"status": "unavailable", "database": "unavailable"}


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "BIOCOMMUNITY_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "DEBUG": "",
        "BIOCOMMUNITY_HTTPS": "",
        "BIOCOMMUNITY_HSTS_PRELOAD": "",
        "BIOCOMMUNITY_MATCHING_WARMUP": "off",
        "DJANGO_SETTINGS_MODULE": "biocommunity.settings",
    }
    # The browser tests' conftest allows async-unsafe ORM calls in this process; a deployment
    # never does, and check --deploy rightly refuses it, so the child does not inherit it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(extra)
    return env


HEADERS_SCRIPT = """
import json, django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
secure = client.get("/health", secure=True)
plain = client.get("/ja/")
probe = client.get("/health")
print(json.dumps({
    "hsts": secure.headers.get("Strict-Transport-Security"),
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location"),
    "probe_status": probe.status_code,
}))
"""


def _https_headers(tmp_path: Path, **extra: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", HEADERS_SCRIPT],
        env=_env(tmp_path, BIOCOMMUNITY_HTTPS="1", SECRET_KEY=REAL_KEY, **extra),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_https_mode_sends_hsts_with_subdomains_and_redirects_all_but_health(
    tmp_path: Path,
) -> None:
    seen = _https_headers(tmp_path)
    assert seen["hsts"] == "max-age=31536000; includeSubDomains"
    assert seen["plain_status"] == 301
    assert seen["plain_location"].startswith("https://")
    # A load balancer probing over plain HTTP gets an answer, not a redirect.
    assert seen["probe_status"] == 200


def test_hsts_preload_is_the_operators_choice(tmp_path: Path) -> None:
    seen = _https_headers(tmp_path, BIOCOMMUNITY_HSTS_PRELOAD="1")
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.parametrize("preload", ["", "1"])
def test_check_deploy_is_clean_in_https_mode(tmp_path: Path, preload: str) -> None:
    result = subprocess.run(
        [str(BIN / "biocommunity"), "check", "--deploy", "--fail-level", "WARNING"],
        env=_env(
            tmp_path,
            BIOCOMMUNITY_HTTPS="1",
            SECRET_KEY=REAL_KEY,
            ALLOWED_HOSTS="gtb.example.org",
            BIOCOMMUNITY_HSTS_PRELOAD=preload,
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_serve_answers_health_a_page_and_hashed_static_then_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    # No migrate: /health, the API docs and the not-found page need no tables (saves seconds).
    env = _env(tmp_path)
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(BIN / "biocommunity"), "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, body = _get(f"{base}/health")
                break
            except OSError:
                assert server.poll() is None, log.read_text(errors="replace")
                assert time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.3)
        assert status == 200
        assert json.loads(body) == {"status": "ok", "database": "ok"}

        status, headers, docs = _get(f"{base}/api/docs")
        assert status == 200
        assert headers["Server"] == "gunicorn"
        # Pages link the collected, hashed copies, served compressed and cached for good.
        bundle = re.search(rb"(/static/ninja/swagger-ui-bundle\.[0-9a-f]{12}\.js)", docs)
        assert bundle, docs
        status, headers, body = _get(base + bundle.group(1).decode())
        assert status == 200 and body
        assert "immutable" in headers["Cache-Control"]
        assert headers.get("Content-Encoding") == "gzip"
        status, _, page = _get(f"{base}/en/no-such-page/")
        assert status == 404
        css = re.search(rb'href="(/static/core/site\.[0-9a-f]{12}\.css)"', page)
        assert css, page[:2000]
        assert _get(base + css.group(1).decode())[0] == 200
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            returncode = server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    output = log.read_text(errors="replace")
    assert returncode == 0, output
    assert '"GET /health HTTP/1.1" 200' in output  # the access log
    assert "Shutting down" in output


def test_compose_file_parses_and_runs_only_commands_that_exist() -> None:
    # No Docker engine in CI: check what can be checked without one.
    import yaml
    from django.core.management import get_commands

    root = Path(__file__).resolve().parents[2]
    compose = yaml.safe_load((root / "docs/deploy/compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"db", "web", "worker", "proxy"} <= set(services)
    commands = get_commands()
    used = []
    for service in services.values():
        command = service.get("command") or []
        text = " ".join(command)
        used += re.findall(r"biocommunity ([a-z][a-z-]*)", text)
    assert {"serve", "worker", "migrate"} <= set(used)
    missing = [name for name in used if name.replace("-", "_") not in commands]
    assert not missing, missing
    for mounted in ("./nginx.conf",):
        assert (root / "docs/deploy" / mounted).exists()
