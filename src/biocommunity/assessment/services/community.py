"""Community requirements evaluated from the registry, or from reviewed evidence where it cannot.

Each check returns pass, fail or needs-evidence with the facts it used, in both languages, so the
CLI, the API and the community page all state the same result and what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from biocommunity.assessment.models import (
    Assessment,
    Claim,
    ReviewStatus,
    Round,
    RoundStatus,
    Score,
    Subject,
)
from biocommunity.assessment.services.levels import level_rank
from biocommunity.assessment.services.register import certificates_in_force
from biocommunity.assessment.services.rubrics import (
    Criterion,
    InstitutionCategory,
    Rubric,
    parse_rubric,
    rubric_for_subject,
)
from biocommunity.indicators.models import Kpi, Observation, Plan
from biocommunity.registry.maps import geodesic_distance_km
from biocommunity.registry.models import (
    Community,
    MarketDomain,
    Organization,
    OrganizationMarketDomain,
    Partnership,
)
from biocommunity.registry.services.players import players

PASS = "pass"  # noqa: S105 (a result status, not a secret)
FAIL = "fail"
NEEDS_EVIDENCE = "needs-evidence"


@dataclass
class CheckResult:
    status: str
    summary_ja: str
    summary_en: str
    facts: dict[str, Any] = field(default_factory=dict)
    missing_ja: list[str] = field(default_factory=list)
    missing_en: list[str] = field(default_factory=list)


@dataclass
class RequirementResult:
    criterion: Criterion
    section: str  # "requirement" or the maturity axis code
    result: CheckResult
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self, parameters: Mapping[str, Any]) -> dict[str, Any]:
        item: dict[str, Any] = {
            "code": self.criterion.code,
            "section": self.section,
            "ja": self.criterion.render("ja", parameters),
            "en": self.criterion.render("en", parameters),
            "check": self.criterion.check,
            "status": self.result.status,
            "summary": {"ja": self.result.summary_ja, "en": self.result.summary_en},
            "missing": {"ja": self.result.missing_ja, "en": self.result.missing_en},
            "facts": self.result.facts,
            "evidence": self.evidence,
            "source": self.criterion.source,
        }
        if self.criterion.stage:
            item["stage"] = self.criterion.stage
        return item


@dataclass
class CommunityAssessment:
    community: Community
    rubric: Rubric
    kind_code: str
    parameters: dict[str, Any]
    round: Round | None
    requirements: list[RequirementResult]
    maturity: list[RequirementResult]
    as_of: date

    @property
    def requirements_met(self) -> bool:
        return all(r.result.status == PASS for r in self.requirements)

    def counts(self) -> dict[str, int]:
        counts = {PASS: 0, FAIL: 0, NEEDS_EVIDENCE: 0}
        for item in self.requirements:
            counts[item.result.status] += 1
        return counts

    def maturity_level(self) -> dict[str, Any] | None:
        """The maturity stage reached under the rubric's level rule (None: not the first)."""
        met = {r.criterion.code for r in self.maturity if r.result.status == PASS}
        reached = None
        for level in self.rubric.levels:
            needed = [r for r in self.maturity if r.criterion.stage in level.stages]
            if all(r.criterion.code in met for r in needed):
                reached = level
                continue
            break
        if reached is None:
            return None
        return {"code": reached.code, "ja": reached.name.ja, "en": reached.name.en}

    def for_page(self, language: str) -> dict[str, Any]:
        """as_dict() plus what a page needs: stage names and what is missing, in one language."""
        data = self.as_dict()
        en = language.startswith("en")
        stages = {s.code: s.name.get(language) for s in self.rubric.stages}
        missing: list[str] = []
        for row in data["requirements"]:
            row["stage_name"] = ""
            if row["status"] != PASS:
                lines = row["missing"]["en" if en else "ja"]
                text = row["en" if en else "ja"]
                missing.append(f"{text}: {'; '.join(lines) if en else '、'.join(lines)}")
        kind = self.rubric.type(self.kind_code)
        axes = {a.code: a.name.get(language) for a in kind.axes}
        for row in data["maturity"]:
            row["stage_name"] = stages.get(row.get("stage", ""), "")
            row["section_name"] = axes.get(row["section"], "")
        data["missing_lines"] = missing
        data["rubric_title"] = self.rubric.title.get(language)
        data["rubric_source"] = self.rubric.source
        data["count_pass"] = data["counts"][PASS]
        data["count_fail"] = data["counts"][FAIL]
        data["count_evidence"] = data["counts"][NEEDS_EVIDENCE]
        return data

    def as_dict(self) -> dict[str, Any]:
        kind = self.rubric.type(self.kind_code)
        return {
            "community": {
                "key": self.community.key,
                "ja": self.community.name_ja,
                "en": self.community.name_en,
                "kind": self.kind_code,
                "kind_name": {"ja": kind.name.ja, "en": kind.name.en},
            },
            "rubric": {"code": self.rubric.code, "version": self.rubric.version},
            "round": self.round.pk if self.round else None,
            "parameters": self.parameters,
            "as_of": self.as_of.isoformat(),
            "requirements_met": self.requirements_met,
            "counts": self.counts(),
            "maturity_level": self.maturity_level(),
            "requirements": [r.as_dict(self.parameters) for r in self.requirements],
            "maturity": [r.as_dict(self.parameters) for r in self.maturity],
        }


