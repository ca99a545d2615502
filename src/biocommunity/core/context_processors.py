"""Template context every page needs: the language switch and the user's roles."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info

from biocommunity.core import roles


def site(request: HttpRequest) -> dict[str, Any]:
    current = get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path()
    switch = [
        {
            "code": code,
            # Each language in its own name, so a reader finds theirs whatever page they are on.
            "name": get_language_info(code)["name_local"],
            "url": translate_url(path, code),
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]
    user = getattr(request, "user", None)
    return {
        "language_switch": switch,
        "is_secretariat": roles.is_secretariat(user),
        "is_reviewer": roles.is_reviewer(user),
    }
