"""Certification pages in Japanese and English: who sees what, who is refused, how forms fail."""

from __future__ import annotations

import datetime
import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from biocommunity.assessment.models import (
    Assessment,
    AssessmentStatus,
    Certificate,
    Claim,
    Evidence,
    Round,
    RoundStatus,
)
from biocommunity.assessment.services import workflow as wf
from biocommunity.assessment.services.rubrics import get_rubric
from biocommunity.core.roles import Role, grant_role
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

LANGUAGES = ("ja", "en")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RUBRIC = get_rubric("institutions")
REGISTERED = [c.code for c in RUBRIC.type("incubator").criteria if c.stage == "registered"]
FUNDING = RUBRIC.parameter("incubatee_annual_funding_oku_yen")
SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def url(language: str, name: str, *args: Any) -> str:
    """Always reverse inside the language: a request leaves its own language active."""
    with translation.override(language):
        return reverse(f"assessment:{name}", args=args)


def label(text: str, language: str) -> str:
    """A UI string as the page shows it in the language (HTML-escaped)."""
    with translation.override(language):
        return html.escape(gettext(text))


def get(client: Client, address: str, status: int = 200) -> str:
    response = client.get(address)
    assert_status(response, status)
    return response.content.decode()


def assert_login_redirect(response: Any, language: str) -> None:
    assert_status(response, 302)
    with translation.override(language):
        login_path = reverse("login")
    assert response.url.startswith(f"{login_path}?next=")


class World:
    """An incubator invited to an open round; the people around it."""

    def __init__(
        self,
        *,
        open_it: bool = True,
        parameters: dict[str, Any] | None = None,
        community: Any | None = None,
        organization: Any | None = None,
    ) -> None:
        self.community = community or CommunityFactory()
        self.secretariat = secretariat_user()
        self.organization = organization or OrganizationFactory(
            kinds=["incubator"], name_ja="テストインキュベータ", name_en="Test Incubator"
        )
        self.round: Round = certification_round(
            self.community,
            secretariat=self.secretariat,
            invite=[(self.organization, "incubator")],
            parameters=parameters,
            open_it=open_it,
        )
        self.assessment: Assessment = self.round.assessments.get()
        self.member = member_user(self.organization)
        # a reviewer from an unrelated organisation: no conflict of interest
        self.reviewer = member_user(OrganizationFactory(kinds=["university"]))
        grant_role(self.reviewer, Role.REVIEWER)
        self.evidence: Evidence | None = None
        self.certificate: Certificate | None = None

    def submit(self) -> World:
        wf.save_claims(self.member, self.assessment, {REGISTERED[0]: (True, "年次報告で開示")})
        upload = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
        self.evidence = wf.add_evidence(self.member, self.assessment, REGISTERED[0], upload=upload)
        wf.submit_assessment(self.member, self.assessment)
        return self

    def review(self) -> World:
        wf.save_review(
            self.reviewer,
            self.assessment,
            scores={REGISTERED[0]: (True, "確認")},
            comment="十分",
            recommended_level="candidate",
            submit=True,
        )
        return self

    def certify(self) -> World:
        self.submit().review()
        self.certificate = wf.decide(
            self.secretariat,
            self.assessment,
            level_code="candidate",
            valid_from=TODAY - datetime.timedelta(days=1),
            valid_to=TODAY.replace(year=TODAY.year + 3),
            reason="",
        )
        return self

    def insider_reviewer(self) -> Any:
        user = member_user(self.organization)
        grant_role(user, Role.REVIEWER)
        return user

    def stranger(self) -> Any:
        return member_user(OrganizationFactory(kinds=["incubator"]))


# Public pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_register_lists_a_valid_certificate(client: Client, language: str) -> None:
    w = World().certify()
    assert w.certificate is not None
    content = get(client, url(language, "register"))
    assert w.certificate.number in content
    assert url(language, "certificate", w.certificate.number) in content
    assert (w.organization.name_en if language == "en" else w.organization.name_ja) in content
    assert url(language, "rubric", "institutions", RUBRIC.version) in content


