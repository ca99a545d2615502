"""KPI arithmetic: required growth, expected path, status against the path, forecast.

Rules (stated on every report):
- growth KPI (baseline and target): required annual growth g = (target / baseline)^(1 / years) − 1;
  the expected value for year y is baseline × (1 + g)^(y − baseline year).
  Status of the latest actual A against its year's expected value E: on track when A ≥ E,
  at risk when A ≥ 0.95 E, off track below that. Only an actual for a year after the baseline
  year says anything about progress: the baseline's own actual equals the path by construction,
  so with nothing later the status is "too early" rather than "on track".
- band KPI (so many a year): on track when the latest yearly actual is at least the band's low
  end, at risk when it is at least 80 % of it, off track below.
- forecast: with three or more actuals, a log-linear least-squares trend carried to the target
  year, with a 95 % prediction interval (Student's t with n − 2 degrees of freedom).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

AT_RISK_SHARE = 0.95
BAND_AT_RISK_SHARE = 0.8
# Two-sided 95 % Student's t critical values by degrees of freedom.
T_95 = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    5: 2.571,
    6: 2.447,
    7: 2.365,
    8: 2.306,
    9: 2.262,
    10: 2.228,
    12: 2.179,
    15: 2.131,
    20: 2.086,
    25: 2.060,
    30: 2.042,
}
GROWTH_RULE = gettext_noop(
    "judged only from an actual for a year after the baseline year (until then: too early to "
    "tell); on track when the latest actual is at least the expected value for its year; at risk "
    "when it is at least 95 percent of it; off track below that"
)
BAND_RULE = gettext_noop(
    "on track when the latest yearly actual reaches the band's low end; at risk from 80 percent of "
    "it; off track below that"
)


def t_critical(df: int) -> float:
    if df <= 0:
        raise ValueError("a prediction interval needs at least three actuals")
    known = [d for d in sorted(T_95) if d <= df]
    return T_95[known[-1]] if df <= 30 else 1.96


def required_annual_growth(
    baseline: float, baseline_year: int, target: float, target_year: int
) -> float:
    if target_year <= baseline_year:
        raise ValueError("the target year must come after the baseline year")
    if baseline <= 0 or target <= 0:
        raise ValueError("growth rates need positive baseline and target")
    return float((target / baseline) ** (1 / (target_year - baseline_year)) - 1)


def expected_value(baseline: float, baseline_year: int, growth: float, year: int) -> float:
    return float(baseline * (1 + growth) ** (year - baseline_year))


@dataclass
class Forecast:
    year: int
    value: float
    low: float
    high: float
    method: str = "log-linear least squares, 95% prediction interval"


def forecast(actuals: list[tuple[int, float]], year: int) -> Forecast | None:
    """Trend of the actuals carried to ``year``; None with fewer than three positive actuals."""
    points = [(y, v) for y, v in actuals if v > 0]
    n = len(points)
    if n < 3:
        return None
    xs = [float(y) for y, _v in points]
    ys = [math.log(v) for _y, v in points]
    x_mean, y_mean = sum(xs) / n, sum(ys) / n
    sxx = sum((x - x_mean) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = y_mean - slope * x_mean
    residuals = [y - (intercept + slope * x) for x, y in zip(xs, ys, strict=True)]
    s = math.sqrt(sum(r * r for r in residuals) / (n - 2)) if n > 2 else 0.0
    centre = intercept + slope * year
    half = t_critical(n - 2) * s * math.sqrt(1 + 1 / n + (year - x_mean) ** 2 / sxx)
    return Forecast(
        year=year, value=math.exp(centre), low=math.exp(centre - half), high=math.exp(centre + half)
    )


@dataclass
class KpiReport:
    code: str
    name_ja: str
    name_en: str
    unit: str
    baseline: dict[str, Any] | None
    target: dict[str, Any] | None
    band: dict[str, Any] | None
    required_annual_growth: float | None
    expected: dict[int, float] = field(default_factory=dict)
    actuals: list[dict[str, Any]] = field(default_factory=list)
    latest: dict[str, Any] | None = None
    status: str = "no_target"
    rule: str = ""
    forecast: dict[str, Any] | None = None
    source: str = ""
    goal: dict[str, str] | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["expected"] = {str(y): v for y, v in self.expected.items()}
        return data


def evaluate(
    *,
    code: str,
    name_ja: str = "",
    name_en: str = "",
    unit: str = "",
    baseline: tuple[float, int] | None = None,
    target: tuple[float | None, int | None] | None = None,
    band: tuple[float, float] | None = None,
    actuals: list[tuple[int, float]] | None = None,
    source: str = "",
) -> KpiReport:
    """Everything a KPI report says, from plain numbers (the database is not needed here)."""
    actuals = sorted(actuals or [])
    report = KpiReport(
        code=code,
        name_ja=name_ja,
        name_en=name_en,
        unit=unit,
        baseline={"value": baseline[0], "year": baseline[1]} if baseline else None,
        target={"value": target[0], "year": target[1]} if target else None,
        band={"low": band[0], "high": band[1]} if band else None,
        required_annual_growth=None,
        actuals=[{"year": y, "value": v} for y, v in actuals],
        source=source,
    )
    target_value, target_year = target if target else (None, None)
    if baseline and target_value is not None and target_year is not None:
        growth = required_annual_growth(baseline[0], baseline[1], target_value, target_year)
        report.required_annual_growth = growth
        report.expected = {
            y: expected_value(baseline[0], baseline[1], growth, y)
            for y in range(baseline[1], target_year + 1)
        }
        report.rule = GROWTH_RULE
        # The baseline year's actual is the path's starting point, so it cannot show progress.
        later = [(y, v) for y, v in actuals if y > baseline[1]]
        if later:
            year, value = later[-1]
            expected = expected_value(baseline[0], baseline[1], growth, year)
            ratio = value / expected
            report.latest = {"year": year, "value": value, "expected": expected, "ratio": ratio}
            report.status = (
                "on_track" if ratio >= 1 else "at_risk" if ratio >= AT_RISK_SHARE else "off_track"
            )
        elif actuals:
            year, value = actuals[-1]
            report.latest = {"year": year, "value": value}
            report.status = "too_early"
        else:
            report.status = "no_data"
    elif band:
        report.rule = BAND_RULE
        if actuals:
            year, value = actuals[-1]
            report.latest = {
                "year": year,
                "value": value,
                "band_low": band[0],
                "band_high": band[1],
            }
            report.status = (
                "on_track"
                if value >= band[0]
                else "at_risk"
                if value >= BAND_AT_RISK_SHARE * band[0]
                else "off_track"
            )
        else:
            report.status = "no_data"
    horizon = target_year or (actuals[-1][0] + 1 if actuals else None)
    if horizon is not None:
        result = forecast(actuals, horizon)
        report.forecast = asdict(result) if result else None
    return report


def as_float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)
