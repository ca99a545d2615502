"""The comparison service: one row per figure, ratios only where they mean something, and
missing figures said to be missing in tables, charts and exports."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.utils import translation

from biocommunity.indicators.services.compare import (
    bar_charts,
    compare,
    export_comparison,
    ratio_table,
)
from tests.factories import IndicatorFactory, ObservationFactory, SubjectFactory

pytestmark = pytest.mark.django_db

TABLE = "001 参考4 海外主要クラスターとGTBの比較"


@pytest.fixture
def region() -> Any:
    """A region with population and GDP from the comparison table."""
    subject = SubjectFactory(key="somewhere", name_en="Somewhere", name_ja="どこか")
    ObservationFactory(
        indicator=IndicatorFactory(code="population", unit="people-million"),
        subject=subject,
        value=2,
        period="2020",
    )
    ObservationFactory(
        indicator=IndicatorFactory(code="gdp", unit="USD-billion"),
        subject=subject,
        value=100,
        period="2020",
    )
    return subject


def _ratios(subject_keys: list[str]) -> list[dict[str, Any]]:
    with translation.override("en"):
        return ratio_table(compare(subject_keys))


def test_a_count_from_the_same_table_is_divided_by_population(region: Any) -> None:
    ObservationFactory(
        indicator=IndicatorFactory(code="ipo-count", unit="count"), subject=region, value=10
    )
    [ratio] = _ratios([region.key])
    assert ratio["indicator"] == "ipo-count" and ratio["kind"] == "per_capita"
    assert ratio["value"] == pytest.approx(5.0)  # 10 ÷ 2 million people, per million
    assert ratio["unit"] == "per million people"
    assert ratio["subject_name"] == "Somewhere"  # names, never keys


@pytest.mark.parametrize(
    ("code", "unit"),
    [
        ("startup-share", "percent"),  # a percentage
        ("ecosystem-score", "score"),
        ("ecosystem-rank", "rank"),
        ("average-annual-salary", "USD"),  # an average, not a total
    ],
)
def test_no_ratio_of_percentages_scores_ranks_or_averages(
    region: Any, code: str, unit: str
) -> None:
    ObservationFactory(indicator=IndicatorFactory(code=code, unit=unit), subject=region, value=30)
    assert _ratios([region.key]) == []


def test_no_ratio_of_the_platforms_own_pipeline_counts(region: Any) -> None:
    # What `match pipeline --record` writes: a count of introductions, sourced to the platform.
    ObservationFactory(
        indicator=IndicatorFactory(code="matching-introductions-requested", unit="count"),
        subject=region,
        value=12,
        period="2026",
        source="biocommunity matching pipeline, counted 2026-12-01",
    )
    assert _ratios([region.key]) == []


def test_no_ratio_of_a_missing_value_and_a_lower_bound_stays_a_lower_bound(region: Any) -> None:
    ObservationFactory(
        indicator=IndicatorFactory(code="biotech-startup-count", unit="count"),
        subject=region,
        value=None,
        value_kind="missing",
    )
    ObservationFactory(
        indicator=IndicatorFactory(code="biotech-company-count", unit="count"),
        subject=region,
        value=400,
        value_kind="lower_bound",
    )
    [ratio] = _ratios([region.key])
    assert ratio["indicator"] == "biotech-company-count"
    assert ratio["value_kind"] == "lower_bound"


def test_gtb_has_one_sales_row_and_no_ratio_of_sales_or_of_the_pipeline(gtb: Any) -> None:
    """Reproduces the compare page on the GTB dataset: member companies' sales appeared twice
    (参考5 in million yen and 参考10-13's rounded '103 trillion yen'), each with a per-capita
    ratio, though the companies' worldwide sales are not produced by the region's people."""
    result = compare(["gtb"])
    [sales] = [row for row in result["indicators"] if row["code"] == "member-company-sales"]
    [value] = sales["values"]["gtb"]
    assert value["value"] == 103178232 and value["unit"] == "JPY-million"
    assert value["restated"] == [
        {
            "value": 103,
            "unit": "JPY-trillion",
            "period": "2020",
            "source": "001 参考10-13 KPIと社会的課題解決との関係",
        }
    ]
    assert "参考5" in value["source"] and "参考10-13" in value["source"]
    ratios = ratio_table(result)
    assert not [r for r in ratios if r["indicator"] == "member-company-sales"]
    pairs = [(r["indicator"], r["subject"], r["kind"]) for r in ratios]
    assert len(pairs) == len(set(pairs))  # one ratio per indicator, region and denominator
    assert ("ipo-count", "gtb", "per_capita") in pairs


def test_different_figures_are_not_merged(region: Any) -> None:
    indicator = IndicatorFactory(code="drug-pipeline-count", unit="count")
    ObservationFactory(indicator=indicator, subject=region, value=455, period="2020")
    ObservationFactory(indicator=indicator, subject=region, value=460, period="")
    ObservationFactory(indicator=indicator, subject=region, value=455, period="2021")
    [row] = [r for r in compare([region.key])["indicators"] if r["code"] == indicator.code]
    assert [v["value"] for v in row["values"][region.key]] == [460, 455, 455]


def test_charts_name_regions_and_say_missing_instead_of_drawing_zero(gtb: Any) -> None:
    with translation.override("en"):
        charts = bar_charts(compare(["gtb", "massachusetts", "greater-london"]))
    by_code = {c["code"]: c for c in charts}
    rd = by_code["bio-industry-rd-employment"]  # only Massachusetts prints a figure
    assert rd["labels"] == [
        "Greater Tokyo Biocommunity (Tokyo area)",
        "Massachusetts",
        "Greater London",
    ]
    assert rd["values"] == [None, 46000, None]
    assert rd["text"] == ["not given", "46,000", "not given"]
    sales = by_code["member-company-sales"]  # no figure at all outside GTB
    assert sales["text"][1:] == ["no figure", "no figure"]
    assert by_code["bio-industry-employment"]["text"][0] == "≥ 347,000"
    # Salaries in yen, dollars and pounds share no axis without a rate: table only.
    assert "average-annual-salary" not in by_code
    assert all(0 not in c["values"] for c in charts)


def test_exports_leave_a_missing_value_empty_and_say_so(gtb: Any) -> None:
    result = compare(["gtb", "massachusetts"], ["bio-industry-rd-employment"])
    rows = list(csv.DictReader(io.StringIO(export_comparison(result, "csv").decode("utf-8-sig"))))
    gtb_row = next(r for r in rows if r["subject"] == "gtb")
    assert gtb_row["value"] == "" and gtb_row["value_kind"] == "missing"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export_comparison(result, "xlsx"))).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    values = {
        r[header.index("subject")]: (r[header.index("value")], r[header.index("value_kind")])
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert values["gtb"] == (None, "missing") and values["massachusetts"] == (46000, "exact")


def test_compare_page_cites_pipeline_counts_readably_and_divides_none(
    gtb: Any, client: Any
) -> None:
    from biocommunity.indicators.models import Subject

    ObservationFactory(
        indicator=IndicatorFactory(code="matching-introductions-requested", unit="count"),
        subject=Subject.objects.get(key="gtb"),
        value=12,
        period="2026",
        source="biocommunity matching pipeline, counted 2026-12-01",
    )
    content = client.get("/en/figures/compare/").content.decode()
    assert "counted by this platform&#x27;s matching, 2026-12-01" in content
    assert "biocommunity matching pipeline" not in content
    assert 'data-indicator="matching-introductions-requested" data-kind' not in content
