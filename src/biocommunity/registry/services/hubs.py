"""Hubs as the community numbers them, and the numbers it has not described (yet)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from biocommunity.core.templatetags.bilingual import pick
from biocommunity.registry.models import Hub


@dataclass(frozen=True)
class HubNumbering:
    """The numbers in use and the gaps below the highest one (GTB: hubs 3–8, 1–2 not described)."""

    numbers: list[int]
    missing: list[int]

    @property
    def highest(self) -> int:
        return max(self.numbers, default=0)


def numbering(hubs: Sequence[Hub]) -> HubNumbering:
    """Which hub numbers are described and which below the highest are not.

    GTB numbers its eight hubs 1–8 but the published documents describe only 3–8; the page says
    so instead of renumbering them 1–6 or leaving a silent gap.
    """
    numbers = sorted({h.number for h in hubs if h.number is not None})
    missing = [n for n in range(1, max(numbers, default=0) + 1) if n not in numbers]
    return HubNumbering(numbers, missing)


def numbered_name(hub: Hub, language: str) -> str:
    """The hub's name with its number, as GTB writes it ("3. 本郷・お茶の水・東京駅エリア")."""
    name = pick(hub, "name", language)
    return f"{hub.number}. {name}" if hub.number is not None else name