@pytest.mark.parametrize("language", LANGUAGES)
def test_certificate_page_of_a_valid_certificate(client: Client, language: str) -> None:
    w = World().certify()
    c = w.certificate
    assert c is not None
    content = get(client, url(language, "certificate", c.number))
    assert 'data-status="valid"' in content
    assert f'<p class="verdict"><strong>{label("Valid", language)}</strong>' in content
    assert label("History of this certificate", language) in content
    assert f"<strong>{c.number}</strong> · {label('Issued', language)}" in content
    assert f'<img src="{url(language, "badge", c.number)}?lang={language}"' in content
    assert (c.level_en if language == "en" else c.level_ja) in content
    # the public see no revise/revoke buttons
    assert url(language, "revoke", c.number) not in content


@pytest.mark.parametrize("language", LANGUAGES)
def test_certificate_page_of_a_revoked_certificate(client: Client, language: str) -> None:
    w = World().certify()
    assert w.certificate is not None
    record = wf.revoke(w.secretariat, w.certificate, reason="要件を満たさなくなった")
    content = get(client, url(language, "certificate", w.certificate.number))
    assert 'data-status="revoked"' in content
    assert f'<p class="verdict"><strong>{label("Revoked", language)}</strong>' in content
    assert f'<a href="{url(language, "certificate", record.number)}">{record.number}</a>' in content
    history = content.split(label("History of this certificate", language), 1)[1]
    assert history.index(w.certificate.number) < history.index(record.number)
    assert "要件を満たさなくなった" in history
    assert f'<img src="{url(language, "badge", w.certificate.number)}' in content

    revocation = get(client, url(language, "certificate", record.number))
    assert f"<strong>{label('Revocation record', language)}</strong>" in revocation
    assert "badge.svg" not in revocation
    assert w.certificate.number not in get(client, url(language, "register"))


