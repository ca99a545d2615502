"""Invitations: only the secretariat invites; links are random, hashed, expiring, single use."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from biocommunity.core import roles
from biocommunity.core.changelog import history_for
from biocommunity.people.choices import AccountRole, InvitationState
from biocommunity.people.models import Invitation, Notice, OutboxEmail
from biocommunity.people.services import accounts, invitations
from biocommunity.people.services.persons import language_of, person_of
from biocommunity.registry.services.permissions import affiliation, member_organization
from tests.factories import (
    PASSWORD,
    OrganizationFactory,
    member_user,
    reviewer_user,
    secretariat_user,
)

pytestmark = pytest.mark.django_db


def _invite(office: Any, **overrides: Any) -> tuple[Invitation, str]:
    values: dict[str, Any] = {
        "email": "new.person@example.org",
        "role": AccountRole.MEMBER,
        "organization": OrganizationFactory(name_ja="かずさ研究所", name_en="Kazusa Institute"),
        "language": "en",
    }
    values.update(overrides)
    return invitations.invite(office, **values)


def _link(body: str) -> str:
    found = re.search(r"https?://\S+/invitation/\S+/", body)
    assert found, body
    return found.group(0)


def test_invitation_makes_an_inactive_account_and_a_bilingual_email(
    django_capture_on_commit_callbacks: Any,
) -> None:
    office = secretariat_user()
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = _invite(office)

    user = invitation.user
    assert user.username == "new.person@example.org" and not user.is_active
    assert not user.has_usable_password()
    assert member_organization(user) is None  # not until they accept
    assert language_of(user) == "en"
    # only the hash is stored, and the token is long and random
    assert len(token) >= 40 and token not in invitation.token_hash
    assert Invitation.objects.filter(token_hash=invitations.hash_token(token)).exists()

    [email] = mail.outbox
    assert email.to == ["new.person@example.org"]
    assert (
        "Invitation to biocommunity" in email.subject and "biocommunity への招待" in email.subject
    )
    english, japanese = email.body.split("----------------------------------------")
    assert "Kazusa Institute" in english and "/en/accounts/invitation/" in english
    assert "かずさ研究所" in japanese and "/ja/accounts/invitation/" in japanese
    assert token in _link(english)
    expires = timezone.localtime(invitation.expires_at)
    assert str(expires.year) in english
    record = history_for(user).first()
    assert record.user == office and record.changes["invitation"] == [None, "sent"]
    assert record.changes["role"] == [None, "member"]


def test_accepting_sets_the_password_opens_the_account_once() -> None:
    office = secretariat_user()
    org = OrganizationFactory()
    invitation, token = _invite(office, organization=org)

    user = invitations.accept(token, PASSWORD)

    user.refresh_from_db()
    assert user.is_active and user.check_password(PASSWORD)
    assert member_organization(user) == org
    invitation.refresh_from_db()
    assert invitation.state() == InvitationState.ACCEPTED
    with pytest.raises(ValidationError):
        invitations.accept(token, PASSWORD + "x")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_weak_password_is_refused_and_changes_nothing() -> None:
    invitation, token = _invite(secretariat_user())
    with pytest.raises(ValidationError) as caught:
        invitations.accept(token, "12345678")
    assert "password" in caught.value.message_dict
    invitation.refresh_from_db()
    invitation.user.refresh_from_db()
    assert invitation.state() == InvitationState.PENDING
    assert not invitation.user.is_active


def test_an_expired_link_no_longer_works() -> None:
    invitation, token = _invite(secretariat_user())
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert invitations.lookup(token).state == "expired"
    with pytest.raises(ValidationError):
        invitations.accept(token, PASSWORD)
    assert invitations.lookup("not-a-token").state == "unknown"


def test_resending_replaces_the_link_and_is_logged(
    django_capture_on_commit_callbacks: Any,
) -> None:
    office = secretariat_user()
    first, old_token = _invite(office)
    with django_capture_on_commit_callbacks(execute=True):
        _second, new_token = invitations.resend(office, first.user)

    assert invitations.lookup(old_token).state == "revoked"
    assert invitations.lookup(new_token).state == "pending"
    assert new_token in mail.outbox[-1].body
    assert history_for(first.user).first().changes["invitation"] == ["pending", "re-sent"]
    invitations.accept(new_token, PASSWORD)
    with pytest.raises(ValidationError):  # now that they have a password, no more invitations
        invitations.resend(office, first.user)


def test_a_reviewer_keeps_the_organisation_as_affiliation_only() -> None:
    org = OrganizationFactory()
    _invitation, token = _invite(
        secretariat_user(), role=AccountRole.REVIEWER, organization=org, email="r@example.org"
    )
    user = invitations.accept(token, PASSWORD)
    assert roles.is_reviewer(user)
    assert affiliation(user) == org
    assert member_organization(user) is None


def test_deactivating_an_invitee_kills_the_link() -> None:
    office = secretariat_user()
    invitation, token = _invite(office)
    accounts.deactivate(office, invitation.user)
    assert invitations.lookup(token).state == "revoked"
    with pytest.raises(ValidationError):
        invitations.accept(token, PASSWORD)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({"role": "admin"}, "role"),
        ({"language": "fr"}, "language"),
        ({"organization": None}, "organization"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    overrides: dict[str, Any], field: str
) -> None:
    office = secretariat_user()
    with pytest.raises(ValidationError) as caught:
        _invite(office, **overrides)
    assert field in caught.value.message_dict
    assert get_user_model().objects.count() == 1
    assert not Invitation.objects.exists() and not OutboxEmail.objects.exists()


def test_an_existing_address_is_refused() -> None:
    office = secretariat_user()
    existing = member_user(OrganizationFactory(), email="Taken@Example.org")
    with pytest.raises(ValidationError) as caught:
        _invite(office, email="taken@example.org")
    assert "email" in caught.value.message_dict
    assert not Invitation.objects.filter(user=existing).exists()


@pytest.mark.parametrize("who", ["member", "reviewer", "anonymous"])
def test_only_the_secretariat_invites(who: str) -> None:
    org = OrganizationFactory()
    actor: Any = {
        "member": lambda: member_user(org),
        "reviewer": reviewer_user,
        "anonymous": AnonymousUser,
    }[who]()
    with pytest.raises(PermissionDenied):
        invitations.invite(
            actor, email="x@example.org", role="member", organization=org, language="ja"
        )
    assert not Invitation.objects.exists()
    assert not get_user_model().objects.filter(email="x@example.org").exists()


def test_the_inviter_is_told_when_the_invitation_is_accepted(
    django_capture_on_commit_callbacks: Any,
) -> None:
    office = secretariat_user(email="office@example.org")
    person_of(office).language = "en"
    person_of(office).save()
    _invitation, token = _invite(office, email="joins@example.org")
    assert not Notice.objects.exists()  # nothing before they accept
    with django_capture_on_commit_callbacks(execute=True):
        user = invitations.accept(token, PASSWORD)

    [notice] = Notice.objects.filter(recipient=office)
    assert notice.kind == "account_invitation"
    assert "joins@example.org" in notice.text_en and "joins@example.org" in notice.text_ja
    assert notice.path == f"/accounts/users/{user.pk}/"
    sent = [m for m in mail.outbox if m.to == ["office@example.org"]]
    assert sent and "Invitation accepted: joins@example.org" in sent[0].subject


def test_an_organisation_without_a_japanese_name_is_named_in_english_in_both_parts() -> None:
    org = OrganizationFactory(name_ja="", name_en="A*STAR")
    _invite(secretariat_user(), organization=org, email="sg@example.org")
    email = OutboxEmail.objects.get(to="sg@example.org")
    english, japanese = email.body.split("----------------------------------------")
    assert "A*STAR" in english and "A*STAR" in japanese
