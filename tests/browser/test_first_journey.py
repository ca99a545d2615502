"""The journey issue 11 asks for, end to end in a real browser: the secretariat invites a
person, who sets a password, posts a need and asks to meet a CDMO it matches; the CDMO's contact
gets a notice and an e-mail in their own language and accepts; the newcomer is told."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from biocommunity.matching.models import Introduction, Profile
from biocommunity.matching.services import indexing
from biocommunity.people.choices import NoticeKind
from biocommunity.people.models import Notice, OutboxEmail
from biocommunity.people.services.persons import person_of
from tests.browser.conftest import log_in, log_out, screenshot
from tests.factories import (
    PASSWORD,
    OrganizationFactory,
    ProfileFactory,
    member_user,
    secretariat_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CAPABILITY_EN = "GMP manufacturing of AAV vectors for gene therapy"
NEED_TITLE = "遺伝子治療用AAVベクターのGMP製造委託先を探している"
NEED_BODY = "治験薬として使うAAVベクターを、GMPの下で製造できる受託製造先を探している。"


@pytest.fixture(autouse=True)
def _fresh_index() -> Iterator[None]:
    """The live server runs in this process: no index built for another test's database."""
    indexing.reset()
    yield
    indexing.reset()


def test_invited_member_posts_a_need_and_the_cdmo_contact_accepts(
    page: Any, browser: Any, live_server: Any
) -> None:
    base = live_server.url
    startup = OrganizationFactory(name_ja="遺伝子治療ベンチャー株式会社", name_en="Gene Startup")
    cdmo = OrganizationFactory(name_ja="川崎ベクター製造", name_en="Kawasaki Vector CDMO")
    capability = ProfileFactory(
        organization=cdmo,
        kind="capability",
        capability_type="cdmo",
        title_ja="",
        body_ja="",
        title_en=CAPABILITY_EN,
        body_en="GMP production of adeno-associated virus (AAV) vectors in HEK293 cells.",
    )
    ProfileFactory(
        organization=OrganizationFactory(name_ja="無関係食品", name_en="Unrelated Foods"),
        kind="seed",
        title_ja="酵母による乳たんぱく質の精密発酵",
        body_ja="組換え酵母でホエイたんぱく質を分泌生産する食品向け技術。",
    )
    contact = member_user(cdmo, username="cdmo-bd", email="bd@kawasaki-vector.example")
    person = person_of(contact)
    person.language = "en"
    person.save()
    secretariat_user(username="gtb-office")

    # The secretariat invites the startup's person, picking the organisation by name.
    log_in(page, base, "gtb-office", "/ja/accounts/users/invite/")
    form = page.locator("form[data-testid=invite-form]")
    form.locator("input[name=email]").fill("cso@gene-startup.example")
    form.locator("select[name=role]").select_option("member")
    form.locator("input[name=organization]").fill("遺伝子治療ベンチャー株式会社")
    form.locator("select[name=language]").select_option("ja")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    log_out(page)
    invitation = OutboxEmail.objects.get(to="cso@gene-startup.example")
    link = re.search(r"https?://\S+?(/ja/accounts/invitation/\S+/)", invitation.body)
    assert link, invitation.body

    # The invitee sets a password from the e-mail's link and lands on their own page.
    page.goto(base + link.group(1))
    page.fill("input[name=new_password1]", PASSWORD)
    page.fill("input[name=new_password2]", PASSWORD)
    with page.expect_navigation():
        page.click("form[data-testid=set-password] button[type=submit]")
    assert page.url.endswith("/ja/accounts/me/")
    assert "遺伝子治療ベンチャー株式会社" in page.get_by_test_id("speaks-for").inner_text()

    # They post a need in Japanese; the English CDMO capability is among its matches.
    page.goto(f"{base}/ja/matching/profiles/new/")
    form = page.locator("form.profile-form")
    form.locator("select[name=kind]").select_option("need")
    form.locator("input[name=title_ja]").fill(NEED_TITLE)
    form.locator("textarea[name=body_ja]").fill(NEED_BODY)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    need = Profile.objects.get(title_ja=NEED_TITLE)
    assert need.organization == startup
    matches = page.locator("[data-testid=profile-matches] [data-testid=match] a.name")
    titles = [t.strip() for t in matches.all_inner_texts()]
    assert titles and titles[0] == CAPABILITY_EN, titles
    screenshot(page, "journey-need-matches-ja")

    # … and ask to meet it, on behalf of the need.
    with page.expect_navigation():
        matches.first.click()
    request_form = page.locator("section.introduce form")
    request_form.locator("textarea[name=message]").fill("治験用AAVの製造をご相談したい。")
    request_form.locator("select[name=from_profile]").select_option(label=NEED_TITLE)
    with page.expect_navigation():
        request_form.locator("button[type=submit]").click()
    intro = Introduction.objects.get()
    assert intro.profile == capability and intro.from_profile == need
    log_out(page)

    # The CDMO's contact has a notice and an e-mail, both in English, and accepts.
    email = OutboxEmail.objects.get(to="bd@kawasaki-vector.example")
    assert email.state == "sent"
    assert "Gene Startup" in email.body and "遺伝子治療ベンチャー" not in email.body
    log_in(page, base, "cdmo-bd", "/en/matching/introductions/", language="en")
    badge = page.locator("[data-testid=notice-badge]")
    assert badge.get_attribute("aria-label") == "Notices, 1 unread"
    received = page.locator(f"#intro-{intro.pk}")
    with page.expect_navigation():
        received.locator("button[name=action][value=accept]").click()
    intro.refresh_from_db()
    assert intro.status == "accepted"
    screenshot(page, "journey-accepted-en")
    log_out(page)

    # The newcomer is told, in Japanese, on the platform and by e-mail.
    accepted = Notice.objects.get(kind=NoticeKind.INTRODUCTION_ACCEPTED)
    assert accepted.recipient.username == "cso@gene-startup.example"
    log_in(page, base, "cso@gene-startup.example", "/ja/accounts/notices/")
    first = page.locator("[data-testid=notices] li.notice").first
    assert "川崎ベクター製造" in first.inner_text() and "承諾" in first.inner_text()
    assert OutboxEmail.objects.filter(
        to="cso@gene-startup.example", notice__kind=NoticeKind.INTRODUCTION_ACCEPTED
    ).exists()
    screenshot(page, "journey-told-ja")
