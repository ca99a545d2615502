"""``biocommunity add-user``: create or update an account from the command line."""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from biocommunity.people.choices import AccountRole, Language
from biocommunity.people.models import Person
from biocommunity.people.services.accounts import assign_role, describe, log_account_change
from biocommunity.registry.models import Organization


class Command(BaseCommand):
    help = (
        "Create or update a user with a role: secretariat, reviewer, or member of an "
        "organisation. The organisation is kept for every role: a member speaks for it, a "
        "reviewer or the secretariat only works there (used for conflicts of interest)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=AccountRole.values, required=True)
        parser.add_argument(
            "--organization",
            default="",
            help="organisation key: required for a member, the affiliation for the other roles",
        )
        parser.add_argument("--email", default="", help="the person's e-mail address")
        parser.add_argument(
            "--language",
            choices=Language.values,
            default=None,
            help="language of the person's e-mails and notices (default ja for a new user)",
        )
        parser.add_argument(
            "--password-env",
            default="BIOCOMMUNITY_PASSWORD",
            help="environment variable holding the password (default BIOCOMMUNITY_PASSWORD)",
        )

    @transaction.atomic
    def handle(
        self,
        *args: Any,
        username: str,
        role: str,
        organization: str,
        email: str,
        language: str | None,
        password_env: str,
        **options: Any,
    ) -> None:
        password = os.environ.get(password_env, "")
        if not password:
            raise CommandError(f"set the password in ${password_env}")
        org = None
        if organization:
            org = Organization.objects.filter(key=organization).first()
            if org is None:
                raise CommandError(f"--organization: no organisation with key '{organization}'")
        elif role == AccountRole.MEMBER:
            raise CommandError("--organization: a member must speak for an organisation")
        if email:
            try:
                validate_email(email)
            except ValidationError as exc:
                raise CommandError(f"--email: '{email}' is not an e-mail address") from exc
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(username=username)
        before = {} if created else describe(user)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        user.set_password(password)
        user.is_active = True
        if email:
            user.email = email.strip().lower()
        user.save()
        assign_role(user, AccountRole(role), org)
        person, _new = Person.objects.get_or_create(user=user)
        if language:
            person.language = language
            person.save(update_fields=["language"])
        log_account_change(user, before, actor=None, channel="add-user command")
        self.stdout.write(f"{'created' if created else 'updated'} {username} ({role})")
