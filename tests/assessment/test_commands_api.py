"""`assess` and `rubric` on the command line, and the certification endpoints of the JSON API."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from biocommunity.assessment.services import workflow
from biocommunity.assessment.services.rubrics import get_rubric
from biocommunity.registry.models import Community
from tests.conftest import assert_status
from tests.factories import (
    CommunityFactory,
    OrganizationFactory,
    certification_round,
    member_user,
    reviewer_user,
    secretariat_user,
)

CERTIFICATION_PATHS = {
    "/api/certification/register",
    "/api/certification/certificates/{number}",
    "/api/certification/rubrics",
    "/api/certification/rubrics/{code}/{version}",
    "/api/certification/communities/{key}",
}
STATUSES = {"pass", "fail", "needs-evidence"}


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def get_json(client: Client, url: str, status: int = 200) -> Any:
    response = client.get(url)
    assert_status(response, status)
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def bare_community() -> Community:
    """GTB's identity only: no organisations, no network organisation, no plan."""
    return CommunityFactory()


def issue_certificate(target: Community) -> Any:
    """An incubator certified 候補 through the workflow, as the committee would do it."""
    secretariat = secretariat_user()
    incubator = OrganizationFactory(kinds=["incubator"], name_ja="テスト育成施設")
    round_ = certification_round(target, secretariat=secretariat, invite=[(incubator, "incubator")])
    assessment = round_.assessments.get()
    member = member_user(incubator)
    code = "incubator.open_innovation.registered.1"
    workflow.save_claims(member, assessment, {code: (True, "開示済み")})
    workflow.add_evidence(member, assessment, code, url="https://example.org/annual-report")
    workflow.submit_assessment(member, assessment)
    workflow.save_review(
        reviewer_user(),
        assessment,
        scores={code: (True, "")},
        comment="",
        recommended_level="candidate",
        submit=True,
    )
    today = datetime.date.today()
    return workflow.decide(
        secretariat,
        assessment,
        level_code="candidate",
        valid_from=today,
        valid_to=today + datetime.timedelta(days=365),
        reason="",
    )


# --------------------------------------------------------------------------- assess


@pytest.mark.django_db
def test_assess_prints_every_requirement_as_json() -> None:
    bare_community()
    data = json.loads(run("assess", "community", "gtb", "--format", "json"))
    assert data["community"]["key"] == "gtb"
    assert data["community"]["kind"] == "global"
    assert data["rubric"] == {"code": "communities", "version": "2020.1"}
    assert data["round"] is None
    statuses = {row["code"]: row["status"] for row in data["requirements"]}
    assert list(statuses) == [c.code for c in get_rubric("communities").type("global").requirements]
    assert statuses == {
        "global.market_roadmap": "fail",
        "global.startup_city": "needs-evidence",
        "global.required_institutions": "fail",
        "global.network_organisation": "fail",
        "global.secretariat": "needs-evidence",
        "global.targets": "fail",
        "global.plan": "fail",
    }
    assert data["requirements_met"] is False
    assert data["counts"] == {"pass": 0, "fail": 5, "needs-evidence": 2}
    assert data["maturity_level"] is None
    assert {row["status"] for row in data["maturity"]} <= STATUSES
    required = next(r for r in data["requirements"] if r["code"] == "global.required_institutions")
    assert required["missing"]["en"][0] == "Network organisation"
    assert required["ja"] == "概ね100km圏内にすべての必要機関*1が集積"


@pytest.mark.django_db
def test_assess_prints_a_table_with_what_is_missing() -> None:
    bare_community()
    out = run("assess", "community", "gtb")
    assert "Requirements" in out and "Maturity" in out
    assert "global.required_institutions" in out
    assert "0 met, 5 not met, 2 need evidence." in out
    assert "missing: " in out
    japanese = run("assess", "community", "gtb", "--language", "ja")
    assert "ネットワーク機関が登録されていない。" in japanese


@pytest.mark.django_db
def test_assess_an_unknown_community_names_the_known_ones() -> None:
    bare_community()
    CommunityFactory(key="kansai", name_ja="関西", name_en="Kansai")
    with pytest.raises(CommandError, match=r"No community 'nope' \(known: gtb, kansai\)"):
        run("assess", "community", "nope", "--format", "json")


@pytest.mark.django_db
def test_assess_an_unknown_round_is_an_error() -> None:
    bare_community()
    with pytest.raises(CommandError, match="No round 999 of community 'gtb'"):
        run("assess", "community", "gtb", "--round", "999")


@pytest.mark.django_db
def test_assess_uses_a_community_round_thresholds() -> None:
    target = bare_community()
    round_ = certification_round(target, rubric_code="communities")
    data = json.loads(
        run("assess", "community", "gtb", "--round", str(round_.pk), "--format", "json")
    )
    assert data["round"] == round_.pk
    assert data["parameters"] == {"category_min_level": "candidate"}
    row = next(r for r in data["maturity"] if r["code"] == "global.cb.track_record.1")
    assert row["ja"] == "すべての必要機関カテゴリにおいてcandidate以上が1機関以上"
    assert row["status"] == "fail"


# --------------------------------------------------------------------------- rubric


def test_rubric_show_lists_both_rubrics_as_json() -> None:
    data = json.loads(run("rubric", "show", "--format", "json"))
    assert isinstance(data, list)
    assert [(r["code"], r["version"], r["subject"]) for r in data] == [
        ("communities", "2020.1", "community"),
        ("institutions", "2020.1", "institution"),
    ]


