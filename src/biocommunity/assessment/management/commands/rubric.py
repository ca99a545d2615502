from __future__ import annotations

import json
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from biocommunity.assessment.services.rubrics import (
    RubricError,
    get_rubric,
    rubric_as_dict,
    shipped_rubrics,
)


class Command(BaseCommand):
    help = "Show the certification rubrics shipped with the package (criteria in ja and en)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["show", "list"])
        parser.add_argument(
            "--code", help="rubric code (institutions, communities); all when omitted"
        )
        parser.add_argument("--rubric-version", help="version; the latest when omitted")
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rubrics = list(shipped_rubrics())
            if options["code"]:
                rubrics = [get_rubric(options["code"], options["rubric_version"])]
        except RubricError as exc:
            raise CommandError(str(exc)) from exc
        except KeyError:
            known = ", ".join(sorted({f"{r.code} {r.version}" for r in shipped_rubrics()}))
            raise CommandError(f"No rubric {options['code']} (shipped: {known}).") from None
        if options["action"] == "list":
            rows = [
                {"code": r.code, "version": r.version, "subject": r.subject, "sha256": r.sha256}
                for r in rubrics
            ]
            if options["format"] == "json":
                self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            else:
                for row in rows:
                    self.stdout.write(f"{row['code']} {row['version']} ({row['subject']})")
            return
        if options["format"] == "json":
            data = [rubric_as_dict(r) for r in rubrics]
            self.stdout.write(
                json.dumps(data[0] if options["code"] else data, ensure_ascii=False, indent=1)
            )
            return
        console = Console(file=cast("IO[str]", self.stdout), width=170)
        for rubric in rubrics:
            console.print(f"[bold]{rubric.title.en}[/] / {rubric.title.ja} ({rubric.label})")
            console.print(f"levels: {', '.join(lv.name.en for lv in rubric.levels)}")
            console.print(f"rule: {rubric.level_rule.en}")
            for kind in rubric.types:
                table = Table(title=f"{kind.name.en} / {kind.name.ja}", show_lines=True)
                for column in ("code", "stage", "criterion (ja)", "criterion (en)"):
                    table.add_column(column)
                for criterion in (*kind.requirements, *kind.criteria):
                    table.add_row(
                        criterion.code, criterion.stage, criterion.text.ja, criterion.text.en
                    )
                console.print(table)
