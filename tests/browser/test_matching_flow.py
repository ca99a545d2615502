"""A member posts a Japanese need, finds an English-only seed among its matches with the reason
shown in both languages, and asks to be introduced: in a real browser."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from biocommunity.matching.models import Introduction, Profile
from biocommunity.matching.services import indexing
from tests.browser.conftest import log_in, log_out, screenshot
from tests.factories import OrganizationFactory, ProfileFactory, member_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED_TITLE = "High-yield CHO cell lines for therapeutic antibody production"
SEED_CONTACT = "cell-line-lab@tokai-univ.example.org"
NEED_TITLE = "抗体医薬品の高生産CHO細胞株を探している"
NEED_BODY = (
    "当社はバイオシミラーの開発を進めており、抗体医薬品を高い生産性で発現する"
    "CHO細胞株と、その細胞株開発の技術を提供できる共同研究先を探している。"
)


@pytest.fixture(autouse=True)
def _fresh_index() -> Iterator[None]:
    """The live server runs in this process: no index built for another test's database."""
    indexing.reset()
    yield
    indexing.reset()


def _world() -> Profile:
    """An English-only university seed, unrelated profiles in both languages, two members."""
    university = OrganizationFactory(
        kinds=["university"], name_ja="東海テスト大学", name_en="Tokai Test University"
    )
    seed = ProfileFactory(
        organization=university,
        kind="seed",
        title_ja="",
        body_ja="",
        title_en=SEED_TITLE,
        body_en=(
            "Our lab engineers Chinese hamster ovary (CHO) cell lines that express monoclonal "
            "antibodies at titres above 5 g/L in fed-batch culture, with a licensable "
            "clone-selection workflow for biosimilar and novel antibody developers."
        ),
        contact_name="Dr. Cell Line",
        contact_email=SEED_CONTACT,
    )
    others = OrganizationFactory(name_ja="無関係バイオ株式会社", name_en="Unrelated Bio")
    ProfileFactory(
        organization=others,
        kind="seed",
        title_ja="イネの耐塩性を高めるゲノム編集技術",
        body_ja="塩害に強いイネ品種をゲノム編集で育種する。水田での実証試験を実施済み。",
    )
    ProfileFactory(
        organization=others,
        kind="seed",
        title_ja="",
        body_ja="",
        title_en="Precision fermentation of dairy proteins with yeast",
        body_en="Recombinant yeast strains secrete whey proteins for food applications.",
    )
    ProfileFactory(
        organization=others,
        kind="capability",
        capability_type="cdmo",
        title_ja="",
        body_ja="",
        title_en="AAV vector manufacturing for gene therapy",
        body_en="GMP production of adeno-associated virus vectors in HEK293 suspension cells.",
    )
    ProfileFactory(
        organization=others,
        kind="seed",
        title_ja="iPS細胞由来の心筋シートによる再生医療",
        body_ja="ヒトiPS細胞から心筋細胞を分化誘導し、心不全治療用のシートを作製する。",
    )
    company = OrganizationFactory(name_ja="ブラウザ製薬株式会社", name_en="Browser Pharma")
    member_user(company, username="pharma-member")
    member_user(university, username="univ-liaison")
    return seed


