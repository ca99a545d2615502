"""Searching profiles: validate the query, filter what the user may see, rank, explain."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from biocommunity.matching.choices import (
    COUNTERPARTS,
    CapabilityType,
    ProfileKind,
    Stage,
)
from biocommunity.matching.engine.index import MODES, Mode
from biocommunity.matching.models import Profile
from biocommunity.matching.services import indexing, visibility
from biocommunity.registry.models import Hub, MarketDomain

MAX_QUERY_CHARS = 2000
MAX_RESULTS = 50
FILTER_NAMES = ("kind", "capability_type", "domain", "stage", "hub", "gmp", "lang")


class QueryError(ValueError):
    """A query or filter that cannot be searched; ``field`` names the parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


@dataclass(frozen=True)
class Filters:
    """Structured conditions applied before ranking."""

    kinds: tuple[str, ...] = ()
    capability_types: tuple[str, ...] = ()
    domain: str = ""
    stages: tuple[str, ...] = ()
    hub: str = ""
    gmp: bool | None = None
    lang: str = ""

    def apply(self, queryset: QuerySet[Profile]) -> QuerySet[Profile]:
        if self.kinds:
            queryset = queryset.filter(kind__in=self.kinds)
        if self.capability_types:
            queryset = queryset.filter(capability_type__in=self.capability_types)
        if self.domain:
            queryset = queryset.filter(market_domain__key=self.domain)
        if self.stages:
            queryset = queryset.filter(stage__in=self.stages)
        if self.hub:
            queryset = queryset.filter(hub__key=self.hub)
        if self.gmp is not None:
            queryset = queryset.filter(gmp=self.gmp)
        if self.lang == "ja":
            queryset = queryset.exclude(title_ja="", body_ja="")
        elif self.lang == "en":
            queryset = queryset.exclude(title_en="", body_en="")
        return queryset


def _values(raw: Any) -> list[str]:
    if raw is None:
        return []
    items = raw if isinstance(raw, list | tuple) else [raw]
    out: list[str] = []
    for item in items:
        out.extend(part.strip() for part in str(item).split(",") if part.strip())
    return out


def _choice(name: str, raw: Any, allowed: list[str]) -> tuple[str, ...]:
    values = _values(raw)
    for value in values:
        if value not in allowed:
            raise QueryError(
                name,
                _("%(value)s is not a valid %(name)s; choose from %(allowed)s.")
                % {"value": value, "name": name, "allowed": ", ".join(allowed)},
            )
    return tuple(dict.fromkeys(values))


def parse_filters(params: dict[str, Any], *, strict: bool = True) -> Filters:
    """Filters from request parameters; unknown names or values raise QueryError."""
    known = {*FILTER_NAMES, "q", "k", "mode", "page", "lang_ui"}
    if strict:
        for name in params:
            if name not in known:
                raise QueryError(
                    name,
                    _("Unknown filter '%(name)s'. Known filters: %(known)s.")
                    % {"name": name, "known": ", ".join(FILTER_NAMES)},
                )
    for name in FILTER_NAMES:
        # PostgreSQL refuses NUL in a string: it would fail the lookup, not just find nothing.
        if any("\x00" in value for value in _values(params.get(name))):
            raise QueryError(name, _("The query contains a NUL character."))
    domain = (_values(params.get("domain")) or [""])[0]
    if domain and not MarketDomain.objects.filter(key=domain).exists():
        raise QueryError("domain", _("No market domain has the key %(key)s.") % {"key": domain})
    hub = (_values(params.get("hub")) or [""])[0]
    if hub and not Hub.objects.filter(key=hub).exists():
        raise QueryError("hub", _("No hub has the key %(key)s.") % {"key": hub})
    gmp_raw = (_values(params.get("gmp")) or [""])[0].lower()
    if gmp_raw not in ("", "true", "false", "1", "0", "yes", "no"):
        raise QueryError("gmp", _("gmp must be true or false."))
    gmp = None if not gmp_raw else gmp_raw in ("true", "1", "yes")
    lang = _choice("lang", params.get("lang"), ["ja", "en"])
    return Filters(
        kinds=_choice("kind", params.get("kind"), list(ProfileKind.values)),
        capability_types=_choice(
            "capability_type", params.get("capability_type"), list(CapabilityType.values)
        ),
        domain=domain,
        stages=_choice("stage", params.get("stage"), list(Stage.values)),
        hub=hub,
        gmp=gmp,
        lang=lang[0] if lang else "",
    )


