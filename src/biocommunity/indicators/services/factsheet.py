"""The community's one-page fact sheet, as HTML (print CSS) and as PDF through Chromium."""

from __future__ import annotations

import importlib.util
import os
import shutil
from datetime import date
from importlib import resources
from typing import Any

from django.db.models import Count
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext as _

from biocommunity.indicators.models import Observation
from biocommunity.indicators.services.compare import kpi_reports
from biocommunity.registry.choices import OrganizationKind
from biocommunity.registry.models import Classification, Community, HubMembership
from biocommunity.registry.services.players import players

# The 参考4 rows a reader abroad asks about first, in this order.
KEY_INDICATORS = [
    "population",
    "gdp",
    "bio-industry-employment",
    "biotech-company-count",
    "venture-capital-investment",
    "ipo-count",
    "drug-pipeline-count",
    "incubator-count",
    "clinical-trial-count",
]


class PdfUnavailable(RuntimeError):
    """Raised with what to install when the PDF cannot be made on this machine."""


def chromium_path() -> str:
    return os.environ.get("BIOCOMMUNITY_CHROMIUM", "/usr/bin/chromium")


def pdf_unavailable_reason() -> str:
    """What this server lacks to print PDFs (Chromium, Playwright), or "" when nothing.

    Checked without starting a browser, so a page can say so before anyone clicks.
    """
    executable = chromium_path()
    if not (os.path.exists(executable) or shutil.which(executable)):
        return _(
            "Chromium was not found at %(path)s: install Debian's 'chromium' and "
            "'fonts-noto-cjk' packages, or set BIOCOMMUNITY_CHROMIUM to the browser's path."
        ) % {"path": executable}
    if importlib.util.find_spec("playwright") is None:
        return _(
            "Playwright is not installed: install the 'pdf' extra "
            "(pip install 'biocommunity[pdf]'; make demo does this)."
        )
    return ""


def factsheet_context(community: Community) -> dict[str, Any]:
    counted = players(community)  # overseas partners are not the community's players
    kind_counts = dict(
        Classification.objects.filter(organization__in=counted)
        .values_list("kind")
        .annotate(n=Count("organization"))
    )
    observations = {
        o.indicator.code: o
        for o in Observation.objects.filter(
            subject__key=community.key, indicator__code__in=KEY_INDICATORS
        )
        .select_related("indicator")
        .order_by("period")
    }
    figures = [observations[c] for c in KEY_INDICATORS if c in observations]
    kpis = [r for r in kpi_reports() if r.target or r.band]
    cited = [community.source, *(f.source for f in figures), *(k.source for k in kpis)]
    sources = sorted({part.strip() for text in cited for part in text.split("|") if part.strip()})
    return {
        "community": community,
        "total": counted.count(),
        "hubs": community.hubs.annotate(n=Count("memberships__organization", distinct=True)),
        "in_hubs": HubMembership.objects.filter(hub__community=community)
        .values("organization")
        .distinct()
        .count(),
        "by_kind": [
            (str(label), kind_counts[v])
            for v, label in OrganizationKind.choices
            if kind_counts.get(v)
        ],
        "figures": figures,
        "kpis": kpis,
        "sources": sources,
        "generated": date.today().isoformat(),
        "pdf_problem": pdf_unavailable_reason(),
    }


def factsheet_html(community: Community, language: str, *, inline_css: bool = False) -> str:
    """The fact sheet page; with ``inline_css`` it stands alone (for the PDF renderer)."""
    css = ""
    if inline_css:
        css = (
            resources.files("biocommunity.core")
            .joinpath("static/core/site.css")
            .read_text(encoding="utf-8")
        )
    with translation.override(language):
        request = RequestFactory().get(f"/{language}/figures/factsheet/")
        return render_to_string(
            "indicators/factsheet.html",
            {**factsheet_context(community), "inline_css": css, "standalone": inline_css},
            request=request,
        )


def factsheet_pdf(community: Community, language: str) -> bytes:
    """Print the stand-alone fact sheet to A4 with Debian's Chromium."""
    return html_to_pdf(factsheet_html(community, language, inline_css=True))


def html_to_pdf(html: str) -> bytes:
    """Print a stand-alone HTML document to A4 with Debian's Chromium (fonts-noto-cjk for
    Japanese); the fact sheet and the KPI report share it, so both need and say the same."""
    reason = pdf_unavailable_reason()
    if reason:
        raise PdfUnavailable(reason)
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()
            page.set_content(html, wait_until="load")
            pdf: bytes = page.pdf(
                format="A4",
                print_background=True,
                margin={"top": "12mm", "bottom": "12mm", "left": "12mm", "right": "12mm"},
            )
        finally:
            browser.close()
    return pdf
