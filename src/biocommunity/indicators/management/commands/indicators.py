from __future__ import annotations

import json
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from biocommunity.indicators.services.compare import UnknownSubjects, compare


class Command(BaseCommand):
    help = "Compare regions: every indicator value with unit, period, note and source."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["compare"])
        parser.add_argument(
            "--regions", required=True, help="comma-separated subject keys, e.g. gtb,massachusetts"
        )
        parser.add_argument(
            "--indicators", default="", help="comma-separated indicator codes (default: all)"
        )
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(
        self, *args: Any, action: str, regions: str, indicators: str, format: str, **options: Any
    ) -> None:
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
