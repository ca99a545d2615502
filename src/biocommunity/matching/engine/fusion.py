"""How the lexical and dense scores of one query's candidates become one ranking.

Plain reciprocal-rank fusion lets a weak path pull good dense results down; here each path's
scores are scaled against the best candidate of that query and added with weights, so a
lexical match counts in proportion to its strength rather than its rank.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FusionWeights:
    lexical: float = 0.4
    dense: float = 0.6
    expand_dense: bool = True


def fuse(lexical: np.ndarray, dense: np.ndarray, weights: FusionWeights) -> np.ndarray:
    """Weighted sum of the max-scaled BM25 score and the min-max-scaled cosine."""
    if lexical.size == 0:
        return lexical
    top = float(lexical.max())
    lexical_part = lexical / top if top > 0 else np.zeros_like(lexical)
    low, high = float(dense.min()), float(dense.max())
    dense_part = (dense - low) / (high - low) if high > low else np.zeros_like(dense)
    return np.asarray(weights.lexical * lexical_part + weights.dense * dense_part, dtype=np.float32)
