"""The directory: full-text search over both languages, facets, pagination."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Prefetch, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import translation
from django.utils.translation import gettext as _

from biocommunity.core import derived
from biocommunity.registry.choices import (
    PREFECTURE_CODES,
    HubFunction,
    OrganizationKind,
    ProgrammeKind,
    prefecture_name,
    resolve_prefecture,
)
from biocommunity.registry.models import (
    Classification,
    Hub,
    HubMembership,
    MarketDomain,
    Organization,
    OrganizationMarketDomain,
)
from biocommunity.registry.services.text import search_terms

MAX_QUERY_LENGTH = 200
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 25
FILTERS = ("kind", "hub", "function", "domain", "prefecture")

# Words people type for a kind, function or programme besides its label in either language
# (the labels themselves come from the catalogue). A CDMO is looked for as 受託製造 or GMP
# manufacturing; an investor as VC; a startup as スタートアップ.
SYNONYMS: dict[str, tuple[str, ...]] = {
    f"kind:{OrganizationKind.CDMO}": (
        "医薬品受託製造開発機関",
        "受託製造",
        "受託開発製造",
        "GMP製造",
        "contract development and manufacturing organization",
        "contract manufacturing",
        "CMO",
        "GMP manufacturing",
    ),
    f"kind:{OrganizationKind.INCUBATOR}": (
        "インキュベーター",
        "インキュベーション施設",
        "incubator",
        "incubation",
    ),
    f"kind:{OrganizationKind.INVESTMENT_FUND}": (
        "ベンチャーキャピタル",
        "VC",
        "venture capital",
        "investor",
    ),
    f"kind:{OrganizationKind.VENTURE}": ("スタートアップ", "ベンチャー企業", "startup"),
    f"kind:{OrganizationKind.BIOMANUFACTURING}": ("バイオ製造", "biomanufacturing"),
    f"kind:{OrganizationKind.LOCAL_GOVERNMENT}": ("地方公共団体", "municipality"),
    f"kind:{OrganizationKind.GOVERNMENT_AGENCY}": ("省庁", "ministry"),
    f"kind:{OrganizationKind.BIO_ASSOCIATION}": ("業界団体", "industry association"),
    f"function:{HubFunction.INCUBATION}": ("インキュベーション機能", "incubation"),
    f"function:{HubFunction.CONTACT_POINT}": ("窓口", "contact point"),
    f"function:{HubFunction.FUNDING}": ("資金提供", "funding"),
    f"function:{HubFunction.TALENT}": ("人材育成機能", "training"),
    f"programme:{ProgrammeKind.CDMO}": ("CDMO", "受託製造", "GMP", "contract manufacturing"),
    f"programme:{ProgrammeKind.CERTIFIED_VC}": ("ベンチャーキャピタル", "VC", "venture capital"),
    f"programme:{ProgrammeKind.BIOFOUNDRY}": ("バイオファウンドリ", "biofoundry"),
    f"programme:{ProgrammeKind.VACCINE_DUAL_USE}": ("ワクチン", "デュアルユース", "vaccine"),
    f"programme:{ProgrammeKind.PARTS_MATERIALS}": ("部素材", "サプライヤー", "supplier"),
}
_LABELS: dict[str, Any] = {
    **{f"kind:{v}": label for v, label in OrganizationKind.choices},
    **{f"function:{v}": label for v, label in HubFunction.choices},
    **{f"programme:{v}": label for v, label in ProgrammeKind.choices},
}


def describing_words(codes: Iterable[str]) -> list[str]:
    """The labels (Japanese and English) and synonyms of ``kind:…``, ``function:…`` and
    ``programme:…`` codes, for the text the directory searches: an organisation is found by
    what it is and does, not only by what its name or description happens to say."""
    words = [word for code in dict.fromkeys(codes) for word in _words_of(code)]
    return list(dict.fromkeys(words))


@lru_cache(maxsize=256)
def _words_of(code: str) -> tuple[str, ...]:
    """One code's words; kept, because an import of many rows asks for the same few codes
    again and again (the catalogue does not change while the process runs)."""
    words: list[str] = []
    label = _LABELS.get(code)
    if label is not None:
        for language in ("ja", "en"):
            with translation.override(language):
                words.append(str(label))
    words.extend(SYNONYMS.get(code, ()))
    return tuple(words)


class InvalidQuery(Exception):
    """A directory query with parameters we cannot honour; ``errors`` says which and why."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class DirectoryQuery:
    q: str = ""
    kind: str = ""
    hub: str = ""
    function: str = ""
    domain: int | None = None
    prefecture: str = ""
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    def as_params(self) -> dict[str, str]:
        params = {
            "q": self.q,
            "kind": self.kind,
            "hub": self.hub,
            "function": self.function,
            "domain": str(self.domain) if self.domain else "",
            "prefecture": self.prefecture,
        }
        return {k: v for k, v in params.items() if v}


