from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from biocommunity.core.services.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup archive into an empty installation (database and uploaded files), "
        "then migrate it to this version; a damaged or foreign archive changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="an archive written by `biocommunity backup`")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            summary = restore_backup(file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {summary.path} (made {summary.created_at}; {summary.engine} database, "
            f"{summary.media_files} uploaded files) and migrated it to this version."
        )
