"""The whole certification flow through the pages, as each role clicks through it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from biocommunity.assessment.models import AuditEntry, Certificate
from biocommunity.assessment.services.rubrics import get_rubric
from tests.conftest import assert_status, login
from tests.factories import (
    CommunityFactory,
    OrganizationFactory,
    certification_round,
    member_user,
    reviewer_user,
    secretariat_user,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_incubator_to_public_certificate(client: Client) -> None:
    community = CommunityFactory()
    secretariat = secretariat_user()
    incubator = OrganizationFactory(kinds=["incubator"], name_ja="テストインキュベータ")
    round_ = certification_round(
        community, secretariat=secretariat, invite=[(incubator, "incubator")]
    )
    assessment = round_.assessments.get()
    member = member_user(incubator)
    registered = [
        c.code
        for c in get_rubric("institutions").type("incubator").criteria
        if c.stage == "registered"
    ]

    login(client, member)
    url = reverse("assessment:assessment", args=[assessment.pk])
    assert_status(client.get(url), 200)
    data = {"action": "save"}
    for code in registered:
        data[f"met-{code}"] = "on"
        data[f"statement-{code}"] = "年次報告で開示"
    assert_status(client.post(url, data), 302)
    upload = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
    response = client.post(
        url, {"action": "evidence", "criterion": registered[0], "file": upload, "note": "2025"}
    )
    assert_status(response, 302)
    assert_status(client.post(url, {**data, "action": "submit"}), 302)
    assessment.refresh_from_db()
    assert assessment.status == "submitted"

    reviewer = reviewer_user()
    login(client, reviewer)
    review_url = reverse("assessment:review", args=[assessment.pk])
    assert_status(client.get(review_url), 200)
    review = {"action": "submit", "recommended_level": "candidate", "comment": "ok"}
    for code in registered:
        review[f"accept-{code}"] = "on"
    assert_status(client.post(review_url, review), 302)

    login(client, secretariat)
    decide_url = reverse("assessment:decide", args=[assessment.pk])
    assert_status(client.get(decide_url), 200)
    response = client.post(
        decide_url,
        {
            "level_code": "candidate",
            "valid_from": "2026-04-01",
            "valid_to": "2029-03-31",
            "reason": "",
        },
    )
    assert_status(response, 302)
    certificate = Certificate.objects.get()
    assert certificate.level_code == "candidate"

    client.logout()
    page = client.get(reverse("assessment:certificate", args=[certificate.number]))
    assert_status(page, 200)
    assert "テストインキュベータ" in page.content.decode()
    assert_status(client.get(reverse("assessment:badge", args=[certificate.number])), 200)
    assert_status(client.get(reverse("assessment:register")), 200)
    assert AuditEntry.objects.filter(action="certificate.issued").exists()


@pytest.mark.parametrize("name", ["register", "workspace"])
def test_pages_render(client: Client, name: str, gtb: Any) -> None:
    login(client, secretariat_user())
    assert_status(client.get(reverse(f"assessment:{name}")), 200)


def test_community_and_rubric_pages(client: Client, gtb: Any) -> None:
    assert_status(client.get(reverse("assessment:community", args=["gtb"])), 200)
    assert_status(client.get(reverse("assessment:rubric", args=["institutions", "2020.1"])), 200)
    assert_status(client.get(reverse("assessment:rubric", args=["communities", "2020.1"])), 200)
    assert_status(client.get(reverse("registry:home")), 200)


def test_community_round_through_the_pages(client: Client, gtb: Any) -> None:
    secretariat = secretariat_user()
    round_ = certification_round(gtb, rubric_code="communities", secretariat=secretariat)
    assessment = round_.assessments.get()
    assert assessment.community == gtb
    login(client, secretariat)
    url = reverse("assessment:assessment", args=[assessment.pk])
    page = client.get(url)
    assert_status(page, 200)
    assert "十分な事務局体制" in page.content.decode()
    assert_status(client.post(url, {"action": "save", "met-global.secretariat": "on"}), 302)
    response = client.post(
        url,
        {"action": "evidence", "criterion": "global.secretariat", "url": "https://example.org/s"},
    )
    assert_status(response, 302)
    assert_status(client.post(url, {"action": "submit", "met-global.secretariat": "on"}), 302)

    reviewer = reviewer_user()
    login(client, reviewer)
    review_url = reverse("assessment:review", args=[assessment.pk])
    assert_status(client.get(review_url), 200)
    response = client.post(
        review_url, {"action": "submit", "accept-global.secretariat": "on", "comment": ""}
    )
    assert_status(response, 302)

    client.logout()
    page = client.get(reverse("assessment:community", args=["gtb"])).content.decode()
    from biocommunity.assessment.services.community import assess_community

    result = {r.criterion.code: r.result.status for r in assess_community(gtb).requirements}
    assert result["global.secretariat"] == "pass"
    assert "https://example.org/s" in page
