from __future__ import annotations

import json
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from biocommunity.indicators.services.compare import kpi_reports
from biocommunity.indicators.services.factsheet import PdfUnavailable
from biocommunity.indicators.services.reports import LANGUAGES, REPORT_FORMATS, render_report

STATUS_FORMATS = ("json", "table")


class Command(BaseCommand):
    help = (
        "Master-plan KPIs: 'status' prints required growth, expected value, latest actual, "
        "status and forecast; 'report' writes the council's annual report (PDF or XLSX)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["status", "report"])
        parser.add_argument(
            "--format",
            choices=[*STATUS_FORMATS, *REPORT_FORMATS],
            help="status: json or table (default table); report: pdf or xlsx (default pdf)",
        )
        parser.add_argument("--language", choices=LANGUAGES, default="ja", help="report only")
        parser.add_argument("--output", help="report only: the file to write")

    def handle(self, *args: Any, action: str, format: str | None, **options: Any) -> None:
        if action == "report":
            self.report(format or "pdf", options["language"], options.get("output"))
            return
        format = format or "table"
        if format not in STATUS_FORMATS:
            raise CommandError("kpi status: --format must be json or table")
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

    def report(self, fmt: str, language: str, output: str | None) -> None:
        """Write the annual report; a missing PDF printer is an error naming what to install."""
        if fmt not in REPORT_FORMATS:
            raise CommandError("kpi report: --format must be pdf or xlsx")
        if not output:
            raise CommandError("kpi report: --output FILE is required")
        try:
            body = render_report(language, fmt)
        except PdfUnavailable as exc:
            raise CommandError(str(exc)) from exc
        with open(output, "wb") as handle:
            handle.write(body)
        self.stdout.write(f"wrote {output} ({len(body)} bytes, {fmt}, {language})")
