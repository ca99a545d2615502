"""Side-by-side figures for chosen subjects, every value with unit, period, note and source."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from biocommunity.indicators.models import ExchangeRate, Indicator, Kpi, Observation, Subject
from biocommunity.indicators.services import kpis as kpi_math
from biocommunity.indicators.services.units import IncompatibleUnits, convert


class UnknownSubjects(ValueError):
    def __init__(self, keys: list[str], known: list[str]) -> None:
        super().__init__(
            _("Unknown region(s): %(keys)s. Known: %(known)s.")
            % {"keys": ", ".join(keys), "known": ", ".join(known)}
        )
        self.keys = keys


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def compare(subject_keys: list[str], indicator_codes: list[str] | None = None) -> dict[str, Any]:
    """Every indicator that has a value for any of the subjects, values listed per subject."""
    subjects = {s.key: s for s in Subject.objects.filter(key__in=subject_keys)}
    missing = [k for k in subject_keys if k not in subjects]
    if missing:
        raise UnknownSubjects(missing, sorted(Subject.objects.values_list("key", flat=True)))
    observations = Observation.objects.filter(subject__key__in=subject_keys).select_related(
        "indicator", "subject"
    )
    if indicator_codes:
        observations = observations.filter(indicator__code__in=indicator_codes)
    by_indicator: dict[str, dict[str, list[dict[str, Any]]]] = {}
    indicators: dict[str, Indicator] = {}
    for obs in observations.order_by("indicator_id", "period"):
        indicators[obs.indicator.code] = obs.indicator
        by_indicator.setdefault(obs.indicator.code, {k: [] for k in subject_keys})
        by_indicator[obs.indicator.code][obs.subject.key].append(
            {
                "period": obs.period,
                "value": _number(obs.value),
                "value_kind": obs.value_kind,
                "value_text": obs.value_text,
                "unit": obs.unit or obs.indicator.unit,
                "note_ja": obs.note_ja,
                "note_en": obs.note_en,
                "source": obs.source,
                "as_of": obs.as_of,
            }
        )
    ordered = sorted(indicators.values(), key=lambda i: i.pk)
    return {
        "subjects": [
            {
                "key": k,
                "name_ja": subjects[k].name_ja,
                "name_en": subjects[k].name_en,
                "kind": subjects[k].kind,
            }
            for k in subject_keys
        ],
        "indicators": [
            {
                "code": i.code,
                "name_ja": i.name_ja,
                "name_en": i.name_en,
                "unit": i.unit,
                "factor_group": i.factor_group,
                "higher_is_better": i.higher_is_better,
                "values": by_indicator[i.code],
            }
            for i in ordered
        ],
    }


EXPORT_COLUMNS = [
    "indicator",
    "name_ja",
    "name_en",
    "subject",
    "period",
    "value",
    "value_kind",
    "value_text",
    "unit",
    "note_ja",
    "note_en",
    "source",
    "as_of",
]


def convert_to_yen(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Add ``yen`` to every money value in a foreign currency for which a rate is stated.

    Uses the rate of the value's year when there is one, else the latest rate, and says which;
    returns the rates used so the page can state them.
    """
    rates: dict[str, list[ExchangeRate]] = {}
    for rate in ExchangeRate.objects.all():
        rates.setdefault(rate.currency, []).append(rate)
    used: dict[int, ExchangeRate] = {}
    for row in result["indicators"]:
        for values in row["values"].values():
            for v in values:
                currency = (v["unit"] or "").split("-")[0]
                if v["value"] is None or currency in ("JPY", "") or currency not in rates:
                    continue
                choices = rates[currency]
                rate = next((r for r in choices if r.year == v["period"][:4]), choices[0])
                try:
                    base = convert(Decimal(str(v["value"])), v["unit"], currency)
                except IncompatibleUnits:
                    continue
                yen = base * rate.jpy_per_unit
                v["yen"] = {
                    "value": float(yen / Decimal(100_000_000)),
                    "unit": "JPY-100m",
                    "rate": f"1 {currency} = {rate.jpy_per_unit.normalize()} JPY ({rate.year})",
                }
                used[rate.pk] = rate
    return [
        {
            "currency": r.currency,
            "jpy_per_unit": float(r.jpy_per_unit),
            "year": r.year,
            "source": r.source,
            "note_ja": r.note_ja,
            "note_en": r.note_en,
        }
        for r in used.values()
    ]


