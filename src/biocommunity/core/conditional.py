"""Conditional GET for public pages: an ETag for anonymous visitors, 304 when it still holds.

The ETag is worked out before the view runs, from what the page depends on: the generation of
derived data (:mod:`biocommunity.core.derived`, replaced on every write), the language, the
date, the path and query, the visitor's CSRF cookie (the page embeds a token made from it) and the
headers that change the answer (htmx partials). A matching ``If-None-Match`` answers 304
without rendering anything.

A signed-in visitor sees their own name, roles and drafts: their responses carry no ETag and
``Cache-Control: private, no-cache``, and every response varies by ``Cookie``, so a shared
cache never hands one visitor's page to another.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any, TypeVar, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import get_language

from biocommunity import __version__
from biocommunity.core.derived import generation

View = TypeVar("View", bound=Callable[..., HttpResponse])

# Request headers whose value changes the response body (besides the cookie and language).
VARYING_HEADERS = ("HX-Request", "HX-Target", "HX-Boosted")


def public_etag(request: HttpRequest) -> str | None:
    """The ETag of this request's page, or None when the page must not be revalidated."""
    if request.method not in ("GET", "HEAD"):
        return None
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return None
    if _has_messages(request):  # a one-off notice rendered into the page
        return None
    parts = [
        __version__,
        generation(),
        date.today().isoformat(),  # certificates in force, KPI progress "as of today"
        get_language() or "",
        request.get_full_path(),
        _csrf_secret(request),
        *(request.headers.get(h, "") for h in VARYING_HEADERS),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def conditional_page(view: View) -> View:
    """Give a public page an ETag for anonymous visitors and answer 304 when it matches."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        etag = public_etag(request)
        if etag is not None and _matches(request, etag):
            response: HttpResponse = HttpResponseNotModified()
        else:
            response = view(request, *args, **kwargs)
            if etag is not None:
                # A first visit is given its CSRF cookie by this very page: the tag must be
                # the one its next request (with that cookie) will compute.
                etag = public_etag(request)
        _mark(response, etag)
        return response

    return cast(View, wrapper)


def _matches(request: HttpRequest, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    if header.strip() == "*":
        return True
    # Weak comparison (RFC 9110 13.1.2): W/"x" matches "x" and W/"x".
    wanted = etag.removeprefix("W/")
    return any(tag.removeprefix("W/") == wanted for tag in parse_etags(header))


def _mark(response: HttpResponse, etag: str | None) -> None:
    patch_vary_headers(response, ("Cookie", "Accept-Language", *VARYING_HEADERS))
    if etag is None:
        patch_cache_control(response, private=True, no_cache=True)
        return
    if response.status_code in (200, 304):
        response["ETag"] = etag
    patch_cache_control(response, no_cache=True)


def _csrf_secret(request: HttpRequest) -> str:
    """The CSRF cookie the page's token is made from: the one the view issued, else the
    visitor's."""
    return str(
        request.META.get("CSRF_COOKIE") or request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    )


def _has_messages(request: HttpRequest) -> bool:
    if request.COOKIES.get(getattr(settings, "MESSAGE_COOKIE_NAME", "messages")):
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and session.get("_messages"))
