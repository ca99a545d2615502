"""Serving the site in production: gunicorn in front of ``biocommunity.wsgi``.

``biocommunity serve`` collects the static files (hashed and compressed, which WhiteNoise then
serves with long cache headers), then replaces itself with gunicorn, so that systemd, compose or
Ctrl-C signal the gunicorn master directly: SIGTERM lets requests in flight finish (up to
``graceful_timeout`` seconds) before the workers stop.

No ``--preload``: each worker imports ``biocommunity.wsgi`` itself and so starts its own matching
warm-up thread (BIOCOMMUNITY_MATCHING_WARMUP); a model loaded before the fork is not safe in the
workers.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from io import TextIOBase
from typing import NoReturn

from django.core.management import call_command

WSGI_APP = "biocommunity.wsgi:application"


class ServeError(ValueError):
    """The options cannot make a server."""


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    threads: int = 4
    # A request running longer than this is killed with its worker (a stuck import, say).
    timeout: int = 60
    graceful_timeout: int = 30

    def validate(self) -> None:
        if not 0 < self.port < 65536:
            raise ServeError(f"--port must be between 1 and 65535, not {self.port}")
        if self.workers < 1:
            raise ServeError(f"--workers must be at least 1, not {self.workers}")
        if self.threads < 1:
            raise ServeError(f"--threads must be at least 1, not {self.threads}")
        if not self.host:
            raise ServeError("--host must not be empty")


def bind_address(host: str, port: int) -> str:
    """gunicorn's ``--bind`` form; an IPv6 address goes in brackets."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"


def gunicorn_argv(options: ServeOptions, python: str = sys.executable) -> list[str]:
    """The command line that runs gunicorn for ``options`` (``python -m gunicorn``, so the
    virtual environment's gunicorn is used whatever PATH says)."""
    options.validate()
    return [
        python,
        "-m",
        "gunicorn",
        WSGI_APP,
        "--bind",
        bind_address(options.host, options.port),
        "--workers",
        str(options.workers),
        # gthread: several requests per worker; the matching model is loaded once per worker.
        "--worker-class",
        "gthread",
        "--threads",
        str(options.threads),
        "--timeout",
        str(options.timeout),
        "--graceful-timeout",
        str(options.graceful_timeout),
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        # The control socket (gunicornc) lives at one fixed path in $HOME: two servers on one
        # machine would fight over it, and nothing here uses it.
        "--no-control-socket",
    ]


def collect_static(stdout: TextIOBase) -> None:
    """Copy, hash and compress every static file into STATIC_ROOT (idempotent, a few seconds)."""
    call_command("collectstatic", interactive=False, verbosity=1, stdout=stdout)


def serve(options: ServeOptions, stdout: TextIOBase, argv: Sequence[str] | None = None) -> NoReturn:
    """Collect the static files, then become gunicorn (never returns)."""
    command = list(argv) if argv is not None else gunicorn_argv(options)
    collect_static(stdout)
    stdout.flush()
    os.execv(command[0], command)  # noqa: S606 - our own interpreter with fixed arguments
