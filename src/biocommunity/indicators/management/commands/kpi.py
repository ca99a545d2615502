from __future__ import annotations

import json
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.table import Table

from biocommunity.indicators.services.compare import kpi_reports


class Command(BaseCommand):
    help = "Master-plan KPIs: required growth, expected value, latest actual, status, forecast."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["status"])
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args: Any, action: str, format: str, **options: Any) -> None:
        reports = kpi_reports()
        if format == "json":
            self.stdout.write(
                json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=1)
            )
            return
        table = Table(show_lines=True)
        for column in ("KPI", "baseline → target", "required growth", "latest actual", "status"):
            table.add_column(column)
        for r in reports:
            span = ""
            if r.baseline and r.target:
                span = (
                    f"{r.baseline['value']:g} ({r.baseline['year']}) → "
                    f"{r.target['value']:g} ({r.target['year']}) {r.unit}"
                )
            elif r.band:
                span = f"{r.band['low']:g}–{r.band['high']:g} a year"
            growth = (
                f"{r.required_annual_growth:.2%} a year"
                if r.required_annual_growth is not None
                else ""
            )
            latest = ""
            if r.latest:
                latest = f"{r.latest['value']:g} ({r.latest['year']})"
                if "expected" in r.latest:
                    latest += f" vs expected {r.latest['expected']:.4g}"
            table.add_row(f"{r.name_en}\n{r.code}", span, growth, latest, r.status)
        console = Console(file=cast("IO[str]", self.stdout), width=160)
        console.print(table)
        rules = sorted({r.rule for r in reports if r.rule})
        for rule in rules:
            console.print(f"rule: {rule}")