def test_rubric_show_one_code_as_json() -> None:
    data = json.loads(run("rubric", "show", "--code", "institutions", "--format", "json"))
    assert isinstance(data, dict)
    assert data["code"] == "institutions"
    assert data["sha256"] == get_rubric("institutions").sha256
    assert [t["code"] for t in data["types"]] == [
        "rd_advanced",
        "rd",
        "incubator",
        "investment_fund",
        "large_company",
        "company_biomanufacturing",
    ]
    assert sum(len(a["criteria"]) for t in data["types"] for a in t["axes"]) == 124
    assert [lv["ja"] for lv in data["levels"]] == ["候補", "初期", "成長", "発展"]
    versioned = json.loads(
        run(
            "rubric",
            "show",
            "--code",
            "communities",
            "--rubric-version",
            "2020.1",
            "--format",
            "json",
        )
    )
    assert versioned["subject"] == "community"
    assert versioned["types"][0]["requirements"][2]["check"] == "required_institutions"


def test_rubric_list_and_table() -> None:
    rows = json.loads(run("rubric", "list", "--format", "json"))
    assert [r["code"] for r in rows] == ["communities", "institutions"]
    assert all(len(r["sha256"]) == 64 for r in rows)
    assert run("rubric", "list").splitlines() == [
        "communities 2020.1 (community)",
        "institutions 2020.1 (institution)",
    ]
    table = run("rubric", "show", "--code", "institutions")
    assert "levels: Candidate, Initial, Growth, Advanced" in table
    assert "incubator.open_innovation.registered.1" in table


def test_rubric_unknown_code_is_an_error() -> None:
    with pytest.raises(CommandError, match=r"No rubric nope \(shipped: communities 2020\.1"):
        run("rubric", "show", "--code", "nope", "--format", "json")
    with pytest.raises(CommandError, match="No rubric institutions"):
        run("rubric", "show", "--code", "institutions", "--rubric-version", "1999.1")


# --------------------------------------------------------------------------- API


@pytest.mark.django_db
def test_api_lists_the_rubrics(client: Client) -> None:
    body = get_json(client, "/api/certification/rubrics")
    assert [(r["code"], r["version"], r["subject"]) for r in body] == [
        ("communities", "2020.1", "community"),
        ("institutions", "2020.1", "institution"),
    ]
    assert body[1]["sha256"] == get_rubric("institutions").sha256


@pytest.mark.django_db
def test_api_shows_one_rubric(client: Client) -> None:
    body = get_json(client, "/api/certification/rubrics/institutions/2020.1")
    assert body["code"] == "institutions"
    assert len(body["types"]) == 6
    incubator = next(t for t in body["types"] if t["code"] == "incubator")
    assert incubator["ja"] == "インキュベーション機関"
    assert incubator["organization_kinds"] == ["incubator"]
    first = incubator["axes"][0]["criteria"][0]
    assert first["code"] == "incubator.open_innovation.registered.1"
    assert first["stage"] == "registered"
    assert first["ja"] and first["en"] and first["source"].startswith("002 ")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/api/certification/rubrics/nope/2020.1", "/api/certification/rubrics/institutions/1999.1"],
)
def test_api_unknown_rubric_is_404_json(client: Client, url: str) -> None:
    body = get_json(client, url, 404)
    assert body["detail"].startswith("rubric: no rubric ")


@pytest.mark.django_db
def test_api_community_assessment(client: Client) -> None:
    bare_community()
    body = get_json(client, "/api/certification/communities/gtb")
    assert body["community"]["key"] == "gtb"
    assert body["requirements_met"] is False
    assert [r["code"] for r in body["requirements"]] == [
        c.code for c in get_rubric("communities").type("global").requirements
    ]
    assert {r["status"] for r in body["requirements"]} == STATUSES - {"pass"}
    for row in body["requirements"]:
        assert set(row) >= {"code", "ja", "en", "check", "status", "summary", "missing", "facts"}


@pytest.mark.django_db
def test_api_unknown_community_is_404_json(client: Client) -> None:
    body = get_json(client, "/api/certification/communities/nope", 404)
    assert body == {
        "detail": "key: no community nope",
        "field": "key",
        "errors": {"key": ["key: no community nope"]},
    }


@pytest.mark.django_db
def test_api_unknown_certificate_is_404_json(client: Client) -> None:
    body = get_json(client, "/api/certification/certificates/NOPE", 404)
    assert (body["detail"], body["field"]) == ("number: no certificate NOPE", "number")


@pytest.mark.django_db
def test_api_register_and_verification(client: Client) -> None:
    assert get_json(client, "/api/certification/register") == []
    certificate = issue_certificate(bare_community())
    register = get_json(client, "/api/certification/register")
    assert [row["number"] for row in register] == [certificate.number]
    row = register[0]
    assert row["status"] == "valid"
    assert row["kind"] == "issue"
    assert row["subject"]["type"] == "organization"
    assert row["subject"]["ja"] == "テスト育成施設"
    assert row["institution_type"]["code"] == "incubator"
    assert row["level"] == {"code": "candidate", "ja": "候補", "en": "Candidate"}

    verified = get_json(client, f"/api/certification/certificates/{certificate.number}")
    assert verified["number"] == certificate.number
    assert verified["status"] == "valid"
    assert verified["history"] == [certificate.number]


@pytest.mark.django_db
def test_openapi_lists_the_certification_paths(client: Client) -> None:
    schema = get_json(client, "/api/openapi.json")
    assert set(schema["paths"]) >= CERTIFICATION_PATHS
    for path in CERTIFICATION_PATHS:
        assert "get" in schema["paths"][path], path
        assert schema["paths"][path]["get"]["tags"] == ["certification"]