def clean_query(text: Any) -> str:
    """The query as searched; empty or absurdly long queries raise QueryError."""
    if not isinstance(text, str) or not text.strip():
        raise QueryError("q", _("Type what you are looking for."))
    text = text.strip()
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            "q",
            _("The query is %(length)s characters long; the limit is %(limit)s.")
            % {"length": len(text), "limit": MAX_QUERY_CHARS},
        )
    if "\x00" in text:
        raise QueryError("q", _("The query contains a NUL character."))
    return text


@dataclass(frozen=True)
class SharedConcept:
    key: str
    ja: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"key": self.key, "ja": self.ja, "en": self.en}


@dataclass(frozen=True)
class Explanation:
    """Why a profile came up: concepts both texts mention (named in both languages), words
    they share and how close their meanings are."""

    concepts: tuple[SharedConcept, ...] = ()
    words: tuple[str, ...] = ()
    similarity: float | None = None

    @property
    def cross_lingual(self) -> bool:
        return bool(self.concepts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "concepts": [c.as_dict() for c in self.concepts],
            "words": list(self.words),
            "similarity": None if self.similarity is None else round(self.similarity, 3),
        }


@dataclass(frozen=True)
class Match:
    profile: Profile
    rank: int
    score: float
    lexical: float
    dense: float
    explanation: Explanation = field(default_factory=Explanation)


def _explain(concepts: tuple[str, ...], words: tuple[str, ...], dense: float | None) -> Explanation:
    glossary = indexing.glossary()
    shared = tuple(
        SharedConcept(key, glossary.concept(key).label("ja"), glossary.concept(key).label("en"))
        for key in concepts
        if key in glossary
    )
    return Explanation(concepts=shared[:6], words=words[:8], similarity=dense)


def search(
    user: Any,
    text: Any,
    *,
    filters: Filters | None = None,
    k: int = 10,
    mode: Mode = "hybrid",
    exclude_organization: int | None = None,
    exclude_profile: int | None = None,
) -> list[Match]:
    """The k best profiles this user may see for the text, best first, each explained."""
    query = clean_query(text)
    if mode not in MODES:
        raise QueryError("mode", _("mode must be one of %(modes)s.") % {"modes": ", ".join(MODES)})
    if not 1 <= k <= MAX_RESULTS:
        raise QueryError("k", _("k must be between 1 and %(max)s.") % {"max": MAX_RESULTS})
    candidates = (filters or Filters()).apply(visibility.visible_profiles(user))
    if exclude_organization is not None:
        candidates = candidates.exclude(organization_id=exclude_organization)
    if exclude_profile is not None:
        candidates = candidates.exclude(pk=exclude_profile)
    allowed_ids = list(candidates.values_list("pk", flat=True))
    if not allowed_ids:
        return []
    index = indexing.current_index()
    if mode != "lexical" and index.vectors is None:
        mode = "lexical"
    hits = index.search(query, k=k, allowed=index.mask(allowed_ids), mode=mode)
    profiles = Profile.objects.select_related("organization", "market_domain", "hub").in_bulk(
        [h.id for h in hits]
    )
    allowed = set(allowed_ids)
    matches: list[Match] = []
    for hit in hits:
        profile = profiles.get(hit.id)
        if profile is None or profile.pk not in allowed:
            continue
        matches.append(
            Match(
                profile=profile,
                rank=len(matches) + 1,
                score=hit.score,
                lexical=hit.lexical,
                dense=hit.dense,
                explanation=_explain(
                    hit.concepts, hit.words, hit.dense if index.vectors is not None else None
                ),
            )
        )
    return matches


def match_query(profile: Profile) -> str:
    """The query a profile's matches are searched with: its own text, cut to the limit."""
    return profile.search_text()[:MAX_QUERY_CHARS]


def matches_for(user: Any, profile: Profile, *, k: int = 10) -> list[Match]:
    """Direction-aware matches for one profile: a need gets seeds and capabilities, a seed or
    a capability gets needs; the profile's own organisation is left out."""
    if not visibility.can_see(user, profile):
        raise PermissionDenied(_("You cannot see this profile."))
    kinds = COUNTERPARTS[profile.kind]
    return search(
        user,
        match_query(profile),
        filters=Filters(kinds=tuple(kinds)),
        k=k,
        exclude_organization=profile.organization_id,
        exclude_profile=profile.pk,
    )
