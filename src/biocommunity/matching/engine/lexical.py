"""BM25 over analysed tokens (bm25s: sparse matrices, fast enough for a million profiles)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np


class LexicalIndex:
    """Scores every document for a token list; an empty corpus scores nothing."""

    def __init__(self, documents: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75):
        import bm25s

        # bm25s reports each build on its own logger, which would clutter command output.
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        self.size = len(documents)
        self._bm25 = bm25s.BM25(k1=k1, b=b)
        if self.size:
            # A token no document has would otherwise be unknown; bm25s handles it as a zero.
            self._bm25.index(
                [list(tokens) or ["\x00"] for tokens in documents], show_progress=False
            )

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        if not self.size:
            return np.zeros(0, dtype=np.float32)
        known = [t for t in tokens if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)
