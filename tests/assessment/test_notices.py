"""Each certification step tells the people who act next, in their language, with a link."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from biocommunity.assessment.models import Certificate
from biocommunity.assessment.services import announcements, workflow
from biocommunity.assessment.services.rubrics import get_rubric
from biocommunity.people.choices import NoticeKind
from biocommunity.people.models import Notice
from biocommunity.people.services.persons import person_of
from tests.factories import (
    CommunityFactory,
    OrganizationFactory,
    certification_round,
    member_user,
    reviewer_user,
    secretariat_user,
)

pytestmark = pytest.mark.django_db

REGISTERED = [
    c.code for c in get_rubric("institutions").type("incubator").criteria if c.stage == "registered"
]


def _kinds(user: Any) -> list[str]:
    return list(Notice.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


@pytest.fixture
def world() -> dict[str, Any]:
    organization = OrganizationFactory(
        kinds=["incubator"], name_ja="湘南インキュベーター", name_en="Shonan Incubator"
    )
    contact = member_user(organization, email="contact@shonan.example")
    person = person_of(contact)
    person.language = "en"
    person.save()
    secretariat = secretariat_user(email="office@example.org")
    return {
        "community": CommunityFactory(),
        "organization": organization,
        "contact": contact,
        "secretariat": secretariat,
        "reviewer": reviewer_user(),
        "conflicted": reviewer_user(organization=organization),
        "outsider": member_user(OrganizationFactory()),
    }


def _round(world: dict[str, Any], *, open_it: bool = True) -> Any:
    return certification_round(
        world["community"],
        secretariat=world["secretariat"],
        invite=[(world["organization"], "incubator")],
        open_it=open_it,
    )


def _submitted(world: dict[str, Any]) -> Any:
    assessment = _round(world).assessments.get()
    contact = world["contact"]
    workflow.save_claims(contact, assessment, {code: (True, "開示済み") for code in REGISTERED})
    for code in REGISTERED:
        workflow.add_evidence(contact, assessment, code, url="https://example.org/report")
    workflow.submit_assessment(contact, assessment)
    return assessment


def _review(world: dict[str, Any], assessment: Any) -> None:
    workflow.save_review(
        world["reviewer"],
        assessment,
        scores={code: (True, "") for code in REGISTERED},
        comment="",
        recommended_level="candidate",
        submit=True,
    )


def _decide(world: dict[str, Any], assessment: Any) -> Any:
    today = datetime.date.today()
    return workflow.decide(
        world["secretariat"],
        assessment,
        level_code="candidate",
        valid_from=today,
        valid_to=today.replace(year=today.year + 3),
        reason="",
    )


def test_invitation_reaches_the_organisation_once_the_round_opens(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    round_ = _round(world, open_it=False)
    assert _kinds(world["contact"]) == []  # a round being prepared invites nobody yet
    with django_capture_on_commit_callbacks(execute=True):
        workflow.open_round(world["secretariat"], round_)
    notice = Notice.objects.get(recipient=world["contact"])
    assessment = round_.assessments.get()
    assert notice.kind == NoticeKind.ROUND_INVITATION
    assert notice.path == f"/certification/assessments/{assessment.pk}/"
    assert "Shonan Incubator" in notice.text_en and "Certification round 2026" in notice.text_en
    assert "湘南インキュベーター" in notice.text_ja and "2026年度 認定ラウンド" in notice.text_ja
    assert [m.to for m in mail.outbox] == [["contact@shonan.example"]]
    assert "Certification round 2026" in mail.outbox[0].subject  # in the contact's English
    assert _kinds(world["outsider"]) == []


def test_inviting_into_an_open_round_notifies_at_once(world: dict[str, Any]) -> None:
    round_ = _round(world)
    other = OrganizationFactory(kinds=["incubator"])
    other_contact = member_user(other)
    workflow.invite(world["secretariat"], round_, other, "incubator")
    assert _kinds(other_contact) == [NoticeKind.ROUND_INVITATION]


def test_submission_tells_the_secretariat_and_free_reviewers_only(world: dict[str, Any]) -> None:
    assessment = _submitted(world)
    assert NoticeKind.ASSESSMENT_SUBMITTED in _kinds(world["secretariat"])
    assigned = Notice.objects.get(recipient=world["reviewer"])
    assert assigned.kind == NoticeKind.REVIEW_ASSIGNED
    assert assigned.path == f"/certification/assessments/{assessment.pk}/review/"
    assert "湘南インキュベーター" in assigned.text_ja
    # A reviewer who works at the organisation under review is not asked.
    assert _kinds(world["conflicted"]) == []
    assert NoticeKind.REVIEW_ASSIGNED not in _kinds(world["contact"])


def test_review_done_then_certificate_issued_revised_revoked(world: dict[str, Any]) -> None:
    assessment = _submitted(world)
    _review(world, assessment)
    done = Notice.objects.get(recipient=world["secretariat"], kind=NoticeKind.REVIEW_DONE)
    assert done.path == f"/certification/assessments/{assessment.pk}/decide/"
    certificate = _decide(world, assessment)
    issued = Notice.objects.get(recipient=world["contact"], kind=NoticeKind.CERTIFICATE_ISSUED)
    assert issued.path == f"/certification/certificates/{certificate.number}/"
    assert certificate.number in issued.text_en and certificate.level_en in issued.text_en
    assert certificate.level_ja in issued.text_ja
    today = datetime.date.today()
    revised = workflow.revise(
        world["secretariat"],
        certificate,
        level_code="candidate",
        valid_from=today,
        valid_to=today.replace(year=today.year + 1),
        reason="期間の短縮",
    )
    notice = Notice.objects.get(recipient=world["contact"], kind=NoticeKind.CERTIFICATE_REVISED)
    assert revised.number in notice.text_ja and "期間の短縮" in notice.text_ja
    workflow.revoke(world["secretariat"], revised, reason="要件を満たさない")
    revoked = Notice.objects.get(recipient=world["contact"], kind=NoticeKind.CERTIFICATE_REVOKED)
    assert revised.number in revoked.text_en and "要件を満たさない" in revoked.text_en
    assert _kinds(world["outsider"]) == []


def test_a_refused_step_leaves_no_notice(world: dict[str, Any]) -> None:
    assessment = _round(world).assessments.get()
    with pytest.raises(ValidationError):  # nothing claimed yet
        workflow.submit_assessment(world["contact"], assessment)
    assert not Notice.objects.filter(kind=NoticeKind.ASSESSMENT_SUBMITTED).exists()
    with pytest.raises(PermissionDenied):  # only the secretariat decides
        _decide({**world, "secretariat": world["contact"]}, assessment)
    assert not Notice.objects.filter(kind=NoticeKind.CERTIFICATE_ISSUED).exists()


def test_a_communitys_certificate_is_announced_to_the_secretariat(world: dict[str, Any]) -> None:
    """A community has no contacts of its own: the secretariat, which answers for it, is told."""
    community = world["community"]
    today = datetime.date.today()
    certificate = Certificate.objects.create(
        number="GTB-2026-9001",
        kind="issue",
        community=community,
        rubric_code="communities",
        rubric_version="2020.1",
        type_code="global",
        type_ja="グローバル",
        type_en="Global",
        level_code="global",
        level_ja="グローバルバイオコミュニティ",
        level_en="Global biocommunity",
        valid_from=today,
        valid_to=today,
        decided_by=world["secretariat"],
    )
    announcements.certificate_changed(certificate, NoticeKind.CERTIFICATE_ISSUED)
    notice = Notice.objects.get(kind=NoticeKind.CERTIFICATE_ISSUED)
    assert notice.recipient == world["secretariat"]
    assert community.name_en in notice.text_en and "GTB-2026-9001" in notice.text_en
    assert _kinds(world["contact"]) == [] and _kinds(world["reviewer"]) == []
