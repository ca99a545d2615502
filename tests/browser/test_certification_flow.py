"""An incubator is certified in a real browser: self-assessment, review, decision, verification."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from biocommunity.assessment.models import Assessment, AuditEntry, Certificate
from tests.browser.conftest import log_in, log_out, screenshot
from tests.factories import (
    CommunityFactory,
    OrganizationFactory,
    certification_round,
    member_user,
    reviewer_user,
    secretariat_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CRITERION = "incubator.open_innovation.registered.1"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _wait_for_badge(page: Any, number: str) -> None:
    """The badge image has loaded and decoded (an SVG that failed to parse has no width)."""
    badge = page.locator(f"img[src*='/certificates/{number}/badge.svg']")
    badge.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=badge.element_handle()
    )


def test_incubator_is_certified_and_anyone_can_verify_it(
    page: Any, live_server: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    base = live_server.url
    community = CommunityFactory()
    secretariat = secretariat_user(username="gtb-secretariat")
    incubator = OrganizationFactory(
        kinds=["incubator"],
        name_ja="ブラウザテスト・インキュベータ",
        name_en="Browser Test Incubator",
    )
    member_user(incubator, username="incubator-staff")
    reviewer_user(username="outside-reviewer")
    round_ = certification_round(
        community, secretariat=secretariat, invite=[(incubator, "incubator")]
    )
    assessment = round_.assessments.get()
    report = tmp_path / "disclosure-report.pdf"
    report.write_bytes(PDF)

    # The member fills in the self-assessment, attaches a PDF and submits it.
    log_in(page, base, "incubator-staff", "/ja/certification/work/")
    page.get_by_role("link", name="ブラウザテスト・インキュベータ").click()
    page.wait_for_url(f"**/ja/certification/assessments/{assessment.pk}/")
    card = page.locator(f"[id='c-{CRITERION}']")
    card.locator(f"input[name='met-{CRITERION}']").check()
    card.locator(f"textarea[name='statement-{CRITERION}']").fill(
        "年次報告書で評価に必要な情報を開示"
    )
    with page.expect_navigation():
        page.locator("button[form=claims][value=save]").click()
    assert card.locator(f"input[name='met-{CRITERION}']").is_checked()

    card.locator("details.add-evidence summary").click()
    evidence_form = card.locator("details.add-evidence form")
    evidence_form.locator("input[name=file]").set_input_files(str(report))
    evidence_form.locator("input[name=note]").fill("2025年度版")
    screenshot(page, "certification-evidence-form-ja")
    evidence_form.get_by_role("button", name=re.compile("Attach|添付")).click()
    page.wait_for_url(f"**/assessments/{assessment.pk}/#c-{CRITERION}")
    listed = card.locator("ul.evidence-list li")
    assert "disclosure-report.pdf" in listed.first.inner_text()
    assert card.locator(f"textarea[name='statement-{CRITERION}']").input_value() == (
        "年次報告書で評価に必要な情報を開示"
    )
    level_box = page.locator(".level-box")
    assert level_box.get_attribute("data-level") == "candidate"
    assert "候補" in level_box.locator(".level").inner_text()
    assert "Initial" not in level_box.inner_text()  # the next level is named in Japanese too
    assert "初期" in level_box.inner_text()
    screenshot(page, "certification-self-assessment-ja")

    with page.expect_navigation():
        page.locator("button[form=claims][value=save]").click()
    with page.expect_navigation():
        page.locator("button[form=claims][value=submit]").click()
    assert page.locator("button[form=claims]").count() == 0  # no longer editable
    assert re.search("提出済み|Submitted", page.locator(".assessment-status").inner_text())
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    screenshot(page, "certification-submitted-ja")
    log_out(page)

    # An outside reviewer accepts the criterion and recommends 候補.
    log_in(page, base, "outside-reviewer", "/ja/certification/work/")
    page.locator(f"a[href$='/certification/assessments/{assessment.pk}/review/']").click()
    page.wait_for_url(f"**/assessments/{assessment.pk}/review/")
    assert "disclosure-report.pdf" in page.locator("ul.evidence-list").inner_text()
    page.locator(f"input[name='accept-{CRITERION}']").check()
    page.locator("select[name=recommended_level]").select_option("candidate")
    page.locator("textarea[name=comment]").fill("開示資料を確認した。")
    screenshot(page, "certification-review-ja")
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_url("**/ja/certification/work/")
    log_out(page)

    # The secretariat decides for the committee and issues the certificate.
    log_in(page, base, "gtb-secretariat", "/ja/certification/work/")
    page.locator(f"a[href$='/certification/assessments/{assessment.pk}/decide/']").click()
    page.wait_for_url(f"**/assessments/{assessment.pk}/decide/")
    assert "outside-reviewer" in page.locator("table thead").inner_text()
    assert page.locator("#disagreement").count() == 0
    assert page.locator("select[name=level_code]").input_value() == "candidate"
    recommended = page.locator("tbody tr").last.inner_text()
    assert "候補" in recommended and "candidate" not in recommended
    today = timezone.localdate()
    page.fill("input[name=valid_from]", today.isoformat())
    page.fill("input[name=valid_to]", today.replace(year=today.year + 3).isoformat())
    screenshot(page, "certification-decide-ja")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url("**/ja/certification/certificates/*/")
    certificate = Certificate.objects.get()
    assert page.url.endswith(f"/ja/certification/certificates/{certificate.number}/")
    log_out(page)

    # Anyone verifies the certificate, in Japanese and in English.
    page.goto(f"{base}/ja/certification/certificates/{certificate.number}/")
    verify = page.locator(".verify")
    assert verify.get_attribute("data-status") == "valid"
    assert "ブラウザテスト・インキュベータ" in verify.inner_text()
    assert "候補" in verify.inner_text()
    _wait_for_badge(page, certificate.number)
    assert page.locator("form[action$='/logout/']").count() == 0
    screenshot(page, "certification-verify-ja")

    page.locator("a[data-lang=en]").click()
    page.wait_for_url(f"**/en/certification/certificates/{certificate.number}/")
    verify = page.locator(".verify")
    assert verify.get_attribute("data-status") == "valid"
    assert "Browser Test Incubator" in verify.inner_text()
    assert "Candidate" in verify.inner_text()
    assert verify.locator(".verdict strong").inner_text() == "Valid"
    _wait_for_badge(page, certificate.number)
    screenshot(page, "certification-verify-en")

    assert certificate.level_code == "candidate"
    assert certificate.organization_id == incubator.pk
    assert Assessment.objects.get(pk=assessment.pk).status == "decided"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"assessment.submitted", "review.submitted", "certificate.issued"} <= actions
    assert {"assessment.saved", "evidence.added"} <= actions
