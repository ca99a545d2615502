"""The council's annual KPI report (XLSX, PDF) and the KPI page's chart data.

Both read :func:`biocommunity.indicators.services.compare.kpi_reports`, so the page, the API,
``biocommunity kpi status`` and the report can never disagree on a status or its rule.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from biocommunity.core.provenance import Citation, cite
from biocommunity.core.templatetags.bilingual import pick
from biocommunity.indicators.choices import KpiStatus, Unit
from biocommunity.indicators.models import Kpi, Observation
from biocommunity.indicators.services.compare import kpi_reports
from biocommunity.indicators.services.factsheet import html_to_pdf
from biocommunity.indicators.services.importing import append_values
from biocommunity.indicators.services.kpis import KpiReport
from biocommunity.registry.services.organizations import default_community

REPORT_FORMATS = ("pdf", "xlsx")
LANGUAGES = ("ja", "en")


def _unit(code: str) -> str:
    try:
        return str(Unit(code).label)
    except ValueError:
        return code


def _status(code: str) -> str:
    try:
        return str(KpiStatus(code).label)
    except ValueError:
        return code


def _citations(sources: list[str], language: str) -> list[Citation]:
    """Readable citations (document title and table, the file as detail), each once."""
    unique: dict[str, Citation] = {}
    for source in sources:
        for citation in cite(source, language):
            unique.setdefault(citation.text, citation)
    return list(unique.values())


@dataclass
class PathRow:
    """One year of a KPI: what the path expects, what was observed, and how they compare."""

    year: int
    expected: float | None = None
    actual: float | None = None
    ratio: float | None = None
    band_low: float | None = None
    band_high: float | None = None


@dataclass
class ReportItem:
    """One KPI as the annual report prints it, in one language."""

    code: str
    name: str
    goal: str
    unit: str
    baseline: dict[str, Any] | None
    target: dict[str, Any] | None
    band: dict[str, Any] | None
    required_annual_growth: float | None
    rows: list[PathRow]
    latest: dict[str, Any] | None
    status: str
    status_label: str
    rule: str
    forecast: dict[str, Any] | None
    note: str
    sources: list[Citation] = field(default_factory=list)
    chart: dict[str, Any] | None = None


# The printed chart's drawing area in SVG user units (the PDF has no JavaScript to run plotly).
CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_BOTTOM = 520.0, 160.0, 44.0, 22.0


def print_chart(rows: list[PathRow]) -> dict[str, Any] | None:
    """Coordinates for a small SVG of the actuals against the expected path (or band) in the
    printed report; None when there is no actual and no path to draw."""
    values = [
        v
        for row in rows
        for v in (row.expected, row.actual, row.band_low, row.band_high)
        if v is not None
    ]
    if not rows or not values or not any(r.actual is not None or r.expected for r in rows):
        return None
    top = max(values) * 1.1 or 1.0
    first, last = rows[0].year, rows[-1].year
    span = max(last - first, 1)
    plot_width = CHART_WIDTH - CHART_LEFT - 8
    plot_height = CHART_HEIGHT - CHART_BOTTOM - 8

    def x(year: int) -> float:
        return round(CHART_LEFT + (year - first) / span * plot_width, 1)

    def y(value: float) -> float:
        return round(8 + plot_height - value / top * plot_height, 1)

    def line(pairs: list[tuple[int, float | None]]) -> str:
        return " ".join(f"{x(year)},{y(v)}" for year, v in pairs if v is not None)

    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "base": y(0),
        "right": CHART_WIDTH - 8,
        "top_label": f"{top:.3g}",
        "top_y": 8,
        "expected": line([(r.year, r.expected) for r in rows]),
        "band_low": line([(r.year, r.band_low) for r in rows]),
        "band_high": line([(r.year, r.band_high) for r in rows]),
        "actual": line([(r.year, r.actual) for r in rows]),
        "points": [{"x": x(r.year), "y": y(r.actual)} for r in rows if r.actual is not None],
        "years": [{"x": x(r.year), "label": r.year} for r in rows],
    }


def _path_rows(report: KpiReport) -> list[PathRow]:
    """The expected path year by year with each year's actual beside it (band KPIs: the band)."""
    actuals = {int(a["year"]): float(a["value"]) for a in report.actuals}
    years = sorted(set(report.expected) | set(actuals))
    rows = []
    for year in years:
        row = PathRow(year=year, actual=actuals.get(year))
        row.expected = report.expected.get(year)
        if row.expected and row.actual is not None:
            row.ratio = row.actual / row.expected
        if report.band:
            row.band_low, row.band_high = report.band["low"], report.band["high"]
        rows.append(row)
    return rows


