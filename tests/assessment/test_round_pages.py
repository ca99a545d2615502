"""The secretariat's round, review and decision pages: names not keys, states not errors."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, ngettext

from biocommunity.assessment.models import (
    Assessment,
    AssessmentStatus,
    AuditEntry,
    Certificate,
    RoundStatus,
)
from biocommunity.assessment.services import workflow as wf
from biocommunity.assessment.services.audit import audit_rows
from biocommunity.assessment.services.candidates import find_candidates
from tests.assessment.test_pages import LANGUAGES, RUBRIC, World, get, label, url
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

FUNDING = RUBRIC.parameter("incubatee_annual_funding_oku_yen")
INCOME = RUBRIC.parameter("non_public_income_tenths")  # research institutions only


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def draft_round() -> Any:
    """A round being prepared with nobody invited yet, and organisations to find."""
    community = CommunityFactory()
    secretariat = secretariat_user()
    round_ = certification_round(
        community, secretariat=secretariat, invite=[], parameters={}, open_it=False
    )
    kazusa = OrganizationFactory(
        kinds=["incubator"],
        name_ja="カズサ・インキュベーションセンター",
        name_en="Kazusa Incubation",
    )
    city = OrganizationFactory(
        kinds=["local_government"], name_ja="かずさ市", name_en="Kazusa City"
    )
    return round_, secretariat, kazusa, city


# Review and decision pages never fail ----------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("state", ["draft", "decided"])
def test_review_page_shows_the_state_of_an_assessment_it_cannot_score(
    client: Client, language: str, state: str
) -> None:
    w = World()
    if state == "draft":
        wf.save_claims(
            w.member,
            w.assessment,
            {RUBRIC.type("incubator").criteria[0].code: (True, "下書きの記述")},
        )
    else:
        w.certify()
    login(client, reviewer_user())
    content = get(client, url(language, "review", w.assessment.pk))  # was a 500
    assert 'name="recommended_level"' not in content
    assert 'name="action"' not in content
    assert 'id="review-state"' in content
    if state == "draft":
        assert (
            label(
                "This self-assessment has not been submitted yet; it can be reviewed once the "
                "organisation submits it.",
                language,
            )
            in content
        )
        assert "下書きの記述" not in content  # a draft stays private to its organisation
    else:
        assert w.certificate is not None
        assert url(language, "certificate", w.certificate.number) in content
    response = client.post(
        url(language, "review", w.assessment.pk),
        {"action": "submit", "recommended_level": "candidate"},
    )
    assert_status(response, 400)
    assert not w.assessment.reviews.filter(status="submitted").exclude(reviewer=w.reviewer).exists()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("state", ["draft", "submitted", "decided"])
def test_decide_page_offers_the_form_only_where_a_decision_is_possible(
    client: Client, language: str, state: str
) -> None:
    w = World()
    if state == "submitted":
        w.submit()  # not reviewed yet
    elif state == "decided":
        w.certify()
    login(client, w.secretariat)
    content = get(client, url(language, "decide", w.assessment.pk))
    assert 'name="valid_to"' not in content
    assert 'id="decision-state"' in content
    expected = {
        "draft": "This self-assessment has not been submitted yet: the committee decides once it "
        "is submitted and reviewed.",
        "submitted": "At least one submitted review is needed before a decision.",
        "decided": "The committee has already decided on this self-assessment.",
    }[state]
    assert label(expected, language) in content
    assessment_page = get(client, url(language, "assessment", w.assessment.pk))
    assert url(language, "decide", w.assessment.pk) not in assessment_page
    before = Certificate.objects.count()
    response = client.post(
        url(language, "decide", w.assessment.pk),
        {"level_code": "candidate", "valid_from": "2026-04-01", "valid_to": "2029-03-31"},
    )
    assert_status(response, 400)
    assert Certificate.objects.count() == before


def test_decide_page_of_a_reviewed_assessment_has_the_form(client: Client) -> None:
    w = World().submit().review()
    login(client, w.secretariat)
    content = get(client, url("en", "decide", w.assessment.pk))
    assert 'name="valid_to"' in content
    assert 'id="decision-state"' not in content


def test_review_and_decide_pages_refuse_the_wrong_people(client: Client) -> None:
    w = World().submit()
    login(client, w.member)
    assert_status(client.get(url("ja", "review", w.assessment.pk)), 403)
    assert_status(client.get(url("ja", "decide", w.assessment.pk)), 403)
    login(client, w.insider_reviewer())
    assert_status(client.get(url("ja", "review", w.assessment.pk)), 403)
    login(client, w.reviewer)
    assert_status(client.get(url("ja", "decide", w.assessment.pk)), 403)
    assert_status(client.get(url("ja", "review", w.assessment.pk)), 200)


# Inviting by name ------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["かずさ", "カズサ", "kazusa", "KAZUSA incubation"])
def test_candidates_are_found_by_name_in_either_script_and_language(q: str) -> None:
    round_, _secretariat, kazusa, city = draft_round()
    found = find_candidates(round_, q)
    organizations = [c.organization for c in found.candidates]
    assert kazusa in organizations
    # a city is no institution type of this rubric: never offered
    assert city not in organizations
    (candidate,) = [c for c in found.candidates if c.organization == kazusa]
    assert [t.code for t in candidate.types] == ["incubator"]
    assert not candidate.invited


def test_candidates_by_kind_and_refused_kinds() -> None:
    round_, _secretariat, kazusa, _city = draft_round()
    other = OrganizationFactory(kinds=["university"], name_ja="テスト大学")
    found = find_candidates(round_, "", "incubator")
    assert [c.organization for c in found.candidates] == [kazusa]
    assert other in [c.organization for c in find_candidates(round_, "", "university").candidates]
    assert not find_candidates(round_).searched
    with pytest.raises(ValidationError) as exc:
        find_candidates(round_, "", "local_government")
    assert "kind" in exc.value.message_dict


@pytest.mark.parametrize("language", LANGUAGES)
def test_secretariat_invites_from_the_search_without_a_key(client: Client, language: str) -> None:
    round_, secretariat, kazusa, city = draft_round()
    login(client, secretariat)
    page = get(client, url(language, "round", round_.pk) + "?q=かずさ")
    assert 'name="i-organization"' not in page and "Organisation key" not in page
    assert html.escape(kazusa.name_en if language == "en" else kazusa.name_ja) in page
    assert html.escape(city.name_ja) not in page and city.name_en not in page
    response = client.post(
        url(language, "round", round_.pk) + "?q=かずさ",
        {"action": "invite", "organization": kazusa.pk, "type_code": "incubator"},
    )
    assert_status(response, 302)
    assert response.url.endswith("?q=%E3%81%8B%E3%81%9A%E3%81%95#invite")  # the search is kept
    assessment = Assessment.objects.get(round=round_)
    assert (assessment.organization, assessment.type_code) == (kazusa, "incubator")
    page = get(client, url(language, "round", round_.pk) + "?q=かずさ")
    assert label("Already invited", language) in page


def test_invite_refuses_an_unknown_organisation_and_a_type_that_does_not_fit(
    client: Client,
) -> None:
    round_, secretariat, kazusa, _city = draft_round()
    login(client, secretariat)
    address = url("en", "round", round_.pk)
    response = client.post(address, {"action": "invite", "organization": 999999})
    assert_status(response, 400)
    assert label("Pick the organisation and its institution type from the list.", "en") in (
        response.content.decode()
    )
    response = client.post(
        address, {"action": "invite", "organization": kazusa.pk, "type_code": "investment_fund"}
    )
    assert_status(response, 400)
    assert "Kazusa" in response.content.decode()
    assert not Assessment.objects.exists()


def test_only_the_secretariat_searches_and_invites(client: Client) -> None:
    round_, _secretariat, kazusa, _city = draft_round()
    for user in (member_user(kazusa), reviewer_user()):
        login(client, user)
        assert_status(client.get(url("ja", "round", round_.pk) + "?q=かずさ"), 403)
        response = client.post(
            url("ja", "round", round_.pk),
            {"action": "invite", "organization": kazusa.pk, "type_code": "incubator"},
        )
        assert_status(response, 403)
    assert not Assessment.objects.exists()


# Thresholds ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_only_the_invited_types_thresholds_are_asked_each_explained(
    client: Client, language: str
) -> None:
    round_, secretariat, kazusa, _city = draft_round()
    login(client, secretariat)
    page = get(client, url(language, "round", round_.pk))
    assert f'name="p-{FUNDING.code}"' not in page  # nobody invited: nothing to set yet
    assert (
        label(
            "Invite participants first: the thresholds their institution types use will be asked "
            "here.",
            language,
        )
        in page
    )
    wf.invite(secretariat, round_, kazusa, "incubator")
    page = get(client, url(language, "round", round_.pk))
    assert f'name="p-{FUNDING.code}"' in page
    assert f'name="p-{INCOME.code}"' not in page  # a research institution's threshold
    help_text = page[page.index(f'id="threshold-{FUNDING.code}"') :]
    help_text = help_text[: help_text.index("</div>\n  </div>")]
    criterion = RUBRIC.criterion("incubator.open_innovation.track_record.1")
    assert html.escape(criterion.seed_ja) in help_text  # the published text with its blank
    assert "＿＿" in help_text  # where the value goes in the criterion
    assert label("As published, with the figure left blank:", language) in help_text


def test_a_round_with_nobody_invited_cannot_open(client: Client) -> None:
    round_, secretariat, _kazusa, _city = draft_round()
    login(client, secretariat)
    response = client.post(url("en", "round", round_.pk), {"action": "open"})
    assert_status(response, 400)
    assert label("Invite at least one participant before opening the round.", "en") in (
        response.content.decode()
    )
    round_.refresh_from_db()
    assert round_.status == RoundStatus.DRAFT


# Audit log -------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_audit_log_reads_as_words_not_codes(client: Client, language: str) -> None:
    w = World().certify()
    login(client, w.secretariat)
    page = get(client, url(language, "audit"))
    body = page[page.index('<table class="audit-log">') :]
    for label_text in ("Round created", "Self-assessment submitted", "Certificate issued"):
        assert label(label_text, language) in body
    visible = re.sub(r'data-action="[^"]*"', "", body)  # the codes stay for scripts only
    for code in ("round.created", "assessment.submitted", "certificate.issued", "{&#x27;"):
        assert code not in visible
    criterion = RUBRIC.criterion(
        next(c.code for c in RUBRIC.type("incubator").criteria if c.stage == "registered")
    )
    assert html.escape(criterion.text.get(language)) in body
    level = RUBRIC.level("candidate").name.get(language)
    with translation.override(language):
        assert html.escape(gettext("Level: %(level)s") % {"level": level}) in body
        assert (
            html.escape(w.organization.name_en if language == "en" else w.organization.name_ja)
            in body
        )


def test_audit_rows_name_thresholds_and_their_change() -> None:
    w = World(open_it=False, parameters={})
    wf.set_parameters(w.secretariat, w.round, {FUNDING.code: "2.5"})
    entry = AuditEntry.objects.filter(action="round.parameters").latest("id")
    with translation.override("en"):
        (row,) = audit_rows([entry], "en")
    assert row.label == "Thresholds set"
    assert row.details == [f"{FUNDING.name.en}: — → 2.5 × {FUNDING.unit.en}"]  # type: ignore[union-attr]


def test_round_page_audit_is_readable(client: Client) -> None:
    w = World()
    login(client, w.secretariat)
    page = get(client, url("ja", "round", w.round.pk))
    assert label("Round opened", "ja") in page
    assert label("Invited to the round", "ja") in page
    assert w.assessment.status == AssessmentStatus.INVITED


@pytest.mark.parametrize("raw", ["abc", "", "1.5", "99999999999999999999"])
def test_removing_evidence_that_is_not_there_is_refused_not_a_500(client: Client, raw: str) -> None:
    w = World()
    code = RUBRIC.type("incubator").criteria[0].code
    evidence = wf.add_evidence(w.member, w.assessment, code, url="https://example.org/a")
    login(client, w.member)
    response = client.post(
        url("en", "assessment", w.assessment.pk), {"action": "remove-evidence", "evidence": raw}
    )
    assert_status(response, 400)
    assert label("This evidence is not part of this self-assessment.", "en") in (
        response.content.decode()
    )
    assert type(evidence).objects.filter(pk=evidence.pk).exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_type_that_does_not_fit_is_refused_with_kinds_by_name(language: str) -> None:
    round_, secretariat, kazusa, _city = draft_round()
    with translation.override(language), pytest.raises(ValidationError) as exc:
        wf.invite(secretariat, round_, kazusa, "investment_fund")
    message = " ".join(exc.value.message_dict["type_code"])
    with translation.override(language):
        assert gettext("Investment fund") in message
    assert "investment_fund" not in message
    assert (kazusa.name_en if language == "en" else kazusa.name_ja) in message


@pytest.mark.parametrize("language", LANGUAGES)
def test_workspace_says_which_decisions_wait_for_a_review(client: Client, language: str) -> None:
    w = World().submit()
    login(client, w.secretariat)
    page = get(client, url(language, "workspace"))
    assert label("waiting for a review", language) in page
    w.review()
    page = get(client, url(language, "workspace"))
    assert label("waiting for a review", language) not in page
    with translation.override(language):
        expected = ngettext("%(n)s review submitted", "%(n)s reviews submitted", 1) % {"n": 1}
    assert html.escape(expected) in page
