"""Shipped figures load, compare and report through the CLI."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from biocommunity.indicators.models import Kpi, Observation, SalesByIndustry
from biocommunity.indicators.services.loading import load_figures
from biocommunity.indicators.services.units import IncompatibleUnits, convert


@pytest.mark.django_db
def test_figures_load_once_and_again_change_nothing(gtb: Any) -> None:
    assert Observation.objects.filter(subject__key="massachusetts").exists()
    assert Kpi.objects.get(code="member-company-sales").target_value == Decimal(147)
    again = load_figures("gtb")
    assert all(c["created"] == 0 and c["updated"] == 0 for c in again.values())


@pytest.mark.django_db
def test_sales_table_adds_up(gtb: Any) -> None:
    for scope in ("gtb", "japan"):
        rows = list(SalesByIndustry.objects.filter(scope=scope))
        total = rows[-1]
        parts = [r for r in rows[:-1] if "計" not in r.industry_ja]
        assert sum(r.sales or 0 for r in parts) == total.sales
        assert sum(r.total_count or 0 for r in parts) == total.total_count


@pytest.mark.django_db
def test_compare_cli_prints_every_value_with_unit_period_note_and_source(gtb: Any) -> None:
    out = StringIO()
    call_command(
        "indicators",
        "compare",
        regions="gtb,massachusetts,greater-london",
        format="json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert [s["key"] for s in data["subjects"]] == ["gtb", "massachusetts", "greater-london"]
    # Every observation is shown once: as a value, or as the rounded restatement of one.
    shown = sum(
        1 + len(v.get("restated", []))
        for row in data["indicators"]
        for values in row["values"].values()
        for v in values
    )
    assert (
        shown
        == Observation.objects.filter(
            subject__key__in=["gtb", "massachusetts", "greater-london"]
        ).count()
    )
    for row in data["indicators"]:
        for values in row["values"].values():
            for v in values:
                assert {"period", "value", "unit", "note_en", "source", "as_of"} <= set(v)
                assert v["source"]


@pytest.mark.django_db
def test_compare_cli_names_an_unknown_region(gtb: Any) -> None:
    with pytest.raises(CommandError, match="atlantis"):
        call_command(
            "indicators", "compare", regions="gtb,atlantis", format="json", stdout=StringIO()
        )


@pytest.mark.django_db
def test_kpi_status_cli(gtb: Any) -> None:
    out = StringIO()
    call_command("kpi", "status", format="json", stdout=out)
    reports = {r["code"]: r for r in json.loads(out.getvalue())}
    top = reports["member-company-sales"]
    assert round(top["required_annual_growth"], 4) == round((147 / 103) ** 0.1 - 1, 4)
    assert top["expected"]["2030"] == pytest.approx(147)
    # Only the 2020 baseline is observed: too early to say "on track".
    assert top["status"] == "too_early"
    assert reports["large-joint-research-projects"]["band"] == {"low": 5.0, "high": 10.0}


def test_unit_conversion_rescales_and_refuses_currency_mixing() -> None:
    assert convert(Decimal(103_178_232), "JPY-million", "JPY-trillion") == Decimal("103.178232")
    with pytest.raises(IncompatibleUnits):
        convert(Decimal(1), "USD-billion", "JPY-trillion")