def _actual_sources(kpis: dict[str, Kpi]) -> dict[str, list[str]]:
    """The sources of the yearly observations each KPI's actuals come from (the periods
    kpi_reports reads: "2021" or "FY2021")."""
    found: dict[str, list[str]] = {}
    for code, kpi in kpis.items():
        if not (kpi.indicator_id and kpi.subject_id):
            continue
        for period, source in Observation.objects.filter(
            indicator_id=kpi.indicator_id, subject_id=kpi.subject_id, value__isnull=False
        ).values_list("period", "source"):
            year = period.removeprefix("FY")
            if len(year) == 4 and year.isdigit() and source:
                found.setdefault(code, []).append(source)
    return found


def report_items(language: str) -> list[ReportItem]:
    """Every KPI with its target, path, actuals, status, rule and sources, in ``language``."""
    with translation.override(language):
        kpis = {k.code: k for k in Kpi.objects.all()}
        observed = _actual_sources(kpis)
        items = []
        for r in kpi_reports():
            kpi = kpis.get(r.code)
            sources = _citations([r.source, *observed.get(r.code, [])], language)
            rows = _path_rows(r)
            items.append(
                ReportItem(
                    code=r.code,
                    name=pick(r.__dict__, "name", language),
                    goal=pick(r.goal, "name", language) if r.goal else "",
                    unit=_unit(r.unit),
                    baseline=r.baseline,
                    target=r.target,
                    band=r.band,
                    required_annual_growth=r.required_annual_growth,
                    rows=rows,
                    chart=print_chart(rows),
                    latest=r.latest,
                    status=r.status,
                    status_label=_status(r.status),
                    rule=_(r.rule) if r.rule else "",
                    forecast=r.forecast,
                    note=pick(kpi, "note", language) if kpi else "",
                    sources=sources,
                )
            )
        return items


def report_context(language: str) -> dict[str, Any]:
    """What the PDF template prints: the community, the date, the KPIs, every source cited."""
    community = default_community()
    items = report_items(language)
    community_name = pick(community, "name", language) if community else ""
    return {
        "language": language,
        "community_name": community_name,
        "items": items,
        "sources": sorted(
            {c.text: c for item in items for c in item.sources}.values(), key=lambda c: c.text
        ),
        "generated": date.today().isoformat(),
    }


