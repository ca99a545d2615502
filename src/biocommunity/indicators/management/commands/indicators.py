from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from biocommunity.indicators.services.compare import UnknownSubjects, compare
from biocommunity.indicators.services.importing import import_observations


class Command(BaseCommand):
    help = (
        "Compare regions (every indicator value with unit, period, note and source), or import "
        "observations from a CSV/XLSX file: all rows or none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["compare", "import"])
        parser.add_argument("file", nargs="?", type=Path, help="import: a CSV or XLSX file")
        parser.add_argument("--dry-run", action="store_true", help="import: check, change nothing")
        parser.add_argument(
            "--regions",
            default="",
            help="compare: comma-separated subject keys (gtb,massachusetts)",
        )
        parser.add_argument(
            "--indicators", default="", help="comma-separated indicator codes (default: all)"
        )
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(
        self,
        *args: Any,
        action: str,
        regions: str,
        indicators: str,
        format: str,
        file: Path | None = None,
        dry_run: bool = False,
        **options: Any,
    ) -> None:
        if action == "import":
            self._import(file, dry_run=dry_run, format=format)
            return
        if not regions:
            raise CommandError("--regions is required for compare")
        keys = [k.strip() for k in regions.split(",") if k.strip()]
        codes = [c.strip() for c in indicators.split(",") if c.strip()] or None
        try:
            result = compare(keys, codes)
        except UnknownSubjects as exc:
            raise CommandError(str(exc)) from exc
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1))
            return
        table = Table(show_lines=True)
        table.add_column("indicator")
        for key in keys:
            table.add_column(key)
        for row in result["indicators"]:
            cells = []
            for key in keys:
                parts = []
                for v in row["values"][key]:
                    shown = v["value_text"] or ("–" if v["value"] is None else f"{v['value']:,}")
                    prefix = {"lower_bound": "≥ ", "upper_bound": "< ", "approximate": "≈ "}.get(
                        v["value_kind"], ""
                    )
                    parts.append(f"{prefix}{shown} {v['unit']} ({v['period'] or '?'})")
                cells.append("\n".join(parts) or "")
            table.add_row(f"{row['name_en']}\n{row['code']}", *cells)
        Console(file=cast("IO[str]", self.stdout), width=160).print(table)

    def _import(self, file: Path | None, *, dry_run: bool, format: str) -> None:
        if file is None or not file.is_file():
            raise CommandError(f"{file}: no such file")
        # The command line is the secretariat's own tool: it runs with their authority.
        report = import_observations(
            file.read_bytes(), file.name, dry_run=dry_run, check_permission=False
        )
        if format == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        elif report.errors:
            for e in report.errors:
                self.stdout.write(f"row {e.row} [{e.column}={e.value!r}]: {e.message}")
            self.stdout.write(f"{len(report.errors)} problem(s); nothing was imported.")
        else:
            verb = "would be" if dry_run else "were"
            self.stdout.write(
                f"{report.rows} row(s): {report.created} {verb} created, "
                f"{report.updated} {verb} updated, {report.unchanged} unchanged."
            )
        if report.errors:
            raise SystemExit(1)
