"""``biocommunity demo-accounts``: one account per role for trying the demo, DEBUG only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils import translation

from biocommunity.people.services.demo import DemoRefused, create_demo_accounts


class Command(BaseCommand):
    help = (
        "In a demo only (DEBUG on): create or refresh one account per role (secretariat, "
        "reviewer, members for a CDMO, a startup and a university) with new random passwords, "
        "and print how to log in. Refuses when DEBUG is off."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--site-url",
            default=settings.BIOCOMMUNITY_SITE_URL,
            help="address printed in the log-in link (default BIOCOMMUNITY_SITE_URL)",
        )

    def handle(self, *args: Any, site_url: str, **options: Any) -> None:
        try:
            made = create_demo_accounts()
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        with translation.override("ja"):
            login_ja = site_url.rstrip("/") + reverse("login")
        with translation.override("en"):
            login_en = site_url.rstrip("/") + reverse("login")
        self.stdout.write("Demo accounts (passwords are new on every run; DEBUG only):")
        self.stdout.write(f"  log in at {login_en}  (日本語: {login_ja})")
        width = max(len(m.account.username) for m in made)
        for m in made:
            state = "created" if m.created else "new password"
            self.stdout.write(
                f"  {m.account.username:<{width}}  password {m.password}  "
                f"{m.account.what_en} / {m.account.what_ja}  [{state}]"
            )