def report_xlsx(language: str) -> bytes:
    """The annual report as a workbook: a summary sheet, one row per KPI-year, the sources.

    Every cell is a plain value; strings that look like formulas are stored as text.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    context = report_context(language)
    items: list[ReportItem] = context["items"]
    with translation.override(language):
        workbook = Workbook()
        summary = workbook.active
        assert summary is not None
        summary.title = _("KPIs")[:31]
        headers = [
            _("KPI"),
            _("Goal"),
            _("Unit"),
            _("Baseline"),
            _("Baseline year"),
            _("Target"),
            _("Target year"),
            _("Yearly band"),
            _("Required annual growth"),
            _("Latest actual"),
            _("Year of the latest actual"),
            _("Expected value for that year"),
            _("Status"),
            _("Rule"),
            _("Forecast"),
            _("Sources"),
        ]
        rows: list[list[Any]] = []
        for item in items:
            latest = item.latest or {}
            band = f"{item.band['low']:g}–{item.band['high']:g}" if item.band else None
            forecast = (
                _("%(value)s in %(year)s (95%%: %(low)s–%(high)s)")
                % {
                    "value": f"{item.forecast['value']:.4g}",
                    "year": item.forecast["year"],
                    "low": f"{item.forecast['low']:.4g}",
                    "high": f"{item.forecast['high']:.4g}",
                }
                if item.forecast
                else None
            )
            rows.append(
                [
                    item.name,
                    item.goal,
                    item.unit,
                    (item.baseline or {}).get("value"),
                    (item.baseline or {}).get("year"),
                    (item.target or {}).get("value"),
                    (item.target or {}).get("year"),
                    band,
                    item.required_annual_growth,
                    latest.get("value"),
                    latest.get("year"),
                    latest.get("expected"),
                    item.status_label,
                    item.rule,
                    forecast,
                    "\n".join(c.text for c in item.sources),
                ]
            )
        _write(summary, headers, rows)
        for cells in summary.iter_rows(min_row=2, min_col=9, max_col=12):
            cells[0].number_format = "0.00%"
            cells[3].number_format = "0.00"

        path = workbook.create_sheet(_("Path and actuals")[:31])
        _write(
            path,
            [
                _("KPI"),
                _("Year"),
                _("Expected value"),
                _("Actual"),
                _("Actual ÷ expected"),
                _("Band low"),
                _("Band high"),
                _("Unit"),
            ],
            [
                [
                    item.name,
                    row.year,
                    row.expected,
                    row.actual,
                    row.ratio,
                    row.band_low,
                    row.band_high,
                    item.unit,
                ]
                for item in items
                for row in item.rows
            ],
        )
        # Shown rounded; the cells keep the full value for anyone computing with them.
        for cells in path.iter_rows(min_row=2, min_col=3, max_col=5):
            cells[0].number_format = "0.00"
            cells[2].number_format = "0.0%"
        sources = workbook.create_sheet(_("Sources")[:31])
        _write(
            sources,
            [_("Source"), _("File")],
            [[c.text, c.detail] for c in context["sources"]],
        )
        about = workbook.create_sheet(_("About")[:31])
        _write(
            about,
            [_("Item"), _("Value")],
            [
                [_("Community"), context["community_name"]],
                [_("Made on"), context["generated"]],
                [_("Status rules"), "\n".join(sorted({i.rule for i in items if i.rule}))],
            ],
        )
        for sheet in workbook.worksheets:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write(sheet: Any, headers: list[str], rows: list[list[Any]]) -> None:
    """Append the header and the rows as plain values (never formulas)."""
    for values in [headers, *rows]:
        append_values(sheet, values)


def report_html(language: str) -> str:
    """The report as one stand-alone HTML document (A4 print CSS), for the PDF printer."""
    with translation.override(language):
        return render_to_string("indicators/kpi_report.html", report_context(language))


def report_pdf(language: str) -> bytes:
    """The report printed by Chromium; raises PdfUnavailable (what to install) when it cannot."""
    return html_to_pdf(report_html(language))


def render_report(language: str, fmt: str) -> bytes:
    """The report in ``fmt`` (pdf or xlsx) and ``language`` (ja or en)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}: use ja or en")
    if fmt == "xlsx":
        return report_xlsx(language)
    if fmt == "pdf":
        return report_pdf(language)
    raise ValueError(f"unknown format {fmt!r}: use pdf or xlsx")


def chart_data(reports: list[KpiReport]) -> list[dict[str, Any]]:
    """Per KPI, the series the page's chart draws: expected path, actuals, band, target.

    Labels are translated here (the active language) so the script shows no codes.
    """
    charts = []
    for r in reports:
        rows = _path_rows(r)
        if not rows:  # nothing to draw; the page says "no actual yet"
            continue
        charts.append(
            {
                "code": r.code,
                "unit": _unit(r.unit),
                "years": [row.year for row in rows],
                "expected": [row.expected for row in rows] if r.expected else [],
                "actual": [row.actual for row in rows],
                "band": r.band,
                "target": r.target if r.target and r.target.get("value") is not None else None,
                "labels": {
                    "expected": _("Expected path"),
                    "actual": _("Actual"),
                    "band_low": _("Band low"),
                    "band_high": _("Band high"),
                    "target": _("Target"),
                    "year": _("Year"),
                },
            }
        )
    return charts
