"""Side-by-side figures for chosen subjects, every value with unit, period, note and source."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from biocommunity.indicators.models import Indicator, Kpi, Observation, Subject
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


def kpi_reports() -> list[kpi_math.KpiReport]:
    """Each KPI evaluated against the yearly actuals observed for its indicator and subject."""
    reports = []
    for kpi in Kpi.objects.select_related("indicator", "subject"):
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
        reports.append(
            kpi_math.evaluate(
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
        )
    return reports