class _Context:
    """Registry facts computed once per assessment."""

    def __init__(self, community: Community, rubric: Rubric, parameters: Mapping[str, Any]):
        self.community = community
        self.rubric = rubric
        self.parameters = parameters
        self.today = timezone.localdate()
        self._located: list[tuple[Organization, float, set[str]]] | None = None
        self._unlocated: list[tuple[Organization, set[str]]] | None = None
        self._members: set[int] | None = None
        self._scope: set[int] | None = None
        self._qualified: dict[int, set[int] | None] = {}  # by id(category)

    def candidates(self) -> QuerySet[Organization]:
        """Organisations that may be the community's: not the overseas partners that take no
        part in it (known to be abroad, they are neither within the radius nor unplaced)."""
        return players(self.community)

    def organizations(self) -> list[tuple[Organization, float, set[str]]]:
        """Every located organisation with its distance from the centre and its kinds."""
        if self._located is None:
            c = self.community
            self._located = [
                (
                    org,
                    geodesic_distance_km(
                        c.centre_lat, c.centre_lon, org.lat or 0.0, org.lon or 0.0
                    ),
                    {k.kind for k in org.classifications.all()},
                )
                for org in self.candidates()
                .filter(lat__isnull=False, lon__isnull=False)
                .only("key", "name_ja", "name_en", "lat", "lon")
                .prefetch_related("classifications")
            ]
        return self._located

    def unlocated_count(self) -> int:
        return len(self.unlocated())

    def unlocated(self) -> list[tuple[Organization, set[str]]]:
        """Organisations without coordinates, with their kinds: a member among them is still
        part of the community; the others cannot be placed within the radius or outside it."""
        if self._unlocated is None:
            self._unlocated = [
                (org, {k.kind for k in org.classifications.all()})
                for org in self.candidates()
                .filter(Q(lat__isnull=True) | Q(lon__isnull=True))
                .only("key", "name_ja", "name_en")
                .prefetch_related("classifications")
            ]
        return self._unlocated

    def scope(self) -> set[int]:
        """The community's organisations: members, and any located within its radius."""
        if self._scope is None:
            radius = self.community.radius_km
            self._scope = self.members() | {
                org.pk for org, distance, _kinds in self.organizations() if distance <= radius
            }
        return self._scope

    def members(self) -> set[int]:
        """Organisations that take part: a hub function or a council seat in this community."""
        if self._members is None:
            self._members = set(
                Organization.objects.filter(
                    Q(hub_memberships__hub__community=self.community)
                    | Q(council_seats__community=self.community)
                ).values_list("pk", flat=True)
            )
        return self._members

    def qualified(self, category: InstitutionCategory) -> set[int] | None:
        """Organisations meeting a category's qualifier; None when it has none."""
        if id(category) not in self._qualified:
            self._qualified[id(category)] = self._qualify(category)
        return self._qualified[id(category)]

    def _qualify(self, category: InstitutionCategory) -> set[int] | None:
        q = category.qualifier
        if not q:
            return None
        keys: set[int] = set()
        prefix = q.get("indicator_prefix")
        if prefix:
            ranked = (
                Observation.objects.filter(
                    indicator__code__startswith=prefix,
                    subject__kind="organization",
                    value__isnull=False,
                    value__lte=q.get("max_rank", 100),
                    value_kind="exact",
                )
                .values("subject__key")
                .annotate(n=Count("indicator", distinct=True))
                .filter(n__gte=q.get("min_fields", 1))
                .values_list("subject__key", flat=True)
            )
            keys |= set(
                Organization.objects.filter(key__in=list(ranked)).values_list("pk", flat=True)
            )
        if q.get("listed"):
            keys |= set(Organization.objects.filter(listed=True).values_list("pk", flat=True))
        certified_type = q.get("certified_type")
        if certified_type:
            keys |= {
                c.organization_id
                for c in certificates_in_force()
                if c.type_code == certified_type and c.organization_id is not None
            }
        return keys


