"""A member asks to meet another organisation; that organisation's contact sees the badge,
opens the notice (and has the e-mail, in English, in the outbox), accepts; the member is told.
In a real browser."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from biocommunity.matching.models import Introduction
from biocommunity.matching.services import indexing
from biocommunity.people.choices import NoticeKind
from biocommunity.people.models import Notice, OutboxEmail
from biocommunity.people.services.persons import person_of
from tests.browser.conftest import log_in, log_out, screenshot
from tests.factories import OrganizationFactory, ProfileFactory, member_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED_TITLE_JA = "AAVベクターのGMP製造受託"
SEED_TITLE_EN = "GMP manufacturing of AAV vectors"


@pytest.fixture(autouse=True)
def _fresh_index() -> Iterator[None]:
    """The live server runs in this process: no index built for another test's database."""
    indexing.reset()
    yield
    indexing.reset()


def test_introduction_request_reaches_the_contact_and_the_answer_comes_back(
    page: Any, live_server: Any
) -> None:
    base = live_server.url
    cdmo = OrganizationFactory(name_ja="川崎ベクター製造株式会社", name_en="Kawasaki Vector CDMO")
    seed = ProfileFactory(
        organization=cdmo,
        kind="capability",
        capability_type="cdmo",
        title_ja=SEED_TITLE_JA,
        title_en=SEED_TITLE_EN,
        body_ja="HEK293浮遊細胞によるAAVベクターのGMP製造。",
    )
    contact = member_user(cdmo, username="cdmo-contact", email="bd@kawasaki-vector.example")
    person = person_of(contact)
    person.language = "en"
    person.save()
    startup = OrganizationFactory(name_ja="遺伝子治療ベンチャー", name_en="Gene Therapy Startup")
    member_user(startup, username="startup-member", email="cso@gene-startup.example")

    # The startup's member asks to be introduced.
    log_in(page, base, "startup-member", f"/ja/matching/profiles/{seed.pk}/")
    request_form = page.locator("section.introduce form")
    request_form.locator("textarea[name=message]").fill("臨床用AAVの製造についてご相談したい。")
    with page.expect_navigation():
        request_form.locator("button[type=submit]").click()
    assert "依頼を送信しました" in page.locator("ul.messages").inner_text()
    intro = Introduction.objects.get()
    log_out(page)

    # The CDMO's contact, who reads English, sees the badge and opens the notice.
    log_in(page, base, "cdmo-contact", "/en/matching/")
    badge = page.locator("[data-testid=notice-badge]")
    assert badge.get_attribute("aria-label") == "Notices, 1 unread"
    assert badge.locator(".count").inner_text() == "1"
    screenshot(page, "notices-badge-en")
    with page.expect_navigation():
        badge.click()
    assert page.url.endswith("/en/accounts/notices/")
    notice = page.locator("[data-testid=notices] li.notice").first
    text = notice.inner_text()
    assert "Gene Therapy Startup" in text and SEED_TITLE_EN in text
    assert "unread" in notice.get_attribute("class")
    screenshot(page, "notices-page-en")
    with page.expect_navigation():
        notice.locator("a").first.click()
    assert page.url.endswith(f"/en/matching/introductions/#intro-{intro.pk}")
    assert page.locator("[data-testid=notice-badge] .count").count() == 0  # read now
    assert Notice.objects.get(recipient=contact).read_at is not None

    # The e-mail waits in the outbox (and was handed over) in the contact's language.
    email = OutboxEmail.objects.get(to="bd@kawasaki-vector.example")
    assert "Gene Therapy Startup" in email.subject
    assert "Gene Therapy Startup" in email.body and "遺伝子治療" not in email.body
    assert f"/en/matching/introductions/#intro-{intro.pk}" in email.body
    assert email.state == "sent"

    # The contact accepts.
    received = page.locator(f"#intro-{intro.pk}")
    with page.expect_navigation():
        received.locator("button[name=action][value=accept]").click()
    intro.refresh_from_db()
    assert intro.status == "accepted"
    log_out(page)

    # The startup's member has the answer, in Japanese.
    log_in(page, base, "startup-member", "/ja/matching/")
    badge = page.locator("[data-testid=notice-badge]")
    assert badge.get_attribute("aria-label") == "通知、未読 1 件"
    with page.expect_navigation():
        badge.click()
    notice = page.locator("[data-testid=notices] li.notice").first
    assert "川崎ベクター製造株式会社" in notice.inner_text()
    assert "承諾" in notice.inner_text()
    screenshot(page, "notices-accepted-ja")
    accepted = Notice.objects.get(kind=NoticeKind.INTRODUCTION_ACCEPTED)
    assert accepted.recipient.username == "startup-member"
    assert OutboxEmail.objects.filter(to="cso@gene-startup.example").exists()
