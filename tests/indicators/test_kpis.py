"""KPI arithmetic on plain numbers: growth, expected path, status rules, forecast."""

from __future__ import annotations

import math

import pytest

from biocommunity.indicators.services import kpis


def test_required_growth_for_the_gtb_top_kpi() -> None:
    growth = kpis.required_annual_growth(103, 2020, 147, 2030)
    assert growth == pytest.approx((147 / 103) ** 0.1 - 1)
    assert round(growth * 100, 2) == 3.62
    assert kpis.expected_value(103, 2020, growth, 2030) == pytest.approx(147)
    assert kpis.expected_value(103, 2020, growth, 2025) == pytest.approx(103 * (147 / 103) ** 0.5)


@pytest.mark.parametrize(
    ("ratio", "status"),
    [
        (1.05, "on_track"),
        (1.0, "on_track"),
        (0.97, "at_risk"),
        (0.95, "at_risk"),
        (0.9, "off_track"),
    ],
)
def test_growth_status_rule(ratio: float, status: str) -> None:
    growth = kpis.required_annual_growth(103, 2020, 147, 2030)
    expected_2022 = kpis.expected_value(103, 2020, growth, 2022)
    report = kpis.evaluate(
        code="sales",
        baseline=(103, 2020),
        target=(147, 2030),
        actuals=[(2020, 103.0), (2022, ratio * expected_2022)],
    )
    assert report.status == status
    assert report.latest is not None and report.latest["year"] == 2022
    assert report.latest["ratio"] == pytest.approx(ratio)
    assert "95 percent" in report.rule


def test_the_baseline_actual_alone_is_too_early_to_tell() -> None:
    # The baseline year's actual sits on the path by construction: it cannot show progress.
    report = kpis.evaluate(
        code="sales", baseline=(103, 2020), target=(147, 2030), actuals=[(2020, 103.0)]
    )
    assert report.status == "too_early"
    assert report.latest == {"year": 2020, "value": 103.0}
    assert "after the baseline year" in report.rule
    earlier = kpis.evaluate(
        code="sales", baseline=(103, 2020), target=(147, 2030), actuals=[(2019, 200.0)]
    )
    assert earlier.status == "too_early"


def test_an_actual_after_the_baseline_decides_even_when_the_baseline_is_later_in_the_list() -> None:
    report = kpis.evaluate(
        code="sales",
        baseline=(103, 2020),
        target=(147, 2030),
        actuals=[(2021, 90.0), (2020, 103.0)],
    )
    assert report.status == "off_track"
    assert report.latest is not None and report.latest["year"] == 2021


def test_expected_path_covers_every_year_to_the_target() -> None:
    report = kpis.evaluate(code="sales", baseline=(103, 2020), target=(147, 2030))
    assert list(report.expected) == list(range(2020, 2031))
    assert report.status == "no_data"


@pytest.mark.parametrize(
    ("actual", "status"), [(7, "on_track"), (5, "on_track"), (4, "at_risk"), (3, "off_track")]
)
def test_band_status_rule(actual: int, status: str) -> None:
    report = kpis.evaluate(
        code="joint", band=(5, 10), target=(None, 2030), actuals=[(2023, actual)]
    )
    assert report.status == status


def test_forecast_needs_three_actuals_and_brackets_an_exact_trend() -> None:
    assert kpis.forecast([(2020, 100.0), (2021, 105.0)], 2030) is None
    exact = [(2020 + i, 100 * 1.05**i) for i in range(4)]
    result = kpis.forecast(exact, 2030)
    assert result is not None
    assert result.value == pytest.approx(100 * 1.05**10)
    assert result.low == pytest.approx(result.value) and result.high == pytest.approx(result.value)


def test_forecast_interval_widens_with_noise() -> None:
    noisy = [(2020, 100.0), (2021, 108.0), (2022, 107.0), (2023, 118.0), (2024, 119.0)]
    result = kpis.forecast(noisy, 2030)
    assert result is not None
    assert result.low < result.value < result.high
    slope = math.log(119 / 100) / 4
    assert result.value == pytest.approx(100 * math.exp(slope * 10), rel=0.15)


def test_bad_growth_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        kpis.required_annual_growth(103, 2030, 147, 2020)
    with pytest.raises(ValueError):
        kpis.required_annual_growth(0, 2020, 147, 2030)
