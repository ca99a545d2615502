"""Every matching test starts from an empty in-process index (its database is fresh too)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from biocommunity.matching.services import indexing


@pytest.fixture(autouse=True)
def _fresh_index() -> Iterator[None]:
    indexing.reset()
    yield
    indexing.reset()
