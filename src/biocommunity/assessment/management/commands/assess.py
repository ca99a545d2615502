from __future__ import annotations

import json
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from biocommunity.assessment.models import Round
from biocommunity.assessment.services.community import assess_community
from biocommunity.registry.models import Community

MARKS = {
    "pass": "[green]pass[/]",
    "fail": "[red]fail[/]",
    "needs-evidence": "[yellow]needs evidence[/]",
}


class Command(BaseCommand):
    help = (
        "Evaluate a community against the certification requirements: each requirement with "
        "pass / fail / needs-evidence and the registry facts or reviewed evidence used."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subject", choices=["community"])
        parser.add_argument("key", help="the community's key, e.g. gtb")
        parser.add_argument("--format", choices=["json", "table"], default="table")
        parser.add_argument(
            "--round",
            type=int,
            help="a community round whose thresholds and reviewed evidence to use "
            "(default: the latest opened one)",
        )
        parser.add_argument("--language", choices=["ja", "en"], default="en")

    def handle(self, *args: Any, **options: Any) -> None:
        community = Community.objects.filter(key=options["key"]).first()
        if community is None:
            known = ", ".join(Community.objects.values_list("key", flat=True)) or "none loaded"
            raise CommandError(f"No community '{options['key']}' (known: {known}).")
        round = None
        if options["round"] is not None:
            round = Round.objects.filter(pk=options["round"], community=community).first()
            if round is None:
                raise CommandError(f"No round {options['round']} of community '{community.key}'.")
        result = assess_community(community, round=round)
        if options["format"] == "json":
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
            return
        language = options["language"]
        data = result.for_page(language)
        console = Console(file=cast("IO[str]", self.stdout), width=160)
        for title, rows in (("Requirements", data["requirements"]), ("Maturity", data["maturity"])):
            table = Table(title=title, show_lines=True)
            table.add_column("code")
            table.add_column("requirement", max_width=60)
            table.add_column("result")
            table.add_column("facts", max_width=70)
            for row in rows:
                table.add_row(
                    row["code"], row[language], MARKS[row["status"]], row["summary"][language]
                )
            console.print(table)
        counts = data["counts"]
        console.print(
            f"{counts['pass']} met, {counts['fail']} not met, "
            f"{counts['needs-evidence']} need evidence."
        )
        for line in data["missing_lines"]:
            console.print(f"missing: {line}")