def parse_query(params: Mapping[str, Any]) -> DirectoryQuery:
    """Validate raw parameters (page, API or CLI); raise InvalidQuery naming each bad one."""
    errors: list[dict[str, str]] = []

    def get(name: str) -> str:
        value = params.get(name, "")
        if isinstance(value, list):
            value = value[-1] if value else ""
        return str(value or "").strip()

    q = get("q")
    if len(q) > MAX_QUERY_LENGTH:
        errors.append(
            {
                "field": "q",
                "message": _("The search text is longer than %(n)s characters.")
                % {"n": MAX_QUERY_LENGTH},
            }
        )
    kind = get("kind")
    if kind and kind not in OrganizationKind.values:
        errors.append(
            {
                "field": "kind",
                "message": _("Unknown kind '%(v)s'; known: %(known)s.")
                % {"v": kind, "known": ", ".join(OrganizationKind.values)},
            }
        )
    function = get("function")
    if function and function not in HubFunction.values:
        errors.append(
            {
                "field": "function",
                "message": _("Unknown function '%(v)s'; known: %(known)s.")
                % {"v": function, "known": ", ".join(HubFunction.values)},
            }
        )
    hub = get("hub")
    if hub and not Hub.objects.filter(key=hub).exists():
        errors.append({"field": "hub", "message": _("Unknown hub '%(v)s'.") % {"v": hub}})
    domain_raw = get("domain")
    domain: int | None = None
    if domain_raw:
        if (
            not (domain_raw.isascii() and domain_raw.isdigit())
            or not MarketDomain.objects.filter(number=int(domain_raw)).exists()
        ):
            errors.append(
                {
                    "field": "domain",
                    "message": _("Unknown market domain '%(v)s'.") % {"v": domain_raw},
                }
            )
        else:
            domain = int(domain_raw)
    prefecture_raw = get("prefecture")
    prefecture = ""
    if prefecture_raw:
        code = resolve_prefecture(prefecture_raw)
        if code is None or code not in PREFECTURE_CODES:
            errors.append(
                {
                    "field": "prefecture",
                    "message": _("Unknown prefecture '%(v)s'.") % {"v": prefecture_raw},
                }
            )
        else:
            prefecture = code
    page = _positive_int(get("page"), "page", 1, errors, maximum=10**6)
    page_size = _positive_int(
        get("page_size"), "page_size", DEFAULT_PAGE_SIZE, errors, maximum=MAX_PAGE_SIZE
    )
    if errors:
        raise InvalidQuery(errors)
    return DirectoryQuery(
        q=q,
        kind=kind,
        hub=hub,
        function=function,
        domain=domain,
        prefecture=prefecture,
        page=page,
        page_size=page_size,
    )


def _positive_int(
    raw: str, name: str, default: int, errors: list[dict[str, str]], *, maximum: int
) -> int:
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        errors.append(
            {
                "field": name,
                "message": _("Must be a whole number from 1 to %(max)s.") % {"max": maximum},
            }
        )
        return default
    return int(raw)


def _filtered(query: DirectoryQuery, *, skip: str = "") -> QuerySet[Organization]:
    qs = Organization.objects.all()
    for term in search_terms(query.q):
        qs = qs.filter(search_text__contains=term)
    if query.kind and skip != "kind":
        qs = qs.filter(
            Exists(Classification.objects.filter(organization=OuterRef("pk"), kind=query.kind))
        )
    hub = query.hub if skip != "hub" else ""
    function = query.function if skip != "function" else ""
    if hub or function:
        # One membership must match both: the function is served in that hub.
        memberships = HubMembership.objects.filter(organization=OuterRef("pk"))
        if hub:
            memberships = memberships.filter(hub__key=hub)
        if function:
            memberships = memberships.filter(function=function)
        qs = qs.filter(Exists(memberships))
    if query.domain and skip != "domain":
        qs = qs.filter(
            Exists(
                OrganizationMarketDomain.objects.filter(
                    organization=OuterRef("pk"), domain__number=query.domain
                )
            )
        )
    if query.prefecture and skip != "prefecture":
        qs = qs.filter(prefecture=query.prefecture)
    return qs


def name_order(language: str, prefix: str = "") -> Any:
    """Order by the name shown in this language: in Japanese the English name stands in for
    an empty ``name_ja`` (an organisation abroad), so it sorts by what the reader sees."""
    if language.startswith("en"):
        return F(f"{prefix}name_en")
    return Coalesce(NullIf(F(f"{prefix}name_ja"), Value("")), F(f"{prefix}name_en"))


