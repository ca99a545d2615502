"""Display helpers for registry codes."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from biocommunity.registry.choices import prefecture_name

register = template.Library()


@register.filter(name="prefecture")
def prefecture(code: str) -> str:
    """A JIS prefecture code as its name in the current language."""
    return prefecture_name(code or "", get_language() or "ja")
