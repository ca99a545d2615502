"""Bilingual text analysis: Japanese through SudachiPy normalised forms, English through a
Snowball stemmer, and glossary concepts found in either language.

Concept tokens (``~key``) are what lets BM25 match a Japanese need to an English seed: both
sides of a glossary entry produce the same token.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from biocommunity.matching.engine.glossary import Glossary

CONCEPT_PREFIX = "~"

# Runs of Latin letters/digits (with inner hyphens, dots or slashes: "CAR-T", "0.25", "g/L")
# are English or codes; the rest goes to Sudachi.
LATIN_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-./+]*")
LATIN_WORD = re.compile(r"[a-z0-9]+")

# Sudachi parts of speech kept for search: content words only.
CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞", "接頭辞", "接尾辞", "副詞"})

ENGLISH_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "want",
        "wants",
        "need",
        "needs",
        "seeking",
        "seek",
        "looking",
        "help",
        "using",
        "use",
        "used",
        "based",
        "new",
        "can",
        "via",
        "per",
    ]
)

# Grammatical and very common Japanese words that carry no topic (normalised forms).
JAPANESE_STOPWORDS = frozenset(
    [
        "する",
        "為る",
        "ある",
        "有る",
        "いる",
        "居る",
        "なる",
        "成る",
        "れる",
        "られる",
        "せる",
        "させる",
        "こと",
        "事",
        "もの",
        "物",
        "ため",
        "為",
        "よう",
        "様",
        "これ",
        "それ",
        "その",
        "この",
        "等",
        "など",
        "的",
        "化",
        "性",
        "について",
        "に対する",
        "できる",
        "出来る",
        "行う",
        "おる",
        "居る",
        "ない",
        "無い",
        "たい",
        "くれる",
        "呉れる",
        "もらう",
        "貰う",
        "いう",
        "言う",
    ]
)


def normalize(text: str) -> str:
    """NFKC (full-width letters and digits to ASCII) and lower case for Latin letters."""
    return unicodedata.normalize("NFKC", text)


@dataclass(frozen=True)
class Analysis:
    """What one text yields: lexical tokens and the glossary concepts it mentions."""

    tokens: tuple[str, ...]
    concepts: tuple[str, ...]
    terms: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def search_tokens(self) -> list[str]:
        """Tokens for BM25: words plus one token per concept mention."""
        return [*self.tokens, *(CONCEPT_PREFIX + key for key in self.concepts)]


class Analyzer:
    """Tokenizes Japanese and English text the same way for documents and queries."""

    def __init__(self, glossary: Glossary | None = None) -> None:
        self.glossary = glossary
        self._local = threading.local()

    @cached_property
    def _dictionary(self):  # type: ignore[no-untyped-def]
        from sudachipy import Dictionary

        return Dictionary(dict="core")

    @property
    def _sudachi(self):  # type: ignore[no-untyped-def]
        # A Sudachi tokenizer must not be shared between threads: one per thread.
        tokenizer = getattr(self._local, "tokenizer", None)
        if tokenizer is None:
            from sudachipy import SplitMode

            tokenizer = self._local.tokenizer = self._dictionary.tokenizer(mode=SplitMode.A)
        return tokenizer

    @cached_property
    def _stemmer(self):  # type: ignore[no-untyped-def]
        import Stemmer

        return Stemmer.Stemmer("english")

    def words(self, text: str) -> list[str]:
        """Content-word tokens: Sudachi normalised forms for Japanese, stems for English."""
        text = normalize(text)
        tokens: list[str] = []
        position = 0
        for match in LATIN_RUN.finditer(text):
            tokens.extend(self._japanese(text[position : match.start()]))
            tokens.extend(self._english(match.group()))
            position = match.end()
        tokens.extend(self._japanese(text[position:]))
        return tokens

    def _japanese(self, text: str) -> Iterable[str]:
        if not text.strip():
            return []
        out = []
        for morpheme in self._sudachi.tokenize(text):
            if morpheme.part_of_speech()[0] not in CONTENT_POS:
                continue
            form = morpheme.normalized_form()
            if form in JAPANESE_STOPWORDS or not form.strip():
                continue
            out.append(form)
        return out

    def _english(self, run: str) -> Iterable[str]:
        words = [w for w in LATIN_WORD.findall(run.lower()) if w not in ENGLISH_STOPWORDS]
        return self._stemmer.stemWords(words) if words else []

    def analyze(self, text: str) -> Analysis:
        concepts: list[str] = []
        terms: dict[str, str] = {}
        if self.glossary is not None:
            for key, surface in self.glossary.find(text):
                concepts.append(key)
                terms.setdefault(key, surface)
        return Analysis(tokens=tuple(self.words(text)), concepts=tuple(concepts), terms=terms)
