"""Profiles shown in the page's language, saying so when the text is in the other one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from biocommunity.core.templatetags.bilingual import current_language
from biocommunity.matching.choices import ProfileKind

register = template.Library()


@dataclass(frozen=True)
class Shown:
    """A text and the language it is written in; ``fallback`` when that is not the page's."""

    text: str
    lang: str
    fallback: bool


@register.filter(name="shown")
def shown(obj: Any, field: str) -> Shown:
    """The ``field_ja``/``field_en`` value in the page's language, else the other one."""
    language = current_language()
    other = "en" if language == "ja" else "ja"
    text = getattr(obj, f"{field}_{language}", "") or ""
    if text:
        return Shown(text, language, False)
    return Shown(getattr(obj, f"{field}_{other}", "") or "", other, True)


@register.filter(name="in_both")
def in_both(obj: Any, field: str) -> list[Shown]:
    """Both languages' values that are not empty, the page's language first."""
    language = current_language()
    order = (language, "en" if language == "ja" else "ja")
    texts = [(lang, getattr(obj, f"{field}_{lang}", "") or "") for lang in order]
    return [Shown(text, lang, lang != language) for lang, text in texts if text]


@register.filter(name="litres")
def litres(value: Any) -> str:
    """A scale without trailing zeros: 2000.000 → 2,000."""
    if value is None:
        return ""
    number = value.normalize() if hasattr(value, "normalize") else value
    text = f"{number:,f}" if hasattr(number, "as_tuple") else f"{number:,}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter(name="kind_label")
def kind_label(value: str) -> str:
    """A profile kind's name in the page's language."""
    try:
        return str(ProfileKind(value).label)
    except ValueError:
        return value


@register.filter(name="readable_words")
def readable_words(explanation: Any) -> list[str]:
    """The shared words worth showing: not fragments (one character, bare digits such as the
    '000' of '2,000') and not already named by a shared concept."""
    labels = " ".join(f"{c.ja} {c.en}" for c in explanation.concepts).lower()
    return [
        word
        for word in explanation.words
        if len(word) > 1 and not word.isdigit() and word.lower() not in labels
    ]


@register.filter(name="concept_ja")
def concept_ja(concept: Any) -> str:
    """The Japanese name, without the abbreviation the English name already shows."""
    suffix = concept.en[concept.en.rfind(" (") :] if concept.en.endswith(")") else ""
    if suffix and concept.ja.endswith(suffix) and concept.ja != concept.en:
        return str(concept.ja[: -len(suffix)])
    return str(concept.ja)
