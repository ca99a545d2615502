from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from biocommunity.core.services.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write the database and every uploaded file to one tar.gz archive with a manifest "
        "(consistent while the site runs)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", type=Path, required=True, help="archive to write")

    def handle(self, *args: Any, output: Path, **options: Any) -> None:
        try:
            summary = create_backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Wrote {summary.path} ({summary.engine} database, {summary.media_files} uploaded "
            f"files, {summary.size} bytes)."
        )
