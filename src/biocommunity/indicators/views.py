"""Indicator pages: the comparison of regions, thin over services.compare."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from biocommunity.core import derived
from biocommunity.core.conditional import conditional_page
from biocommunity.core.downloads import TABLE_FORMATS, attachment
from biocommunity.core.imports import import_view
from biocommunity.core.templatetags.bilingual import current_language, pick
from biocommunity.indicators.choices import FactorGroup, SubjectKind
from biocommunity.indicators.models import (
    CompanySales,
    Indicator,
    Plan,
    SalesByIndustry,
    Subject,
)
from biocommunity.indicators.services.compare import (
    UnknownSubjects,
    bar_charts,
    compare,
    convert_to_yen,
    export_comparison,
    kpi_reports,
    ratio_table,
)
from biocommunity.indicators.services.factsheet import (
    PdfUnavailable,
    factsheet_context,
    factsheet_pdf,
    pdf_unavailable_reason,
)
from biocommunity.indicators.services.importing import (
    TEMPLATE_FORMATS,
    import_observations,
    import_template,
    indicator_catalogue,
)
from biocommunity.indicators.services.reports import REPORT_FORMATS, render_report
from biocommunity.indicators.services.reports import chart_data as kpi_chart_data
from biocommunity.indicators.services.sales import aggregate_sales
from biocommunity.registry.services import permissions
from biocommunity.registry.services.organizations import default_community

DEFAULT_REGIONS = ["gtb", "massachusetts", "greater-london"]
DEFAULT_ECOSYSTEMS = ["ecosystem-tokyo", "ecosystem-boston", "ecosystem-london"]
RADAR_FACTORS = ["performance", "funding", "knowledge", "talent", "infrastructure", "policy"]


def _keys(request: HttpRequest, name: str, default: list[str]) -> list[str]:
    values = request.GET.getlist(name)
    if len(values) == 1 and "," in values[0]:
        values = values[0].split(",")
    return [v.strip() for v in values if v.strip()] or default


def _compared(subject_keys: list[str], codes: list[str]) -> dict[str, Any]:
    """compare(), kept until figures next change (core.derived): the page is public and
    asked for with the same few selections again and again."""
    return derived.cached(
        "indicators:compare",
        lambda: compare(subject_keys, codes or None),
        ",".join(subject_keys),
        ",".join(codes),
        current_language(),
    )


@conditional_page
def compare_page(request: HttpRequest) -> HttpResponse:
    regions = _keys(request, "regions", DEFAULT_REGIONS)
    ecosystems = _keys(request, "ecosystems", DEFAULT_ECOSYSTEMS)
    codes = _keys(request, "indicators", [])
    errors = []
    try:
        result = _compared(regions, codes)
    except UnknownSubjects as exc:
        errors.append(str(exc))
        regions = [r for r in regions if r not in exc.keys]
        result = _compared(regions, codes)
    try:
        radar = _compared(ecosystems, [f"sg-ls-{f}" for f in RADAR_FACTORS])
    except UnknownSubjects as exc:
        errors.append(str(exc))
        ecosystems = [e for e in ecosystems if e not in exc.keys]
        radar = _compared(ecosystems, [f"sg-ls-{f}" for f in RADAR_FACTORS])
    charts = bar_charts(result)
    radar_data = {
        "factors": [str(FactorGroup(f).label) for f in RADAR_FACTORS],
        "series": [
            {
                "key": s["key"],
                "name": pick(s, "name"),
                "values": [
                    next((v["value"] for v in row["values"][s["key"]]), None)
                    for row in sorted(
                        radar["indicators"], key=lambda r: RADAR_FACTORS.index(r["code"][6:])
                    )
                ],
            }
            for s in radar["subjects"]
        ],
    }
    rates_used = convert_to_yen(result) if request.GET.get("currency") == "JPY" else []
    context = {
        "result": result,
        "currency": request.GET.get("currency", ""),
        "rates_used": rates_used,
        "ratios": ratio_table(result),
        "regions": regions,
        "ecosystems": ecosystems,
        "selected_codes": codes,
        "region_choices": Subject.objects.filter(kind__in=[SubjectKind.REGION, SubjectKind.NATION]),
        "ecosystem_choices": Subject.objects.filter(kind=SubjectKind.ECOSYSTEM),
        "indicator_choices": Indicator.objects.exclude(code__startswith="sg-ls-"),
        "charts": {"bars": charts, "radar": radar_data},
        "errors": errors,
        "query": request.GET.urlencode(),
    }
    return render(request, "indicators/compare.html", context, status=400 if errors else 200)


def compare_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in TABLE_FORMATS:
        raise Http404
    try:
        result = compare(
            _keys(request, "regions", DEFAULT_REGIONS), _keys(request, "indicators", []) or None
        )
    except UnknownSubjects as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    return attachment(export_comparison(result, fmt), f"comparison.{fmt}")


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    permissions.require_secretariat(request.user)
    catalogue = indicator_catalogue(current_language())
    return import_view(
        request, import_observations, "indicators/import.html", {"indicators": catalogue}
    )


@login_required
def import_template_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The import's columns with an example row, as CSV or XLSX (secretariat only)."""
    permissions.require_secretariat(request.user)
    if fmt not in TEMPLATE_FORMATS:
        raise Http404
    return attachment(import_template(fmt, current_language()), f"observations-template.{fmt}")


