"""Demo accounts: made and printed in a demo (DEBUG on), refused in a production install."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from biocommunity.core import roles
from biocommunity.people.models import Person
from biocommunity.people.services.demo import DEMO_ACCOUNTS, DemoRefused, create_demo_accounts
from biocommunity.registry.services.permissions import affiliation, member_organization

LINE = re.compile(r"^\s+(demo-[a-z]+)\s+password (\S+)\s", re.M)


def _run() -> str:
    out = io.StringIO()
    call_command("demo_accounts", stdout=out)
    return out.getvalue()


def test_refused_when_debug_is_off(gtb: Any, settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only in a demo"):
        _run()
    with pytest.raises(DemoRefused):
        create_demo_accounts()
    assert not get_user_model().objects.filter(username__startswith="demo-").exists()


def test_in_a_demo_every_role_is_made_and_printed_with_a_working_password(
    gtb: Any, settings: Any, client: Client
) -> None:
    settings.DEBUG = True
    output = _run()
    assert "/en/accounts/login/" in output and "/ja/accounts/login/" in output
    printed = dict(LINE.findall(output))
    assert set(printed) == {a.username for a in DEMO_ACCOUNTS}
    users = {u.username: u for u in get_user_model().objects.filter(username__in=printed)}
    for username, password in printed.items():
        assert users[username].check_password(password), username
    secretariat = users["demo-secretariat"]
    assert roles.is_secretariat(secretariat) and secretariat.is_staff
    reviewer = users["demo-reviewer"]
    assert roles.is_reviewer(reviewer) and not roles.is_secretariat(reviewer)
    # The reviewer works at a university (conflicts of interest) without speaking for it.
    assert affiliation(reviewer).key == "university-of-tokyo"
    assert member_organization(reviewer) is None
    assert member_organization(users["demo-cdmo"]).key == "agc"
    assert "cdmo" in member_organization(users["demo-cdmo"]).kind_codes
    assert member_organization(users["demo-startup"]).key == "cellusion"
    assert member_organization(users["demo-university"]).key == "keio-university"
    assert Person.objects.get(user=users["demo-startup"]).language == "en"
    # The printed password gets the member in through the log-in page.
    response = client.post(
        "/en/accounts/login/",
        {"username": "demo-cdmo", "password": printed["demo-cdmo"]},
    )
    assert response.status_code == 302


def test_running_again_keeps_the_accounts_and_replaces_the_passwords(
    gtb: Any, settings: Any
) -> None:
    settings.DEBUG = True
    first = dict(LINE.findall(_run()))
    second_output = _run()
    second = dict(LINE.findall(second_output))
    assert "[new password]" in second_output
    assert get_user_model().objects.filter(username__startswith="demo-").count() == len(first)
    for user in get_user_model().objects.filter(username__in=first):
        assert first[user.username] != second[user.username]
        assert not user.check_password(first[user.username])
        assert user.check_password(second[user.username])


def test_without_the_dataset_it_says_to_load_it(db: Any, settings: Any) -> None:
    settings.DEBUG = True
    with pytest.raises(CommandError, match="load-dataset gtb"):
        _run()
