"""The site search as JSON: the same results as the search page, for the same viewer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema, Status

from biocommunity.core.api_errors import READ_ERRORS, reject_unknown_parameters, responses
from biocommunity.core.templatetags.bilingual import current_language
from biocommunity.portal.services import search

router = Router(tags=["search"])
router.add_decorator(reject_unknown_parameters)


class OrganizationHit(Schema):
    key: str
    name_ja: str
    name_en: str
    kinds: list[str]
    url: str


class ProfileHit(Schema):
    id: int
    kind: str
    title_ja: str
    title_en: str
    organization: str
    url: str


class PageHitOut(Schema):
    group: str
    title_ja: str
    title_en: str
    url: str


class SearchOut(Schema):
    q: str
    organization_count: int
    organizations: list[OrganizationHit]
    profiles: list[ProfileHit]
    pages: list[PageHitOut]


@router.get(
    "",
    response=responses(SearchOut, READ_ERRORS),
    summary="Search organisations, the profiles you may see, and pages",
)
def site_search(request: HttpRequest, q: str = "") -> Status[dict[str, Any]]:
    """Members-only profiles only for members, as everywhere; a bad ``q`` answers 400."""
    # An InvalidSearch answers 400 through the API's handler (biocommunity.api).
    results = search.site_search(request.user, q, language=current_language())
    body = {
        "q": results.q,
        "organization_count": results.organization_total,
        "organizations": [
            {
                "key": o.key,
                "name_ja": o.name_ja,
                "name_en": o.name_en,
                "kinds": o.kind_codes,
                "url": reverse("registry:organization", args=[o.key]),
            }
            for o in results.organizations
        ],
        "profiles": [
            {
                "id": m.profile.pk,
                "kind": m.profile.kind,
                "title_ja": m.profile.title_ja,
                "title_en": m.profile.title_en,
                "organization": m.profile.organization.key,
                "url": reverse("matching:profile", args=[m.profile.pk]),
            }
            for m in results.profiles
        ],
        "pages": [
            {"group": p.group, "title_ja": p.title_ja, "title_en": p.title_en, "url": p.url}
            for p in results.pages
        ],
    }
    return Status(200, body)
