"""The header's one search: organisations, the matching profiles this viewer may see, and
the site's pages (hubs, figures, the certification register, each certificate in force),
each found through the service of the app that owns it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from biocommunity.assessment.services.register import certificates_in_force
from biocommunity.assessment.services.rubrics import shipped_rubrics
from biocommunity.matching.services import search as matching_search
from biocommunity.registry.models import Community, Hub, Organization
from biocommunity.registry.services import directory
from biocommunity.registry.services.hubs import numbered_name
from biocommunity.registry.services.text import normalize_for_search, search_terms

MAX_ORGANIZATIONS = 10
MAX_PROFILES = 10
MAX_PAGES = 20


class InvalidSearch(Exception):
    """A search we cannot run; ``errors`` names each bad parameter and why."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class PageHit:
    """A page of the site whose title (in either language) or key words hold every term."""

    group: str
    title_ja: str
    title_en: str
    url: str


@dataclass
class SiteResults:
    q: str
    organizations: list[Organization] = field(default_factory=list)
    organization_total: int = 0
    profiles: list[matching_search.Match] = field(default_factory=list)
    pages: list[PageHit] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.organization_total + len(self.profiles) + len(self.pages)


# Pages anyone may open, by URL name: their group, their title (the catalogue's msgid, so the
# Japanese title is the page's own) and words people may type for them in either language.
GROUP_COMMUNITY = pgettext_lazy("search group", "Community")
GROUP_FIGURES = pgettext_lazy("search group", "Figures")
GROUP_CERTIFICATION = pgettext_lazy("search group", "Certification")
GROUP_MATCHING = pgettext_lazy("search group", "Matching")
STATIC_PAGES: list[tuple[str, Promise, Promise, tuple[str, ...]]] = [
    ("registry:home", GROUP_COMMUNITY, _("Community"), ("home", "ホーム", "map", "地図", "拠点")),
    ("registry:directory", GROUP_COMMUNITY, _("Directory"), ("organisations", "名簿", "一覧")),
    ("registry:open-data", GROUP_COMMUNITY, _("Open data"), ("CSV", "JSON", "XLSX", "download")),
    ("matching:index", GROUP_MATCHING, _("Matching"), ("シーズ", "ニーズ", "seeds", "needs")),
    (
        "indicators:compare",
        GROUP_FIGURES,
        _("Compare regions"),
        ("海外クラスター", "比較", "clusters", "Massachusetts", "London", "figures"),
    ),
    ("indicators:kpis", GROUP_FIGURES, _("Master plan KPIs"), ("KPI", "マスタープラン")),
    (
        "indicators:sales",
        GROUP_FIGURES,
        _("Annual sales of member companies"),
        ("売上高", "sales", "figures"),
    ),
    ("indicators:factsheet", GROUP_FIGURES, _("Fact sheet"), ("ファクトシート", "PDF")),
    (
        "assessment:register",
        GROUP_CERTIFICATION,
        _("Certification register"),
        ("認定", "certificates", "certified"),
    ),
]


def _both(text: Promise | str) -> tuple[str, str]:
    with translation.override("ja"):
        ja = str(text)
    with translation.override("en"):
        en = str(text)
    return ja, en


def _catalogue() -> list[tuple[PageHit, str]]:
    """Every searchable page with the normalised text it is found by."""
    entries: list[tuple[PageHit, str, tuple[str, ...]]] = []
    for url_name, group, title, words in STATIC_PAGES:
        try:
            url = reverse(url_name)
        except NoReverseMatch:  # an app left out of this installation
            continue
        ja, en = _both(title)
        entries.append((PageHit(str(group), ja, en, url), f"{ja} {en}", words))
    for hub in Hub.objects.order_by("community_id", "number", "key"):
        url = reverse("registry:hub", args=[hub.key])
        entries.append(
            (
                PageHit(
                    str(GROUP_COMMUNITY),
                    numbered_name(hub, "ja"),
                    numbered_name(hub, "en"),
                    url,
                ),
                f"{hub.name_ja} {hub.name_en} {hub.area_ja} {hub.area_en}",
                (hub.key, "hub", "拠点", "エリア"),
            )
        )
    requirements = _both(_("Community requirements"))
    for community in Community.objects.order_by("pk"):
        entries.append(
            (
                PageHit(
                    str(GROUP_CERTIFICATION),
                    f"{requirements[0]}: {community.name_ja}",
                    f"{requirements[1]}: {community.name_en}",
                    reverse("assessment:community", args=[community.key]),
                ),
                f"{requirements[0]} {requirements[1]} {community.name_ja} {community.name_en}",
                (community.key, community.short_name, "認定要件"),
            )
        )
    certificate = _both(_("Certificate"))
    for c in certificates_in_force():
        subject = c.organization or c.community
        names = (getattr(subject, "name_ja", ""), getattr(subject, "name_en", ""))
        entries.append(
            (
                PageHit(
                    str(GROUP_CERTIFICATION),
                    f"{certificate[0]} {c.number}: {names[0] or names[1]}（{c.type_ja}）",
                    f"{certificate[1]} {c.number}: {names[1] or names[0]} ({c.type_en})",
                    reverse("assessment:certificate", args=[c.number]),
                ),
                " ".join([c.number, *names, c.type_ja, c.type_en, c.level_ja, c.level_en]),
                (*certificate, "認定", "certified"),
            )
        )
    for rubric in shipped_rubrics():
        entries.append(
            (
                PageHit(
                    str(GROUP_CERTIFICATION),
                    rubric.title.ja,
                    rubric.title.en,
                    reverse("assessment:rubric", args=[rubric.code, rubric.version]),
                ),
                f"{rubric.title.ja} {rubric.title.en}",
                ("rubric", "criteria", "評価基準", rubric.version),
            )
        )
    return [(hit, normalize_for_search(" ".join([text, *words]))) for hit, text, words in entries]


def find_pages(q: str) -> list[PageHit]:
    """Pages whose title or key words contain every term of the query."""
    terms = search_terms(q)
    if not terms:
        return []
    found = [hit for hit, text in _catalogue() if all(term in text for term in terms)]
    return found[:MAX_PAGES]


def site_search(user: Any, q: str, *, language: str = "ja") -> SiteResults:
    """Everything this viewer may see for the query, grouped by type; an empty query finds
    nothing (not everything). Raises InvalidSearch for a query the directory refuses."""
    try:
        query = directory.parse_query({"q": q, "page_size": str(MAX_ORGANIZATIONS)})
    except directory.InvalidQuery as exc:
        raise InvalidSearch(exc.errors) from exc
    results = SiteResults(q=query.q)
    if not search_terms(query.q):
        return results
    with translation.override(language):
        page = directory.search(query, with_facets=False, language=language)
    results.organizations = page.organizations
    results.organization_total = page.total
    try:
        # Lexical: only profiles that share words or glossary concepts with the query (in
        # either language), never merely the nearest vectors to an unrelated word.
        results.profiles = matching_search.search(user, query.q, k=MAX_PROFILES, mode="lexical")
    except matching_search.QueryError as exc:
        raise InvalidSearch([exc.as_dict()]) from exc
    results.pages = find_pages(query.q)
    return results