def _badge(client: Client, language: str, number: str) -> ET.Element:
    response = client.get(url(language, "badge", number))
    assert_status(response, 200)
    assert response["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own output: must be well-formed)
    assert root.tag == f"{SVG}svg"
    return root


@pytest.mark.parametrize("language", LANGUAGES)
def test_badge_is_an_svg_that_links_to_the_verification_page(client: Client, language: str) -> None:
    w = World().certify()
    c = w.certificate
    assert c is not None
    root = _badge(client, language, c.number)
    title = root.find(f"{SVG}title")
    assert title is not None and title.text is not None
    assert c.number in title.text
    assert c.number in root.get("aria-label", "")
    link = root.find(f"{SVG}a")
    assert link is not None
    verify = f"http://testserver{url(language, 'certificate', c.number)}"
    assert link.get("href") == verify
    assert link.get(XLINK_HREF) == verify
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts[0] == "GTB"
    assert texts[1] == ("Certified Candidate" if language == "en" else "認定 候補")


def test_badge_of_a_revoked_certificate_says_so(client: Client) -> None:
    w = World().certify()
    assert w.certificate is not None
    wf.revoke(w.secretariat, w.certificate, reason="取り消し")
    root = _badge(client, "en", w.certificate.number)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts[1] == "Revoked"
    assert "Certified" not in ET.tostring(root, encoding="unicode")


def test_badge_escapes_names_and_stays_well_formed(client: Client) -> None:
    community = CommunityFactory(key="amp", short_name='A&B <"bio">', name_en="A&B", name_ja="A&B")
    w = World(community=community).certify()
    assert w.certificate is not None
    root = _badge(client, "ja", w.certificate.number)
    assert next(t.text for t in root.iter(f"{SVG}text")) == 'A&B <"bio">'


@pytest.mark.parametrize("language", LANGUAGES)
def test_rubric_pages(client: Client, language: str) -> None:
    content = get(client, url(language, "rubric", "institutions", RUBRIC.version))
    if language == "ja":
        assert "インキュベーション機関" in content
        assert "Incubation organisation" not in content
    else:
        assert "Incubation organisation" in content
        assert "インキュベーション機関" not in content
    communities = get_rubric("communities")
    content = get(client, url(language, "rubric", "communities", communities.version))
    assert html.escape(communities.title.get(language)) in content
    get(client, url(language, "rubric", "institutions", "0.0"), status=404)


@pytest.mark.parametrize("language", LANGUAGES)
def test_community_page(client: Client, language: str) -> None:
    community = CommunityFactory()
    content = get(client, url(language, "community", community.key))
    assert (community.name_en if language == "en" else community.name_ja) in content
    assert 'class="card community-check"' in content
    get(client, url(language, "community", "no-such-community"), status=404)


@pytest.mark.parametrize("language", LANGUAGES)
def test_community_home_shows_the_certification_panel(
    client: Client, gtb: Any, language: str
) -> None:
    with translation.override(language):
        home = reverse("registry:home")
    content = get(client, home)
    match = re.search(
        r'<section class="certification-panel" id="certification">(.*?)</section>', content, re.S
    )
    assert match, "no certification panel"
    panel = match.group(1)
    assert label("What is missing", language) in panel
    assert ("事務局" if language == "ja" else "secretariat") in panel
    assert url(language, "community", "gtb") in panel


# The work space ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_workspace_for_each_role(client: Client, language: str) -> None:
    w = World().submit()
    workspace = url(language, "workspace")
    assessment_url = url(language, "assessment", w.assessment.pk)
    review_url = url(language, "review", w.assessment.pk)

    login(client, w.member)
    content = get(client, workspace)
    assert assessment_url in content
    assert review_url not in content
    assert url(language, "round-new") not in content

    login(client, w.reviewer)
    content = get(client, workspace)
    assert review_url in content
    assert url(language, "round-new") not in content

    login(client, w.insider_reviewer())
    content = get(client, workspace)
    assert review_url not in content  # never their own organisation

    login(client, w.secretariat)
    content = get(client, workspace)
    assert url(language, "round-new") in content
    assert url(language, "round", w.round.pk) in content
    assert url(language, "decide", w.assessment.pk) in content
    assert url(language, "audit") in content

    client.logout()
    assert_login_redirect(client.get(workspace), language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_of_a_submitted_assessment(client: Client, language: str) -> None:
    w = World().submit().review()
    assert w.evidence is not None
    assessment_url = url(language, "assessment", w.assessment.pk)
    evidence_url = url(language, "evidence", w.evidence.pk)

    login(client, w.member)
    content = get(client, assessment_url)
    assert "年次報告で開示" in content
    assert evidence_url in content
    assert 'value="submit"' not in content  # submitted: no longer editable

    login(client, w.reviewer)
    content = get(client, assessment_url)
    assert evidence_url in content
    content = get(client, url(language, "review", w.assessment.pk))
    # the review is submitted: shown as it was sent, no form that could only fail
    assert f'name="accept-{REGISTERED[0]}"' not in content
    assert 'name="recommended_level"' not in content
    assert label("You have already submitted this review.", language) in content
    assert "確認" in content
    login(client, reviewer_user())
    content = get(client, url(language, "review", w.assessment.pk))
    assert f'name="accept-{REGISTERED[0]}"' in content
    assert 'name="recommended_level"' in content

    login(client, w.secretariat)
    content = get(client, assessment_url)
    assert url(language, "decide", w.assessment.pk) in content
    content = get(client, url(language, "decide", w.assessment.pk))
    assert 'name="valid_to"' in content
    assert 'id="disagreement"' not in content
    assert '<option value="candidate" selected>' in content  # the reviewers' level
    content = get(client, url(language, "round", w.round.pk))
    assert (w.organization.name_en if language == "en" else w.organization.name_ja) in content
    assert "round.opened" in content  # the round's own audit trail
    content = get(client, url(language, "round-new"))
    assert 'name="closes_on"' in content
    content = get(client, url(language, "audit"))
    for action in ("round.created", "assessment.submitted", "review.submitted"):
        assert action in content


@pytest.mark.parametrize("language", LANGUAGES)
def test_member_sees_an_editable_self_assessment(client: Client, language: str) -> None:
    w = World()
    login(client, w.member)
    content = get(client, url(language, "assessment", w.assessment.pk))
    assert f'name="met-{REGISTERED[0]}"' in content
    assert 'value="submit"' in content
    assert 'enctype="multipart/form-data"' in content
    # the round's thresholds are filled into the criteria texts
    assert str(w.round.parameters[FUNDING.code]) in content


@pytest.mark.parametrize("language", LANGUAGES)
def test_secretariat_pages_of_a_certificate(client: Client, language: str) -> None:
    w = World().certify()
    c = w.certificate
    assert c is not None
    login(client, w.secretariat)
    content = get(client, url(language, "certificate", c.number))
    assert url(language, "revise", c.number) in content
    assert url(language, "revoke", c.number) in content
    content = get(client, url(language, "revise", c.number))
    assert 'name="level_code"' in content and 'name="reason"' in content
    content = get(client, url(language, "revoke", c.number))
    assert 'name="reason"' in content and 'name="level_code"' not in content
    content = get(client, url(language, "audit"))
    assert "certificate.issued" in content
    assert url(language, "certificate", c.number) in content


# Refused -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_refused_pages(client: Client, language: str) -> None:
    w = World().certify()
    assert w.evidence is not None and w.certificate is not None
    number = w.certificate.number
    pk = w.assessment.pk
    secretariat_only = [
        url(language, "round-new"),
        url(language, "round", w.round.pk),
        url(language, "decide", pk),
        url(language, "revise", number),
        url(language, "revoke", number),
        url(language, "audit"),
    ]

    login(client, w.stranger())
    get(client, url(language, "assessment", pk), status=403)
    get(client, url(language, "evidence", w.evidence.pk), status=403)
    get(client, url(language, "review", pk), status=403)

    login(client, w.insider_reviewer())
    get(client, url(language, "review", pk), status=403)

    for user in (w.member, w.reviewer):
        login(client, user)
        for address in secretariat_only:
            get(client, address, status=403)
    login(client, w.member)
    get(client, url(language, "review", pk), status=403)

    client.logout()
    for address in [
        *secretariat_only,
        url(language, "workspace"),
        url(language, "assessment", pk),
        url(language, "review", pk),
        url(language, "evidence", w.evidence.pk),
    ]:
        assert_login_redirect(client.get(address), language)
    assert Certificate.objects.count() == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_refused_posts_change_nothing(client: Client, language: str) -> None:
    w = World(open_it=False, parameters={})
    login(client, w.member)
    response = client.post(
        url(language, "round", w.round.pk), {"action": "parameters", f"p-{FUNDING.code}": "1"}
    )
    assert_status(response, 403)
    response = client.post(url(language, "round", w.round.pk), {"action": "open"})
    assert_status(response, 403)
    w.round.refresh_from_db()
    assert (w.round.status, w.round.parameters) == (RoundStatus.DRAFT, {})

    stranger = w.stranger()
    login(client, stranger)
    response = client.post(
        url(language, "assessment", w.assessment.pk),
        {"action": "save", f"met-{REGISTERED[0]}": "on"},
    )
    assert_status(response, 403)
    assert not Claim.objects.exists()


def test_parent_organisation_reviewer_is_refused(client: Client) -> None:
    parent = OrganizationFactory(kinds=["university"])
    child = OrganizationFactory(kinds=["incubator"], parent=parent)
    w = World(organization=child).submit()
    parent_reviewer = member_user(parent)
    grant_role(parent_reviewer, Role.REVIEWER)
    login(client, parent_reviewer)
    get(client, url("ja", "review", w.assessment.pk), status=403)
    get(client, url("ja", "assessment", w.assessment.pk), status=403)
    assert w.evidence is not None
    get(client, url("ja", "evidence", w.evidence.pk), status=403)


# Forms that fail show their errors and change nothing --------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_round_new_refuses_closing_before_opening(client: Client, language: str) -> None:
    CommunityFactory()
    login(client, secretariat_user())
    response = client.post(
        url(language, "round-new"),
        {
            "rubric": f"institutions|{RUBRIC.version}",
            "title_ja": "2027年度",
            "title_en": "2027",
            "opens_on": "2027-05-01",
            "closes_on": "2027-04-01",
        },
    )
    assert_status(response, 400)
    assert "closes_on" in response.context["form"].errors
    assert label("A round cannot close before it opens.", language) in response.content.decode()
    assert not Round.objects.exists()


def test_round_new_creates_a_round(client: Client) -> None:
    CommunityFactory()
    login(client, secretariat_user())
    response = client.post(
        url("en", "round-new"),
        {
            "rubric": f"institutions|{RUBRIC.version}",
            "title_ja": "2027年度",
            "title_en": "2027",
            "opens_on": "2027-04-01",
            "closes_on": "2027-06-30",
        },
    )
    assert_status(response, 302)
    round_ = Round.objects.get()
    assert response.url == url("en", "round", round_.pk)
    assert (round_.status, round_.rubric_code, round_.title_en) == ("draft", "institutions", "2027")


@pytest.mark.parametrize("language", LANGUAGES)
def test_round_page_refuses_a_non_number_threshold(client: Client, language: str) -> None:
    w = World(open_it=False, parameters={})
    login(client, w.secretariat)
    response = client.post(
        url(language, "round", w.round.pk),
        {"action": "parameters", f"p-{FUNDING.code}": "abc"},
    )
    assert_status(response, 400)
    errors = response.context["params_form"].errors
    assert list(errors) == [FUNDING.code]
    content = response.content.decode()
    assert 'class="errorlist"' in content
    assert html.escape(FUNDING.name.get(language)) in content
    assert label("is not a number", language) in content
    w.round.refresh_from_db()
    assert w.round.parameters == {}

    response = client.post(
        url(language, "round", w.round.pk),
        {"action": "parameters", f"p-{FUNDING.code}": "2.5"},
    )
    assert_status(response, 302)
    w.round.refresh_from_db()
    assert w.round.parameters == {FUNDING.code: 2.5}


@pytest.mark.parametrize("language", LANGUAGES)
def test_round_cannot_open_with_missing_thresholds(client: Client, language: str) -> None:
    w = World(open_it=False, parameters={})
    login(client, w.secretariat)
    response = client.post(url(language, "round", w.round.pk), {"action": "open"})
    assert_status(response, 400)
    content = response.content.decode()
    missing = wf.missing_parameters(w.round)
    assert FUNDING in missing
    with translation.override(language):
        message = gettext("The round cannot open while these thresholds are unset: %(names)s.") % {
            "names": "; ".join(p.name.get(language) for p in missing)
        }
    assert html.escape(message) in content
    assert 'id="missing-parameters"' in content
    w.round.refresh_from_db()
    assert w.round.status == RoundStatus.DRAFT


@pytest.mark.parametrize("language", LANGUAGES)
def test_decide_refuses_an_end_before_the_start(client: Client, language: str) -> None:
    w = World().submit().review()
    login(client, w.secretariat)
    response = client.post(
        url(language, "decide", w.assessment.pk),
        {
            "level_code": "candidate",
            "valid_from": "2026-04-01",
            "valid_to": "2026-03-31",
            "reason": "",
        },
    )
    assert_status(response, 400)
    assert list(response.context["form"].errors) == ["valid_to"]
    content = response.content.decode()
    assert label("A certificate cannot end before it starts.", language) in content
    assert not Certificate.objects.exists()
    w.assessment.refresh_from_db()
    assert w.assessment.status == AssessmentStatus.SUBMITTED


def test_decide_with_disagreeing_reviewers_needs_a_reason(client: Client) -> None:
    w = World().submit().review()
    wf.save_review(
        reviewer_user(),
        w.assessment,
        scores={REGISTERED[0]: (True, "")},
        comment="",
        recommended_level="initial",
        submit=True,
    )
    login(client, w.secretariat)
    address = url("en", "decide", w.assessment.pk)
    content = get(client, address)
    assert 'id="disagreement"' in content
    data = {"level_code": "candidate", "valid_from": "2026-04-01", "valid_to": "2029-03-31"}
    response = client.post(address, {**data, "reason": ""})
    assert_status(response, 400)
    assert list(response.context["form"].errors) == ["reason"]
    assert not Certificate.objects.exists()
    response = client.post(address, {**data, "reason": "Committee settled it"})
    assert_status(response, 302)
    certificate = Certificate.objects.get()
    assert response.url == url("en", "certificate", certificate.number)
    assert certificate.reason == "Committee settled it"


@pytest.mark.parametrize("language", LANGUAGES)
def test_revoke_refuses_an_empty_reason(client: Client, language: str) -> None:
    w = World().certify()
    assert w.certificate is not None
    login(client, w.secretariat)
    response = client.post(url(language, "revoke", w.certificate.number), {"reason": "  "})
    assert_status(response, 400)
    assert list(response.context["form"].errors) == ["reason"]
    assert label("This field is required.", language) in response.content.decode()
    assert Certificate.objects.count() == 1

    response = client.post(
        url(language, "revise", w.certificate.number),
        {
            "level_code": "initial",
            "valid_from": "2026-04-01",
            "valid_to": "2029-03-31",
            "reason": "",
        },
    )
    assert_status(response, 400)
    assert list(response.context["form"].errors) == ["reason"]
    assert Certificate.objects.count() == 1

    response = client.post(url(language, "revoke", w.certificate.number), {"reason": "取消し"})
    assert_status(response, 302)
    record = Certificate.objects.get(kind="revocation")
    assert response.url == url(language, "certificate", record.number)


# Evidence ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "reviewer", "secretariat"])
def test_evidence_download_is_an_attachment(client: Client, role: str) -> None:
    w = World().submit()
    assert w.evidence is not None
    login(client, getattr(w, role))
    response = client.get(url("ja", "evidence", w.evidence.pk))
    assert_status(response, 200)
    body = b"".join(response.streaming_content)
    assert body == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="report.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("language", LANGUAGES)
def test_evidence_whose_file_is_gone_answers_404_with_a_message(
    client: Client, media: Path, language: str
) -> None:
    """A database restored without its uploads must say the file is missing, not fail with 500."""
    w = World().submit()
    assert w.evidence is not None
    Path(w.evidence.file.path).unlink()
    login(client, w.member)
    content = get(client, url(language, "evidence", w.evidence.pk), status=404)
    message = "The file of this evidence is missing; ask the secretariat to restore it."
    assert label(message, language) in content


def test_evidence_upload_through_the_page(client: Client, media: Path) -> None:
    w = World()
    login(client, w.member)
    address = url("en", "assessment", w.assessment.pk)
    upload = SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client.post(
        address, {"action": "evidence", "criterion": REGISTERED[0], "file": upload}
    )
    assert_status(response, 400)
    assert "tool.exe" in response.content.decode()
    assert not Evidence.objects.exists()
    assert [p for p in media.rglob("*") if p.is_file()] == []

    upload = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
    response = client.post(
        address, {"action": "evidence", "criterion": REGISTERED[0], "file": upload}
    )
    assert_status(response, 302)
    assert Evidence.objects.get().original_name == "report.pdf"


@pytest.mark.parametrize("language", LANGUAGES)
def test_statement_html_is_escaped(client: Client, language: str) -> None:
    w = World()
    script = "<script>alert(1)</script>"
    login(client, w.member)
    address = url(language, "assessment", w.assessment.pk)
    response = client.post(
        address,
        {"action": "save", f"met-{REGISTERED[0]}": "on", f"statement-{REGISTERED[0]}": script},
    )
    assert_status(response, 302)
    assert Claim.objects.get().statement == script
    escaped = html.escape(script, quote=False)
    for user in (w.member, w.secretariat):  # the editable form and the read-only view
        login(client, user)
        content = get(client, address)
        assert script not in content
        assert escaped in content.replace("&#x27;", "'")
