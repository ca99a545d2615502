"""How the lexical and dense rankings of one query's candidates become one ranking.

Weighted reciprocal-rank fusion: each path contributes ``weight / (k + rank)``. Ranks, not raw
scores, because BM25 and cosine scores live on unrelated scales; weights, because plain
(equal-weight) fusion lets the weaker path pull good dense results down. Candidates the
lexical path does not match at all share its last rank (giving them nothing instead measured
slightly worse on the development set). The weights
were chosen on the development set (docs/matching.md) and are a setting of the index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FusionWeights:
    lexical: float = 0.3
    dense: float = 0.7
    rank_constant: int = 60
    # Append glossary equivalents in the other language to the query before embedding it.
    expand_dense: bool = True


def ranks(scores: np.ndarray) -> np.ndarray:
    """0 for the best score, 1 for the next …; ties share the better rank."""
    order = np.argsort(-scores, kind="stable")
    sorted_scores = scores[order]
    positions = np.arange(len(scores))
    # Ties: every equal score takes the position of its first occurrence.
    first = np.r_[True, sorted_scores[1:] != sorted_scores[:-1]]
    tied = np.maximum.accumulate(np.where(first, positions, 0))
    result = np.empty(len(scores), dtype=np.float64)
    result[order] = tied
    return result


def fuse(lexical: np.ndarray, dense: np.ndarray, weights: FusionWeights) -> np.ndarray:
    """One fused score per candidate (higher is better)."""
    if lexical.size == 0:
        return np.zeros(0, dtype=np.float32)
    constant = weights.rank_constant
    lexical_part = weights.lexical / (constant + ranks(lexical) + 1)
    dense_part = weights.dense / (constant + ranks(dense) + 1)
    return np.asarray(lexical_part + dense_part, dtype=np.float32)
