"""Side-by-side figures for chosen subjects, every value with unit, period, note and source."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from biocommunity.core.templatetags.bilingual import pick
from biocommunity.indicators.choices import Unit, ValueKind
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
    for values_by_subject in by_indicator.values():
        for key, values in values_by_subject.items():
            values_by_subject[key] = _without_restatements(values)
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


def _digits_shown(value: Any) -> int:
    """The exponent of the last digit printed (103 → 0, 95.1 → -1; 460 → 0: a whole number's
    trailing zeros are taken as printed digits, so 455 is never a restatement of 460)."""
    exponent = Decimal(str(value)).as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def _restates(rough: dict[str, Any], precise: dict[str, Any]) -> bool:
    """True when ``rough`` is ``precise`` printed again, rounded (same quantity and period).

    GTB's member-company sales appear as 103,178,232 million yen (参考5) and as "103 trillion
    yen as of 2020" (参考10-13): one figure, which a table must not show as two rows.
    """
    if rough["value"] is None or precise["value"] is None:
        return False
    if rough["value_kind"] != precise["value_kind"]:
        return False
    if rough["period"] and precise["period"] and rough["period"] != precise["period"]:
        return False
    try:
        in_rough_unit = convert(Decimal(str(precise["value"])), precise["unit"], rough["unit"])
        step = Decimal(1).scaleb(_digits_shown(rough["value"]))
        rounded = in_rough_unit.quantize(step, rounding=ROUND_HALF_UP)
    except (IncompatibleUnits, InvalidOperation):
        return False
    return rounded == Decimal(str(rough["value"]))


def _without_restatements(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per figure: a value printed again elsewhere, rounded, joins the precise one.

    The precise value is kept, with the rounded one under ``restated`` (value, unit, period,
    source) and both sources in ``source``; a period only the rounded one states is taken over.
    """
    kept: list[dict[str, Any]] = []
    for value in values:
        for index, other in enumerate(kept):
            if _restates(value, other):
                precise, rough = other, value
            elif _restates(other, value):
                precise, rough = value, other
            else:
                continue
            merged = dict(precise)
            merged["period"] = precise["period"] or rough["period"]
            merged["restated"] = [
                *precise.get("restated", []),
                *rough.get("restated", []),
                {k: rough[k] for k in ("value", "unit", "period", "source")},
            ]
            sources = [p.strip() for p in precise["source"].split("|") if p.strip()]
            sources += [
                p.strip()
                for p in rough["source"].split("|")
                if p.strip() and p.strip() not in sources
            ]
            merged["source"] = " | ".join(sources)
            kept[index] = merged
            break
        else:
            kept.append(value)
    return kept