def _names(orgs: Iterable[tuple[Organization, float]], limit: int = 3) -> list[dict[str, Any]]:
    return [
        {"key": o.key, "ja": o.name_ja, "en": o.name_en, "distance_km": round(d, 1)}
        for o, d in sorted(orgs, key=lambda item: item[1])[:limit]
    ]


def check_required_institutions(ctx: _Context, params: Mapping[str, Any]) -> CheckResult:
    radius = float(params.get("radius_km") or ctx.community.radius_km)
    members_only = bool(params.get("members_only"))
    members = ctx.members() if members_only else None
    categories = ctx.rubric.institution_set(str(params["set"])).categories
    facts: dict[str, Any] = {"radius_km": radius, "members_only": members_only, "categories": []}
    missing_ja: list[str] = []
    missing_en: list[str] = []
    for category in categories:
        if category.network_organisation:
            org = ctx.community.network_organization
            ok = org is not None
            facts["categories"].append(
                {
                    "code": category.code,
                    "ja": category.name.ja,
                    "en": category.name.en,
                    "count": 1 if ok else 0,
                    "examples": [{"key": org.key, "ja": org.name_ja, "en": org.name_en}]
                    if org
                    else [],
                }
            )
            if not ok:
                missing_ja.append(category.name.ja)
                missing_en.append(category.name.en)
            continue
        qualified = ctx.qualified(category)
        all_members = ctx.members()
        inside: list[tuple[Organization, float]] = []
        outside: list[tuple[Organization, float]] = []
        # Registered organisations of the category that the count leaves out, and why: not a
        # member (members_only), or no coordinates. Shown so that the page's figures add up to
        # what the registry lists (e.g. every listed company under 大企業).
        not_members = 0
        not_located = 0
        for org, distance, kinds in ctx.organizations():
            if not kinds & set(category.organization_kinds):
                continue
            if qualified is not None and org.pk not in qualified:
                continue
            if members is not None and org.pk not in members:
                not_members += distance <= radius
                continue
            (inside if distance <= radius else outside).append((org, distance))
        for org, kinds in ctx.unlocated():
            if not kinds & set(category.organization_kinds):
                continue
            if qualified is not None and org.pk not in qualified:
                continue
            if org.pk in all_members:  # takes part in the community: within it by definition
                inside.append((org, 0.0))
            elif members is not None:
                not_members += 1
            else:
                not_located += 1
        facts["categories"].append(
            {
                "code": category.code,
                "ja": category.name.ja,
                "en": category.name.en,
                "count": len(inside),
                "examples": _names(inside),
                "outside_radius": len(outside),
                "nearest_outside": _names(outside, 1),
                "not_members": not_members,
                "not_located": not_located,
            }
        )
        if not inside:
            if outside:
                nearest = min(outside, key=lambda item: item[1])
                missing_ja.append(
                    f"{category.name.ja}（最も近い{nearest[0].name_ja}は{nearest[1]:.0f} km）"
                )
                missing_en.append(
                    f"{category.name.en} (the nearest, {nearest[0].name_en}, "
                    f"is {nearest[1]:.0f} km away)"
                )
            elif not_members:
                missing_ja.append(f"{category.name.ja}（登録{not_members}件、いずれも会員でない）")
                missing_en.append(
                    f"{category.name.en} ({not_members} registered, none of them a member)"
                )
            elif not_located:
                missing_ja.append(
                    f"{category.name.ja}（登録{not_located}件、いずれも所在地未登録）"
                )
                missing_en.append(
                    f"{category.name.en} ({not_located} registered without a location)"
                )
            else:
                missing_ja.append(category.name.ja)
                missing_en.append(category.name.en)
    facts["not_located"] = ctx.unlocated_count()
    present = len(categories) - len(missing_ja)
    scope_ja = "会員（拠点の機能または協議会の委員）のうち" if members_only else ""
    scope_en = (
        "a member (a hub function or a council seat) " if members_only else "an organisation "
    )
    if missing_ja:
        return CheckResult(
            FAIL,
            f"{scope_ja}{radius:.0f} km圏内に必要機関{len(categories)}区分のうち{present}区分のみ。"
            f"不足: {'、'.join(missing_ja)}",
            f"Only {present} of {len(categories)} required categories have {scope_en}within "
            f"{radius:.0f} km. Missing: {'; '.join(missing_en)}",
            facts,
            missing_ja,
            missing_en,
        )
    return CheckResult(
        PASS,
        f"{scope_ja}{radius:.0f} km圏内に必要機関{len(categories)}区分がすべてある。",
        f"All {len(categories)} required categories have {scope_en}within {radius:.0f} km.",
        facts,
    )


