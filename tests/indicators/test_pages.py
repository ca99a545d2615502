"""Compare and KPI pages, API and exports, in both languages."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client

from biocommunity.indicators.models import Observation
from tests.conftest import assert_status

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["ja", "en"])
def test_compare_page_shows_the_three_regions_side_by_side(
    gtb: Any, client: Client, language: str
) -> None:
    response = client.get(f"/{language}/figures/compare/")
    assert_status(response, 200)
    content = response.content.decode()
    assert 'data-testid="compare-table"' in content
    assert ("Massachusetts" if language == "en" else "マサチューセッツ") in content
    assert "compare-data" in content and "/static/vendor/plotly/plotly.min.js" in content
    # every value shows its source, as a citation of the document with its file as a tooltip
    citation = (
        "GTB master plan (2022), 参考4"
        if language == "en"
        else "GTBマスタープラン（2022年）、参考4"
    )
    assert citation in content and 'title="001_130d63ee7e402643.txt"' in content
    assert "001 参考4" not in content
    assert '<div class="small muted">population</div>' not in content  # no codes as labels


def test_compare_page_names_an_unknown_region_and_answers_400(gtb: Any, client: Client) -> None:
    response = client.get("/en/figures/compare/", {"regions": ["gtb", "atlantis"]})
    assert_status(response, 400)
    assert "atlantis" in response.content.decode()


def test_comparison_csv_keeps_source_and_note_on_every_value(gtb: Any, client: Client) -> None:
    response = client.get("/ja/figures/compare/comparison.csv", {"regions": "gtb,massachusetts"})
    assert_status(response, 200)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    # One row per figure: GTB's member-company sales, printed twice (参考5, 参考10-13), is one.
    assert (
        len(rows)
        == Observation.objects.filter(subject__key__in=["gtb", "massachusetts"]).count() - 1
    )
    [sales] = [r for r in rows if r["indicator"] == "member-company-sales"]
    assert sales["also_printed_as"].startswith("103 JPY-trillion (2020)")
    assert all(r["source"] for r in rows)
    assert any(r["note_en"] for r in rows)


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_comparison_other_formats(gtb: Any, client: Client, fmt: str) -> None:
    response = client.get(f"/en/figures/compare/comparison.{fmt}", {"regions": "gtb"})
    assert_status(response, 200)
    assert len(response.content) > 100


def test_compare_api_and_its_errors(gtb: Any, client: Client) -> None:
    response = client.get("/api/compare", {"regions": "gtb,greater-london"})
    assert_status(response, 200)
    assert [s["key"] for s in json.loads(response.content)["subjects"]] == ["gtb", "greater-london"]
    for params in ({"regions": "nowhere"}, {"regions": ""}, {}):
        response = client.get("/api/compare", params)
        assert response.status_code in (400, 422), params
        assert "detail" in json.loads(response.content)


def test_kpi_page_and_api(gtb: Any, client: Client) -> None:
    response = client.get("/en/figures/kpis/")
    assert_status(response, 200)
    content = response.content.decode()
    assert "3.62%" in content and "too early to tell" in content
    assert ">on track<" not in content
    response = client.get("/ja/figures/kpis/")
    assert 'data-status="too_early"' in response.content.decode()
    data = json.loads(client.get("/api/kpis").content)
    assert {k["code"] for k in data} >= {"member-company-sales", "large-joint-research-projects"}


def test_ratios_are_computed_not_stored(gtb: Any, client: Client) -> None:
    response = client.get("/en/figures/compare/", {"regions": "massachusetts"})
    content = response.content.decode()
    assert "per million people" in content
    assert 'data-indicator="average-annual-salary" data-kind' not in content  # averages: never
    assert 'data-indicator="ipo-count" data-kind="per_capita"' in content


def test_yen_conversion_only_at_a_stated_rate_and_says_which(gtb: Any, client: Client) -> None:
    plain = client.get("/en/figures/compare/", {"regions": "massachusetts,greater-london"})
    assert 'data-testid="yen"' not in plain.content.decode()
    response = client.get(
        "/en/figures/compare/", {"regions": "massachusetts,greater-london", "currency": "JPY"}
    )
    content = response.content.decode()
    assert 'data-testid="rates-used"' in content
    assert "1 USD = 140 JPY (2023" in content
    # Venture capital in Massachusetts: USD-billion × 140 → yen, shown in 100 million yen.
    vc = Observation.objects.get(
        indicator__code="venture-capital-investment", subject__key="massachusetts"
    )
    expected = float(vc.value) * 1e9 * 140 / 1e8
    assert f"{expected:,.1f}".rstrip("0").rstrip(".") in content or f"{expected:.1f}" in content
    # No GBP rate is stated: only the US-dollar values got a yen figure.
    usd_values = Observation.objects.filter(
        subject__key__in=["massachusetts", "greater-london"],
        unit__startswith="USD",
        value__isnull=False,
    ).count()
    assert content.count('data-testid="yen"') == usd_values


@pytest.mark.parametrize("language", ["ja", "en"])
def test_factsheet_page_has_figures_kpis_date_and_sources(
    gtb: Any, client: Client, language: str
) -> None:
    response = client.get(f"/{language}/figures/factsheet/")
    assert_status(response, 200)
    content = response.content.decode()
    assert "001 参考4" in content and "001 参考10-13" in content  # sources at the foot
    assert "3.62%" in content
    assert ("Key figures" if language == "en" else "主要な数値") in content
    assert "@page" not in content  # print rules live in the stylesheet, not inline


@pytest.mark.parametrize("language", ["ja", "en"])
def test_sales_page_shows_the_seed_table_and_the_computed_one(
    gtb: Any, client: Client, language: str
) -> None:
    from decimal import Decimal

    from biocommunity.indicators.models import CompanySales

    response = client.get(f"/{language}/figures/sales/")
    assert_status(response, 200)
    content = response.content.decode()
    assert 'data-testid="sales-gtb"' in content and 'data-testid="sales-japan"' in content
    assert "103,178,232" in content  # the GTB total as the seed prints it
    assert 'data-testid="sales-computed"' not in content
    CompanySales.objects.create(
        company_name="A",
        industry_ja="医薬品",
        listed=True,
        in_community=True,
        sales=Decimal(10),
        source="t",
    )
    assert (
        'data-testid="sales-computed"' in client.get(f"/{language}/figures/sales/").content.decode()
    )


def test_kpis_belong_to_goals_of_the_plan(gtb: Any, client: Client) -> None:
    from biocommunity.indicators.models import Kpi, Plan

    plan = Plan.objects.get(key="gtb-master-plan")
    assert [g.key for g in plan.goals.all()] == [
        "economic-growth",
        "social-issues",
        "joint-research",
        "venture-investment-environment",
    ]
    assert Kpi.objects.get(code="member-company-sales").goal.key == "economic-growth"
    content = client.get("/en/figures/kpis/").content.decode()
    assert "Contribution to economic growth" in content and "no KPI" in content
