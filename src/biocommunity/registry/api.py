"""Registry endpoints of the JSON API: organisations, hubs, communities."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from biocommunity.core.api_errors import (
    LOOKUP_ERRORS,
    READ_ERRORS,
    ApiError,
    reject_unknown_parameters,
    responses,
)
from biocommunity.registry.models import (
    Classification,
    Community,
    Hub,
    HubMembership,
    Organization,
)
from biocommunity.registry.services import directory
from biocommunity.registry.services.organizations import export_queryset, organization_record
from biocommunity.registry.services.players import players

router = Router(tags=["registry"])
router.add_decorator(reject_unknown_parameters)


class HubFunctions(Schema):
    hub: str
    functions: list[str]


class OrganizationOut(Schema):
    key: str
    name_ja: str
    name_en: str
    short_name: str
    aliases: list[str]
    kinds: list[str]
    hubs: list[HubFunctions]
    market_domains: list[int]
    country: str
    prefecture: str
    city_ja: str
    city_en: str
    lat: float | None
    lon: float | None
    coordinates_approximate: bool
    location_basis: str
    website: str
    description_ja: str
    description_en: str
    corporate_number: str
    ror_id: str
    listed: bool | None
    parent: str | None
    sources: list[str]
    as_of: str


class OrganizationPage(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    results: list[OrganizationOut]


class HubOut(Schema):
    key: str
    community: str
    number: int | None
    name_ja: str
    name_en: str
    tagline_ja: str
    tagline_en: str
    area_ja: str
    area_en: str
    lat: float | None
    lon: float | None
    organizations: int
    sources: list[str]
    as_of: str


class CommunityOut(Schema):
    key: str
    name_ja: str
    name_en: str
    short_name: str
    kind: str
    centre_lat: float
    centre_lon: float
    radius_km: float
    hubs: list[str]
    organizations: int = Field(
        description="The community's players: registered organisations, less those abroad "
        "that serve none of its hubs and hold no council seat (international partners)"
    )
    organizations_by_kind: dict[str, int]
    organizations_in_hubs: int
    sources: list[str]
    as_of: str


@router.get(
    "/organizations",
    response=responses(OrganizationPage, READ_ERRORS),
    summary="Search organisations (the directory's filters)",
)
def list_organizations(
    request: HttpRequest,
    q: str = "",
    kind: str = "",
    hub: str = "",
    function: str = "",
    domain: str = "",
    prefecture: str = "",
    page: str = "1",
    page_size: str = str(directory.DEFAULT_PAGE_SIZE),
) -> dict[str, Any]:
    query = directory.parse_query(
        {
            "q": q,
            "kind": kind,
            "hub": hub,
            "function": function,
            "domain": domain,
            "prefecture": prefecture,
            "page": page,
            "page_size": page_size,
        }
    )
    qs = directory.filtered_organizations(query)
    total = qs.count()
    start = (query.page - 1) * query.page_size
    rows = export_queryset(qs)[start : start + query.page_size]
    return {
        "count": total,
        "page": query.page,
        "page_size": query.page_size,
        "pages": max(1, -(-total // query.page_size)),
        "results": [organization_record(o) for o in rows],
    }


@router.get("/organizations/{key}", response=responses(OrganizationOut, LOOKUP_ERRORS))
def get_organization(request: HttpRequest, key: str) -> dict[str, Any]:
    org = export_queryset(Organization.objects.filter(key=key)).first()
    if org is None:
        raise ApiError(404, f"No organisation with key '{key[:40]}'.", "key")
    return organization_record(org)


def _hub_record(hub: Hub) -> dict[str, Any]:
    return {
        "key": hub.key,
        "community": hub.community.key,
        "number": hub.number,
        "name_ja": hub.name_ja,
        "name_en": hub.name_en,
        "tagline_ja": hub.tagline_ja,
        "tagline_en": hub.tagline_en,
        "area_ja": hub.area_ja,
        "area_en": hub.area_en,
        "lat": hub.lat,
        "lon": hub.lon,
        "organizations": getattr(hub, "n_organizations", 0),
        "sources": hub.sources,
        "as_of": hub.as_of,
    }


def _hubs() -> Any:
    return Hub.objects.select_related("community").annotate(
        n_organizations=Count("memberships__organization", distinct=True)
    )


@router.get("/hubs", response=responses(list[HubOut], READ_ERRORS))
def list_hubs(request: HttpRequest, community: str = "") -> list[dict[str, Any]]:
    qs = _hubs()
    if community:
        qs = qs.filter(community__key=community)
    return [_hub_record(h) for h in qs]


@router.get("/hubs/{key}", response=responses(HubOut, LOOKUP_ERRORS))
def get_hub(request: HttpRequest, key: str) -> dict[str, Any]:
    hub = _hubs().filter(key=key).first()
    if hub is None:
        raise ApiError(404, f"No hub with key '{key[:40]}'.", "key")
    return _hub_record(hub)


def _community_record(community: Community) -> dict[str, Any]:
    hubs = list(community.hubs.all())
    counted = players(community)
    return {
        "key": community.key,
        "name_ja": community.name_ja,
        "name_en": community.name_en,
        "short_name": community.short_name,
        "kind": community.kind,
        "centre_lat": community.centre_lat,
        "centre_lon": community.centre_lon,
        "radius_km": community.radius_km,
        "hubs": [h.key for h in hubs],
        "organizations": counted.count(),
        "organizations_by_kind": dict(
            Classification.objects.filter(organization__in=counted)
            .values_list("kind")
            .annotate(n=Count("organization"))
            .order_by("kind")
        ),
        "organizations_in_hubs": HubMembership.objects.filter(hub__community=community)
        .values("organization")
        .distinct()
        .count(),
        "sources": community.sources,
        "as_of": community.as_of,
    }


@router.get("/communities", response=responses(list[CommunityOut], READ_ERRORS))
def list_communities(request: HttpRequest) -> list[dict[str, Any]]:
    return [_community_record(c) for c in Community.objects.prefetch_related(Prefetch("hubs"))]


@router.get("/communities/{key}", response=responses(CommunityOut, LOOKUP_ERRORS))
def get_community(request: HttpRequest, key: str) -> dict[str, Any]:
    community = get_object_or_404(Community, key=key)
    return _community_record(community)