def check_network_organisation(ctx: _Context, params: Mapping[str, Any]) -> CheckResult:
    org = ctx.community.network_organization
    if org is None:
        return CheckResult(
            FAIL,
            "ネットワーク機関が登録されていない。",
            "No network organisation is recorded.",
            {},
            ["ネットワーク機関"],
            ["a network organisation"],
        )
    return CheckResult(
        PASS,
        f"ネットワーク機関: {org.name_ja}",
        f"Network organisation: {org.name_en}",
        {"network_organisation": {"key": org.key, "ja": org.name_ja, "en": org.name_en}},
    )


def _community_kpis(community: Community) -> list[Kpi]:
    return list(
        Kpi.objects.filter(goal__plan__community=community).select_related("goal").order_by("id")
    )


def check_targets(ctx: _Context, params: Mapping[str, Any]) -> CheckResult:
    kpis = _community_kpis(ctx.community)
    with_target = [k for k in kpis if k.target_value is not None]
    facts = {
        "kpis": [
            {
                "code": k.code,
                "ja": k.name_ja,
                "en": k.name_en,
                "target": None if k.target_value is None else float(k.target_value),
                "target_year": k.target_year,
                "unit": k.unit,
            }
            for k in kpis
        ]
    }
    if not kpis:
        return CheckResult(
            FAIL,
            "KPIが設定されていない。",
            "No KPI is set.",
            facts,
            ["KPIと目標値"],
            ["KPIs with targets"],
        )
    if not with_target:
        return CheckResult(
            FAIL,
            f"KPI {len(kpis)}件に数値目標がない。",
            f"None of the {len(kpis)} KPIs has a numeric target.",
            facts,
            ["KPIの数値目標"],
            ["numeric KPI targets"],
        )
    without = len(kpis) - len(with_target)
    note_ja = f"（{without}件は数値目標なし）" if without else ""
    note_en = f" ({without} without a numeric target)" if without else ""
    return CheckResult(
        PASS,
        f"KPI {len(kpis)}件、うち{len(with_target)}件に数値目標{note_ja}。",
        f"{len(kpis)} KPIs, {len(with_target)} with a numeric target{note_en}.",
        facts,
    )


def check_plan(ctx: _Context, params: Mapping[str, Any]) -> CheckResult:
    plans = list(Plan.objects.filter(community=ctx.community).annotate(goals_n=Count("goals")))
    if not plans:
        return CheckResult(
            FAIL,
            "将来計画が登録されていない。",
            "No plan is recorded.",
            {},
            ["将来計画"],
            ["a plan"],
        )
    facts = {
        "plans": [
            {"key": p.key, "ja": p.name_ja, "en": p.name_en, "goals": p.goals_n} for p in plans
        ]
    }
    return CheckResult(
        NEEDS_EVIDENCE,
        f"計画「{plans[0].name_ja}」（目標{plans[0].goals_n}件）がある。先進性・具体性は審査で判断する。",
        f"The plan '{plans[0].name_en}' ({plans[0].goals_n} goals) is recorded; whether it is "
        "advanced and concrete is judged in review.",
        facts,
        ["計画の先進性・具体性を示す資料"],
        ["evidence that the plan is advanced and concrete"],
    )


def check_figures_published(ctx: _Context, params: Mapping[str, Any]) -> CheckResult:
    observations = Observation.objects.filter(
        subject__key=ctx.community.key, subject__kind__in=["region", "community"]
    )
    count = observations.count()
    if not count:
        return CheckResult(
            FAIL,
            "コミュニティの数値が公開されていない。",
            "No figures of the community are published.",
            {"observations": 0},
            ["コミュニティの数値（企業数、売上、雇用、資金調達額等）"],
            ["the community's figures (companies, sales, jobs, funds raised)"],
        )
    indicators = observations.values("indicator").distinct().count()
    latest = max((o for o in observations.values_list("as_of", flat=True) if o), default="")
    return CheckResult(
        PASS,
        f"{indicators}指標・{count}件の数値を公開（最新 {latest}）。",
        f"{count} figures on {indicators} indicators are published (latest {latest}).",
        {"observations": count, "indicators": indicators, "latest_as_of": latest},
    )


