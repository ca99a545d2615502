"""The secretariat runs a certification round in a real browser without typing a key: it finds
the institution by name, invites it, sets the thresholds the page explains, opens the round;
the member self-assesses and submits, a reviewer reviews, the secretariat decides, and the
certificate is on the public register. Steps shared with test_certification_flow are reused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from biocommunity.assessment.models import Assessment, Certificate, Round
from tests.browser.conftest import log_in, log_out, screenshot
from tests.browser.test_certification_flow import CRITERION
from tests.factories import (
    CommunityFactory,
    OrganizationFactory,
    member_user,
    reviewer_user,
    secretariat_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FUNDING = "incubatee_annual_funding_oku_yen"
WINDOW = "incubatee_funding_window_years"


def test_secretariat_runs_a_round_from_invitation_to_certificate(
    page: Any, live_server: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    base = live_server.url
    CommunityFactory()
    secretariat_user(username="round-secretariat")
    incubator = OrganizationFactory(
        kinds=["incubator"],
        key="kazusa-incubation-centre",
        name_ja="カズサ・インキュベーションセンター",
        name_en="Kazusa Incubation Centre",
    )
    OrganizationFactory(kinds=["local_government"], name_ja="かずさ市", name_en="Kazusa City")
    member_user(incubator, username="kazusa-staff")
    reviewer_user(username="round-reviewer")

    # The secretariat starts from its hub page and creates the round.
    log_in(page, base, "round-secretariat", "/ja/certification/work/")
    page.locator("header nav a[href='/ja/secretariat/']").first.click()
    page.wait_for_url("**/ja/secretariat/")
    screenshot(page, "secretariat-hub-ja")
    page.get_by_role("link", name="新しいラウンド").click()
    page.wait_for_url("**/ja/certification/rounds/new/")
    page.locator("select[name=rubric]").select_option("institutions|2020.1")
    page.fill("input[name=title_ja]", "2026年度 インキュベーション機関認定")
    page.fill("input[name=title_en]", "2026 incubator certification")
    today = timezone.localdate()
    page.fill("input[name=opens_on]", today.isoformat())
    page.fill("input[name=closes_on]", today.replace(year=today.year + 1).isoformat())
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/ja/certification/rounds/\d+/$"))
    round_ = Round.objects.get()

    # Nobody invited yet: no threshold is asked, and the page says why.
    assert page.locator(f"input[name='p-{FUNDING}']").count() == 0
    assert "まず参加機関を招待してください" in page.locator("#thresholds").inner_text()

    # Find the incubator by its name in hiragana (registered in katakana) and invite it.
    page.fill("form.invite-search input[name=q]", "かずさ")
    with page.expect_navigation():
        page.locator("form.invite-search button[type=submit]").click()
    results = page.locator("table.candidates")
    assert "カズサ・インキュベーションセンター" in results.inner_text()
    assert "かずさ市" not in results.inner_text()  # no institution type covers a city
    assert page.get_by_text("Organisation key").count() == 0
    row = page.locator("tr[data-organization='kazusa-incubation-centre']")
    assert row.locator("select[name=type_code]").input_value() == "incubator"
    screenshot(page, "round-invite-search-ja")
    with page.expect_navigation():
        row.get_by_role("button", name="招待").click()
    assert (
        "招待済み" in page.locator("tr[data-organization='kazusa-incubation-centre']").inner_text()
    )
    assert (
        "カズサ・インキュベーションセンター"
        in page.locator("#participants table").first.inner_text()
    )

    # The thresholds the incubator type uses are asked, each explained.
    funding = page.locator(f"#threshold-{FUNDING}")
    assert "入居・卒業企業の年平均資金調達額" in funding.inner_text()
    assert "公表されている要件（数値は空欄）" in funding.inner_text()
    page.fill(f"input[name='p-{FUNDING}']", "1.5")
    page.fill(f"input[name='p-{WINDOW}']", "3")
    screenshot(page, "round-thresholds-ja")
    with page.expect_navigation():
        page.get_by_role("button", name="基準値を保存").click()
    with page.expect_navigation():
        page.get_by_role("button", name="受付を開始").click()
    round_.refresh_from_db()
    assert round_.status == "open"
    assert round_.parameters == {FUNDING: 1.5, WINDOW: 3}
    audit = page.locator("table.audit-log").inner_text()
    assert "受付を開始" in audit and "ラウンドに招待" in audit
    assert "round.opened" not in audit
    log_out(page)

    # The member fills in the self-assessment with a web page as evidence and submits.
    assessment = Assessment.objects.get(round=round_)
    log_in(page, base, "kazusa-staff", "/ja/certification/work/")
    page.get_by_role("link", name="カズサ・インキュベーションセンター").click()
    page.wait_for_url(f"**/ja/certification/assessments/{assessment.pk}/")
    card = page.locator(f"[id='c-{CRITERION}']")
    card.locator(f"input[name='met-{CRITERION}']").check()
    card.locator(f"textarea[name='statement-{CRITERION}']").fill("年次報告書で開示")
    with page.expect_navigation():
        page.locator("button[form=claims][value=save]").click()
    card.locator("details.add-evidence summary").click()
    card.locator("details.add-evidence input[name=url]").fill("https://example.org/annual-report")
    with page.expect_navigation():
        card.locator("details.add-evidence").get_by_role("button", name="添付").click()
    with page.expect_navigation():
        page.locator("button[form=claims][value=submit]").click()
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    log_out(page)

    # Before any review, the committee's page says what it waits for, with no form.
    log_in(page, base, "round-secretariat", "/ja/certification/work/")
    page.goto(f"{base}/ja/certification/assessments/{assessment.pk}/decide/")
    assert "審査" in page.locator("#decision-state").inner_text()
    assert page.locator("input[name=valid_to]").count() == 0
    log_out(page)

    # The reviewer accepts the criterion and recommends 候補.
    log_in(page, base, "round-reviewer", "/ja/certification/work/")
    page.locator(f"a[href$='/certification/assessments/{assessment.pk}/review/']").click()
    page.wait_for_url(f"**/assessments/{assessment.pk}/review/")
    page.locator(f"input[name='accept-{CRITERION}']").check()
    page.locator("select[name=recommended_level]").select_option("candidate")
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_url("**/ja/certification/work/")
    # Opening the review again shows it as submitted, not a form that would fail.
    page.goto(f"{base}/ja/certification/assessments/{assessment.pk}/review/")
    assert "提出済み" in page.locator("#review-state").inner_text()
    assert page.locator("select[name=recommended_level]").count() == 0
    log_out(page)

    # The secretariat decides from its work page and issues the certificate.
    log_in(page, base, "round-secretariat", "/ja/certification/work/")
    page.locator(f"a[href$='/certification/assessments/{assessment.pk}/decide/']").first.click()
    page.wait_for_url(f"**/assessments/{assessment.pk}/decide/")
    assert page.locator("select[name=level_code]").input_value() == "candidate"
    screenshot(page, "round-decide-ja")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url("**/ja/certification/certificates/*/")
    certificate = Certificate.objects.get()
    # The decided assessment's decision page now shows its certificate, not the form.
    page.goto(f"{base}/ja/certification/assessments/{assessment.pk}/decide/")
    state = page.locator("#decision-state")
    assert certificate.number in state.inner_text()
    assert page.locator("input[name=valid_to]").count() == 0
    page.goto(f"{base}/ja/certification/audit/")
    log = page.locator("table.audit-log").inner_text()
    assert "認定証の発行" in log
    assert "certificate.issued" not in log
    screenshot(page, "round-audit-ja")
    log_out(page)

    # Anyone finds the certificate on the public register, in both languages.
    page.goto(f"{base}/ja/certification/")
    assert "カズサ・インキュベーションセンター" in page.locator("main").inner_text()
    assert page.locator(f"a[href$='/certificates/{certificate.number}/']").count() >= 1
    page.goto(f"{base}/en/certification/")
    assert "Kazusa Incubation Centre" in page.locator("main").inner_text()
    screenshot(page, "round-register-en")
    assert certificate.organization_id == incubator.pk
    assert certificate.level_code == "candidate"
