"""Portal tests search profiles lexically: the index starts empty and builds without vectors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from biocommunity.matching.services import indexing


@pytest.fixture(autouse=True)
def _lexical_index(settings: Any) -> Iterator[None]:
    settings.BIOCOMMUNITY_MATCHING_EMBEDDER = "none"
    indexing.reset()
    yield
    indexing.reset()