def filtered_organizations(query: DirectoryQuery) -> QuerySet[Organization]:
    """All organisations matching the query, ordered for display in the current language."""
    from django.utils.translation import get_language

    return _filtered(query).order_by(name_order(get_language() or "ja"), "key")


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class DirectoryPage:
    query: DirectoryQuery
    total: int
    organizations: list[Organization]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.page_size))

    @property
    def has_next(self) -> bool:
        return self.query.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.query.page > 1


def search(
    query: DirectoryQuery, *, with_facets: bool = True, language: str = "ja"
) -> DirectoryPage:
    """One page of results with each facet's counts (a facet ignores its own filter)."""
    qs = filtered_organizations(query)
    total = qs.count()
    start = (query.page - 1) * query.page_size
    organizations = list(
        qs.prefetch_related(
            "classifications",
            Prefetch("hub_memberships", queryset=HubMembership.objects.select_related("hub")),
        )[start : start + query.page_size]
    )
    page = DirectoryPage(query=query, total=total, organizations=organizations)
    if with_facets:
        page.facets = facets(query, language=language)
    return page


FACET_CACHE_SECONDS = 300


def mark_stale() -> None:
    """Invalidate cached facet counts (with everything else derived) now and at commit."""
    derived.mark_stale()


def _scoped(model_qs: QuerySet[Any], query: DirectoryQuery, skip: str) -> QuerySet[Any]:
    """Limit a link table to the filtered organisations, or not at all when nothing filters.

    ``order_by()`` drops the models' default ordering, whose joins would otherwise stay in
    the GROUP BY query.
    """
    active = {
        "q": bool(search_terms(query.q)),
        "kind": bool(query.kind),
        "hub": bool(query.hub),
        "function": bool(query.function),
        "domain": query.domain is not None,
        "prefecture": bool(query.prefecture),
    }
    if any(on for name, on in active.items() if name != skip):
        model_qs = model_qs.filter(organization__in=_filtered(query, skip=skip))
    return model_qs.order_by()


def facets(query: DirectoryQuery, *, language: str = "ja") -> dict[str, list[FacetValue]]:
    """Facet counts, cached per query (not per page) until the registry next changes."""
    params = json.dumps(sorted(query.as_params().items()), ensure_ascii=False)
    digest = hashlib.sha256(params.encode()).hexdigest()[:32]
    key = f"registry:facets:{derived.generation()}:{language}:{digest}"
    cached = cache.get(key)
    if cached is not None:
        return cast(dict[str, list[FacetValue]], cached)
    result = _count_facets(query, language=language)
    cache.set(key, result, FACET_CACHE_SECONDS)
    return result


def _count_facets(query: DirectoryQuery, *, language: str) -> dict[str, list[FacetValue]]:
    en = language.startswith("en")
    result: dict[str, list[FacetValue]] = {}

    kind_counts = dict(
        _scoped(Classification.objects.all(), query, "kind")
        .values_list("kind")
        .annotate(n=Count("organization", distinct=True))
    )
    result["kind"] = [
        FacetValue(value, str(label), kind_counts[value], value == query.kind)
        for value, label in OrganizationKind.choices
        if kind_counts.get(value)
    ]

    hub_memberships = _scoped(HubMembership.objects.all(), query, "hub")
    if query.function:
        hub_memberships = hub_memberships.filter(function=query.function)
    hub_counts = dict(
        hub_memberships.values_list("hub_id").annotate(n=Count("organization", distinct=True))
    )
    hubs = Hub.objects.filter(pk__in=hub_counts).order_by("number", "key")
    result["hub"] = [
        FacetValue(h.key, h.name_en if en else h.name_ja, hub_counts[h.pk], h.key == query.hub)
        for h in hubs
    ]
    function_memberships = _scoped(HubMembership.objects.all(), query, "function")
    if query.hub:
        function_memberships = function_memberships.filter(hub__key=query.hub)
    function_counts = dict(
        function_memberships.values_list("function").annotate(
            n=Count("organization", distinct=True)
        )
    )
    result["function"] = [
        FacetValue(value, str(label), function_counts[value], value == query.function)
        for value, label in HubFunction.choices
        if function_counts.get(value)
    ]
    domain_counts = dict(
        _scoped(OrganizationMarketDomain.objects.all(), query, "domain")
        .values_list("domain_id")
        .annotate(n=Count("organization", distinct=True))
    )
    result["domain"] = [
        FacetValue(
            str(d.number),
            f"{d.number}. {d.name_en if en else d.name_ja}",
            domain_counts[d.pk],
            d.number == query.domain,
        )
        for d in MarketDomain.objects.filter(pk__in=domain_counts)
    ]
    prefecture_counts = (
        _filtered(query, skip="prefecture")
        .exclude(prefecture="")
        .order_by()
        .values_list("prefecture")
        .annotate(n=Count("pk"))
        .order_by("prefecture")
    )
    result["prefecture"] = [
        FacetValue(code, prefecture_name(code, language), n, code == query.prefecture)
        for code, n in prefecture_counts
    ]
    return result