def check_international_links(ctx: _Context, params: Mapping[str, Any]) -> CheckResult:
    links = Partnership.objects.filter(organization__in=ctx.scope()).exclude(
        partner_country__in=["", "JP"]
    )
    count = links.count()
    countries = sorted(set(links.values_list("partner_country", flat=True)))
    if not count:
        return CheckResult(
            FAIL,
            "海外との連携が登録されていない。",
            "No overseas partnership is recorded.",
            {"partnerships": 0},
            ["海外イノベーションハブとの連携"],
            ["links with overseas innovation hubs"],
        )
    return CheckResult(
        PASS,
        f"海外連携{count}件（{len(countries)}か国）。",
        f"{count} overseas partnerships in {len(countries)} countries.",
        {"partnerships": count, "countries": countries},
    )


def check_market_domains(ctx: _Context, params: Mapping[str, Any]) -> CheckResult:
    required = [str(k) for k in params.get("required") or []]
    min_others = int(params.get("min_others") or 0)
    counts = dict(
        OrganizationMarketDomain.objects.filter(organization__in=ctx.scope())
        .values_list("domain__key")
        .annotate(n=Count("organization"))
    )
    domains = {d.key: d for d in MarketDomain.objects.all()}
    facts = {
        "domains": [
            {"key": key, "ja": d.name_ja, "en": d.name_en, "organizations": counts.get(key, 0)}
            for key, d in domains.items()
        ]
    }
    missing_ja = [domains[k].name_ja if k in domains else k for k in required if not counts.get(k)]
    missing_en = [domains[k].name_en if k in domains else k for k in required if not counts.get(k)]
    others = [k for k, n in counts.items() if n and k not in required]
    if len(others) < min_others:
        missing_ja.append(f"その他の市場領域があと{min_others - len(others)}つ")
        missing_en.append(f"{min_others - len(others)} more other market domain(s)")
    if missing_ja:
        return CheckResult(
            FAIL,
            f"市場領域へのコミットが不足: {'、'.join(missing_ja)}",
            f"Market-domain commitment falls short: {'; '.join(missing_en)}",
            facts,
            missing_ja,
            missing_en,
        )
    return CheckResult(
        PASS,
        f"必須の市場領域と、その他{len(others)}領域に参画機関がある。",
        f"The required market domains and {len(others)} other domains have committed "
        "organisations.",
        facts,
    )


def check_certified_categories(ctx: _Context, params: Mapping[str, Any]) -> CheckResult:
    wanted = ctx.parameters.get("category_min_level")
    if not wanted:
        return CheckResult(
            NEEDS_EVIDENCE,
            "必要な認定レベルは認定ラウンドで設定される（未設定）。",
            "The level required is set by a certification round (not set yet).",
            {},
            ["認定ラウンドでのレベル設定"],
            ["the level, set by a certification round"],
        )
    try:
        institutions = rubric_for_subject(Subject.INSTITUTION)
    except KeyError:
        institutions = ctx.rubric
    floor = level_rank(institutions, str(wanted))
    by_org: dict[int, int] = {}
    scope = ctx.scope()
    for cert in certificates_in_force():
        if cert.organization_id not in scope:
            continue
        if cert.organization_id is not None:
            rank = level_rank(institutions, cert.level_code)
            by_org[cert.organization_id] = max(rank, by_org.get(cert.organization_id, -1))
    kinds_by_org: dict[int, set[str]] = {}
    for org, _distance, kinds in ctx.organizations():
        kinds_by_org[org.pk] = kinds
    missing_ja: list[str] = []
    missing_en: list[str] = []
    rows = []
    for category in ctx.rubric.institution_set(str(params["set"])).categories:
        if category.network_organisation:
            continue
        n = sum(
            1
            for pk, rank in by_org.items()
            if rank >= floor and kinds_by_org.get(pk, set()) & set(category.organization_kinds)
        )
        rows.append(
            {"code": category.code, "ja": category.name.ja, "en": category.name.en, "count": n}
        )
        if not n:
            missing_ja.append(category.name.ja)
            missing_en.append(category.name.en)
    facts = {"level": wanted, "categories": rows}
    if missing_ja:
        return CheckResult(
            FAIL,
            f"認定機関のない区分: {'、'.join(missing_ja)}",
            f"Categories without a certified institution: {'; '.join(missing_en)}",
            facts,
            missing_ja,
            missing_en,
        )
    return CheckResult(
        PASS,
        "すべての区分に認定機関がある。",
        "Every category has a certified institution.",
        facts,
    )


