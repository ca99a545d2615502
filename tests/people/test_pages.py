"""People pages in both languages: account, invitation links, password reset, user management."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from biocommunity.core import roles
from biocommunity.core.changelog import history_for
from biocommunity.people.choices import AccountRole, NoticeKind
from biocommunity.people.models import Invitation, Person
from biocommunity.people.services import accounts, invitations
from biocommunity.registry.models import OrganizationMember
from biocommunity.registry.services.permissions import member_organization
from tests.conftest import assert_status, login
from tests.factories import (
    PASSWORD,
    OrganizationFactory,
    member_user,
    reviewer_user,
    secretariat_user,
)

pytestmark = pytest.mark.django_db
LANGUAGES = ["ja", "en"]


def _invite(office: Any, org: Any | None = None, **kw: Any) -> tuple[Invitation, str]:
    values: dict[str, Any] = {
        "email": "invitee@example.org",
        "role": AccountRole.MEMBER,
        "organization": org or OrganizationFactory(),
        "language": "ja",
    }
    values.update(kw)
    return invitations.invite(office, **values)


# Own account ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_account_page_shows_role_and_organisation(client: Client, lang: str) -> None:
    org = OrganizationFactory(name_ja="湘南研究所", name_en="Shonan Lab")
    login(client, member_user(org, username="hanako"))
    response = client.get(f"/{lang}/accounts/me/")
    assert_status(response, 200)
    text = response.content.decode()
    assert "hanako" in text
    assert ("Shonan Lab" if lang == "en" else "湘南研究所") in text
    assert ("My account" if lang == "en" else "マイアカウント") in text
    assert 'data-testid="account-link"' in text


def test_account_page_needs_a_login(client: Client) -> None:
    response = client.get("/ja/accounts/me/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_account_page_saves_language_and_email_wishes(client: Client) -> None:
    user = member_user(OrganizationFactory())
    login(client, user)
    response = client.post(
        "/ja/accounts/me/",
        {"language": "en", "email_kinds": [NoticeKind.INTRODUCTION_REQUESTED.value]},
    )
    assert_status(response, 302)
    assert response["Location"] == "/en/accounts/me/"
    person = Person.objects.get(user=user)
    assert person.language == "en"
    assert NoticeKind.SAVED_SEARCH_HIT.value in person.email_muted_kinds
    assert NoticeKind.INTRODUCTION_REQUESTED.value not in person.email_muted_kinds


def test_account_page_refuses_an_unknown_language(client: Client) -> None:
    user = member_user(OrganizationFactory())
    login(client, user)
    response = client.post("/ja/accounts/me/", {"language": "fr"})
    assert_status(response, 200)
    assert response.context["form"].errors["language"]
    assert Person.objects.get(user=user).language == "ja"


def test_a_reviewer_sees_the_affiliation_without_member_rights(client: Client) -> None:
    org = OrganizationFactory(name_en="Where They Work")
    login(client, reviewer_user(organization=org))
    text = client.get("/en/accounts/me/").content.decode()
    assert 'data-testid="works-at"' in text and "Where They Work" in text
    assert 'data-testid="speaks-for"' not in text


# Invitation links --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_invitation_link_sets_the_password_and_lands_on_the_account(
    client: Client, lang: str
) -> None:
    org = OrganizationFactory()
    invitation, token = _invite(secretariat_user(), org)
    page = client.get(f"/{lang}/accounts/invitation/{token}/")
    assert_status(page, 200)
    assert "invitee@example.org" in page.content.decode()

    response = client.post(
        f"/{lang}/accounts/invitation/{token}/",
        {"new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert_status(response, 302)
    assert response["Location"] == f"/{lang}/accounts/me/"
    user = get_user_model().objects.get(pk=invitation.user_id)
    assert user.is_active and user.check_password(PASSWORD)
    assert member_organization(user) == org
    assert client.get(f"/{lang}/accounts/me/").wsgi_request.user == user

    again = Client().get(f"/{lang}/accounts/invitation/{token}/")
    assert_status(again, 410)
    assert 'data-state="accepted"' in again.content.decode()


def test_a_weak_password_on_the_invitation_page_changes_nothing(client: Client) -> None:
    invitation, token = _invite(secretariat_user())
    response = client.post(
        f"/ja/accounts/invitation/{token}/", {"new_password1": "1234", "new_password2": "1234"}
    )
    assert_status(response, 200)
    assert response.context["form"].errors
    invitation.user.refresh_from_db()
    assert not invitation.user.is_active


@pytest.mark.parametrize("lang", LANGUAGES)
def test_expired_and_unknown_links_say_so(client: Client, lang: str) -> None:
    invitation, token = _invite(secretariat_user())
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    expired = client.get(f"/{lang}/accounts/invitation/{token}/")
    assert_status(expired, 410)
    assert 'data-state="expired"' in expired.content.decode()
    posted = client.post(
        f"/{lang}/accounts/invitation/{token}/",
        {"new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert_status(posted, 410)
    invitation.user.refresh_from_db()
    assert not invitation.user.is_active

    unknown = client.get(f"/{lang}/accounts/invitation/nonsense/")
    assert_status(unknown, 404)
    assert 'data-state="unknown"' in unknown.content.decode()


# Password reset ---------------------------------------------------------------------------------


def test_login_page_links_to_password_reset(client: Client) -> None:
    for lang, words in (("ja", "パスワードをお忘れですか"), ("en", "Forgot your password?")):
        text = client.get(f"/{lang}/accounts/login/").content.decode()
        assert f'href="/{lang}/accounts/password-reset/"' in text and words in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_password_reset_by_email_in_both_languages(
    client: Client, lang: str, django_capture_on_commit_callbacks: Any
) -> None:
    user = member_user(OrganizationFactory(), email="reset.me@example.org")
    Person.objects.update_or_create(user=user, defaults={"language": "en"})
    assert_status(client.get(f"/{lang}/accounts/password-reset/"), 200)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/{lang}/accounts/password-reset/", {"email": "reset.me@example.org"}
        )
    assert_status(response, 302)
    assert_status(client.get(response["Location"]), 200)
    [email] = mail.outbox
    english, japanese = email.body.split("----------------------------------------")
    assert "Choose a new password here" in english and "新しいパスワード" in japanese
    link = re.search(r"http://\S+/en/accounts/reset/\S+/", english)
    assert link, english
    confirm = client.get(link.group(0).replace("http://127.0.0.1:8000", ""), follow=True)
    assert_status(confirm, 200)
    new = PASSWORD + " new"
    done = client.post(confirm.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert_status(done, 302)
    user.refresh_from_db()
    assert user.check_password(new)


def test_password_reset_does_not_reach_an_invitee_or_say_who_exists(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _invite(secretariat_user(), email="pending@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        for address in ("pending@example.org", "nobody@example.org"):
            response = client.post("/ja/accounts/password-reset/", {"email": address})
            assert_status(response, 302)
    assert mail.outbox == []


# User management ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_user_list_shows_roles_organisations_and_states(client: Client, lang: str) -> None:
    office = secretariat_user(username="office")
    org = OrganizationFactory(name_ja="川崎研究所", name_en="Kawasaki Lab")
    member_user(org, username="kawasaki-contact")
    reviewer_user(organization=org, username="kawasaki-reviewer")
    _invite(office, email="waiting@example.org")
    login(client, office)
    response = client.get(f"/{lang}/accounts/users/")
    assert_status(response, 200)
    text = response.content.decode()
    for name in ("office", "kawasaki-contact", "kawasaki-reviewer", "waiting@example.org"):
        assert f'data-user="{name}"' in text
    assert ("Kawasaki Lab" if lang == "en" else "川崎研究所") in text
    assert ("contact: answers for it" if lang == "en" else "窓口（機関を代表）") in text
    assert ("works there" if lang == "en" else "所属のみ") in text
    assert 'data-testid="users-link"' in text


@pytest.mark.parametrize(
    "path",
    [
        "/ja/accounts/users/",
        "/ja/accounts/users/invite/",
        "/ja/accounts/users/contacts/",
        "/ja/accounts/users/{pk}/",
    ],
)
@pytest.mark.parametrize("who", ["member", "reviewer", "anonymous"])
def test_user_management_is_for_the_secretariat_only(client: Client, path: str, who: str) -> None:
    org = OrganizationFactory()
    target = member_user(org)
    if who == "member":
        login(client, member_user(org))
    elif who == "reviewer":
        login(client, reviewer_user())
    response = client.get(path.format(pk=target.pk))
    if who == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert_status(response, 403)


@pytest.mark.parametrize("who", ["member", "reviewer", "anonymous"])
def test_only_the_secretariat_may_post_management_actions(client: Client, who: str) -> None:
    org = OrganizationFactory()
    target = member_user(org)
    if who == "member":
        login(client, member_user(org))
    elif who == "reviewer":
        login(client, reviewer_user())
    posts = [
        ("/ja/accounts/users/invite/", {"email": "x@example.org", "role": "secretariat"}),
        (f"/ja/accounts/users/{target.pk}/deactivate/", {}),
        (f"/ja/accounts/users/{target.pk}/role/", {"role": "secretariat"}),
        (f"/ja/accounts/users/{target.pk}/resend/", {}),
    ]
    for path, data in posts:
        response = client.post(path, data)
        assert response.status_code in (302, 403), path
        if who != "anonymous":
            assert response.status_code == 403, path
    target.refresh_from_db()
    assert target.is_active and not roles.is_secretariat(target)
    assert not get_user_model().objects.filter(email="x@example.org").exists()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_invite_page_picks_the_organisation_by_name(
    client: Client, lang: str, django_capture_on_commit_callbacks: Any
) -> None:
    office = secretariat_user()
    org = OrganizationFactory(name_ja="かずさ研究所", name_en="Kazusa Institute")
    login(client, office)
    page = client.get(f"/{lang}/accounts/users/invite/")
    assert_status(page, 200)
    assert "かずさ研究所 / Kazusa Institute" in page.content.decode()  # offered by both names
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/{lang}/accounts/users/invite/",
            {
                "email": "rev@example.org",
                "role": "reviewer",
                "organization": "Kazusa Institute",
                "language": "en",
            },
        )
    assert_status(response, 302)
    user = get_user_model().objects.get(email="rev@example.org")
    assert response["Location"] == f"/{lang}/accounts/users/{user.pk}/"
    assert accounts.role_of(user) == AccountRole.REVIEWER and not user.is_active
    assert OrganizationMember.objects.get(user=user, acts_for=False).organization == org
    assert mail.outbox[0].to == ["rev@example.org"]


def test_invite_page_names_the_bad_field_and_creates_nothing(client: Client) -> None:
    login(client, secretariat_user())
    before = get_user_model().objects.count()
    response = client.post(
        "/ja/accounts/users/invite/",
        {
            "email": "m@example.org",
            "role": "member",
            "organization": "どこにもない機関",
            "language": "ja",
        },
    )
    assert_status(response, 200)
    assert "どこにもない機関" in response.context["form"].errors["organization"][0]
    response = client.post(
        "/ja/accounts/users/invite/",
        {"email": "m@example.org", "role": "member", "organization": "", "language": "ja"},
    )
    assert response.context["form"].errors["organization"]
    assert get_user_model().objects.count() == before


@pytest.mark.parametrize("lang", LANGUAGES)
def test_user_page_actions_are_each_in_the_history(client: Client, lang: str) -> None:
    office = secretariat_user()
    org = OrganizationFactory(name_en="Yokohama Lab")
    invitation, _token = _invite(office, org)
    user = invitation.user
    login(client, office)
    page = client.get(f"/{lang}/accounts/users/{user.pk}/")
    assert_status(page, 200)

    assert_status(client.post(f"/{lang}/accounts/users/{user.pk}/resend/"), 302)
    response = client.post(
        f"/{lang}/accounts/users/{user.pk}/role/",
        {"role": "reviewer", "organization": "Yokohama Lab"},
    )
    assert_status(response, 302)
    assert_status(client.post(f"/{lang}/accounts/users/{user.pk}/deactivate/"), 302)
    user.refresh_from_db()
    assert accounts.role_of(user) == AccountRole.REVIEWER and not user.is_active
    assert OrganizationMember.objects.get(user=user, acts_for=False).organization == org
    changes = [r.changes for r in history_for(user)]
    assert any(c.get("invitation", [None, None])[1] == "re-sent" for c in changes)
    assert any(c.get("role") == ["member", "reviewer"] for c in changes)
    assert any(c.get("invitation") == ["pending", "revoked"] for c in changes)
    text = client.get(f"/{lang}/accounts/users/{user.pk}/").content.decode()
    assert "re-sent" in text and "reviewer" in text


def test_a_bad_role_change_answers_400_and_changes_nothing(client: Client) -> None:
    office = secretariat_user()
    target = reviewer_user()
    login(client, office)
    response = client.post(
        f"/ja/accounts/users/{target.pk}/role/", {"role": "member", "organization": ""}
    )
    assert_status(response, 400)
    assert response.context["form"].errors["organization"]
    assert roles.is_reviewer(target)


def test_reactivate_a_deactivated_member(client: Client) -> None:
    office = secretariat_user()
    target = member_user(OrganizationFactory())
    login(client, office)
    client.post(f"/en/accounts/users/{target.pk}/deactivate/")
    target.refresh_from_db()
    assert not target.is_active
    client.post(f"/en/accounts/users/{target.pk}/reactivate/")
    target.refresh_from_db()
    assert target.is_active


@pytest.mark.parametrize("lang", LANGUAGES)
def test_organisations_without_a_contact_page(client: Client, lang: str) -> None:
    office = secretariat_user()
    answered = OrganizationFactory(name_en="Answered Org")
    member_user(answered)
    lonely = OrganizationFactory(name_ja="孤立機関", name_en="Lonely Org")
    reviewer_user(organization=lonely)  # works there, answers for nothing
    login(client, office)
    response = client.get(f"/{lang}/accounts/users/contacts/")
    assert_status(response, 200)
    text = response.content.decode()
    assert "Lonely Org" in text and "Answered Org" not in text
    assert "/accounts/users/invite/?organization=" in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_organisation_page_shows_contacts_to_the_secretariat_only(
    client: Client, lang: str
) -> None:
    org = OrganizationFactory(key="contact-org")
    member_user(org, username="the-contact", email="contact@example.org")
    reviewer_user(organization=org, username="just-works-there")
    login(client, secretariat_user())
    text = client.get(f"/{lang}/organizations/contact-org/").content.decode()
    assert 'data-testid="org-contacts"' in text
    assert "the-contact" in text and "contact@example.org" in text
    assert "just-works-there" not in text

    for viewer in (None, member_user(org), reviewer_user()):
        other = Client()
        if viewer is not None:
            login(other, viewer)
        text = other.get(f"/{lang}/organizations/contact-org/").content.decode()
        assert 'data-testid="org-contacts"' not in text and "contact@example.org" not in text


def test_organisation_without_contact_offers_an_invitation(client: Client) -> None:
    OrganizationFactory(key="lonely", name_ja="孤立機関", name_en="Lonely Org")
    login(client, secretariat_user())
    text = client.get("/en/organizations/lonely/").content.decode()
    assert (
        "/en/accounts/users/invite/?organization=%E5%AD%A4%E7%AB%8B%E6%A9%9F%E9%96%A2%20/%20Lonely%20Org"
        in text
    )


def test_user_list_queries_do_not_grow_with_the_accounts(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    office = secretariat_user()
    login(client, office)

    def add_people(n: int) -> None:
        for _i in range(n):
            org = OrganizationFactory()
            member_user(org)
            reviewer_user(organization=org)
        _invite(office, email=f"p{get_user_model().objects.count()}@example.org")

    add_people(3)
    client.get("/ja/accounts/users/")  # warm the session and content types
    with CaptureQueriesContext(connection) as few:
        assert_status(client.get("/ja/accounts/users/"), 200)
    add_people(12)
    with django_assert_max_num_queries(len(few)):
        assert_status(client.get("/ja/accounts/users/"), 200)


def test_user_list_filters_by_text_role_and_state(client: Client) -> None:
    office = secretariat_user(username="office")
    member_user(OrganizationFactory(name_en="Kawasaki Lab"), username="kawasaki-contact")
    reviewer_user(username="some-reviewer")
    _invite(office, email="waiting@example.org")
    login(client, office)

    def shown(query: str) -> set[str]:
        response = client.get(f"/en/accounts/users/?{query}")
        assert_status(response, 200)
        return {row.user.username for row in response.context["rows"]}

    assert shown("q=kawasaki") == {"kawasaki-contact"}
    assert shown("role=reviewer") == {"some-reviewer"}
    assert shown("state=invited") == {"waiting@example.org"}
    assert len(shown("role=nonsense&state=nonsense")) == 4  # unknown values filter nothing


def test_invitation_page_shows_the_role_held_now(client: Client) -> None:
    office = secretariat_user()
    invitation, token = _invite(office)
    accounts.change_role(office, invitation.user, AccountRole.REVIEWER, None)
    text = client.get(f"/en/accounts/invitation/{token}/").content.decode()
    assert "You are invited as Reviewer." in text
