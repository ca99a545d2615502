"""The unread-notice count for the header badge, counted only when a page shows it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from biocommunity.people.services.notices import unread_count


def notices(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    counted: list[int] = []

    def unread() -> int:
        # A template calls this once per use; count once per request.
        if not counted:
            counted.append(unread_count(user))
        return counted[0]

    return {"unread_notices": unread}
