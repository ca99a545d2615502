"""Display helpers for registry codes."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from biocommunity.core.templatetags.bilingual import pick
from biocommunity.registry import sections
from biocommunity.registry.choices import prefecture_name
from biocommunity.registry.models import Organization
from biocommunity.registry.sections import Section

register = template.Library()


@register.filter(name="prefecture")
def prefecture(code: str) -> str:
    """A JIS prefecture code as its name in the current language."""
    return prefecture_name(code or "", get_language() or "ja")


@register.filter(name="place")
def place(org: Organization) -> str:
    """Where the organisation is, as precisely as recorded, in the reader's word order
    (神奈川県川崎市 / Kawasaki-shi, Kanagawa; ブリュッセル（BE） / Brussels, BE); the
    country code only outside Japan. Empty when nothing is recorded."""
    language = (get_language() or "ja")[:2]
    city = pick(org, "city", language)
    prefecture = prefecture_name(org.prefecture, language) if org.prefecture else ""
    abroad = org.country if org.country and org.country != "JP" else ""
    if language == "ja":
        text = f"{prefecture}{city}"
        return f"{text}（{abroad}）" if text and abroad else text or abroad
    return ", ".join(p for p in (city, prefecture, abroad) if p)


@register.simple_tag(takes_context=True)
def organization_sections(context: template.Context, org: Organization) -> list[Section]:
    """What other apps show on this organisation's page for this viewer (registry.sections)."""
    request = context.get("request")
    return sections.organization_sections(getattr(request, "user", None), org)
