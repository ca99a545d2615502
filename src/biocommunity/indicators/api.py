"""Indicator endpoints: the catalogue, comparisons, KPI status."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from biocommunity.core.api_errors import READ_ERRORS, ApiError, reject_unknown_parameters, responses
from biocommunity.indicators.models import Indicator
from biocommunity.indicators.services.compare import UnknownSubjects, compare, kpi_reports

router = Router(tags=["indicators"])
router.add_decorator(reject_unknown_parameters)


@router.get(
    "/indicators",
    response=responses(list[dict[str, Any]], READ_ERRORS),
    summary="The indicator catalogue",
)
def list_indicators(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": i.code,
            "name_ja": i.name_ja,
            "name_en": i.name_en,
            "unit": i.unit,
            "factor_group": i.factor_group,
            "higher_is_better": i.higher_is_better,
            "definition_ja": i.definition_ja,
            "definition_en": i.definition_en,
            "source": i.source,
        }
        for i in Indicator.objects.all()
    ]


@router.get(
    "/compare",
    response=responses(dict[str, Any], READ_ERRORS),
    summary="Every value of the chosen regions, with unit, period, note, source",
)
def compare_regions(request: HttpRequest, regions: str, indicators: str = "") -> dict[str, Any]:
    keys = [k.strip() for k in regions.split(",") if k.strip()]
    if not keys or len(keys) > 20:
        raise ApiError(400, "regions: give 1 to 20 comma-separated subject keys", "regions")
    codes = [c.strip() for c in indicators.split(",") if c.strip()] or None
    try:
        return compare(keys, codes)
    except UnknownSubjects as exc:
        raise ApiError(400, f"regions: {exc}", "regions") from exc


@router.get(
    "/kpis",
    response=responses(list[dict[str, Any]], READ_ERRORS),
    summary="Master-plan KPIs with required growth, status and forecast",
)
def kpis(request: HttpRequest) -> list[dict[str, Any]]:
    return [r.as_dict() for r in kpi_reports()]
