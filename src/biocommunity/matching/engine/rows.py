"""What the index keeps per row, in flat arrays instead of one Python object per profile.

At a million profiles, a tuple of concepts and an int id per row are two million small objects
created between tens of millions of short-lived ones during a build; the heap stays fragmented
around them (some 400 MB resident that holds nothing). Flat arrays hold the same in a few large
blocks.
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable, Iterable, Sequence

import numpy as np


class RowIds:
    """Row number ↔ profile id. Integer ids (database keys) are kept in a numpy array and
    looked up by binary search; any other ids in a list and a dict."""

    def __init__(self, ids: Sequence[Hashable] = ()) -> None:
        self._numbers: np.ndarray | None = None
        self._objects: list[Hashable] = []
        self._rows: dict[Hashable, int] = {}
        if ids and all(type(id_) is int for id_ in ids):
            self._numbers = np.array(ids, dtype=np.int64)
            self._order = np.argsort(self._numbers, kind="stable")
            self._sorted = self._numbers[self._order]
        else:
            self._objects = list(ids)
            self._rows = {id_: row for row, id_ in enumerate(self._objects)}

    def __len__(self) -> int:
        return len(self._numbers) if self._numbers is not None else len(self._objects)

    def __getitem__(self, row: int) -> Hashable:
        if self._numbers is not None:
            return int(self._numbers[row])
        return self._objects[row]

    def rows_of(self, ids: Iterable[Hashable]) -> np.ndarray:
        """The rows of the ids that are indexed (unknown ids are skipped)."""
        if self._numbers is None:
            return np.array([self._rows[i] for i in ids if i in self._rows], dtype=np.int64)
        wanted = np.fromiter((i for i in ids if type(i) is int), dtype=np.int64)
        if not len(self._sorted) or not len(wanted):
            return np.zeros(0, dtype=np.int64)
        places = np.searchsorted(self._sorted, wanted)
        inside = places < len(self._sorted)
        places, wanted = places[inside], wanted[inside]
        return self._order[places[self._sorted[places] == wanted]]

    @property
    def nbytes(self) -> int:
        if self._numbers is not None:
            return int(self._numbers.nbytes + self._order.nbytes + self._sorted.nbytes)
        return 0  # Python objects: not counted here


class RowConcepts:
    """The glossary concepts each row mentions, as codes into one list of concept keys."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self._code_of: dict[str, int] = {}
        self._codes = array("i")
        self._offsets = array("q", [0])

    def append(self, concepts: Iterable[str]) -> None:
        for key in concepts:
            code = self._code_of.get(key)
            if code is None:
                code = self._code_of[key] = len(self.keys)
                self.keys.append(key)
            self._codes.append(code)
        self._offsets.append(len(self._codes))

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, row: int) -> tuple[str, ...]:
        start, stop = self._offsets[row], self._offsets[row + 1]
        return tuple(self.keys[code] for code in self._codes[start:stop])

    @property
    def nbytes(self) -> int:
        return self._codes.itemsize * len(self._codes) + self._offsets.itemsize * len(self._offsets)
