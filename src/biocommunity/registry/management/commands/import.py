from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from biocommunity.registry.models import Community
from biocommunity.registry.services.organizations import import_organizations


class Command(BaseCommand):
    help = (
        "Import organisations from a CSV (UTF-8 or Shift_JIS) or XLSX file: all rows or none, "
        "with a row-level error report. Exit status 1 when anything is wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["organizations"])
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count, change nothing"
        )
        parser.add_argument("--community", default="", help="community whose hubs the file names")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(
        self,
        *args: Any,
        what: str,
        file: Path,
        dry_run: bool,
        community: str,
        format: str,
        **options: Any,
    ) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        target = None
        if community:
            target = Community.objects.filter(key=community).first()
            if target is None:
                raise CommandError(f"unknown community '{community}'")
        # The command line is the secretariat's own tool: it runs with their authority.
        report = import_organizations(
            file.read_bytes(), file.name, dry_run=dry_run, community=target, check_permission=False
        )
        if format == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        else:
            console = Console(file=cast("IO[str]", self.stdout))
            if report.errors:
                table = Table(
                    title=f"{file.name}: {len(report.errors)} problem(s), nothing imported"
                )
                for column in ("row", "column", "value", "problem"):
                    table.add_column(column)
                for e in report.errors:
                    table.add_row(str(e.row), e.column, e.value, e.message)
                console.print(table)
            else:
                verb = "would be" if dry_run else "were"
                console.print(
                    f"{report.rows} row(s) read ({report.encoding}): "
                    f"{report.created} {verb} created, {report.updated} {verb} updated, "
                    f"{report.unchanged} unchanged."
                )
        if report.errors:
            raise SystemExit(1)