def _first_figure(values: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((v for v in values if v["value"] is not None and v["value_kind"] in NUMERIC), None)


NUMERIC = {ValueKind.EXACT, ValueKind.APPROXIMATE, ValueKind.LOWER_BOUND, ValueKind.UPPER_BOUND}
BOUND_MARKS = {
    ValueKind.LOWER_BOUND: "≥ ",
    ValueKind.UPPER_BOUND: "< ",
    ValueKind.APPROXIMATE: "≈ ",
}


def bar_charts(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One bar chart per indicator with a figure: regions by name, missing ones said so.

    A region without a figure gets no bar and the words "not given" (its source leaves the cell
    empty) or "no figure" (no source has one): a bare gap reads as zero. A bound or an
    approximate value keeps its mark (≥, <, ≈). Figures in currencies that cannot be put on one
    axis without a rate are compared in the table only, not drawn as bars of one chart.
    """
    not_given, no_figure = str(ValueKind.MISSING.label), _("no figure")
    charts = []
    for row in result["indicators"]:
        figures = [_first_figure(row["values"][s["key"]]) for s in result["subjects"]]
        if not any(figures):
            continue
        unit = row["unit"] or next(f["unit"] for f in figures if f)
        values = [_in_unit(f, unit) for f in figures]
        if any(f is not None and v is None for f, v in zip(figures, values, strict=True)):
            continue
        charts.append(
            {
                "code": row["code"],
                "title": f"{pick(row, 'name')} ({_unit_name(unit)})",
                "labels": [pick(s, "name") for s in result["subjects"]],
                "values": values,
                "text": [
                    f"{BOUND_MARKS.get(f['value_kind'], '')}{_plain(v)}"
                    if f is not None and v is not None
                    else (not_given if row["values"][s["key"]] else no_figure)
                    for f, v, s in zip(figures, values, result["subjects"], strict=True)
                ],
            }
        )
    return charts


def convert_or_none(value: dict[str, Any], unit: str) -> Decimal | None:
    """``value`` in ``unit``, or None when it is missing or cannot be converted."""
    if value["value"] is None:
        return None
    try:
        return convert(Decimal(str(value["value"])), value["unit"], unit)
    except (IncompatibleUnits, InvalidOperation):
        return None


def _plain(number: float) -> str:
    """1234567.0 → "1,234,567"; 0.3300 → "0.33" (no exponent, at most two decimals)."""
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _in_unit(figure: dict[str, Any] | None, unit: str) -> float | None:
    """The figure in the chart's unit; None when it is missing or in another currency."""
    if figure is None:
        return None
    converted = convert_or_none(figure, unit)
    return None if converted is None else float(converted)


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
    "also_printed_as",
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
    """The comparison flattened, one row per figure, each with its source and note.

    A missing figure keeps its row with an empty value and ``value_kind`` "missing" (never 0);
    a figure printed twice is one row, the rounded restatement in ``also_printed_as``.
    """
    rows = []
    for indicator in result["indicators"]:
        for subject, values in indicator["values"].items():
            for v in values:
                row = {k: v[k] for k in EXPORT_COLUMNS if k in v}
                row.update(
                    indicator=indicator["code"],
                    name_ja=indicator["name_ja"],
                    name_en=indicator["name_en"],
                    subject=subject,
                    also_printed_as="; ".join(
                        f"{r['value']} {r['unit']}"
                        + (f" ({r['period']})" if r["period"] else "")
                        + f" [{r['source']}]"
                        for r in v.get("restated", [])
                    ),
                )
                rows.append(row)
    return rows


def export_comparison(result: dict[str, Any], fmt: str) -> bytes:
    import csv
    import io
    import json

    from biocommunity.core.spreadsheets import append_xlsx, neutralise

    rows = export_rows(result)
    if fmt == "json":
        return json.dumps(result, ensure_ascii=False, indent=1).encode()
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({k: neutralise(v) for k, v in row.items()} for row in rows)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("comparison")
        sheet.append(EXPORT_COLUMNS)
        for row in rows:
            append_xlsx(sheet, [row[c] for c in EXPORT_COLUMNS])
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    raise ValueError(f"unknown format {fmt!r}: use csv, json or xlsx")


# Ratios divide a region's totals by its population or GDP. Only counts, people and money are
# totals; averages, percentages, scores and ranks are not, and dividing them means nothing.
RATIO_DIMENSIONS = {"count", "people", "JPY", "USD", "GBP"}
RATIO_VALUE_KINDS = {ValueKind.EXACT, ValueKind.APPROXIMATE, ValueKind.LOWER_BOUND}
NOT_TOTALS = ("average", "median", "mean", "share", "rate", "per-")
DENOMINATORS = ("population", "gdp")


def _parts(source: str) -> set[str]:
    return {part.strip() for part in source.split("|") if part.strip()}


def _dimension(unit: str) -> str:
    return (unit or "").split("-")[0]


def _unit_name(unit: str) -> str:
    try:
        return str(Unit(unit).label)
    except ValueError:
        return unit


def _ratio(value: dict[str, Any], denominator: dict[str, Any], kind: str) -> tuple[float, str]:
    """The ratio and its unit's name; raises IncompatibleUnits when it cannot be formed."""
    base = Decimal(str(value["value"]))
    dim = _dimension(value["unit"])
    if kind == "per_capita":
        people = convert(Decimal(str(denominator["value"])), denominator["unit"], "people")
        per_million = float(base / people * 1_000_000)
        if dim == "count":
            return per_million, _("per million people")
        if dim == "people":
            return per_million, _("people per million people")
        amount = convert(base, value["unit"], dim)
        return float(amount / people), _("%(unit)s per person") % {"unit": _unit_name(dim)}
    if dim not in ("JPY", "USD", "GBP"):
        raise IncompatibleUnits(f"{value['unit']} is not money")
    currency = _dimension(denominator["unit"])
    gdp = convert(Decimal(str(denominator["value"])), denominator["unit"], currency)
    amount = convert(base, value["unit"], currency)
    return float(amount / gdp * 100), _("percent of GDP")


def ratio_table(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Per-capita and per-GDP ratios, computed from the shown values (never stored).

    A ratio is formed only where it means something: the value is a total (a count, people or
    money; not an average, a percentage, a score or a rank), it is a figure and not a missing
    cell, and it comes from the same published table as the region's population or GDP, so the
    region is defined the same way on both sides. That leaves out figures counted by the
    platform itself (the matching pipeline) and figures such as member companies' sales, which
    are not produced by the region's population. One ratio per indicator, region and
    denominator: the first figure shown; a lower bound gives a lower bound.
    """
    by_code = {row["code"]: row for row in result["indicators"]}
    names = {s["key"]: s for s in result["subjects"]}
    ratios = []
    for row in result["indicators"]:
        if row["code"] in DENOMINATORS or any(word in row["code"] for word in NOT_TOTALS):
            continue
        for subject, values in row["values"].items():
            for denominator_code, kind in (("population", "per_capita"), ("gdp", "per_gdp")):
                denominators = [
                    d
                    for d in by_code.get(denominator_code, {}).get("values", {}).get(subject, [])
                    if d["value"]
                ]
                if not denominators:
                    continue
                d = denominators[0]
                for v in values:
                    if (
                        v["value"] is None
                        or v["value_kind"] not in RATIO_VALUE_KINDS
                        or _dimension(v["unit"]) not in RATIO_DIMENSIONS
                        or not _parts(v["source"]) & _parts(d["source"])
                    ):
                        continue
                    try:
                        ratio, unit = _ratio(v, d, kind)
                    except IncompatibleUnits:
                        continue
                    ratios.append(
                        {
                            "indicator": row["code"],
                            "indicator_name": pick(row, "name"),
                            "subject": subject,
                            "subject_name": pick(names[subject], "name"),
                            "kind": kind,
                            "value": ratio,
                            "value_kind": v["value_kind"],
                            "unit": unit,
                            "period": v["period"],
                            "inputs": _("%(value)s (%(period)s) ÷ %(denominator)s (%(dperiod)s)")
                            % {
                                "value": pick(row, "name"),
                                "period": v["period"] or "–",
                                "denominator": pick(by_code[denominator_code], "name"),
                                "dperiod": d["period"] or "–",
                            },
                        }
                    )
                    break  # one ratio per indicator, region and denominator
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
