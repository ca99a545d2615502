"""The notices page: a signed-in user's own notices, read one by one or all at once.

Thin callers of :mod:`biocommunity.people.services.notices`, which decides whose notices are
whose (a notice id of someone else's answers 404, never another person's text).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from biocommunity.people.models import Notice
from biocommunity.people.services import notices

PER_PAGE = 30


def _language() -> str:
    return "en" if (get_language() or "ja").startswith("en") else "ja"


def _offset(request: HttpRequest) -> int:
    raw = request.GET.get("offset", "")
    return int(raw) if raw.isdigit() and len(raw) < 9 else 0


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    page = notices.page_of_notices(request.user, limit=PER_PAGE, offset=_offset(request))
    language = _language()
    rows = [
        {
            "notice": n,
            "text": notices.notice_text(n, language),
            "url": notices.notice_url(n, language),
        }
        for n in page.notices
    ]
    return render(
        request,
        "people/notices.html",
        {
            "rows": rows,
            "page": page,
            "newer": max(page.offset - page.limit, 0) if page.offset else None,
            "older": page.offset + page.limit if page.offset + page.limit < page.total else None,
        },
    )


@login_required
def notice_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notice's link: it counts as read once its reader has gone to the page."""
    try:
        notice = notices.open_notice(request.user, pk)
    except Notice.DoesNotExist:
        raise Http404(_("There is no such notice.")) from None
    target = notices.notice_url(notice, _language())
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("people:notices")


@login_required
@require_POST
def notice_mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notice (``id``) or all of them (``all``) read."""
    if request.POST.get("all"):
        count = notices.mark_read(request.user)
    else:
        raw = request.POST.get("id", "")
        if not raw.isdigit() or len(raw) > 18:
            messages.error(request, _("Choose a notice to mark as read."))
            return redirect("people:notices")
        count = notices.mark_read(request.user, [int(raw)])
    if count:
        messages.success(request, _("Marked as read."))
    return redirect("people:notices")
