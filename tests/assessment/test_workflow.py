"""The certification rules as the services enforce them, whoever calls them (pages, API, CLI)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from biocommunity.assessment.models import (
    Assessment,
    AssessmentStatus,
    AuditEntry,
    Certificate,
    Claim,
    Evidence,
    Review,
    Round,
    RoundStatus,
)
from biocommunity.assessment.services import workflow as wf
from biocommunity.assessment.services.register import state_of
from biocommunity.assessment.services.rubrics import get_rubric
from biocommunity.core.roles import Role, grant_role
from biocommunity.indicators.models import Indicator, Observation
from biocommunity.indicators.models import Subject as IndicatorSubject
from tests.factories import (
    CommunityFactory,
    OrganizationFactory,
    certification_round,
    issued_certificate,
    member_user,
    reviewer_user,
    secretariat_user,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RUBRIC = get_rubric("institutions")
INCUBATOR = RUBRIC.type("incubator")
REGISTERED = [c.code for c in INCUBATOR.criteria if c.stage == "registered"]
STRUCTURE = [c.code for c in INCUBATOR.criteria if c.stage == "structure"]
# The thresholds the incubator criteria fill in: one number, one whole number of years.
FUNDING = RUBRIC.parameter("incubatee_annual_funding_oku_yen")
WINDOW = RUBRIC.parameter("incubatee_funding_window_years")
TODAY = datetime.date.today()


class Setting:
    """One invited incubator in a round, with the people around it."""

    def __init__(
        self,
        *,
        open_it: bool = True,
        parameters: dict[str, Any] | None = None,
        community: Any | None = None,
    ) -> None:
        self.community = community or CommunityFactory()
        self.secretariat = secretariat_user()
        self.organization = OrganizationFactory(kinds=["incubator"])
        self.round: Round = certification_round(
            self.community,
            secretariat=self.secretariat,
            invite=[(self.organization, "incubator")],
            parameters=parameters,
            open_it=open_it,
        )
        self.assessment: Assessment = self.round.assessments.get()
        self.member = member_user(self.organization)

    def submit(self) -> Assessment:
        """Claim the registered stage with a web page as evidence and submit."""
        wf.save_claims(self.member, self.assessment, {REGISTERED[0]: (True, "年次報告で開示")})
        wf.add_evidence(
            self.member, self.assessment, REGISTERED[0], url="https://example.org/report"
        )
        return wf.submit_assessment(self.member, self.assessment)

    def review(self, level: str, reviewer: Any | None = None) -> Review:
        return wf.save_review(
            reviewer or reviewer_user(),
            self.assessment,
            scores={REGISTERED[0]: (True, "")},
            comment="ok",
            recommended_level=level,
            submit=True,
        )

    def certify(
        self,
        valid_from: datetime.date | None = None,
        valid_to: datetime.date | None = None,
    ) -> Certificate:
        self.submit()
        self.review("candidate")
        start = valid_from or TODAY - datetime.timedelta(days=1)
        return wf.decide(
            self.secretariat,
            self.assessment,
            level_code="candidate",
            valid_from=start,
            valid_to=valid_to or start.replace(year=start.year + 3),
            reason="",
        )


def pdf(name: str = "report.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def error_keys(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(exc.value.message_dict)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# Rounds and thresholds ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ja", "en"])
def test_round_with_an_unset_threshold_cannot_open(language: str) -> None:
    s = Setting(open_it=False, parameters={WINDOW.code: 3})
    with translation.override(language), pytest.raises(ValidationError) as exc:
        wf.open_round(s.secretariat, s.round)
    message = " ".join(exc.value.messages)
    assert FUNDING.name.get(language) in message
    assert WINDOW.name.get(language) not in message  # only what is missing is named
    if language == "ja":
        assert "入居・卒業企業の年平均資金調達額" in message
    s.round.refresh_from_db()
    assert s.round.status == RoundStatus.DRAFT
    assert not AuditEntry.objects.filter(action="round.opened").exists()

    wf.set_parameters(s.secretariat, s.round, {FUNDING.code: "1.5"})
    wf.open_round(s.secretariat, s.round)
    s.round.refresh_from_db()
    assert s.round.status == RoundStatus.OPEN
    assert s.round.parameters == {FUNDING.code: 1.5, WINDOW.code: 3}


def test_only_thresholds_of_invited_types_are_needed() -> None:
    s = Setting(open_it=False, parameters={})
    assert {p.code for p in wf.parameters_needed(s.round)} == {FUNDING.code, WINDOW.code}
    assert {p.code for p in wf.missing_parameters(s.round)} == {FUNDING.code, WINDOW.code}


@pytest.mark.parametrize(
    ("values", "bad"),
    [
        ({FUNDING.code: "abc"}, FUNDING.code),
        ({FUNDING.code: "-1"}, FUNDING.code),
        ({FUNDING.code: "inf"}, FUNDING.code),
        ({WINDOW.code: "2.5"}, WINDOW.code),
        ({WINDOW.code: "-3"}, WINDOW.code),
        ({"no_such_threshold": "1"}, "no_such_threshold"),
    ],
)
def test_set_parameters_rejects_a_bad_value_and_saves_nothing(
    values: dict[str, str], bad: str
) -> None:
    s = Setting(open_it=False, parameters={})
    audit_before = AuditEntry.objects.count()
    # A good value in the same form is not saved either.
    good = {WINDOW.code: "4"} if bad != WINDOW.code else {FUNDING.code: "2"}
    with pytest.raises(ValidationError) as exc:
        wf.set_parameters(s.secretariat, s.round, {**good, **values})
    assert error_keys(exc) == {bad}
    s.round.refresh_from_db()
    assert s.round.parameters == {}
    assert AuditEntry.objects.count() == audit_before


def test_set_parameters_parses_and_clears_values() -> None:
    s = Setting(open_it=False, parameters={})
    wf.set_parameters(s.secretariat, s.round, {FUNDING.code: " 2 ", WINDOW.code: "3.0"})
    s.round.refresh_from_db()
    assert s.round.parameters == {FUNDING.code: 2, WINDOW.code: 3}
    assert isinstance(s.round.parameters[WINDOW.code], int)
    wf.set_parameters(s.secretariat, s.round, {FUNDING.code: ""})
    s.round.refresh_from_db()
    assert s.round.parameters == {WINDOW.code: 3}


def test_set_parameters_is_for_the_secretariat_only() -> None:
    s = Setting(open_it=False, parameters={})
    for user in (s.member, reviewer_user(), AnonymousUser()):
        with pytest.raises(PermissionDenied):
            wf.set_parameters(user, s.round, {FUNDING.code: "1"})
    s.round.refresh_from_db()
    assert s.round.parameters == {}


def test_thresholds_cannot_change_once_open() -> None:
    s = Setting()
    before = dict(s.round.parameters)
    with pytest.raises(ValidationError):
        wf.set_parameters(s.secretariat, s.round, {FUNDING.code: "99"})
    s.round.refresh_from_db()
    assert s.round.parameters == before
    assert s.round.parameters[FUNDING.code] != 99


def test_round_cannot_close_before_it_opens() -> None:
    secretariat = secretariat_user()
    with pytest.raises(ValidationError) as exc:
        wf.create_round(
            secretariat,
            community=CommunityFactory(),
            rubric_code="institutions",
            rubric_version=RUBRIC.version,
            title_ja="ラウンド",
            title_en="Round",
            opens_on=TODAY,
            closes_on=TODAY - datetime.timedelta(days=1),
        )
    assert error_keys(exc) == {"closes_on"}
    assert not Round.objects.exists()


# Invitations -------------------------------------------------------------------------------------


def test_invite_refuses_a_type_the_organisation_is_not() -> None:
    s = Setting(open_it=False)
    company = OrganizationFactory(kinds=["company"])
    with pytest.raises(ValidationError) as exc:
        wf.invite(s.secretariat, s.round, company, "incubator")
    assert error_keys(exc) == {"type_code"}
    assert not Assessment.objects.filter(organization=company).exists()
    # the same company may be invited as a type that covers companies
    assessment = wf.invite(s.secretariat, s.round, company, "large_company")
    assert assessment.type_code == "large_company"


def test_invite_refuses_unknown_type_and_duplicates() -> None:
    s = Setting(open_it=False)
    with pytest.raises(ValidationError) as exc:
        wf.invite(s.secretariat, s.round, s.organization, "no_such_type")
    assert error_keys(exc) == {"type_code"}
    with pytest.raises(ValidationError) as exc:
        wf.invite(s.secretariat, s.round, s.organization, "incubator")
    assert error_keys(exc) == {"organization"}
    assert s.round.assessments.count() == 1


def test_open_round_refuses_a_type_whose_thresholds_are_unset() -> None:
    # Thresholds are fixed once open, so this type could only ever be assessed against "…".
    s = Setting(parameters={FUNDING.code: 1, WINDOW.code: 3})
    company = OrganizationFactory(kinds=["company"])
    with translation.override("ja"), pytest.raises(ValidationError) as exc:
        wf.invite(s.secretariat, s.round, company, "large_company")
    assert error_keys(exc) == {"type_code"}
    assert RUBRIC.parameter("roadmap_total_investment_oku_yen").name.ja in str(exc.value)
    assert not Assessment.objects.filter(organization=company).exists()
    assert wf.missing_parameters(s.round) == []
    # a type whose thresholds are all set may still join the open round
    late = OrganizationFactory(kinds=["incubator"])
    assert wf.invite(s.secretariat, s.round, late, "incubator").type_code == "incubator"


def test_invite_refuses_community_rounds_and_non_secretariat() -> None:
    secretariat = secretariat_user()
    community_round = certification_round(
        CommunityFactory(), rubric_code="communities", secretariat=secretariat, open_it=False
    )
    incubator = OrganizationFactory(kinds=["incubator"])
    with pytest.raises(ValidationError):
        wf.invite(secretariat, community_round, incubator, "incubator")
    assert not Assessment.objects.filter(organization=incubator).exists()

    s = Setting(open_it=False)
    with pytest.raises(PermissionDenied):
        wf.invite(s.member, s.round, incubator, "incubator")
    assert not Assessment.objects.filter(organization=incubator).exists()


# Who fills in a self-assessment, and when ----------------------------------------------------


def _other_users(s: Setting) -> dict[str, Any]:
    other = OrganizationFactory(kinds=["incubator"])
    return {
        "member of another organisation": member_user(other),
        "anonymous": AnonymousUser(),
        "reviewer": reviewer_user(),
        "secretariat": s.secretariat,
    }


def test_only_members_fill_in_the_self_assessment(media: Path) -> None:
    s = Setting()
    for who, user in _other_users(s).items():
        with pytest.raises(PermissionDenied):
            wf.save_claims(user, s.assessment, {REGISTERED[0]: (True, who)})
        with pytest.raises(PermissionDenied):
            wf.add_evidence(user, s.assessment, REGISTERED[0], upload=pdf())
        with pytest.raises(PermissionDenied):
            wf.add_evidence(user, s.assessment, REGISTERED[0], url="https://example.org/")
        with pytest.raises(PermissionDenied):
            wf.submit_assessment(user, s.assessment)
    assert not Claim.objects.exists()
    assert not Evidence.objects.exists()
    assert stored_files(media) == []
    s.assessment.refresh_from_db()
    assert s.assessment.status == AssessmentStatus.INVITED

    s.submit()
    s.assessment.refresh_from_db()
    assert s.assessment.status == AssessmentStatus.SUBMITTED


def test_member_of_a_child_organisation_does_not_speak_for_the_parent() -> None:
    s = Setting()
    child = OrganizationFactory(kinds=["incubator"], parent=s.organization)
    with pytest.raises(PermissionDenied):
        wf.save_claims(member_user(child), s.assessment, {REGISTERED[0]: (True, "")})


@pytest.mark.parametrize("state", ["draft", "closed"])
def test_nothing_changes_while_the_round_is_not_open(state: str) -> None:
    s = Setting(open_it=state == "closed")
    if state == "closed":
        wf.close_round(s.secretariat, s.round)
    with pytest.raises(ValidationError):
        wf.save_claims(s.member, s.assessment, {REGISTERED[0]: (True, "x")})
    with pytest.raises(ValidationError):
        wf.add_evidence(s.member, s.assessment, REGISTERED[0], url="https://example.org/")
    with pytest.raises(ValidationError):
        wf.submit_assessment(s.member, s.assessment)
    assert not Claim.objects.exists()
    assert not Evidence.objects.exists()


def test_submit_refuses_nothing_met() -> None:
    s = Setting()
    wf.save_claims(s.member, s.assessment, {REGISTERED[0]: (False, "まだ")})
    with pytest.raises(ValidationError):
        wf.submit_assessment(s.member, s.assessment)
    s.assessment.refresh_from_db()
    assert s.assessment.status == AssessmentStatus.DRAFT
    assert s.assessment.submitted_at is None


@pytest.mark.parametrize("language", ["ja", "en"])
def test_submit_refuses_a_met_claim_without_evidence(language: str) -> None:
    s = Setting()
    wf.save_claims(s.member, s.assessment, {REGISTERED[0]: (True, "開示済み")})
    wf.add_evidence(s.member, s.assessment, REGISTERED[0], url="https://example.org/a")
    wf.save_claims(s.member, s.assessment, {STRUCTURE[0]: (True, "体制あり")})
    with translation.override(language), pytest.raises(ValidationError) as exc:
        wf.submit_assessment(s.member, s.assessment)
    message = " ".join(exc.value.messages)
    # the criterion as the member reads it on the page, not its code
    assert RUBRIC.criterion(STRUCTURE[0]).text.get(language) in message
    assert STRUCTURE[0] not in message
    assert RUBRIC.criterion(REGISTERED[0]).text.get(language) not in message
    s.assessment.refresh_from_db()
    assert s.assessment.status == AssessmentStatus.DRAFT


def test_save_claims_refuses_unknown_criteria() -> None:
    s = Setting()
    other_type = RUBRIC.type("large_company").criteria[0].code
    with pytest.raises(ValidationError):
        wf.save_claims(s.member, s.assessment, {other_type: (True, "x")})
    with pytest.raises(ValidationError) as exc:
        wf.add_evidence(s.member, s.assessment, other_type, url="https://example.org/")
    assert error_keys(exc) == {"criterion"}
    assert not Claim.objects.exists()


def test_submitted_self_assessment_cannot_change(media: Path) -> None:
    s = Setting()
    s.submit()
    claim = Claim.objects.get()
    evidence = Evidence.objects.get()
    with pytest.raises(ValidationError):
        wf.save_claims(s.member, s.assessment, {REGISTERED[0]: (False, "取り下げ")})
    with pytest.raises(ValidationError):
        wf.save_claims(s.member, s.assessment, {STRUCTURE[0]: (True, "追加")})
    with pytest.raises(ValidationError):
        wf.add_evidence(s.member, s.assessment, REGISTERED[0], upload=pdf())
    with pytest.raises(ValidationError):
        wf.remove_evidence(s.member, evidence)
    with pytest.raises(ValidationError):
        wf.submit_assessment(s.member, s.assessment)
    claim.refresh_from_db()
    assert (claim.met, claim.statement) == (True, "年次報告で開示")
    assert Claim.objects.count() == 1
    assert Evidence.objects.count() == 1
    assert stored_files(media) == []


# Evidence ----------------------------------------------------------------------------------------


def _refused(s: Setting, media: Path, **kwargs: Any) -> set[str]:
    """Try to add evidence that must be refused; check nothing at all was written."""
    with pytest.raises(ValidationError) as exc:
        wf.add_evidence(s.member, s.assessment, REGISTERED[0], **kwargs)
    assert not Evidence.objects.exists()
    assert not Claim.objects.exists()
    assert stored_files(media) == []
    assert not AuditEntry.objects.filter(action="evidence.added").exists()
    return set(getattr(exc.value, "error_dict", {}))


def test_upload_over_the_size_limit_is_refused(media: Path, settings: Any) -> None:
    settings.BIOCOMMUNITY_EVIDENCE_MAX_BYTES = 1024
    s = Setting()
    too_big = PDF + b"0" * (1024 + 1 - len(PDF))
    assert len(too_big) == 1025
    assert _refused(s, media, upload=pdf(content=too_big)) == {"file"}
    at_limit = PDF + b"0" * (1024 - len(PDF))
    evidence = wf.add_evidence(s.member, s.assessment, REGISTERED[0], upload=pdf(content=at_limit))
    assert evidence.size == 1024


def test_default_size_limit_is_ten_mebibytes(media: Path, settings: Any) -> None:
    from biocommunity.assessment.services.evidence import max_bytes

    settings.BIOCOMMUNITY_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    assert max_bytes() == 10 * 1024 * 1024
    s = Setting()
    # refused on its size alone, before its content is read
    huge = PDF + bytes(10 * 1024 * 1024 + 1 - len(PDF))
    assert _refused(s, media, upload=pdf(content=huge)) == {"file"}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("report", PDF),
        ("report.pdf", b"MZ\x90\x00 this is a program"),
        ("report.pdf", b"just some text, not a PDF"),
        ("photo.png", PDF),
        ("slides.docx", PDF),
        ("empty.pdf", b""),
        ("empty.txt", b""),
        ("data.txt", b"\x00\x01\x02\x03binary\x00"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        ("table.csv", b"a,b\n\x81 x\n"),  # neither UTF-8 nor Shift_JIS
    ],
)
def test_bad_documents_are_refused(media: Path, name: str, content: bytes) -> None:
    s = Setting()
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    assert _refused(s, media, upload=upload) == {"file"}


def test_shift_jis_csv_is_accepted(media: Path) -> None:
    s = Setting()
    content = "機関名,資金調達額（億円）\n東京インキュベータ,12\n".encode("shift_jis")
    upload = SimpleUploadedFile("資金調達.csv", content, content_type="text/csv")
    evidence = wf.add_evidence(s.member, s.assessment, REGISTERED[0], upload=upload)
    assert evidence.kind == "document"
    assert evidence.content_type == "text/csv"
    assert evidence.original_name == "資金調達.csv"
    assert evidence.size == len(content)
    files = stored_files(media)
    assert len(files) == 1
    assert files[0].read_bytes() == content
    # the stored name is not the uploaded one
    assert files[0].name != "資金調達.csv"
    assert files[0].suffix == ".csv"


def test_stored_name_cannot_traverse(media: Path) -> None:
    s = Setting()
    upload = SimpleUploadedFile("../../etc/report.PDF", PDF, content_type="application/pdf")
    evidence = wf.add_evidence(s.member, s.assessment, REGISTERED[0], upload=upload)
    assert evidence.original_name == "report.PDF"
    assert evidence.extension == ".pdf"
    files = stored_files(media)
    assert len(files) == 1
    assert files[0].is_relative_to(media / "evidence")


@pytest.mark.parametrize(
    "address",
    ["javascript:alert(1)", "ftp://example.org/report.pdf", "data:text/html,hi", "example"],
)
def test_web_address_must_be_http(media: Path, address: str) -> None:
    s = Setting()
    assert _refused(s, media, url=address) == {"url"}


def test_web_address_is_kept(media: Path) -> None:
    s = Setting()
    evidence = wf.add_evidence(
        s.member, s.assessment, REGISTERED[0], url=" https://example.org/report ", note="年報"
    )
    assert evidence.kind == "url"
    assert (evidence.url, evidence.note) == ("https://example.org/report", "年報")
    assert Claim.objects.get().met is True


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"url": "   ", "figure": ""},
        {"url": "https://example.org/", "figure": "12 億円"},
        {"url": "https://example.org/", "upload": "pdf"},
        {"upload": "pdf", "figure": "12 億円"},
    ],
)
def test_exactly_one_kind_of_evidence(media: Path, kwargs: dict[str, Any]) -> None:
    s = Setting()
    if kwargs.get("upload") == "pdf":
        kwargs = {**kwargs, "upload": pdf()}
    _refused(s, media, **kwargs)


def test_unknown_observation_is_refused(media: Path) -> None:
    s = Setting()
    assert _refused(s, media, observation_id=999_999) == {"observation"}


def test_figure_links_a_real_observation(media: Path) -> None:
    s = Setting()
    indicator = Indicator.objects.create(
        code="incubatee-funding", name_ja="資金調達額", name_en="Funding", factor_group="funding"
    )
    subject = IndicatorSubject.objects.create(
        key="gtb-area", kind="community", name_ja="GTB", name_en="GTB"
    )
    observation = Observation.objects.create(
        indicator=indicator, subject=subject, period="2025", value=12, value_kind="exact"
    )
    evidence = wf.add_evidence(
        s.member, s.assessment, REGISTERED[0], observation_id=observation.pk, figure="12 億円"
    )
    evidence.refresh_from_db()
    assert evidence.kind == "figure"
    assert evidence.observation_id == observation.pk
    assert evidence.figure == "12 億円"
    assert stored_files(media) == []


# Conflicts of interest ---------------------------------------------------------------------------


def test_reviewer_from_the_organisation_itself_may_not_review() -> None:
    s = Setting()
    s.submit()
    insider = member_user(s.organization)
    grant_role(insider, Role.REVIEWER)
    assert wf.conflict_of_interest(insider, s.assessment)
    with pytest.raises(PermissionDenied):
        wf.require_review(insider, s.assessment)
    with pytest.raises(PermissionDenied):
        s.review("candidate", reviewer=insider)
    assert s.assessment not in wf.review_queue(insider)
    assert not Review.objects.exists()


def test_reviewer_from_the_parent_organisation_may_not_review() -> None:
    community = CommunityFactory()
    secretariat = secretariat_user()
    parent = OrganizationFactory(kinds=["university"])
    child = OrganizationFactory(kinds=["incubator"], parent=parent)
    round_ = certification_round(community, secretariat=secretariat, invite=[(child, "incubator")])
    assessment = round_.assessments.get()
    member = member_user(child)
    wf.save_claims(member, assessment, {REGISTERED[0]: (True, "")})
    wf.add_evidence(member, assessment, REGISTERED[0], url="https://example.org/")
    wf.submit_assessment(member, assessment)

    parent_reviewer = member_user(parent)
    grant_role(parent_reviewer, Role.REVIEWER)
    with pytest.raises(PermissionDenied):
        wf.require_review(parent_reviewer, assessment)
    assert wf.review_queue(parent_reviewer) == []
    assert not wf.can_view_assessment(parent_reviewer, assessment)


def test_reviewers_from_a_grandparent_or_a_child_organisation_may_not_review() -> None:
    community = CommunityFactory()
    secretariat = secretariat_user()
    grandparent = OrganizationFactory(kinds=["university"])
    parent = OrganizationFactory(kinds=["university"], parent=grandparent)
    assessed = OrganizationFactory(kinds=["incubator"], parent=parent)
    child = OrganizationFactory(kinds=["incubator"], parent=assessed)
    round_ = certification_round(
        community, secretariat=secretariat, invite=[(assessed, "incubator")]
    )
    assessment = round_.assessments.get()
    member = member_user(assessed)
    wf.save_claims(member, assessment, {REGISTERED[0]: (True, "")})
    wf.add_evidence(member, assessment, REGISTERED[0], url="https://example.org/")
    wf.submit_assessment(member, assessment)
    for organization in (grandparent, child):
        reviewer = member_user(organization)
        grant_role(reviewer, Role.REVIEWER)
        assert wf.conflict_of_interest(reviewer, assessment), organization
        with pytest.raises(PermissionDenied):
            wf.require_review(reviewer, assessment)


def test_reviewers_do_not_see_drafts() -> None:
    s = Setting()
    reviewer = reviewer_user()
    wf.save_claims(s.member, s.assessment, {REGISTERED[0]: (True, "draft")})
    assert not wf.can_view_assessment(reviewer, s.assessment)
    wf.add_evidence(s.member, s.assessment, REGISTERED[0], url="https://example.org/")
    wf.submit_assessment(s.member, s.assessment)
    assert wf.can_view_assessment(reviewer, s.assessment)


def test_certificate_numbers_count_past_9999() -> None:
    community = CommunityFactory()
    assert wf._next_number(community, 2026) == "GTB-2026-0001"
    last = issued_certificate(community)
    Certificate.objects.filter(pk=last.pk).update(number="GTB-2026-9999")
    assert wf._next_number(community, 2026) == "GTB-2026-10000"
    Certificate.objects.filter(pk=last.pk).update(number="GTB-2026-10000")
    assert wf._next_number(community, 2026) == "GTB-2026-10001"


def test_reviewer_from_another_organisation_may_review() -> None:
    s = Setting()
    s.submit()
    outsider = member_user(OrganizationFactory(kinds=["incubator"]))
    grant_role(outsider, Role.REVIEWER)
    assert wf.conflict_of_interest(outsider, s.assessment) is None
    assert wf.review_queue(outsider) == [s.assessment]
    review = s.review("candidate", reviewer=outsider)
    assert review.status == "submitted"
    assert review.scores.get().accepted is True


def test_only_reviewers_review_submitted_assessments() -> None:
    s = Setting()
    reviewer = reviewer_user()
    with pytest.raises(ValidationError):  # not submitted yet
        wf.require_review(reviewer, s.assessment)
    s.submit()
    for user in (s.member, s.secretariat, member_user(OrganizationFactory()), AnonymousUser()):
        with pytest.raises(PermissionDenied):
            wf.require_review(user, s.assessment)
        assert wf.review_queue(user) == []


def test_a_submitted_review_cannot_be_submitted_again() -> None:
    s = Setting()
    s.submit()
    reviewer = reviewer_user()
    s.review("candidate", reviewer=reviewer)
    with pytest.raises(ValidationError):
        s.review("initial", reviewer=reviewer)
    assert Review.objects.get().recommended_level == "candidate"


# Decisions ---------------------------------------------------------------------------------------


def test_disagreeing_reviewers_need_a_stated_reason() -> None:
    s = Setting()
    s.submit()
    s.review("candidate")
    s.review("initial")
    assert wf.reviewers_disagree(s.assessment)
    kwargs = {
        "level_code": "candidate",
        "valid_from": datetime.date(2026, 4, 1),
        "valid_to": datetime.date(2029, 3, 31),
    }
    with pytest.raises(ValidationError) as exc:
        wf.decide(s.secretariat, s.assessment, reason="  ", **kwargs)
    assert error_keys(exc) == {"reason"}
    assert not Certificate.objects.exists()

    certificate = wf.decide(s.secretariat, s.assessment, reason="委員会で審議", **kwargs)
    assert certificate.reason == "委員会で審議"
    assert certificate.level_code == "candidate"
    assert certificate.organization == s.organization
    s.assessment.refresh_from_db()
    assert s.assessment.status == AssessmentStatus.DECIDED


def test_agreeing_reviewers_need_no_reason() -> None:
    s = Setting()
    s.submit()
    s.review("candidate")
    s.review("candidate")
    assert not wf.reviewers_disagree(s.assessment)
    certificate = wf.decide(
        s.secretariat,
        s.assessment,
        level_code="candidate",
        valid_from=datetime.date(2026, 4, 1),
        valid_to=datetime.date(2029, 3, 31),
        reason="",
    )
    assert (certificate.level_ja, certificate.level_en) == ("候補", "Candidate")
    assert (certificate.type_ja, certificate.type_en) == (INCUBATOR.name.ja, INCUBATOR.name.en)


def test_a_decision_needs_a_submitted_review() -> None:
    s = Setting()
    s.submit()
    wf.save_review(
        reviewer_user(),
        s.assessment,
        scores={REGISTERED[0]: (True, "")},
        comment="",
        recommended_level="candidate",
        submit=False,  # a draft review does not count
    )
    with pytest.raises(ValidationError):
        wf.decide(
            s.secretariat,
            s.assessment,
            level_code="candidate",
            valid_from=TODAY,
            valid_to=TODAY,
            reason="理由",
        )
    assert not Certificate.objects.exists()


def test_only_the_secretariat_decides() -> None:
    s = Setting()
    s.submit()
    reviewer = reviewer_user()
    s.review("candidate", reviewer=reviewer)
    for user in (reviewer, s.member, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            wf.decide(
                user,
                s.assessment,
                level_code="candidate",
                valid_from=TODAY,
                valid_to=TODAY,
                reason="",
            )
    assert not Certificate.objects.exists()
    s.assessment.refresh_from_db()
    assert s.assessment.status == AssessmentStatus.SUBMITTED


def test_a_certificate_cannot_end_before_it_starts() -> None:
    s = Setting()
    s.submit()
    s.review("candidate")
    with pytest.raises(ValidationError) as exc:
        wf.decide(
            s.secretariat,
            s.assessment,
            level_code="candidate",
            valid_from=TODAY,
            valid_to=TODAY - datetime.timedelta(days=1),
            reason="",
        )
    assert error_keys(exc) == {"valid_to"}
    assert not Certificate.objects.exists()


# Certificates are never edited -------------------------------------------------------------------


def _values(certificate: Certificate) -> dict[str, Any]:
    return dict(Certificate.objects.filter(pk=certificate.pk).values().get())


def test_certificate_and_audit_entry_cannot_be_saved_again_or_deleted() -> None:
    certificate = Setting().certify()
    before = _values(certificate)
    certificate.level_code = "advanced"
    with pytest.raises(ValidationError):
        certificate.save()
    with pytest.raises(ValidationError):
        certificate.delete()
    assert _values(certificate) == before

    entry = AuditEntry.objects.filter(action="certificate.issued").get()
    entry.action = "nothing.happened"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk, action="certificate.issued").exists()


def test_revision_is_a_new_record_that_supersedes_the_old() -> None:
    s = Setting()
    certificate = s.certify()
    before = _values(certificate)
    new = wf.revise(
        s.secretariat,
        certificate,
        level_code="initial",
        valid_from=certificate.valid_from,
        valid_to=certificate.valid_to,
        reason="体制整備の証拠を追加で確認",
    )
    assert new.pk != certificate.pk
    assert new.number != certificate.number
    assert (new.kind, new.supersedes_id, new.level_code) == ("revision", certificate.pk, "initial")
    assert new.reason == "体制整備の証拠を追加で確認"
    assert _values(certificate) == before
    old_state = state_of(certificate)
    assert old_state.status == "superseded"
    assert old_state.successor == new
    assert state_of(new).status == "valid"

    with pytest.raises(ValidationError):  # the same certificate twice
        wf.revise(
            s.secretariat,
            certificate,
            level_code="growth",
            valid_from=certificate.valid_from,
            valid_to=certificate.valid_to,
            reason="もう一度",
        )
    with pytest.raises(ValidationError):
        wf.revoke(s.secretariat, certificate, reason="古い方を取り消し")
    assert Certificate.objects.count() == 2


def test_revocation_is_a_new_record() -> None:
    s = Setting()
    certificate = s.certify()
    before = _values(certificate)
    record = wf.revoke(s.secretariat, certificate, reason="要件を満たさなくなった")
    assert (record.kind, record.supersedes_id) == ("revocation", certificate.pk)
    assert record.reason == "要件を満たさなくなった"
    assert record.level_code == ""
    assert _values(certificate) == before
    state = state_of(certificate)
    assert (state.status, state.successor) == ("revoked", record)
    assert not state.is_valid
    assert state_of(record).status == "revocation"
    with pytest.raises(ValidationError):  # a revocation is final
        wf.revoke(s.secretariat, record, reason="again")
    with pytest.raises(ValidationError):
        wf.revise(
            s.secretariat,
            record,
            level_code="candidate",
            valid_from=TODAY,
            valid_to=TODAY,
            reason="復活",
        )


def test_revision_and_revocation_need_a_reason() -> None:
    s = Setting()
    certificate = s.certify()
    with pytest.raises(ValidationError) as exc:
        wf.revise(
            s.secretariat,
            certificate,
            level_code="initial",
            valid_from=certificate.valid_from,
            valid_to=certificate.valid_to,
            reason="   ",
        )
    assert error_keys(exc) == {"reason"}
    with pytest.raises(ValidationError) as exc:
        wf.revoke(s.secretariat, certificate, reason="")
    assert error_keys(exc) == {"reason"}
    assert Certificate.objects.count() == 1
    assert state_of(certificate).status == "valid"


def test_only_the_secretariat_revises_and_revokes() -> None:
    s = Setting()
    certificate = s.certify()
    for user in (s.member, reviewer_user(), AnonymousUser()):
        with pytest.raises(PermissionDenied):
            wf.revoke(user, certificate, reason="理由")
        with pytest.raises(PermissionDenied):
            wf.revise(
                user,
                certificate,
                level_code="initial",
                valid_from=certificate.valid_from,
                valid_to=certificate.valid_to,
                reason="理由",
            )
    assert Certificate.objects.count() == 1


def test_certificate_numbers_are_sequential_per_community_and_year() -> None:
    first = Setting().certify(valid_from=datetime.date(2026, 4, 1))
    second = Setting().certify(valid_from=datetime.date(2026, 6, 1))
    next_year = Setting().certify(valid_from=datetime.date(2027, 4, 1))
    assert [first.number, second.number, next_year.number] == [
        "GTB-2026-0001",
        "GTB-2026-0002",
        "GTB-2027-0001",
    ]
    revision = wf.revise(
        secretariat_user(),
        first,
        level_code="candidate",
        valid_from=datetime.date(2026, 7, 1),
        valid_to=datetime.date(2029, 3, 31),
        reason="期間の訂正",
    )
    assert revision.number == "GTB-2026-0003"
    revocation = wf.revoke(secretariat_user(), second, reason="取り消し")
    year = timezone.localdate().year
    assert revocation.number.startswith(f"GTB-{year}-")

    # another community counts on its own
    other = CommunityFactory(key="kbc", short_name="KBC", name_en="Another", name_ja="別")
    elsewhere = Setting(community=other).certify(valid_from=datetime.date(2026, 4, 1))
    assert elsewhere.number == "KBC-2026-0001"


# What a certificate's state is today -------------------------------------------------------------


def test_state_of_expired_and_not_yet_valid() -> None:
    expired = Setting().certify(
        valid_from=datetime.date(2019, 4, 1), valid_to=TODAY - datetime.timedelta(days=1)
    )
    assert state_of(expired).status == "expired"
    assert state_of(expired, on=TODAY - datetime.timedelta(days=1)).status == "valid"

    future = Setting().certify(
        valid_from=TODAY + datetime.timedelta(days=30),
        valid_to=TODAY + datetime.timedelta(days=400),
    )
    assert state_of(future).status == "not_yet_valid"
    assert state_of(future, on=TODAY + datetime.timedelta(days=30)).status == "valid"
    assert state_of(future, on=TODAY + datetime.timedelta(days=401)).status == "expired"

    current = Setting().certify()
    assert state_of(current).status == "valid"


# The audit log -----------------------------------------------------------------------------------


def test_every_step_leaves_an_audit_entry_with_its_actor() -> None:
    s = Setting()
    reviewer = reviewer_user()
    s.submit()
    s.review("candidate", reviewer=reviewer)
    certificate = wf.decide(
        s.secretariat,
        s.assessment,
        level_code="candidate",
        valid_from=TODAY,
        valid_to=TODAY.replace(year=TODAY.year + 3),
        reason="",
    )
    revision = wf.revise(
        s.secretariat,
        certificate,
        level_code="candidate",
        valid_from=TODAY,
        valid_to=TODAY.replace(year=TODAY.year + 2),
        reason="期間の短縮",
    )
    revocation = wf.revoke(s.secretariat, revision, reason="取り消し")

    entries = list(AuditEntry.objects.order_by("id"))
    assert [(e.action, e.actor) for e in entries] == [
        ("round.created", s.secretariat),
        ("assessment.invited", s.secretariat),
        ("round.parameters", s.secretariat),
        ("round.opened", s.secretariat),
        ("assessment.saved", s.member),
        ("evidence.added", s.member),
        ("assessment.submitted", s.member),
        ("review.submitted", reviewer),
        ("certificate.issued", s.secretariat),
        ("certificate.revised", s.secretariat),
        ("certificate.revoked", s.secretariat),
    ]
    by_action = {e.action: e for e in entries}
    for action in ("round.created", "round.parameters", "assessment.invited", "round.opened"):
        assert by_action[action].round_id == s.round.pk
    for action in ("assessment.saved", "evidence.added", "assessment.submitted"):
        assert by_action[action].assessment_id == s.assessment.pk
    assert by_action["review.submitted"].assessment_id == s.assessment.pk
    assert by_action["certificate.issued"].certificate_id == certificate.pk
    assert by_action["certificate.issued"].detail["number"] == certificate.number
    assert by_action["certificate.revised"].certificate_id == revision.pk
    assert by_action["certificate.revised"].detail["reason"] == "期間の短縮"
    assert by_action["certificate.revoked"].certificate_id == revocation.pk
    assert by_action["certificate.revoked"].detail["revokes"] == revision.number
    assert by_action["round.parameters"].detail["after"] == s.round.parameters


def test_refused_steps_leave_no_audit_entry() -> None:
    s = Setting()
    count = AuditEntry.objects.count()
    stranger = member_user(OrganizationFactory())
    with pytest.raises(PermissionDenied):
        wf.save_claims(stranger, s.assessment, {REGISTERED[0]: (True, "")})
    with pytest.raises(ValidationError):
        wf.submit_assessment(s.member, s.assessment)
    assert AuditEntry.objects.count() == count
