"""Introductions and saved searches leave notices and e-mails in each reader's language;
requests to organisations without accounts wait in the secretariat's forwarding queue."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from biocommunity.matching.services import introductions, profiles, saved_searches
from biocommunity.people.choices import NoticeKind, OutboxState
from biocommunity.people.models import Notice, OutboxEmail
from biocommunity.people.services.persons import person_of
from tests.conftest import assert_status, login
from tests.factories import (
    OrganizationFactory,
    ProfileFactory,
    member_user,
    secretariat_user,
)

pytestmark = pytest.mark.django_db


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("mail server down")


def _english(user: Any) -> Any:
    person = person_of(user)
    person.language = "en"
    person.save()
    return user


@pytest.fixture
def sides() -> dict[str, Any]:
    owner_org = OrganizationFactory(name_ja="川崎バイオ株式会社", name_en="Kawasaki Bio Inc.")
    asker_org = OrganizationFactory(name_ja="湘南創薬株式会社", name_en="Shonan Drug Discovery")
    return {
        "profile": ProfileFactory(
            organization=owner_org, title_ja="抗体の製造受託", title_en="Antibody CDMO"
        ),
        "contact_ja": member_user(owner_org, email="ja@owner.example"),
        "contact_en": _english(member_user(owner_org, email="en@owner.example")),
        "asker": member_user(asker_org, email="asker@example.org"),
        "colleague": member_user(asker_org),
        "stranger": member_user(OrganizationFactory()),
    }


def _ask(sides: dict[str, Any], capture: Any) -> Any:
    with capture(execute=True):
        return introductions.request_introduction(
            sides["asker"], sides["profile"], "ご紹介をお願いします。"
        )


def test_request_notifies_the_other_organisations_contacts_in_their_language(
    sides: dict[str, Any], django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.BIOCOMMUNITY_SITE_URL = "https://bio.example.org"
    intro = _ask(sides, django_capture_on_commit_callbacks)
    notices = Notice.objects.filter(kind=NoticeKind.INTRODUCTION_REQUESTED)
    assert {n.recipient for n in notices} == {sides["contact_ja"], sides["contact_en"]}
    notice = notices.get(recipient=sides["contact_ja"])
    assert "湘南創薬株式会社" in notice.text_ja and "抗体の製造受託" in notice.text_ja
    assert "Shonan Drug Discovery" in notice.text_en and "Antibody CDMO" in notice.text_en
    assert notice.path == f"/matching/introductions/#intro-{intro.pk}"
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"ja@owner.example", "en@owner.example"}
    assert "湘南創薬株式会社" in by_address["ja@owner.example"].body
    assert "/ja/matching/introductions/" in by_address["ja@owner.example"].body
    english = by_address["en@owner.example"]
    assert "Shonan Drug Discovery" in english.subject
    assert "Shonan Drug Discovery" in english.body and "湘南" not in english.body
    assert f"https://bio.example.org/en/matching/introductions/#intro-{intro.pk}" in english.body
    # Nobody else hears of it: not the asking side, not a third organisation.
    for name in ("asker", "colleague", "stranger"):
        assert not Notice.objects.filter(recipient=sides[name]).exists()


@pytest.mark.parametrize(
    ("accept", "kind", "word"),
    [
        (True, NoticeKind.INTRODUCTION_ACCEPTED, "accepted"),
        (False, NoticeKind.INTRODUCTION_DECLINED, "declined"),
    ],
)
def test_answer_notifies_the_requester(
    sides: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
    accept: bool,
    kind: str,
    word: str,
) -> None:
    intro = _ask(sides, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        introductions.answer_introduction(sides["contact_en"], intro, accept=accept)
    notice = Notice.objects.get(kind=kind)
    assert notice.recipient == sides["asker"]
    assert "Kawasaki Bio Inc." in notice.text_en and word in notice.text_en
    assert "川崎バイオ株式会社" in notice.text_ja
    assert [m.to for m in mail.outbox] == [["asker@example.org"]]
    assert "川崎バイオ株式会社" in mail.outbox[0].body  # the asker reads Japanese
    assert not Notice.objects.filter(recipient=sides["colleague"]).exists()


def test_a_failing_mail_server_loses_no_notice(
    sides: dict[str, Any], client: Client, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.matching.test_notices.FailingBackend"
    login(client, sides["asker"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/ja/matching/profiles/{sides['profile'].pk}/introduce/",
            {"message": "ご紹介をお願いします。"},
        )
    assert_status(response, 302)  # the request succeeded
    assert Notice.objects.filter(recipient=sides["contact_ja"]).exists()
    waiting = OutboxEmail.objects.all()
    assert waiting.count() == 2
    for email in waiting:
        assert email.state == OutboxState.PENDING
        assert email.attempts == 1
        assert "mail server down" in email.last_error
    # The server is back, and the next try is due: the command sends them.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    waiting.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    out = StringIO()
    call_command("notices", "deliver", stdout=out)
    assert "sent 2" in out.getvalue()
    assert {m.to[0] for m in mail.outbox} == {"ja@owner.example", "en@owner.example"}
    assert set(OutboxEmail.objects.values_list("state", flat=True)) == {OutboxState.SENT}


def test_saved_search_hit_is_a_notice_in_the_owners_language(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    listener = _english(member_user(OrganizationFactory(), email="listener@example.org"))
    saved_searches.save_search(listener, "抗体医薬品の製造", kinds=["seed"])
    poster_org = OrganizationFactory(name_ja="横浜抗体研究所", name_en="Yokohama Antibody Lab")
    with django_capture_on_commit_callbacks(execute=True):
        new = profiles.create_profile(
            member_user(poster_org),
            {
                "kind": "seed",
                "title_ja": "新しい抗体医薬品の製造法",
                "title_en": "A new antibody manufacturing process",
                "body_ja": "抗体医薬品の製造。",
            },
        )
    notice = Notice.objects.get(recipient=listener)
    assert notice.kind == NoticeKind.SAVED_SEARCH_HIT
    assert notice.path == f"/matching/profiles/{new.pk}/"
    assert "A new antibody manufacturing process" in notice.text_en
    assert "Yokohama Antibody Lab" in notice.text_en
    assert "新しい抗体医薬品の製造法" in notice.text_ja
    assert len(mail.outbox) == 1
    assert "Yokohama Antibody Lab" in mail.outbox[0].body
    assert f"/en/matching/profiles/{new.pk}/" in mail.outbox[0].body
    # Announced once: an edit brings no second notice.
    with django_capture_on_commit_callbacks(execute=True):
        profiles.update_profile(
            member_user(poster_org), new, {"body_ja": "抗体医薬品の製造。改良版。"}
        )
    assert Notice.objects.filter(recipient=listener).count() == 1


# ---------------------------------------------------------------- forwarding


@pytest.fixture
def orphan() -> dict[str, Any]:
    """A profile of an organisation with nobody on the platform, and a request to it."""
    organization = OrganizationFactory(
        name_ja="かずさ試薬", name_en="Kazusa Reagents", website="https://kazusa.example.jp/"
    )
    profile = ProfileFactory(organization=organization, title_ja="培地の供給")
    asker = member_user(OrganizationFactory(), email="asker@example.org")
    return {
        "organization": organization,
        "profile": profile,
        "asker": asker,
        "secretariat": secretariat_user(email="office@example.org"),
    }


def _ask_orphan(orphan: dict[str, Any], capture: Any) -> Any:
    with capture(execute=True):
        return introductions.request_introduction(
            orphan["asker"], orphan["profile"], "お願いします"
        )


def test_request_to_an_organisation_without_accounts_goes_to_the_secretariat(
    orphan: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    intro = _ask_orphan(orphan, django_capture_on_commit_callbacks)
    notice = Notice.objects.get()
    assert notice.recipient == orphan["secretariat"]
    assert notice.kind == NoticeKind.INTRODUCTION_TO_FORWARD
    assert "かずさ試薬" in notice.text_ja and "Kazusa Reagents" in notice.text_en
    assert notice.path == f"/matching/secretariat/forwarding/#intro-{intro.pk}"
    assert [m.to for m in mail.outbox] == [["office@example.org"]]
    assert introductions.awaits_forwarding(intro)
    assert introductions.forwarding_queue(orphan["secretariat"]) == [intro]


@pytest.mark.parametrize(
    ("language", "words"),
    [("ja", "事務局による取り次ぎ待ち"), ("en", "awaits forwarding by the secretariat")],
)
def test_requester_sees_that_it_awaits_forwarding(
    orphan: dict[str, Any],
    client: Client,
    django_capture_on_commit_callbacks: Any,
    language: str,
    words: str,
) -> None:
    _ask_orphan(orphan, django_capture_on_commit_callbacks)
    login(client, orphan["asker"])
    html = client.get(f"/{language}/matching/introductions/").content.decode()
    assert 'data-testid="awaits-forwarding"' in html
    assert words in html


@pytest.mark.parametrize("language", ["ja", "en"])
def test_queue_page_lists_the_request_with_public_contacts_and_records_forwarding(
    orphan: dict[str, Any],
    client: Client,
    django_capture_on_commit_callbacks: Any,
    language: str,
) -> None:
    intro = _ask_orphan(orphan, django_capture_on_commit_callbacks)
    login(client, orphan["secretariat"])
    response = client.get(f"/{language}/matching/secretariat/forwarding/")
    assert_status(response, 200)
    html = response.content.decode()
    assert f'id="intro-{intro.pk}"' in html
    assert "https://kazusa.example.jp/" in html
    assert ("かずさ試薬" if language == "ja" else "Kazusa Reagents") in html
    response = client.post(
        f"/{language}/matching/secretariat/forwarding/",
        {"introduction": intro.pk, "note": "代表メールに転送しました"},
    )
    assert_status(response, 302)
    html = client.get(f"/{language}/matching/secretariat/forwarding/").content.decode()
    assert "代表メールに転送しました" in html  # kept in the history
    forwarding = intro.forwardings.get()
    assert forwarding.forwarded_by == orphan["secretariat"]
    # The requester sees that it went out.
    login(client, orphan["asker"])
    sent = client.get(f"/{language}/matching/introductions/").content.decode()
    assert timezone.localtime(forwarding.forwarded_at).strftime("%Y-%m-%d") in sent


def test_forwarding_needs_a_note_and_changes_nothing_without(
    orphan: dict[str, Any], client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    intro = _ask_orphan(orphan, django_capture_on_commit_callbacks)
    login(client, orphan["secretariat"])
    response = client.post(
        "/en/matching/secretariat/forwarding/", {"introduction": intro.pk, "note": "  "}
    )
    assert_status(response, 400)
    assert "Say how and to whom the request was forwarded." in response.content.decode()
    assert not intro.forwardings.exists()


def test_only_the_secretariat_sees_the_queue_and_forwards(
    orphan: dict[str, Any], client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    intro = _ask_orphan(orphan, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        introductions.forwarding_queue(orphan["asker"])
    with pytest.raises(PermissionDenied):
        introductions.record_forwarding(orphan["asker"], intro, "done")
    login(client, orphan["asker"])
    client.raise_request_exception = False
    assert_status(client.get("/ja/matching/secretariat/forwarding/"), 403)
    assert_status(
        client.post(
            "/ja/matching/secretariat/forwarding/", {"introduction": intro.pk, "note": "x"}
        ),
        403,
    )
    assert not intro.forwardings.exists()


def test_once_the_organisation_has_a_contact_the_request_is_theirs(
    orphan: dict[str, Any], client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    intro = _ask_orphan(orphan, django_capture_on_commit_callbacks)
    contact = member_user(orphan["organization"])
    assert introductions.forwarding_queue(orphan["secretariat"]) == []
    assert not introductions.awaits_forwarding(intro)
    with pytest.raises(ValidationError) as refused:
        introductions.record_forwarding(orphan["secretariat"], intro, "sent")
    assert "status" in refused.value.message_dict
    login(client, contact)
    html = client.get("/ja/matching/introductions/").content.decode()
    assert f'id="intro-{intro.pk}"' in html and 'value="accept"' in html
    with django_capture_on_commit_callbacks(execute=True):
        introductions.answer_introduction(contact, intro, accept=True)
    assert Notice.objects.filter(
        recipient=orphan["asker"], kind=NoticeKind.INTRODUCTION_ACCEPTED
    ).exists()


def test_a_new_contact_is_told_of_the_requests_that_waited(
    orphan: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    intro = _ask_orphan(orphan, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        contact = member_user(orphan["organization"], email="new@kazusa.example.jp")
    notice = Notice.objects.get(recipient=contact)
    assert notice.kind == NoticeKind.INTRODUCTION_REQUESTED
    assert notice.path == f"/matching/introductions/#intro-{intro.pk}"
    assert "new@kazusa.example.jp" in [m.to[0] for m in mail.outbox]
    # Told once: saving the membership again tells nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        contact.organization_membership.save()
    assert Notice.objects.filter(recipient=contact).count() == 1


def test_an_invited_contact_is_told_when_the_account_is_switched_on(
    orphan: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _ask_orphan(orphan, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        invited = member_user(orphan["organization"], is_active=False)
    assert not Notice.objects.filter(recipient=invited).exists()  # not yet: no account in use
    invited.is_active = True
    with django_capture_on_commit_callbacks(execute=True):
        invited.save(update_fields=["is_active"])
    assert Notice.objects.filter(recipient=invited).count() == 1
    # A log-in (last_login saved) tells nothing again, nor does someone of another organisation.
    with django_capture_on_commit_callbacks(execute=True):
        invited.save(update_fields=["last_login"])
        member_user(OrganizationFactory())
    assert Notice.objects.filter(kind=NoticeKind.INTRODUCTION_REQUESTED).count() == 1
