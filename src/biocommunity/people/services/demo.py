"""Demo accounts, one per role, so a fresh ``make demo`` can be tried from every side.

Their passwords are generated on each run and printed, which is exactly why they must never
exist in a production install: the service refuses unless DEBUG is on.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from biocommunity.people.choices import AccountRole, Language
from biocommunity.people.models import Person
from biocommunity.people.services.accounts import assign_role, describe, log_account_change
from biocommunity.registry.models import Organization

CHANNEL = "demo-accounts command"


@dataclass(frozen=True)
class DemoAccount:
    """Who a demo account is: its role, the organisation it speaks for or works at."""

    username: str
    role: AccountRole
    organization: str
    language: Language
    what_ja: str
    what_en: str


# Organisations of the GTB dataset: JBA runs the secretariat; AGC is a CDMO with a shipped
# capability profile; Cellusion a drug-discovery startup; the reviewer works at a university,
# so conflict-of-interest rules keep them off its assessments.
DEMO_ACCOUNTS = (
    DemoAccount(
        "demo-secretariat",
        AccountRole.SECRETARIAT,
        "jba",
        Language.JA,
        "事務局（バイオインダストリー協会）",
        "secretariat (Japan Bioindustry Association)",
    ),
    DemoAccount(
        "demo-reviewer",
        AccountRole.REVIEWER,
        "university-of-tokyo",
        Language.JA,
        "審査員（東京大学に所属）",
        "reviewer (works at the University of Tokyo)",
    ),
    DemoAccount(
        "demo-cdmo",
        AccountRole.MEMBER,
        "agc",
        Language.JA,
        "会員: CDMO（AGC株式会社）",
        "member for a CDMO (AGC Inc.)",
    ),
    DemoAccount(
        "demo-startup",
        AccountRole.MEMBER,
        "cellusion",
        Language.EN,
        "会員: 創薬ベンチャー（株式会社セルージョン）",
        "member for a drug-discovery startup (Cellusion Inc.)",
    ),
    DemoAccount(
        "demo-university",
        AccountRole.MEMBER,
        "keio-university",
        Language.JA,
        "会員: 大学（慶應義塾大学）",
        "member for a university (Keio University)",
    ),
)


class DemoRefused(ImproperlyConfigured):
    """Raised outside a demo (DEBUG off): accounts with printed passwords are a way in."""


@dataclass(frozen=True)
class CreatedAccount:
    account: DemoAccount
    password: str
    created: bool


def create_demo_accounts() -> list[CreatedAccount]:
    """Create or refresh every demo account with a new random password; DEBUG only.

    Run again, the accounts are kept and their passwords replaced (the old ones cannot be
    shown: only their hashes are stored). Needs the dataset loaded (the organisations).
    """
    if not settings.DEBUG:
        raise DemoRefused(
            "demo accounts are made only in a demo (DEBUG on, as make demo runs it): their "
            "passwords are printed, so in a production install they would be a way in."
        )
    keys = {a.organization for a in DEMO_ACCOUNTS}
    organizations = Organization.objects.in_bulk(keys, field_name="key")
    missing = sorted(keys - set(organizations))
    if missing:
        raise DemoRefused(
            "load the dataset first (biocommunity load-dataset gtb): missing organisations "
            + ", ".join(missing)
        )
    user_model = get_user_model()
    made: list[CreatedAccount] = []
    with transaction.atomic():
        for account in DEMO_ACCOUNTS:
            user, created = user_model.objects.get_or_create(username=account.username)
            before: dict[str, Any] = {} if created else describe(user)
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.is_active = True
            user.email = f"{account.username}@example.org"
            user.save()
            assign_role(user, account.role, organizations[account.organization])
            Person.objects.update_or_create(user=user, defaults={"language": account.language})
            log_account_change(user, before, actor=None, channel=CHANNEL)
            made.append(CreatedAccount(account, password, created))
    return made
