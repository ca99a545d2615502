"""The level rule: which level the criteria met earn, and what the next level still needs.

Levels are successive: a level is reached when every criterion of its stages is met and every
earlier level is reached. A stage column without criteria for a type asks nothing of it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from biocommunity.assessment.services.rubrics import Criterion, InstitutionType, Level, Rubric


@dataclass(frozen=True)
class LevelResult:
    level: Level | None  # None: not even the first level
    reached: tuple[Level, ...]
    next_level: Level | None
    missing_for_next: tuple[Criterion, ...]
    met: tuple[Criterion, ...]

    @property
    def level_code(self) -> str:
        return self.level.code if self.level else ""


def criteria_of_level(kind: InstitutionType, level: Level) -> list[Criterion]:
    return [c for c in kind.criteria if c.stage in level.stages]


def level_for(rubric: Rubric, kind: InstitutionType, met_codes: Collection[str]) -> LevelResult:
    """Apply the rubric's rule to the criteria met (codes not in this type are ignored)."""
    met_set = set(met_codes)
    reached: list[Level] = []
    for level in rubric.levels:
        if all(c.code in met_set for c in criteria_of_level(kind, level)):
            reached.append(level)
            continue
        return LevelResult(
            level=reached[-1] if reached else None,
            reached=tuple(reached),
            next_level=level,
            missing_for_next=tuple(
                c for c in criteria_of_level(kind, level) if c.code not in met_set
            ),
            met=tuple(c for c in kind.criteria if c.code in met_set),
        )
    return LevelResult(
        level=reached[-1] if reached else None,
        reached=tuple(reached),
        next_level=None,
        missing_for_next=(),
        met=tuple(c for c in kind.criteria if c.code in met_set),
    )


def level_rank(rubric: Rubric, code: str) -> int:
    """Position of a level (0 = lowest); -1 for no level."""
    for index, level in enumerate(rubric.levels):
        if level.code == code:
            return index
    return -1
