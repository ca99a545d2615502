"""Community requirements evaluated from crafted registries, then on the shipped GTB dataset."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal
from typing import Any

import pytest

from biocommunity.assessment.services import workflow
from biocommunity.assessment.services.community import (
    FAIL,
    NEEDS_EVIDENCE,
    PASS,
    CheckResult,
    CommunityAssessment,
    assess_community,
)
from biocommunity.assessment.services.rubrics import get_rubric
from biocommunity.indicators.models import Goal, Indicator, Kpi, Observation, Plan, Subject
from biocommunity.registry.maps import EARTH_RADIUS_KM, geodesic_distance_km
from biocommunity.registry.models import Community, Organization, Partnership
from tests.factories import (
    CommunityFactory,
    HubFactory,
    HubMembershipFactory,
    MarketDomainFactory,
    OrganizationFactory,
    OrganizationMarketDomainFactory,
    certification_round,
    member_user,
    reviewer_user,
    secretariat_user,
)

pytestmark = pytest.mark.django_db

CENTRE = (35.6812, 139.7671)  # CommunityFactory's centre, Tokyo Station
NEAR = {"lat": 35.694, "lon": 139.754}  # about 1.8 km away


# --------------------------------------------------------------------------- helpers


def community(**kwargs: Any) -> Community:
    return CommunityFactory(key=kwargs.pop("key", "test-bio"), **kwargs)


def ranked(organization: Organization, ranks: dict[str, int]) -> None:
    """Citation ranks of an organisation, one indicator per field (the 先端 qualifier)."""
    subject, _ = Subject.objects.get_or_create(
        key=organization.key,
        defaults={
            "kind": "organization",
            "name_ja": organization.name_ja,
            "name_en": organization.name_en,
        },
    )
    for field, rank in ranks.items():
        indicator, _ = Indicator.objects.get_or_create(
            code=f"citation-rank-{field}",
            defaults={
                "name_ja": f"被引用論文数順位（{field}）",
                "name_en": f"Citation rank ({field})",
                "factor_group": "knowledge",
                "higher_is_better": False,
            },
        )
        Observation.objects.create(
            indicator=indicator,
            subject=subject,
            period="2020",
            value=Decimal(rank),
            value_kind="exact",
        )


def full_registry(target: Community, **where: float) -> dict[str, Organization]:
    """One organisation for every *1 category, all near the centre; a network organisation."""
    at = {**NEAR, **where}
    orgs = {
        "network": OrganizationFactory(kinds=["bio_association"], **at),
        "rd_advanced": OrganizationFactory(kinds=["university"], **at),
        "biomanufacturing": OrganizationFactory(kinds=["biomanufacturing"], **at),
        "incubator": OrganizationFactory(kinds=["incubator"], **at),
        "investment_fund": OrganizationFactory(kinds=["investment_fund"], **at),
        "company": OrganizationFactory(kinds=["company"], listed=True, **at),
        "local_government": OrganizationFactory(kinds=["local_government"], **at),
    }
    ranked(orgs["rd_advanced"], {"immunology": 12, "microbiology": 80})
    target.network_organization = orgs["network"]
    target.save()
    return orgs


def outcome(result: CommunityAssessment, code: str) -> CheckResult:
    for item in (*result.requirements, *result.maturity):
        if item.criterion.code == code:
            return item.result
    raise AssertionError(f"no {code} in the assessment")


def category(check: CheckResult, code: str) -> dict[str, Any]:
    return next(c for c in check.facts["categories"] if c["code"] == code)


def point_north_of(lat: float, lon: float, km: float) -> tuple[float, float]:
    return lat + math.degrees(km / EARTH_RADIUS_KM), lon


def issue_certificate(target: Community, organization: Organization, type_code: str) -> Any:
    """A 候補 certificate made the way the committee makes one."""
    secretariat = secretariat_user()
    round_ = certification_round(
        target, secretariat=secretariat, invite=[(organization, type_code)]
    )
    assessment = round_.assessments.get()
    member = member_user(organization)
    registered = [
        c.code
        for c in get_rubric("institutions").type(type_code).criteria
        if c.stage == "registered"
    ]
    workflow.save_claims(member, assessment, {code: (True, "年次報告") for code in registered})
    for code in registered:
        workflow.add_evidence(member, assessment, code, url="https://example.org/report")
    workflow.submit_assessment(member, assessment)
    workflow.save_review(
        reviewer_user(),
        assessment,
        scores={code: (True, "") for code in registered},
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


# --------------------------------------------------------------------- required institutions


def test_every_required_category_within_100_km_passes() -> None:
    target = community()
    orgs = full_registry(target)
    check = outcome(assess_community(target), "global.required_institutions")
    assert check.status == PASS
    assert check.missing_ja == [] and check.missing_en == []
    assert check.summary_ja == "100 km圏内に必要機関9区分がすべてある。"
    assert check.facts["radius_km"] == 100.0
    assert check.facts["members_only"] is False
    assert [c["code"] for c in check.facts["categories"]] == [
        "network",
        "rd_advanced",
        "rd",
        "biomanufacturing",
        "incubator",
        "investment_fund",
        "large_company",
        "company",
        "local_government",
    ]
    assert all(c["count"] >= 1 for c in check.facts["categories"])
    advanced = category(check, "rd_advanced")
    assert advanced["count"] == 1
    assert advanced["examples"][0]["key"] == orgs["rd_advanced"].key
    assert advanced["examples"][0]["distance_km"] == pytest.approx(
        geodesic_distance_km(*CENTRE, NEAR["lat"], NEAR["lon"]), abs=0.1
    )
    assert category(check, "network")["examples"][0]["key"] == orgs["network"].key


def test_a_missing_kind_fails_and_is_named() -> None:
    target = community()
    orgs = full_registry(target)
    orgs["investment_fund"].classifications.all().delete()
    check = outcome(assess_community(target), "global.required_institutions")
    assert check.status == FAIL
    assert check.missing_ja == ["投資ファンド"]
    assert check.missing_en == ["Investment fund"]
    assert "9区分のうち8区分のみ" in check.summary_ja
    assert "不足: 投資ファンド" in check.summary_ja
    assert check.summary_en.startswith("Only 8 of 9 required categories")
    assert check.summary_en.endswith("Missing: Investment fund")
    assert category(check, "investment_fund")["count"] == 0


def test_a_local_government_120_km_away_does_not_count() -> None:
    target = community()
    orgs = full_registry(target)
    lat, lon = point_north_of(*CENTRE, 120)
    distance = geodesic_distance_km(*CENTRE, lat, lon)
    assert 119.5 < distance < 120.5
    far = orgs["local_government"]
    far.lat, far.lon = lat, lon
    far.save()
    check = outcome(assess_community(target), "global.required_institutions")
    assert check.status == FAIL
    assert check.missing_ja == [f"自治体（最も近い{far.name_ja}は120 km）"]
    assert check.missing_en == [f"Local government (the nearest, {far.name_en}, is 120 km away)"]
    assert "120 km" in check.summary_en and "120 km" in check.summary_ja
    facts = category(check, "local_government")
    assert facts["count"] == 0
    assert facts["outside_radius"] == 1
    assert facts["nearest_outside"][0]["key"] == far.key
    assert facts["nearest_outside"][0]["distance_km"] == pytest.approx(120, abs=0.5)

    # Moved to about 95 km it is inside the 概ね100km radius again.
    far.lat, far.lon = point_north_of(*CENTRE, 95)
    far.save()
    assert outcome(assess_community(target), "global.required_institutions").status == PASS


def test_an_organisation_without_coordinates_is_counted_apart() -> None:
    target = community()
    orgs = full_registry(target)
    unplaced = orgs["incubator"]
    unplaced.lat = unplaced.lon = None
    unplaced.save()
    check = outcome(assess_community(target), "global.required_institutions")
    assert check.status == FAIL
    assert check.missing_en == ["Incubation organisation (1 registered without a location)"]
    assert check.missing_ja == ["インキュベーション機関（登録1件、いずれも所在地未登録）"]
    assert check.facts["not_located"] == 1
    assert category(check, "incubator")["not_located"] == 1

    # A member without coordinates takes part in the community: it counts.
    HubMembershipFactory(hub=HubFactory(community=target), organization=unplaced)
    check = outcome(assess_community(target), "global.required_institutions")
    assert check.status == PASS
    assert category(check, "incubator")["count"] == 1


def test_advanced_rd_needs_two_fields_in_the_top_100() -> None:
    target = community()
    orgs = full_registry(target)
    Observation.objects.filter(indicator__code="citation-rank-microbiology").update(
        value=Decimal(150)
    )
    # A second period in the same field is still one field.
    Observation.objects.create(
        indicator=Indicator.objects.get(code="citation-rank-immunology"),
        subject=Subject.objects.get(key=orgs["rd_advanced"].key),
        period="2021",
        value=Decimal(20),
        value_kind="exact",
    )
    check = outcome(assess_community(target), "global.required_institutions")
    assert check.status == FAIL
    assert check.missing_ja == ["研究開発機関（先端）"]
    assert category(check, "rd")["count"] == 1  # still an R&D institution

    ranked(orgs["rd_advanced"], {"genomics": 100})  # ≤ 100 counts
    assert outcome(assess_community(target), "global.required_institutions").status == PASS


def test_a_valid_rd_advanced_certificate_qualifies_without_ranks() -> None:
    target = community()
    orgs = full_registry(target)
    Observation.objects.all().delete()
    assert outcome(assess_community(target), "global.required_institutions").status == FAIL
    certificate = issue_certificate(target, orgs["rd_advanced"], "rd_advanced")
    assert certificate.type_code == "rd_advanced"
    check = outcome(assess_community(target), "global.required_institutions")
    assert check.status == PASS
    assert category(check, "rd_advanced")["examples"][0]["key"] == orgs["rd_advanced"].key


def test_maturity_asks_that_the_institutions_are_members() -> None:
    target = community()
    orgs = full_registry(target)
    result = assess_community(target)
    assert outcome(result, "global.required_institutions").status == PASS
    check = outcome(result, "global.cb.structure.1")
    assert check.status == FAIL
    assert check.facts["members_only"] is True
    assert "会員（拠点の機能または協議会の委員）のうち" in check.summary_ja
    assert "a member (a hub function or a council seat)" in check.summary_en
    assert len(check.missing_ja) == 8  # every category but the network organisation
    # Each says it is registered but not a member: no clash with the requirement above.
    assert all("none of them a member" in line for line in check.missing_en)
    assert category(check, "large_company")["not_members"] == 1
    hub = HubFactory(community=target)
    for key, organization in orgs.items():
        if key != "network":
            HubMembershipFactory(hub=hub, organization=organization)
    assert outcome(assess_community(target), "global.cb.structure.1").status == PASS


def test_a_regional_community_uses_its_own_radius() -> None:
    target = community(kind="regional", radius_km=30)
    orgs = full_registry(target)
    assert outcome(assess_community(target), "regional.required_institutions").status == PASS
    away = orgs["incubator"]
    away.lat, away.lon = point_north_of(*CENTRE, 50)
    away.save()
    check = outcome(assess_community(target), "regional.required_institutions")
    assert check.status == FAIL
    assert check.facts["radius_km"] == 30.0
    assert check.missing_en == [
        f"Incubation organisation (the nearest, {away.name_en}, is 50 km away)"
    ]


# --------------------------------------------------------------------------- other checks


def test_no_network_organisation_fails() -> None:
    target = community()
    full_registry(target)
    target.network_organization = None
    target.save()
    result = assess_community(target)
    check = outcome(result, "global.network_organisation")
    assert check.status == FAIL
    assert check.missing_en == ["a network organisation"]
    required = outcome(result, "global.required_institutions")
    assert required.status == FAIL
    assert required.missing_ja == ["ネットワーク機関"]


def test_the_network_organisation_passes_by_name() -> None:
    target = community()
    orgs = full_registry(target)
    check = outcome(assess_community(target), "global.network_organisation")
    assert check.status == PASS
    assert check.facts["network_organisation"]["key"] == orgs["network"].key
    assert check.summary_ja == f"ネットワーク機関: {orgs['network'].name_ja}"


def _plan(target: Community | None, key: str = "plan") -> Goal:
    plan = Plan.objects.create(
        key=key, community=target, name_ja="将来計画", name_en="Master plan", source="test"
    )
    return Goal.objects.create(plan=plan, key="g1", name_ja="目標1", name_en="Goal 1")


def test_targets_need_a_kpi_with_a_numeric_target() -> None:
    target = community()
    check = outcome(assess_community(target), "global.targets")
    assert check.status == FAIL
    assert check.summary_en == "No KPI is set."

    goal = _plan(target)
    Kpi.objects.create(code="startups", name_ja="起業数", name_en="Start-ups", goal=goal)
    check = outcome(assess_community(target), "global.targets")
    assert check.status == FAIL
    assert check.summary_en == "None of the 1 KPIs has a numeric target."
    assert check.missing_en == ["numeric KPI targets"]

    # A KPI with a target in another community's plan does not count.
    other = _plan(community(key="other-bio"), key="other-plan")
    Kpi.objects.create(
        code="other-sales", name_ja="売上", name_en="Sales", goal=other, target_value=10
    )
    assert outcome(assess_community(target), "global.targets").status == FAIL

    Kpi.objects.create(
        code="jobs",
        name_ja="雇用",
        name_en="Jobs",
        goal=goal,
        target_value=Decimal(5000),
        target_year=2030,
    )
    result = assess_community(target)
    check = outcome(result, "global.targets")
    assert check.status == PASS
    assert check.summary_en == "2 KPIs, 1 with a numeric target (1 without a numeric target)."
    assert [k["target"] for k in check.facts["kpis"]] == [None, 5000.0]
    assert outcome(result, "global.cb.structure.3").status == PASS


def test_a_plan_is_recorded_but_judged_in_review() -> None:
    target = community()
    assert outcome(assess_community(target), "global.plan").status == FAIL
    _plan(target)
    check = outcome(assess_community(target), "global.plan")
    assert check.status == NEEDS_EVIDENCE
    assert check.facts["plans"] == [
        {"key": "plan", "ja": "将来計画", "en": "Master plan", "goals": 1}
    ]


def test_international_links_need_a_partner_abroad() -> None:
    target = community()
    organization = OrganizationFactory(kinds=["university"])
    Partnership.objects.create(
        organization=organization,
        partner_name_ja="国内大学",
        partner_name_en="A Japanese university",
        partner_country="JP",
    )
    Partnership.objects.create(
        organization=organization, partner_name_ja="不明", partner_name_en="Unknown"
    )
    check = outcome(assess_community(target), "global.ic.track_record.1")
    assert check.status == FAIL
    assert check.facts == {"partnerships": 0}

    Partnership.objects.create(
        organization=organization,
        partner_name_ja="ボストンの研究所",
        partner_name_en="A Boston institute",
        partner_country="US",
    )
    check = outcome(assess_community(target), "global.ic.track_record.1")
    assert check.status == PASS
    assert check.facts == {"partnerships": 1, "countries": ["US"]}


def test_figures_must_be_published_for_the_community_itself() -> None:
    target = community()
    indicator = Indicator.objects.create(
        code="startup-count", name_ja="スタートアップ数", name_en="Start-ups", factor_group="talent"
    )
    elsewhere = Subject.objects.create(
        key="elsewhere", kind="region", name_ja="他地域", name_en="Elsewhere"
    )
    Observation.objects.create(
        indicator=indicator, subject=elsewhere, value=Decimal(3), value_kind="exact"
    )
    check = outcome(assess_community(target), "global.di.structure.1")
    assert check.status == FAIL
    assert check.facts == {"observations": 0}

    own = Subject.objects.create(
        key=target.key, kind="community", name_ja=target.name_ja, name_en=target.name_en
    )
    Observation.objects.create(
        indicator=indicator,
        subject=own,
        period="2022",
        value=Decimal(120),
        value_kind="exact",
        as_of="2022",
    )
    check = outcome(assess_community(target), "global.di.structure.1")
    assert check.status == PASS
    assert check.facts == {"observations": 1, "indicators": 1, "latest_as_of": "2022"}


def test_market_domains_need_the_required_two_and_two_others() -> None:
    target = community()
    organization = OrganizationFactory()
    for number, key in (
        (1, "bioproduction-systems"),
        (4, "bio-analysis-measurement-experiment-systems"),
    ):
        OrganizationMarketDomainFactory(
            organization=organization, domain=MarketDomainFactory(number=number, key=key)
        )
    OrganizationMarketDomainFactory(organization=organization, domain=MarketDomainFactory(number=6))
    MarketDomainFactory(number=7)  # nobody committed
    check = outcome(assess_community(target), "global.market_roadmap")
    assert check.status == FAIL
    assert check.missing_en == ["1 more other market domain(s)"]
    OrganizationMarketDomainFactory(organization=organization, domain=MarketDomainFactory(number=8))
    assert outcome(assess_community(target), "global.market_roadmap").status == PASS


def test_certified_categories_wait_for_a_round_level() -> None:
    check = outcome(assess_community(community()), "global.cb.track_record.1")
    assert check.status == NEEDS_EVIDENCE
    assert check.missing_en == ["the level, set by a certification round"]


# --------------------------------------------------------------------------- evidence


EVIDENCE_ONLY = {"global.startup_city", "global.secretariat"}


def test_evidence_only_requirements_need_evidence_without_a_round() -> None:
    target = community()
    full_registry(target)
    result = assess_community(target)
    evidence_only = {
        r.criterion.code for r in result.requirements if r.criterion.check == "evidence"
    }
    assert evidence_only == EVIDENCE_ONLY
    for code in EVIDENCE_ONLY:
        check = outcome(result, code)
        assert check.status == NEEDS_EVIDENCE
        assert check.missing_en == ["reviewed evidence"]
    assert result.round is None
    assert result.requirements_met is False


def _community_round(target: Community) -> tuple[Any, Any, Any]:
    secretariat = secretariat_user()
    round_ = certification_round(target, rubric_code="communities", secretariat=secretariat)
    return round_, round_.assessments.get(), secretariat


def test_evidence_counts_only_once_a_submitted_review_accepts_it() -> None:
    target = community()
    full_registry(target)
    round_, assessment, secretariat = _community_round(target)
    assert assessment.community == target and assessment.type_code == "global"

    workflow.add_evidence(
        secretariat, assessment, "global.secretariat", url="https://example.org/secretariat"
    )
    result = assess_community(target)
    assert result.round == round_
    assert result.parameters == {"category_min_level": "candidate"}
    check = outcome(result, "global.secretariat")
    assert check.status == NEEDS_EVIDENCE
    assert check.summary_en.endswith("(evidence submitted, awaiting review)")

    workflow.submit_assessment(secretariat, assessment)
    reviewer = reviewer_user()
    accept = {"global.secretariat": (True, "十分な体制")}
    workflow.save_review(
        reviewer, assessment, scores=accept, comment="", recommended_level="", submit=False
    )
    assert outcome(assess_community(target), "global.secretariat").status == NEEDS_EVIDENCE

    workflow.save_review(
        reviewer, assessment, scores=accept, comment="", recommended_level="", submit=True
    )
    result = assess_community(target)
    check = outcome(result, "global.secretariat")
    assert check.status == PASS
    assert check.summary_en == "Evidence was accepted in review."
    row = next(r for r in result.as_dict()["requirements"] if r["code"] == "global.secretariat")
    assert row["status"] == PASS
    assert [(e["kind"], e["url"], e["accepted"]) for e in row["evidence"]] == [
        ("url", "https://example.org/secretariat", True)
    ]
    # Evidence for one requirement does not carry over to another.
    assert outcome(result, "global.startup_city").status == NEEDS_EVIDENCE
    assert result.requirements_met is False


def test_rejected_evidence_still_needs_evidence() -> None:
    target = community()
    round_, assessment, secretariat = _community_round(target)
    workflow.add_evidence(
        secretariat, assessment, "global.startup_city", figure="東京都はグローバル拠点都市"
    )
    workflow.submit_assessment(secretariat, assessment)
    workflow.save_review(
        reviewer_user(),
        assessment,
        scores={"global.startup_city": (False, "根拠不足")},
        comment="",
        recommended_level="",
        submit=True,
    )
    result = assess_community(target, round=round_)
    assert outcome(result, "global.startup_city").status == NEEDS_EVIDENCE
    row = next(r for r in result.requirements if r.criterion.code == "global.startup_city")
    assert [e["accepted"] for e in row.evidence] == [False]


def test_evidence_on_a_claim_marked_not_met_does_not_count() -> None:
    target = community()
    _round, assessment, secretariat = _community_round(target)
    workflow.save_claims(secretariat, assessment, {"global.secretariat": (False, "準備中")})
    workflow.add_evidence(
        secretariat, assessment, "global.secretariat", url="https://example.org/draft"
    )
    workflow.add_evidence(
        secretariat, assessment, "global.startup_city", url="https://example.org/city"
    )
    workflow.submit_assessment(secretariat, assessment)
    workflow.save_review(
        reviewer_user(),
        assessment,
        scores={"global.secretariat": (True, ""), "global.startup_city": (True, "")},
        comment="",
        recommended_level="",
        submit=True,
    )
    result = assess_community(target)
    assert outcome(result, "global.startup_city").status == PASS
    assert outcome(result, "global.secretariat").status == NEEDS_EVIDENCE


# --------------------------------------------------------------------------- GTB


def test_the_gtb_dataset(gtb: Community) -> None:
    result = assess_community(gtb)
    assert result.kind_code == "global"
    assert result.requirements_met is False
    assert outcome(result, "global.required_institutions").status == PASS
    assert outcome(result, "global.network_organisation").status == PASS
    for code in EVIDENCE_ONLY:
        assert outcome(result, code).status == NEEDS_EVIDENCE
    data = result.as_dict()
    assert data["community"]["key"] == "gtb"
    assert data["rubric"] == {"code": "communities", "version": "2020.1"}
    assert [r["code"] for r in data["requirements"]] == [
        c.code for c in get_rubric("communities").type("global").requirements
    ]
    assert len(data["maturity"]) == 15
    statuses = [r["status"] for r in (*data["requirements"], *data["maturity"])]
    assert set(statuses) <= {PASS, FAIL, NEEDS_EVIDENCE}
    assert sum(data["counts"].values()) == len(data["requirements"]) == 7
    assert data["counts"][NEEDS_EVIDENCE] >= 2
    for row in data["requirements"]:
        assert row["summary"]["ja"] and row["summary"]["en"], row["code"]
        if row["status"] != PASS:
            assert row["missing"]["ja"] and row["missing"]["en"], row["code"]


def test_large_company_means_a_listed_company() -> None:
    target = community()
    orgs = full_registry(target)
    orgs["company"].listed = False
    orgs["company"].save()
    check = outcome(assess_community(target), "global.required_institutions")
    assert check.status == FAIL
    assert check.missing_en == ["Large company"]
    assert category(check, "company")["count"] == 1


def test_gtb_large_company_figures_add_up_to_the_listed_companies_registered(gtb: Any) -> None:
    """Reproduces the page on the GTB dataset: 'every required institution present' (24 large
    companies) beside 'Missing: Large company', while the registry lists 34 listed companies.
    Now every listed company is accounted for (within 100 km, farther, without a location) and
    the maturity row says they are registered but not members."""
    listed = Organization.objects.filter(listed=True, classifications__kind="company").count()
    result = assess_community(gtb)
    present = category(outcome(result, "global.required_institutions"), "large_company")
    assert present["count"] + present["outside_radius"] + present["not_located"] == listed
    members = outcome(result, "global.cb.structure.1")
    as_members = category(members, "large_company")
    assert as_members["count"] == 0
    assert as_members["not_members"] == present["count"] + present["not_located"]
    [line] = [m for m in members.missing_en if m.startswith("Large company")]
    assert line == f"Large company ({as_members['not_members']} registered, none of them a member)"