@conditional_page
def factsheet_page(request: HttpRequest) -> HttpResponse:
    community = default_community()
    if community is None:
        raise Http404(_("No community has been loaded yet."))
    return render(request, "indicators/factsheet.html", factsheet_context(community))


def factsheet_pdf_download(request: HttpRequest) -> HttpResponse:
    community = default_community()
    if community is None:
        raise Http404
    language = current_language()
    try:
        pdf = factsheet_pdf(community, language)
    except PdfUnavailable as exc:
        # The fact sheet itself, saying what the server lacks: a reader can still print it.
        context = {**factsheet_context(community), "pdf_problem": str(exc)}
        return render(request, "indicators/factsheet.html", context, status=503)
    return attachment(pdf, f"{community.key}-factsheet-{language}.pdf")


@conditional_page
def sales_page(request: HttpRequest) -> HttpResponse:
    shipped: dict[str, list[SalesByIndustry]] = {}
    for row in SalesByIndustry.objects.all():
        shipped.setdefault(row.scope, []).append(row)
    computed = aggregate_sales() if CompanySales.objects.exists() else None
    return render(
        request, "indicators/sales.html", {"shipped": list(shipped.items()), "computed": computed}
    )


def _kpis_and_charts() -> tuple[Any, Any]:
    """Each KPI's progress and the chart data, derived once per generation, language and day."""
    reports = kpi_reports()
    return reports, kpi_chart_data(reports)


@conditional_page
def kpi_page(request: HttpRequest, pdf_failed: str = "") -> HttpResponse:
    """The KPIs with their charts; says before anyone clicks when the PDF cannot be made."""
    plans = Plan.objects.prefetch_related("goals__kpis")
    reports, charts = derived.cached(
        "indicators:kpis", _kpis_and_charts, current_language(), date.today().isoformat()
    )
    context = {
        "reports": reports,
        "plans": plans,
        "charts": charts,
        "pdf_problem": pdf_failed or pdf_unavailable_reason(),
    }
    return render(request, "indicators/kpis.html", context, status=503 if pdf_failed else 200)


def kpi_report_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The council's annual KPI report in the page's language; without a PDF printer the KPI
    page says what to install (the XLSX stays available)."""
    if fmt not in REPORT_FORMATS:
        raise Http404
    language = current_language()
    try:
        body = render_report(language, fmt)
    except PdfUnavailable as exc:
        return kpi_page(request, pdf_failed=str(exc))
    return attachment(body, f"kpi-report-{language}.{fmt}")
