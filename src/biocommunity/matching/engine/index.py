"""A searchable collection of profiles: BM25 and vectors side by side, fused per query."""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from biocommunity.matching.engine.analysis import Analysis, Analyzer
from biocommunity.matching.engine.dense import Embedder, ExactVectors, HnswVectors, top_k
from biocommunity.matching.engine.fusion import FusionWeights, fuse
from biocommunity.matching.engine.lexical import LexicalIndex
from biocommunity.matching.engine.rows import RowConcepts, RowIds

Mode = Literal["hybrid", "lexical", "dense"]
MODES: tuple[Mode, ...] = ("hybrid", "lexical", "dense")

# Ids to their texts, for the few hits whose explanations need them (a database lookup).
TextSource = Callable[[Sequence[Hashable]], Mapping[Hashable, str]]

# Each path proposes this many candidates; fusion re-scores their union exactly.
CANDIDATES = 100


def _detached(text: str) -> str:
    """An equal string that is another object, for handing to the analyzer.

    Sudachi reads a Japanese text as UTF-8, and CPython then keeps that UTF-8 copy inside the
    str object for as long as the object lives: a hidden second copy of every text kept.
    """
    return text.encode("utf-8").decode("utf-8")


# Texts handed to an analysis process at a time (large enough that pickling stays cheap).
ANALYSIS_CHUNK = 2_000

_worker_analyzer: Analyzer | None = None


def _start_analysis_worker(analyzer: Analyzer) -> None:
    global _worker_analyzer
    _worker_analyzer = analyzer


def _concepts_and_tokens(analyzer: Analyzer, text: str) -> tuple[tuple[str, ...], list[str]]:
    """What the index keeps of one text: its distinct concepts, and its tokens for BM25."""
    analysis = analyzer.analyze(text)
    return tuple(dict.fromkeys(analysis.concepts)), analysis.search_tokens


def _analyse_texts(texts: list[str]) -> list[tuple[tuple[str, ...], list[str]]]:
    """``_concepts_and_tokens`` of each text, in an analysis process."""
    assert _worker_analyzer is not None
    return [_concepts_and_tokens(_worker_analyzer, text) for text in texts]


@dataclass(frozen=True, slots=True)
class Entry:
    """One profile as the engine sees it: an id, its text and its language."""

    id: Hashable
    text: str
    lang: str = ""


@dataclass(frozen=True, slots=True)
class Hit:
    id: Hashable
    score: float
    lexical: float
    dense: float
    concepts: tuple[str, ...] = ()
    words: tuple[str, ...] = ()


