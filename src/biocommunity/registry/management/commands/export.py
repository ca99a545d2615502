from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from biocommunity.registry.services.organizations import export_organizations


class Command(BaseCommand):
    help = "Export every organisation as csv, json or xlsx (the columns the import reads back)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["organizations"])
        parser.add_argument("--format", choices=["csv", "json", "xlsx"], default="csv")
        parser.add_argument(
            "--output", "-o", type=Path, help="file to write (default: standard output)"
        )

    def handle(
        self, *args: Any, what: str, format: str, output: Path | None, **options: Any
    ) -> None:
        data = export_organizations(format)
        if output:
            output.write_bytes(data)
        elif format == "xlsx" and sys.stdout.isatty():
            self.stderr.write("refusing to write XLSX to a terminal: use --output FILE")
            raise SystemExit(2)
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
