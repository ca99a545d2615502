"""Scale conversion within one currency or quantity; across currencies needs a stated rate."""

from __future__ import annotations

from decimal import Decimal

# unit → (dimension, factor to the dimension's base unit)
SCALES: dict[str, tuple[str, Decimal]] = {
    "JPY": ("JPY", Decimal(1)),
    "JPY-10k": ("JPY", Decimal(10_000)),
    "JPY-million": ("JPY", Decimal(1_000_000)),
    "JPY-100m": ("JPY", Decimal(100_000_000)),
    "JPY-trillion": ("JPY", Decimal(10) ** 12),
    "USD": ("USD", Decimal(1)),
    "USD-million": ("USD", Decimal(1_000_000)),
    "USD-billion": ("USD", Decimal(1_000_000_000)),
    "GBP": ("GBP", Decimal(1)),
    "GBP-million": ("GBP", Decimal(1_000_000)),
    "GBP-billion": ("GBP", Decimal(1_000_000_000)),
    "people": ("people", Decimal(1)),
    "people-million": ("people", Decimal(1_000_000)),
}


class IncompatibleUnits(ValueError):
    pass


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Rescale a value between units of the same dimension (e.g. 百万円 → 兆円)."""
    if from_unit == to_unit:
        return value
    try:
        dim_from, factor_from = SCALES[from_unit]
        dim_to, factor_to = SCALES[to_unit]
    except KeyError as exc:
        raise IncompatibleUnits(f"cannot convert {from_unit} to {to_unit}") from exc
    if dim_from != dim_to:
        raise IncompatibleUnits(
            f"{from_unit} and {to_unit} are different currencies or quantities: "
            "a conversion needs an explicit rate and year"
        )
    return value * factor_from / factor_to