def check_evidence(ctx: _Context, params: Mapping[str, Any]) -> CheckResult:
    return CheckResult(
        NEEDS_EVIDENCE,
        "登録データでは判断できない。資料の提出と審査が必要。",
        "The registry cannot tell; evidence must be submitted and reviewed.",
        {},
        ["審査済みの資料"],
        ["reviewed evidence"],
    )


CHECKS: dict[str, Callable[[_Context, Mapping[str, Any]], CheckResult]] = {
    "evidence": check_evidence,
    "market_domains": check_market_domains,
    "required_institutions": check_required_institutions,
    "network_organisation": check_network_organisation,
    "targets": check_targets,
    "plan": check_plan,
    "figures_published": check_figures_published,
    "international_links": check_international_links,
    "certified_categories": check_certified_categories,
}


def _reviewed_evidence(assessment: Assessment | None) -> dict[str, list[dict[str, Any]]]:
    """Evidence per criterion that a submitted review accepted (the only evidence that counts)."""
    if assessment is None:
        return {}
    # Evidence counts when every submitted review accepted it (a rejection needs a new round).
    verdicts: dict[str, set[bool]] = {}
    for criterion, ok in Score.objects.filter(
        review__assessment=assessment, review__status=ReviewStatus.SUBMITTED
    ).values_list("criterion", "accepted"):
        verdicts.setdefault(criterion, set()).add(ok)
    accepted = {c for c, seen in verdicts.items() if seen == {True}}
    found: dict[str, list[dict[str, Any]]] = {}
    for claim in Claim.objects.filter(assessment=assessment, met=True).prefetch_related("evidence"):
        items = [
            {
                "kind": e.kind,
                "name": e.original_name or e.url or e.figure,
                "url": e.url,
                "observation": e.observation_id,
                "note": e.note,
                "accepted": claim.criterion in accepted,
            }
            for e in claim.evidence.all()
        ]
        if items:
            found[claim.criterion] = items
    return found


def latest_community_round(community: Community) -> Round | None:
    return (
        Round.objects.filter(community=community, subject=Subject.COMMUNITY)
        .exclude(status=RoundStatus.DRAFT)
        .order_by("-opens_on", "-id")
        .first()
    )


def assess_community(
    community: Community, *, round: Round | None = None, rubric: Rubric | None = None
) -> CommunityAssessment:
    """Evaluate every requirement and maturity item; a round gives thresholds and evidence."""
    if round is None and rubric is None:
        round = latest_community_round(community)
    if rubric is None:
        rubric = (
            parse_rubric(round.rubric_content, round.rubric_code)
            if round is not None
            else rubric_for_subject(Subject.COMMUNITY)
        )
    parameters = dict(round.parameters) if round is not None else {}
    ctx = _Context(community, rubric, parameters)
    assessment = (
        Assessment.objects.filter(round=round, community=community).first() if round else None
    )
    evidence = _reviewed_evidence(assessment)
    kind = rubric.type(community.kind)

    def evaluate(criterion: Criterion, section: str) -> RequirementResult:
        result = CHECKS[criterion.check](ctx, criterion.params)
        items = evidence.get(criterion.code, [])
        if result.status == NEEDS_EVIDENCE and any(e["accepted"] for e in items):
            result = CheckResult(
                PASS,
                "審査で資料が認められた。",
                "Evidence was accepted in review.",
                result.facts,
            )
        elif result.status == NEEDS_EVIDENCE and items:
            result.summary_ja += "（資料は提出済み・審査待ち）"
            result.summary_en += " (evidence submitted, awaiting review)"
        return RequirementResult(criterion, section, result, items)

    return CommunityAssessment(
        community=community,
        rubric=rubric,
        kind_code=kind.code,
        parameters=parameters,
        round=round,
        requirements=[evaluate(c, "requirement") for c in kind.requirements],
        maturity=[evaluate(c, c.axis) for c in kind.criteria],
        as_of=ctx.today,
    )
