"""Derived data (counts, charts, the community assessment, facet counts) kept in the configured
Django cache, and the one *generation* token that says when it went stale.

Every write to a model of a ``biocommunity`` app, bookkeeping no page shows aside, replaces
the token (a signal, a loose side effect; bulk writes that send no signals call
:func:`mark_stale` themselves), so anything cached under the old token is never read again
and simply expires. Pages' ETags carry the token too (:mod:`biocommunity.core.conditional`).

The token is a fresh random value, never a counter: with the default local-memory cache each
process has its own token, which expires after ``LOCAL_TOKEN_SECONDS`` so a process sees the
writes made by another within that time; a value that came back after expiring would make old
entries and old ETags valid again. With a shared cache (``BIOCOMMUNITY_CACHE_URL``) the token
never expires and every process sees a write at once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")

GENERATION_KEY = "derived:generation"
# How long a process may serve what it derived before it looks at the database again, when
# the cache is local to the process (other processes' writes are invisible to it).
LOCAL_TOKEN_SECONDS = 30
CACHE_SECONDS = 600


def shared_cache() -> bool:
    """Whether the configured cache is seen by every process (not local memory)."""
    backend = str(settings.CACHES.get("default", {}).get("BACKEND", ""))
    return not backend.endswith(("LocMemCache", "DummyCache"))


def generation() -> str:
    """The current generation token (made on first use)."""
    token = cache.get(GENERATION_KEY)
    if token is None:
        token = _new_token()
        if not cache.add(GENERATION_KEY, token, _token_timeout()):
            token = cache.get(GENERATION_KEY) or token
    return str(token)


def bump() -> None:
    """Replace the generation token now."""
    cache.set(GENERATION_KEY, _new_token(), _token_timeout())


def mark_stale() -> None:
    """Everything derived is stale: bump now and again when the writing transaction commits.

    The second bump covers a request that derived (and cached) old data between the write and
    the commit.
    """
    bump()
    transaction.on_commit(bump)


def cached(name: str, compute: Callable[[], T], *parts: object) -> T:
    """``compute()``'s value, kept under ``name``, ``parts`` and the current generation."""
    key = ":".join(["derived", generation(), name, *(str(p) for p in parts)])
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return cast(T, value)


def _new_token() -> str:
    return secrets.token_hex(8)


def _token_timeout() -> int | None:
    return None if shared_cache() else LOCAL_TOKEN_SECONDS


# Bookkeeping that no public page shows: writing it (a notice e-mail sent, a job's state, an
# audit entry) must not throw away what was derived.
NOT_SHOWN = frozenset(
    {"core.changerecord", "people.notice", "people.outboxemail", "people.invitation"}
)
NOT_SHOWN_APPS = frozenset({"jobs"})


def _is_ours(sender: Any) -> bool:
    meta = getattr(sender, "_meta", None)
    if meta is None or not str(getattr(meta.app_config, "name", "")).startswith("biocommunity."):
        return False
    return meta.app_label not in NOT_SHOWN_APPS and meta.label_lower not in NOT_SHOWN


def _written(sender: Any, **kwargs: Any) -> None:
    if _is_ours(sender):
        mark_stale()


def connect() -> None:
    """Mark derived data stale on every save and delete of the platform's own models."""
    post_save.connect(_written, dispatch_uid="derived-stale-save")
    post_delete.connect(_written, dispatch_uid="derived-stale-delete")
    m2m_changed.connect(_written, dispatch_uid="derived-stale-m2m")