def export_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The comparison flattened, one row per value, each with its source and note."""
    rows = []
    for indicator in result["indicators"]:
        for subject, values in indicator["values"].items():
            for v in values:
                rows.append(
                    {
                        "indicator": indicator["code"],
                        "name_ja": indicator["name_ja"],
                        "name_en": indicator["name_en"],
                        "subject": subject,
                        **v,
                    }
                )
    return rows


def export_comparison(result: dict[str, Any], fmt: str) -> bytes:
    import csv
    import io
    import json

    rows = export_rows(result)
    if fmt == "json":
        return json.dumps(result, ensure_ascii=False, indent=1).encode()
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("comparison")
        sheet.append(EXPORT_COLUMNS)
        for row in rows:
            sheet.append(["" if row[c] is None else row[c] for c in EXPORT_COLUMNS])
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    raise ValueError(f"unknown format {fmt!r}: use csv, json or xlsx")


def ratio_table(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Per-capita and per-GDP ratios, computed from the shown values (never stored).

    Only where both figures share a currency (per GDP) or the value is a count or money (per
    capita), and only from the same subject's population/GDP; each ratio names its inputs.
    """
    by_code = {row["code"]: row for row in result["indicators"]}
    ratios = []
    for row in result["indicators"]:
        # Ratios of averages or scores mean nothing; only totals are divided.
        if row["code"] in ("population", "gdp") or "average" in row["code"]:
            continue
        for subject in row["values"]:
            for v in row["values"][subject]:
                if v["value"] is None or v["value_kind"] not in (
                    "exact",
                    "approximate",
                    "lower_bound",
                ):
                    continue
                base = Decimal(str(v["value"]))
                for denominator, label in (("population", "per_capita"), ("gdp", "per_gdp")):
                    den_values = [
                        d
                        for d in by_code.get(denominator, {}).get("values", {}).get(subject, [])
                        if d["value"]
                    ]
                    if not den_values:
                        continue
                    d = den_values[0]
                    try:
                        if label == "per_capita":
                            dim = (v["unit"] or "").split("-")[0]
                            if dim not in ("JPY", "USD", "GBP", "count", "people"):
                                continue
                            people = convert(Decimal(str(d["value"])), d["unit"], "people")
                            if dim in ("count", "people"):
                                ratio = float(base / people * 1_000_000)
                                unit = f"{v['unit']} per million people"
                            else:
                                amount = convert(base, v["unit"], dim)
                                ratio = float(amount / people)
                                unit = f"{dim} per person"
                        else:
                            if (v["unit"] or "").split("-")[0] not in ("JPY", "USD", "GBP"):
                                continue
                            gdp = convert(
                                Decimal(str(d["value"])), d["unit"], d["unit"].split("-")[0]
                            )
                            amount = convert(base, v["unit"], d["unit"].split("-")[0])
                            ratio = float(amount / gdp * 100)
                            unit = "% of GDP"
                    except IncompatibleUnits:
                        continue
                    ratios.append(
                        {
                            "indicator": row["code"],
                            "subject": subject,
                            "kind": label,
                            "value": ratio,
                            "unit": unit,
                            "period": v["period"],
                            "inputs": f"{row['code']} {v['period']} ÷ {denominator} {d['period']}",
                        }
                    )
    return ratios


def kpi_reports() -> list[kpi_math.KpiReport]:
    """Each KPI evaluated against the yearly actuals observed for its indicator and subject."""
    reports = []
    for kpi in Kpi.objects.select_related("indicator", "subject", "goal__plan"):
        actuals: list[tuple[int, float]] = []
        if kpi.indicator_id and kpi.subject_id:
            for obs in Observation.objects.filter(
                indicator=kpi.indicator, subject=kpi.subject, value__isnull=False
            ):
                year = obs.period.removeprefix("FY")
                if not (len(year) == 4 and year.isdigit()) or obs.value is None:
                    continue
                try:
                    value = (
                        convert(obs.value, obs.unit or kpi.unit, kpi.unit)
                        if kpi.unit
                        else obs.value
                    )
                except IncompatibleUnits:
                    continue
                actuals.append((int(year), float(value)))
        baseline = (
            (float(kpi.baseline_value), kpi.baseline_year)
            if kpi.baseline_value is not None and kpi.baseline_year
            else None
        )
        target = (kpi_math.as_float(kpi.target_value), kpi.target_year) if kpi.target_year else None
        band = (
            (float(kpi.band_low), float(kpi.band_high or kpi.band_low))
            if kpi.band_low is not None
            else None
        )
        report = kpi_math.evaluate(
            code=kpi.code,
            name_ja=kpi.name_ja,
            name_en=kpi.name_en,
            unit=kpi.unit,
            baseline=baseline,
            target=target,
            band=band,
            actuals=actuals,
            source=kpi.source,
        )
        if kpi.goal:
            report.goal = {
                "plan": kpi.goal.plan.key,
                "key": kpi.goal.key,
                "name_ja": kpi.goal.name_ja,
                "name_en": kpi.goal.name_en,
            }
        reports.append(report)
    return reports
