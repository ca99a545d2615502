"""Text normalisation so that searches match however a name was typed."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

_KATAKANA_START, _KATAKANA_END = 0x30A1, 0x30F6
_TO_HIRAGANA = {code: code - 0x60 for code in range(_KATAKANA_START, _KATAKANA_END + 1)}
# Common variant kanji in organisation names (e.g. 慶応/慶應) folded to one form.
_VARIANTS = str.maketrans({"應": "応", "澤": "沢", "邊": "辺", "邉": "辺", "髙": "高", "﨑": "崎"})


def normalize_for_search(text: str) -> str:
    """NFKC (full-width → half-width), case folding, katakana → hiragana, variant kanji."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return folded.translate(_TO_HIRAGANA).translate(_VARIANTS)


def build_search_text(parts: Iterable[str]) -> str:
    return "\n".join(normalize_for_search(p) for p in parts if p)


def search_terms(query: str) -> list[str]:
    """Split a query on whitespace (ASCII or ideographic) into normalised terms.

    Control characters (NUL among them, which PostgreSQL text cannot hold) separate terms.
    """
    printable = "".join(ch if ch.isprintable() else " " for ch in normalize_for_search(query))
    return [t for t in printable.split() if t]
