"""``biocommunity add-user``: the organisation is kept for every role, e-mail and language too."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from biocommunity.core import roles
from biocommunity.core.changelog import history_for
from biocommunity.people.services.persons import language_of
from biocommunity.registry.services.permissions import affiliation, member_organization
from tests.factories import PASSWORD, OrganizationFactory

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("add_user", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("role", ["reviewer", "secretariat"])
def test_organisation_is_kept_as_affiliation_for_reviewers_and_secretariat(
    monkeypatch: pytest.MonkeyPatch, role: str
) -> None:
    org = OrganizationFactory(key="keio")
    monkeypatch.setenv("BIOCOMMUNITY_PASSWORD", PASSWORD)
    _run("tanaka", "--role", role, "--organization", "keio", "--email", "T@Example.org")

    user = get_user_model().objects.get(username="tanaka")
    assert affiliation(user) == org
    assert member_organization(user) is None  # no member rights from the affiliation
    assert user.email == "t@example.org"
    assert roles.has_role(user, roles.Role(role))
    assert history_for(user).first().changes["organization"] == [None, "keio"]


def test_member_speaks_for_the_organisation_and_language_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    org = OrganizationFactory(key="acme")
    monkeypatch.setenv("BIOCOMMUNITY_PASSWORD", PASSWORD)
    _run("bob", "--role", "member", "--organization", "acme", "--language", "en")
    user = get_user_model().objects.get(username="bob")
    assert member_organization(user) == org
    assert language_of(user) == "en"


def test_changing_the_role_later_moves_the_organisation_to_an_affiliation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    org = OrganizationFactory(key="acme")
    monkeypatch.setenv("BIOCOMMUNITY_PASSWORD", PASSWORD)
    _run("bob", "--role", "member", "--organization", "acme")
    assert "updated bob (reviewer)" in _run("bob", "--role", "reviewer", "--organization", "acme")
    user = get_user_model().objects.get(username="bob")
    assert member_organization(user) is None and affiliation(user) == org
    assert history_for(user).first().changes["role"] == ["member", "reviewer"]


def test_member_without_organisation_and_bad_email_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BIOCOMMUNITY_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="--organization"):
        _run("bob", "--role", "member")
    with pytest.raises(CommandError, match="--email"):
        _run("bob", "--role", "reviewer", "--email", "not-an-address")
    assert not get_user_model().objects.filter(username="bob").exists()
