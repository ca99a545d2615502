from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter(name="dict_get")
def dict_get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, [])


@register.filter(name="percent")
def percent(value: float | None) -> str:
    """A growth rate as a percentage with two decimals (0.0362 → 3.62%)."""
    return "" if value is None else f"{value * 100:.2f}%"


@register.filter(name="kpi_status")
def kpi_status(code: str) -> str:
    """The translated label of a KPI status code."""
    from biocommunity.indicators.choices import KpiStatus

    try:
        return str(KpiStatus(code).label)
    except ValueError:
        return code


@register.filter(name="unit_label")
def unit_label(code: str) -> str:
    """A unit code (JPY-trillion) as its translated name (兆円 / trillion yen)."""
    from biocommunity.indicators.choices import Unit

    try:
        return str(Unit(code).label)
    except ValueError:
        return code or ""