@dataclass
class MatchIndex:
    """Holds analyses, BM25 and vectors for a fixed list of entries (rebuild to change it).

    The texts are needed again only for the words shown in the few hits' explanations. An
    installation with a database passes ``text_source`` (ids to texts) instead of keeping
    every text in memory, which at a million profiles is the largest part after the vectors.
    """

    analyzer: Analyzer
    embedder: Embedder | None
    ann_threshold: int = 50_000
    weights: FusionWeights = field(default_factory=FusionWeights)
    text_source: TextSource | None = None
    ids: RowIds = field(default_factory=RowIds)
    texts: list[str] = field(default_factory=list)
    concepts: RowConcepts = field(default_factory=RowConcepts)
    lexical: LexicalIndex | None = None
    vectors: ExactVectors | HnswVectors | None = None

    def build(
        self,
        entries: Iterable[Entry],
        vectors: np.ndarray | None = None,
        progress: Callable[[int], None] | None = None,
        workers: int = 1,
    ) -> MatchIndex:
        """Analyse every entry and index it; ``vectors`` (one row per entry) skip embedding.

        With ``workers`` above 1 the analysis (Sudachi, glossary; the slow part of a large
        build) runs in that many forked processes; the result is the same.
        """
        given = list(entries)
        self.ids = RowIds([entry.id for entry in given])
        # Only each entry's concepts stay in memory (flat codes); tokens go into BM25.
        self.concepts = RowConcepts()
        tokens = []
        for found, search_tokens in self._analyses(given, workers, progress):
            self.concepts.append(found)
            # Interned: one string object per distinct token instead of one per occurrence.
            # Tens of millions of short-lived strings at a million profiles would otherwise
            # leave the heap fragmented (freed, but still resident) after BM25 is built.
            tokens.append([sys.intern(token) for token in search_tokens])
        self.lexical = LexicalIndex(tokens)
        del tokens
        if vectors is None and self.embedder is not None:
            vectors = self.embed_passages([entry.text for entry in given])
        self.texts = [entry.text for entry in given] if self.text_source is None else []
        del given
        if vectors is not None:
            self.vectors = self.vector_store(vectors)
        return self

    def _analyses(
        self, entries: list[Entry], workers: int, progress: Callable[[int], None] | None
    ) -> Iterator[tuple[tuple[str, ...], list[str]]]:
        """(concepts, search tokens) of every entry, in entry order."""
        if workers <= 1 or len(entries) <= ANALYSIS_CHUNK:
            for entry in entries:
                yield _concepts_and_tokens(self.analyzer, _detached(entry.text))
                if progress:
                    progress(1)
            return
        chunks = (
            # Detached copies: pickling also leaves a UTF-8 copy inside each str it sends.
            [_detached(entry.text) for entry in entries[start : start + ANALYSIS_CHUNK]]
            for start in range(0, len(entries), ANALYSIS_CHUNK)
        )
        # Fork: the workers inherit the loaded dictionary and glossary instead of loading
        # their own, and the analyzer is never pickled.
        context = multiprocessing.get_context("fork")
        with context.Pool(
            workers, initializer=_start_analysis_worker, initargs=(self.analyzer,)
        ) as pool:
            for found in pool.imap(_analyse_texts, chunks):
                yield from found
                if progress:
                    progress(len(found))

    def vector_store(self, vectors: np.ndarray) -> ExactVectors | HnswVectors:
        if len(vectors) >= self.ann_threshold:
            return HnswVectors(vectors)
        return ExactVectors(vectors)

    def embed_passages(self, texts: Sequence[str], batch: int = 32) -> np.ndarray:
        assert self.embedder is not None
        dims = self.embedder.dimensions
        if not texts:
            return np.zeros((0, dims), dtype=np.float32)
        parts = [
            self.embedder.embed_passages(texts[i : i + batch]) for i in range(0, len(texts), batch)
        ]
        return np.vstack(parts)

    def __len__(self) -> int:
        return len(self.ids)

    def texts_of(self, rows: Sequence[int]) -> list[str]:
        """The texts of these rows, from memory or from ``text_source`` ("" when gone)."""
        if self.text_source is None:
            return [self.texts[row] for row in rows]
        ids = [self.ids[row] for row in rows]
        found = self.text_source(ids)
        return [found.get(id_, "") for id_ in ids]

    def mask(self, ids: Iterable[Hashable] | None) -> np.ndarray | None:
        """A row mask for the allowed ids (None: everything is allowed)."""
        if ids is None:
            return None
        allowed = np.zeros(len(self.ids), dtype=bool)
        allowed[self.ids.rows_of(ids)] = True
        return allowed

    def query_vector(self, text: str, analysis: Analysis) -> np.ndarray | None:
        """The query embedding (of ``query_text``)."""
        if self.embedder is None or self.vectors is None:
            return None
        vector: np.ndarray = self.embedder.embed_queries([self.query_text(text, analysis)])[0]
        return vector

    def query_text(self, text: str, analysis: Analysis) -> str:
        """What the embedder reads for a query: glossary equivalents in the other language
        are appended so a Japanese query also carries its English terms (and the reverse)."""
        glossary = self.analyzer.glossary
        extra: list[str] = []
        if glossary is not None and self.weights.expand_dense:
            folded = text.casefold()
            for key in dict.fromkeys(analysis.concepts):
                concept = glossary.concept(key)
                # Names the query already spells out are not repeated: a shorter text embeds
                # faster, and the model reads the term once either way.
                extra.extend(
                    name
                    for name in (*concept.ja[:1], *concept.en[:1])
                    if name.casefold() not in folded
                )
        return text if not extra else f"{text} ({'; '.join(extra)})"

    def search(
        self,
        text: str,
        *,
        k: int = 10,
        allowed: np.ndarray | None = None,
        mode: Mode = "hybrid",
    ) -> list[Hit]:
        """The k best allowed entries for the text; filters apply before ranking."""
        if not self.ids or k <= 0:
            return []
        analysis = self.analyzer.analyze(text)
        assert self.lexical is not None
        lexical = self.lexical.scores(analysis.search_tokens)
        if allowed is not None:
            lexical = np.where(allowed, lexical, 0.0)
        lexical_rows = top_k(np.where(lexical > 0, lexical, -np.inf), CANDIDATES)
        vector = self.query_vector(text, analysis) if mode != "lexical" else None
        if vector is None:
            if mode == "dense":
                return []
            mode = "lexical"  # no embedder: the lexical path works on its own
        dense_rows = (
            self.vectors.search(vector, CANDIDATES, allowed)
            if vector is not None and self.vectors is not None
            else np.zeros(0, dtype=np.int64)
        )
        if mode == "lexical":
            rows = lexical_rows
            dense = np.zeros(len(rows), dtype=np.float32)
        else:
            rows = dense_rows if mode == "dense" else np.union1d(lexical_rows, dense_rows)
            assert vector is not None and self.vectors is not None
            dense = self.vectors.score(vector, rows)
        lexical_of_rows = lexical[rows]
        if mode == "hybrid":
            scores = fuse(lexical_of_rows, dense, self.weights)
        elif mode == "lexical":
            scores = lexical_of_rows
        else:
            scores = dense
        order = np.argsort(-scores, kind="stable")[:k]
        hits = []
        query_concepts = set(analysis.concepts)
        query_words = set(analysis.tokens)
        hit_rows = [int(rows[position]) for position in order]
        # Shared words are worked out again for the few hits shown, not kept for all.
        hit_texts = self.texts_of(hit_rows)
        for position, row, text in zip(order, hit_rows, hit_texts, strict=True):
            words = self.analyzer.words(_detached(text)) if text else []
            hits.append(
                Hit(
                    id=self.ids[row],
                    score=float(scores[position]),
                    lexical=float(lexical_of_rows[position]),
                    dense=float(dense[position]),
                    concepts=tuple(c for c in self.concepts[row] if c in query_concepts),
                    words=tuple(w for w in dict.fromkeys(words) if w in query_words),
                )
            )
        return hits
