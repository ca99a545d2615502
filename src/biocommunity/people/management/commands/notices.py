from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from biocommunity.people.services import notices


class Command(BaseCommand):
    help = "Send the e-mails waiting in the outbox (run from cron until the job queue does it)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("deliver", help="send every e-mail whose next attempt is due")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        sent, failed = notices.deliver()
        self.stdout.write(f"sent {sent}, failed {failed} (kept for a later try)")