def test_member_posts_a_japanese_need_and_asks_to_meet_an_english_seed(
    page: Any, live_server: Any
) -> None:
    base = live_server.url
    seed = _world()

    # The member posts a need written in Japanese only.
    log_in(page, base, "pharma-member", "/ja/matching/profiles/new/")
    form = page.locator("form.profile-form")
    form.locator("select[name=kind]").select_option("need")
    form.locator("input[name=title_ja]").fill(NEED_TITLE)
    form.locator("textarea[name=body_ja]").fill(NEED_BODY)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    need = Profile.objects.get(title_ja=NEED_TITLE)
    assert need.kind == "need"
    assert need.organization.name_en == "Browser Pharma"
    assert page.url.endswith(f"/ja/matching/profiles/{need.pk}/")
    assert "案件を保存しました" in page.locator("ul.messages").inner_text()

    # Its matches: the English seed is among the first three, explained in both languages.
    matches = page.locator("[data-testid=profile-matches] [data-testid=match]")
    assert matches.count() >= 1
    top = [
        matches.nth(i).locator("a.name").inner_text().strip()
        for i in range(min(3, matches.count()))
    ]
    assert SEED_TITLE in top, f"the English seed is not in the top 3: {top}"
    match = matches.nth(top.index(SEED_TITLE))
    assert match.locator("a.name").get_attribute("lang") == "en"
    explanation = match.locator("[data-testid=explanation]")
    concepts = explanation.locator(".concept")
    assert concepts.count() >= 1
    named = concepts.all_inner_texts()
    assert any("抗体" in c and "antibod" in c.lower() for c in named) or any(
        "CHO" in c for c in named
    ), f"no concept shared across the languages: {named}"
    assert explanation.locator("[lang=ja]").count() >= 1
    assert explanation.locator("[lang=en]").count() >= 1
    assert "Why it matched" not in explanation.inner_text()  # the label is translated
    screenshot(page, "matching-need-matches-ja")

    # The member opens the seed and asks for an introduction.
    with page.expect_navigation():
        match.locator("a.name").click()
    assert page.url.endswith(f"/ja/matching/profiles/{seed.pk}/")
    assert page.locator("[data-testid=profile-title]").inner_text().startswith(SEED_TITLE)
    assert SEED_CONTACT not in page.content()
    request_form = page.locator("section.introduce form")
    request_form.locator("textarea[name=message]").fill(
        "バイオシミラー開発のため、CHO細胞株のライセンスについてご相談したい。"
    )
    request_form.locator("select[name=from_profile]").select_option(label=NEED_TITLE)
    with page.expect_navigation():
        request_form.locator("button[type=submit]").click()
    assert page.url.endswith(f"/ja/matching/profiles/{seed.pk}/")
    assert "依頼を送信しました" in page.locator("ul.messages").inner_text()
    assert page.locator("section.introduce form").count() == 0  # no second request while open
    assert SEED_CONTACT not in page.content()
    screenshot(page, "matching-introduction-requested-ja")

    intro = Introduction.objects.get()
    assert intro.status == "requested"
    assert intro.profile_id == seed.pk
    assert intro.requester.username == "pharma-member"
    assert intro.requester_organization.name_en == "Browser Pharma"
    assert intro.from_profile_id == need.pk
    assert "CHO細胞株" in intro.message

    page.goto(f"{base}/ja/matching/introductions/")
    sent = page.locator(f"#intro-{intro.pk}")
    assert "CHO細胞株のライセンス" in sent.inner_text()
    assert sent.locator("[data-testid=contacts]").count() == 0
    assert SEED_CONTACT not in page.content()
    log_out(page)

    # A member of the university accepts; both sides now see the seed's contact.
    log_in(page, base, "univ-liaison", "/ja/matching/introductions/")
    received = page.locator(f"#intro-{intro.pk}")
    assert "CHO細胞株のライセンス" in received.inner_text()
    assert NEED_TITLE in received.inner_text()  # on behalf of the need
    assert received.locator("[data-testid=contacts]").count() == 0
    screenshot(page, "matching-introduction-received-ja")
    received.locator("textarea[name=reply]").fill("ぜひ一度お話ししましょう。")
    with page.expect_navigation():
        received.locator("button[name=action][value=accept]").click()
    assert "承諾しました" in page.locator("ul.messages").inner_text()
    contacts = page.locator(f"#intro-{intro.pk} [data-testid=contacts]")
    assert SEED_CONTACT in contacts.inner_text()
    intro.refresh_from_db()
    assert intro.status == "accepted"
    log_out(page)

    log_in(page, base, "pharma-member", "/ja/matching/introductions/")
    contacts = page.locator(f"#intro-{intro.pk} [data-testid=contacts]")
    assert SEED_CONTACT in contacts.inner_text()
    assert "ぜひ一度お話ししましょう。" in page.locator(f"#intro-{intro.pk}").inner_text()
    screenshot(page, "matching-introduction-accepted-ja")
