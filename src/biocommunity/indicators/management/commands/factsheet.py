from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from biocommunity.indicators.services.factsheet import PdfUnavailable, factsheet_html, factsheet_pdf
from biocommunity.registry.models import Community


class Command(BaseCommand):
    help = "Write the community's one-page fact sheet as PDF (through Chromium) or HTML."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--community", default="gtb")
        parser.add_argument("--language", choices=["ja", "en"], default="ja")
        parser.add_argument("--format", choices=["pdf", "html"], default="pdf")
        parser.add_argument("--output", "-o", type=Path, required=True)

    def handle(
        self, *args: Any, community: str, language: str, format: str, output: Path, **options: Any
    ) -> None:
        target = Community.objects.filter(key=community).first()
        if target is None:
            raise CommandError(f"unknown community '{community}'")
        if format == "html":
            output.write_text(factsheet_html(target, language, inline_css=True), encoding="utf-8")
        else:
            try:
                output.write_bytes(factsheet_pdf(target, language))
            except PdfUnavailable as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(f"wrote {output}")
