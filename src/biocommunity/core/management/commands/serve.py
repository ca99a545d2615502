from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from biocommunity.core import serving


class Command(BaseCommand):
    help = (
        "Serve the site through gunicorn: collect static files, then run biocommunity.wsgi "
        "with an access log and graceful shutdown on SIGTERM."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = serving.ServeOptions()
        parser.add_argument("--host", default=defaults.host, help="address to listen on")
        parser.add_argument("--port", type=int, default=defaults.port, help="port to listen on")
        parser.add_argument(
            "--workers", type=int, default=defaults.workers, help="worker processes"
        )
        parser.add_argument(
            "--threads", type=int, default=defaults.threads, help="threads per worker"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        serve_options = serving.ServeOptions(
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            threads=options["threads"],
        )
        try:
            argv = serving.gunicorn_argv(serve_options)
        except serving.ServeError as exc:
            raise CommandError(str(exc)) from exc
        if settings.DEBUG:
            self.stderr.write("DEBUG is on: for a demo only, never in production.")
        self.stdout.write(
            f"serving on http://{serving.bind_address(serve_options.host, serve_options.port)}/"
            f" ({serve_options.workers} workers x {serve_options.threads} threads)"
        )
        serving.serve(serve_options, self.stdout, argv)
