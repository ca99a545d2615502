"""Run every test: checks, lint, the suite on SQLite, then on PostgreSQL when reachable.

Browser tests need Debian's Chromium (/usr/bin/chromium) and skip with a message without it;
the PostgreSQL run needs a server (default postgres://postgres@127.0.0.1:5432/test,
override with BIOCOMMUNITY_TEST_POSTGRES_URL). Under CI (CI=true) neither may be skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_URL = os.environ.get(
    "BIOCOMMUNITY_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"
)


def run(title: str, args: list[str], env: dict[str, str] | None = None) -> None:
    print(f"\n=== {title}: {' '.join(args)}", flush=True)
    result = subprocess.run(args, cwd=ROOT, env={**os.environ, **(env or {})}, check=False)
    if result.returncode != 0:
        print(f"=== {title} FAILED (exit {result.returncode})", flush=True)
        sys.exit(result.returncode)


def postgres_reachable() -> str | None:
    """None when reachable, else why not."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except Exception as exc:  # any failure means: not usable here
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def main() -> None:
    scratch = ROOT / "var" / "test-run"
    scratch.mkdir(parents=True, exist_ok=True)
    env = {"BIOCOMMUNITY_DATA_DIR": str(scratch), "DATABASE_URL": ""}
    cli = str(BIN / "biocommunity")
    run("django checks", [cli, "check", "--fail-level", "WARNING"], env)
    run("migrations up to date", [cli, "makemigrations", "--check", "--dry-run"], env)
    run("ruff lint", [str(BIN / "ruff"), "check", "src", "tests", "bench", "scripts"])
    run("ruff format", [str(BIN / "ruff"), "format", "--check", "src", "tests", "bench", "scripts"])
    run("mypy", [str(BIN / "mypy"), "src"], env)
    run("tests on SQLite", [str(BIN / "pytest"), "-q", "-p", "no:cacheprovider"], env)

    problem = postgres_reachable()
    if problem is None:
        pg_env = {**env, "DATABASE_URL": POSTGRES_URL}
        run(
            "tests on PostgreSQL",
            [str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", "-m", "not browser"],
            pg_env,
        )
    elif CI:
        print(f"PostgreSQL is required in CI but not reachable at {POSTGRES_URL}: {problem}")
        sys.exit(1)
    else:
        print(
            f"\nSKIPPED the PostgreSQL run: {POSTGRES_URL} is not reachable ({problem}).\n"
            "To enable it, start a PostgreSQL server that accepts that URL or set "
            "BIOCOMMUNITY_TEST_POSTGRES_URL."
        )
    print("\nall test runs passed")


if __name__ == "__main__":
    main()
