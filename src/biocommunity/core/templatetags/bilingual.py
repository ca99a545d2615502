"""Show the Japanese or English half of paired ``_ja``/``_en`` fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.translation import get_language

register = template.Library()


def current_language() -> str:
    """'ja' or 'en': the active language, Japanese when none is active."""
    return (get_language() or "ja")[:2]


def pick(obj: Any, field: str, language: str | None = None) -> str:
    """The field in the current language, falling back to the other one when it is empty."""
    language = (language or current_language())[:2]
    other = "en" if language == "ja" else "ja"
    if isinstance(obj, Mapping):  # plain data from services (JSON-shaped results)
        return str(obj.get(f"{field}_{language}") or obj.get(f"{field}_{other}") or "")
    first = getattr(obj, f"{field}_{language}", "") or ""
    return first or (getattr(obj, f"{field}_{other}", "") or "")


@register.filter(name="localized")
def localized(obj: Any, field: str) -> str:
    return pick(obj, field)


@register.filter(name="other_language")
def other_language(obj: Any, field: str) -> str:
    """The other language's value, shown beside the main one when it differs."""
    language = current_language()
    other = "en" if language == "ja" else "ja"
    main = pick(obj, field)
    value = getattr(obj, f"{field}_{other}", "") or ""
    return "" if value == main else value


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with some parameters replaced (None removes one)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
