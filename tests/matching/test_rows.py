"""The index's per-row arrays: id lookups for integer and other ids, concept codes."""

from __future__ import annotations

import numpy as np

from biocommunity.matching.engine.rows import RowConcepts, RowIds


def test_integer_ids_are_found_by_binary_search() -> None:
    ids = RowIds([40, 7, 1_000_000_007, 12])
    assert len(ids) == 4 and ids[2] == 1_000_000_007 and type(ids[0]) is int
    assert sorted(ids.rows_of([12, 40, 99, "7", 1_000_000_007]).tolist()) == [0, 2, 3]
    assert ids.rows_of([]).tolist() == [] and ids.rows_of([10**12]).tolist() == []
    assert ids.nbytes > 0


def test_other_ids_use_a_dict() -> None:
    ids = RowIds(["ja-mab", "en-soil", 3])
    assert ids[0] == "ja-mab" and ids[2] == 3
    assert sorted(ids.rows_of(["en-soil", 3, "missing"]).tolist()) == [1, 2]
    assert len(RowIds()) == 0 and RowIds().rows_of([1]).tolist() == []


def test_concepts_keep_each_rows_keys_in_order() -> None:
    concepts = RowConcepts()
    concepts.append(("cdmo", "monoclonal-antibody"))
    concepts.append(())
    concepts.append(("monoclonal-antibody",))
    assert len(concepts) == 3
    assert concepts[0] == ("cdmo", "monoclonal-antibody")
    assert concepts[1] == () and concepts[2] == ("monoclonal-antibody",)
    assert concepts.keys == ["cdmo", "monoclonal-antibody"]  # each key stored once
    assert concepts.nbytes == np.dtype(np.int32).itemsize * 3 + 8 * 4
