"""Portal pages: thin callers of portal.services."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from biocommunity.core.templatetags.bilingual import current_language
from biocommunity.portal.services import search


def search_page(request: HttpRequest) -> HttpResponse:
    """Results grouped by type; a bad query answers 400 with the field and the reason."""
    q = request.GET.get("q", "")
    language = current_language()
    errors: list[dict[str, str]] = []
    try:
        results = search.site_search(request.user, q, language=language)
    except search.InvalidSearch as exc:
        errors = exc.errors
        results = search.SiteResults(q="")
    return render(
        request,
        "portal/search.html",
        {"results": results, "q": q, "errors": errors, "language": language},
        status=400 if errors else 200,
    )
