"""Readying the matching engine before a visitor waits for it.

On the first search or profile save after a start, loading the embedding model, Sudachi's
dictionary and the glossary, embedding the profiles that had no vector yet and building the
index took several seconds (about 8 s on the demo), and every visit of a profile page embedded
that profile's whole text as its query (most of the page's 1.5 s). So the serving process warms
all of this on a background thread as it starts (``biocommunity.wsgi``), a saved profile's
vectors are computed after the commit off the request, and query vectors are remembered
(``CachedQueries``). Requests still do any of it themselves if they come first: the warm-up
only makes that unlikely, never required.

``BIOCOMMUNITY_MATCHING_WARMUP``: ``thread`` (default: the warm-up on a thread, a saved
profile through the job queue), ``inline`` (in the caller's thread, for tests) or ``off``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections, connections

from biocommunity.matching import tasks
from biocommunity.matching.engine.dense import CachedQueries
from biocommunity.matching.engine.index import MatchIndex
from biocommunity.matching.models import Profile
from biocommunity.matching.services import indexing, search

logger = logging.getLogger(__name__)

MODES = ("thread", "inline", "off")
# Profiles (most recently changed first) whose match queries are embedded at start; beyond
# that their first page view embeds them. About 20-60 ms each on one core.
PRIME_LIMIT = 2_000
# Queries embedded per model call while priming: small, so a visitor's search waiting for the
# model (one call at a time) is not held up for long.
PRIME_BATCH = 4


@dataclass(frozen=True)
class WarmUpReport:
    profiles: int
    primed: int
    seconds: float


def mode() -> str:
    value = getattr(settings, "BIOCOMMUNITY_MATCHING_WARMUP", "thread")
    if value not in MODES:
        raise ImproperlyConfigured(
            f"BIOCOMMUNITY_MATCHING_WARMUP must be one of {', '.join(MODES)}, not {value!r}"
        )
    return value


def prime_queries(index: MatchIndex, profiles: Iterable[Profile]) -> int:
    """Embed the query each profile's matches are searched with, so that its page finds the
    vector remembered instead of running the model; returns how many were embedded."""
    model = index.embedder
    if not isinstance(model, CachedQueries) or index.vectors is None:
        return 0
    pending: list[str] = []
    for profile in profiles:
        try:
            text = search.clean_query(search.match_query(profile))
        except search.QueryError:
            continue
        query = index.query_text(text, index.analyzer.analyze(text))
        if not model.cached(query):
            pending.append(query)
    for start in range(0, len(pending), PRIME_BATCH):
        model.embed_queries(pending[start : start + PRIME_BATCH])
    return len(pending)


def warm_up(*, prime_limit: int = PRIME_LIMIT) -> WarmUpReport:
    """Load the model, the analyser and the glossary, embed profiles without a current
    vector, build this process's index and embed the newest profiles' match queries."""
    started = time.perf_counter()
    model = indexing.embedder()
    if model is not None:
        model.embed_passages(["warm-up"])  # loads the model even when nothing is stale
    index = indexing.current_index(fresh=True)
    recent = Profile.objects.order_by("-updated_at", "-pk").only(*Profile.SEARCH_TEXT_FIELDS)
    primed = prime_queries(index, recent[:prime_limit])
    return WarmUpReport(
        profiles=len(index), primed=primed, seconds=round(time.perf_counter() - started, 3)
    )


def prepare_profile(profile_id: int) -> int:
    """After a profile is saved: this process's new index (which embeds its passage), then
    its match query, so that the page shown next and the next search find them ready."""
    index = indexing.current_index(fresh=True)
    profile = Profile.objects.filter(pk=profile_id).only(*Profile.SEARCH_TEXT_FIELDS).first()
    if profile is None:
        return 0
    return prime_queries(index, [profile])


def _in_background(name: str, work: Callable[[], object]) -> threading.Thread:
    def run() -> None:
        close_old_connections()
        try:
            outcome = work()
            logger.info("matching %s: %s", name, outcome)
        except Exception:
            # Nothing is lost: the first request that needs the engine does the work itself.
            logger.warning("matching %s failed", name, exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=run, name=f"matching-{name}", daemon=True)
    thread.start()
    return thread


def start() -> threading.Thread | None:
    """Warm up as the serving process starts (off the main thread unless ``inline``)."""
    current = mode()
    if current == "off":
        return None
    if current == "inline":
        warm_up()
        return None
    return _in_background("warm-up", warm_up)


def profile_saved(
    profile_id: int, then: Callable[[], object] | None = None
) -> threading.Thread | None:
    """Called after a profile change is committed: prepare it, then run ``then`` (the saved
    searches that may announce it, which need the new index) — as a background job with
    ``thread`` (``matching.tasks.profile_saved`` does both), so the save's request waits for
    neither."""

    def work() -> int:
        primed = prepare_profile(profile_id)
        if then is not None:
            then()
        return primed

    current = mode()
    if current == "off":
        if then is not None:
            then()
        return None
    if current == "inline":
        work()
        return None
    # "thread": the vector is computed and stored, and the saved searches told, by a job
    # (``biocommunity worker``); this process's index rebuilds from the stored vectors.
    tasks.profile_saved.enqueue(profile_id)
    return None
