"""Sources shown as readable citations: the document's title and table, its file as a tooltip."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from biocommunity.core.provenance import cite
from biocommunity.core.templatetags.bilingual import current_language

register = template.Library()


@register.filter(name="citations")
def citations(source: str | None) -> SafeString:
    """``source`` ("001 参考4 …") as ``<cite>`` elements in the reader's language, "; " apart."""
    parts = cite(source or "", current_language())
    return format_html_join(
        "; ",
        "{}",
        (
            (
                format_html('<cite class="source" title="{}">{}</cite>', c.detail, c.text)
                if c.detail
                else format_html('<cite class="source">{}</cite>', c.text),
            )
            for c in parts
        ),
    )
