"""The bilingual domain glossary: Japanese and English terms and abbreviations per concept.

Matching a term in either language yields the concept's key, which is how lexical search and
the explanations bridge the two languages.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

GLOSSARY_COLUMNS = ("key", "ja", "en", "abbreviations", "domain", "source")
SHIPPED_GLOSSARY = Path(__file__).resolve().parent.parent / "data" / "glossary.csv"


class GlossaryError(ValueError):
    """A glossary file that cannot be used, with the row that is wrong."""


@dataclass(frozen=True)
class Concept:
    key: str
    ja: tuple[str, ...]
    en: tuple[str, ...]
    abbreviations: tuple[str, ...]
    domain: str
    source: str

    def label(self, lang: str) -> str:
        """The concept's name in one language, its abbreviation added when it has one."""
        names = self.ja if lang == "ja" else self.en
        name = names[0] if names else (self.en or self.ja or (self.key,))[0]
        if self.abbreviations and self.abbreviations[0].lower() != name.lower():
            return f"{name} ({self.abbreviations[0]})"
        return name


def _split(cell: str) -> tuple[str, ...]:
    return tuple(
        unicodedata.normalize("NFKC", part).strip() for part in cell.split(";") if part.strip()
    )


def _alternation(terms: Iterable[str], render: object) -> str:
    ordered = sorted(set(terms), key=lambda term: (-len(term), term))
    return "|".join(render(term) for term in ordered)  # type: ignore[operator]


def _english_pattern(term: str) -> str:
    """Words joined by a space or hyphen; the last word may take a plural ending."""
    words = [re.escape(word) for word in re.split(r"[\s\-]+", term.lower()) if word]
    return r"[\s\-]+".join(words) + r"(?:e?s)?"


class Glossary:
    """Finds concept mentions in text, longest term first, in either language."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.concepts: dict[str, Concept] = {}
        self._owner: dict[str, str] = {}
        for concept in concepts:
            if concept.key in self.concepts:
                raise GlossaryError(f"concept {concept.key!r} appears twice")
            self.concepts[concept.key] = concept
            for term in (*concept.ja, *concept.en, *concept.abbreviations):
                self._owner.setdefault(self._fold(term), concept.key)
        ja = [t for c in self.concepts.values() for t in c.ja]
        en = [t for c in self.concepts.values() for t in c.en]
        abbr = [t for c in self.concepts.values() for t in c.abbreviations]
        short = [t for t in abbr if len(t) <= 3]
        long_ = [t for t in abbr if len(t) > 3] + en
        self._patterns: list[re.Pattern[str]] = []
        if ja:
            self._patterns.append(re.compile(_alternation(ja, re.escape)))
        if long_:
            body = _alternation(long_, _english_pattern)
            self._patterns.append(
                re.compile(rf"(?<![A-Za-z0-9])(?:{body})(?![A-Za-z0-9])", re.IGNORECASE)
            )
        if short:
            body = _alternation(short, re.escape)
            self._patterns.append(re.compile(rf"(?<![A-Za-z0-9])(?:{body})(?![A-Za-z])"))

    @staticmethod
    def _fold(term: str) -> str:
        return re.sub(r"[\s\-]+", " ", unicodedata.normalize("NFKC", term).lower()).strip()

    def _key_of(self, surface: str) -> str | None:
        folded = self._fold(surface)
        key = self._owner.get(folded)
        if key is None:
            for ending in ("es", "s"):
                if folded.endswith(ending) and folded[: -len(ending)] in self._owner:
                    return self._owner[folded[: -len(ending)]]
        return key

    def find(self, text: str) -> list[tuple[str, str]]:
        """(concept key, text as written) for each mention, left to right, no overlaps."""
        text = unicodedata.normalize("NFKC", text)
        spans: list[tuple[int, int, str, str]] = []
        for pattern in self._patterns:
            for match in pattern.finditer(text):
                key = self._key_of(match.group())
                if key is not None:
                    spans.append(
                        (match.start(), -(match.end() - match.start()), key, match.group())
                    )
        spans.sort()
        found: list[tuple[str, str]] = []
        covered = 0
        for start, negative_length, key, surface in spans:
            if start < covered:
                continue
            found.append((key, surface))
            covered = start - negative_length
        return found

    def __len__(self) -> int:
        return len(self.concepts)

    def __contains__(self, key: object) -> bool:
        return key in self.concepts

    def concept(self, key: str) -> Concept:
        return self.concepts[key]


def parse_glossary(text: str, *, origin: str = "glossary") -> Glossary:
    """Read glossary CSV text; a bad row raises GlossaryError naming the row."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("key", "ja", "en") if c not in (reader.fieldnames or [])]
    if missing:
        raise GlossaryError(f"{origin}: missing column(s) {', '.join(missing)}")
    concepts = []
    seen: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):
        key = (row.get("key") or "").strip()
        if not key:
            raise GlossaryError(f"{origin} row {number}: key is empty")
        if key in seen:
            raise GlossaryError(
                f"{origin} row {number}: key {key!r} already used on row {seen[key]}"
            )
        seen[key] = number
        concept = Concept(
            key=key,
            ja=_split(row.get("ja") or ""),
            en=_split(row.get("en") or ""),
            abbreviations=_split(row.get("abbreviations") or ""),
            domain=(row.get("domain") or "").strip(),
            source=(row.get("source") or "").strip(),
        )
        if not (concept.ja or concept.en):
            raise GlossaryError(f"{origin} row {number}: {key!r} has neither ja nor en terms")
        concepts.append(concept)
    return Glossary(concepts)


def load_glossary(path: Path | None = None) -> Glossary:
    path = path or SHIPPED_GLOSSARY
    return parse_glossary(path.read_text(encoding="utf-8"), origin=path.name)
