from __future__ import annotations

import os
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from biocommunity.core.roles import Role, grant_role
from biocommunity.registry.models import Organization, OrganizationMember


class Command(BaseCommand):
    help = (
        "Create or update a user with a role: secretariat, reviewer, or member of an organisation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=["secretariat", "reviewer", "member"], required=True)
        parser.add_argument(
            "--organization", default="", help="organisation key (for --role member)"
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
        password_env: str,
        **options: Any,
    ) -> None:
        password = os.environ.get(password_env, "")
        if not password:
            raise CommandError(f"set the password in ${password_env}")
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(username=username)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        user.set_password(password)
        if role == "secretariat":
            user.is_staff = True
        user.save()
        if role == "member":
            org = Organization.objects.filter(key=organization).first()
            if org is None:
                raise CommandError(f"--organization: no organisation with key '{organization}'")
            OrganizationMember.objects.update_or_create(user=user, defaults={"organization": org})
        else:
            grant_role(user, Role(role))
            if role == "secretariat":
                from django.contrib.auth.models import Permission

                user.user_permissions.add(
                    *Permission.objects.filter(content_type__app_label__in=["registry", "core"])
                )
        self.stdout.write(f"{'created' if created else 'updated'} {username} ({role})")
