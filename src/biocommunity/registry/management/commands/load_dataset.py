from __future__ import annotations

from typing import IO, Any, cast

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from biocommunity.registry.services.dataset import DatasetError, available_datasets, load_dataset


class Command(BaseCommand):
    help = "Load a dataset shipped in the package (e.g. gtb); running it twice changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help=f"dataset name: {', '.join(available_datasets())}")
        parser.add_argument("--quiet", action="store_true", help="print only errors")

    def handle(self, *args: Any, name: str, quiet: bool, **options: Any) -> None:
        console = Console(file=cast("IO[str]", self.stdout), quiet=quiet)
        try:
            with Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as progress:
                task = progress.add_task(f"loading {name}")
                report = load_dataset(
                    name,
                    progress=lambda label: progress.update(
                        task, description=f"loading {name}: {label}"
                    ),
                )
        except DatasetError as exc:
            raise CommandError(
                "dataset is invalid; nothing was loaded:\n" + "\n".join(exc.problems)
            ) from exc
        # Apps that ship figures for the same dataset name a loader on their AppConfig.
        for config in apps.get_app_configs():
            loader_path = getattr(config, "dataset_loader", None)
            if not loader_path:
                continue
            try:
                extra = import_string(loader_path)(name)
            except Exception as exc:
                problems = getattr(exc, "problems", None)
                if problems is None:
                    raise
                raise CommandError(
                    f"{config.label} figures are invalid; registry loaded, figures not:\n"
                    + "\n".join(problems)
                ) from exc
            for label, counts in extra.items():
                report.add(f"{config.label}: {label}", **counts)
        table = Table(title=f"dataset {name}")
        for column in ("records", "created", "updated", "unchanged"):
            table.add_column(column, justify="right" if column != "records" else "left")
        for label, counts in report.counts.items():
            table.add_row(
                label, str(counts["created"]), str(counts["updated"]), str(counts["unchanged"])
            )
        console.print(table)
        console.print(f"{report.changed} record(s) created or updated.")
