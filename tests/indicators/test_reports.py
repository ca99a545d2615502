"""The council's annual KPI report (XLSX read back, CLI, page download) and the KPI chart."""

from __future__ import annotations

import json
import re
from io import BytesIO, StringIO
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from openpyxl import load_workbook

from biocommunity.indicators import views
from biocommunity.indicators.models import Indicator, Kpi, Observation, Subject
from biocommunity.indicators.services import factsheet, reports
from tests.conftest import assert_status

pytestmark = pytest.mark.django_db


def _sheets(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    workbook = load_workbook(BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}


def _add_actual(year: int, value: float, source: str = "004 【参考】 sales survey") -> None:
    Observation.objects.create(
        indicator=Indicator.objects.get(code="member-company-sales"),
        subject=Subject.objects.get(key="gtb"),
        period=str(year),
        value=value,
        unit="JPY-trillion",
        source=source,
        as_of=str(year + 1),
    )


@pytest.mark.parametrize(
    ("language", "name", "status", "rule"),
    [
        ("en", "Total sales of the member companies", "too early to tell", "after the baseline"),
        ("ja", "バイオ産業関連5団体に加盟する企業の売り上げ合計", "判定には早い", "基準年より後"),
    ],
)
def test_xlsx_report_reads_back_with_every_kpi_path_status_rule_and_citation(
    gtb: Any, language: str, name: str, status: str, rule: str
) -> None:
    sheets = _sheets(reports.report_xlsx(language))
    summary, path, sources = list(sheets.values())[:3]
    _header, *rows = summary
    assert len(rows) == Kpi.objects.count()
    top = next(r for r in rows if str(r[0]).startswith(name))
    assert (top[3], top[4], top[5], top[6]) == (103, 2020, 147, 2030)
    assert top[8] == pytest.approx((147 / 103) ** 0.1 - 1)
    assert top[12] == status and rule in top[13]
    # Readable citations: the document's title, not the file number alone.
    assert "GTB" in top[15] and not top[15].startswith("001")
    years = [r[1] for r in path[1:] if str(r[0]).startswith(name)]
    assert years == list(range(2020, 2031))
    expected_2030 = next(r[2] for r in path[1:] if str(r[0]).startswith(name) and r[1] == 2030)
    assert expected_2030 == pytest.approx(147)
    files = {r[1] for r in sources[1:]}
    assert "001_130d63ee7e402643.txt" in files


def test_an_actual_after_the_baseline_is_in_the_report_with_its_status_and_source(
    gtb: Any,
) -> None:
    _add_actual(2022, 100.0)  # expected 110.6: off track
    sheets = _sheets(reports.report_xlsx("en"))
    summary, path = list(sheets.values())[:2]
    top = next(r for r in summary[1:] if str(r[0]).startswith("Total sales"))
    assert (top[9], top[10]) == (100, 2022)
    assert top[11] == pytest.approx(103 * (147 / 103) ** 0.2)
    assert top[12] == "off track"
    row_2022 = next(r for r in path[1:] if str(r[0]).startswith("Total sales") and r[1] == 2022)
    assert row_2022[3] == 100 and row_2022[4] == pytest.approx(100 / top[11])
    assert any("bio policy action plan" in str(r[0]) for r in sheets["Sources"][1:])


def test_report_cells_are_never_formulas(gtb: Any) -> None:
    kpi = Kpi.objects.get(code="ecosystem-ranking")
    kpi.name_en = '=HYPERLINK("http://evil.example")'
    kpi.save()
    workbook = load_workbook(BytesIO(reports.report_xlsx("en")))
    cells = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    # Neutralised as every export is (core/spreadsheets.py): text behind an apostrophe.
    assert any(c.value == "'" + kpi.name_en for c in cells)


def test_cli_writes_xlsx_in_each_language_and_refuses_bad_arguments(
    gtb: Any, tmp_path: Path
) -> None:
    for language in ("ja", "en"):
        output = tmp_path / f"kpi-{language}.xlsx"
        out = StringIO()
        call_command(
            "kpi", "report", language=language, format="xlsx", output=str(output), stdout=out
        )
        assert f"wrote {output}" in out.getvalue()
        assert len(next(iter(_sheets(output.read_bytes()).values()))) == Kpi.objects.count() + 1
    with pytest.raises(CommandError, match="--output"):
        call_command("kpi", "report", format="xlsx", stdout=StringIO())
    with pytest.raises(CommandError, match="pdf or xlsx"):
        call_command("kpi", "report", format="json", output=str(tmp_path / "x"), stdout=StringIO())
    with pytest.raises(CommandError, match="json or table"):
        call_command("kpi", "status", format="pdf", stdout=StringIO())


def test_cli_pdf_without_chromium_says_what_to_install(
    gtb: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BIOCOMMUNITY_CHROMIUM", str(tmp_path / "no-chromium"))
    output = tmp_path / "kpi.pdf"
    with pytest.raises(CommandError, match="BIOCOMMUNITY_CHROMIUM"):
        call_command("kpi", "report", format="pdf", output=str(output), stdout=StringIO())
    assert not output.exists()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_page_offers_the_report_and_downloads_xlsx_in_its_language(
    gtb: Any, client: Client, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As on a server that can print PDFs, whether or not this machine has Chromium.
    monkeypatch.setattr(views, "pdf_unavailable_reason", lambda: "")
    page = client.get(f"/{language}/figures/kpis/")
    assert_status(page, 200)
    content = page.content.decode()
    assert f'href="/{language}/figures/kpis/report.pdf"' in content
    assert f'href="/{language}/figures/kpis/report.xlsx"' in content
    response = client.get(f"/{language}/figures/kpis/report.xlsx")
    assert_status(response, 200)
    assert f'kpi-report-{language}.xlsx"' in response["Content-Disposition"]
    summary = next(iter(_sheets(response.content).values()))
    assert summary[0][0] == "KPI"
    status_label = {"en": "Status", "ja": "状況"}[language]
    assert status_label in summary[0]
    assert client.get(f"/{language}/figures/kpis/report.docx").status_code == 404


def test_page_pdf_download_without_chromium_explains_on_the_page(
    gtb: Any, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BIOCOMMUNITY_CHROMIUM", str(tmp_path / "no-chromium"))
    response = client.get("/en/figures/kpis/report.pdf")
    assert_status(response, 503)
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert 'data-testid="pdf-problem"' in content and "no-chromium" in content
    assert "report.xlsx" in content
    # The page itself says so before anyone clicks, and offers only what works.
    page = client.get("/en/figures/kpis/")
    assert_status(page, 200)
    content = page.content.decode()
    assert "no-chromium" in content and "report.pdf" not in content and "report.xlsx" in content


def test_page_pdf_download_serves_the_printed_report(
    gtb: Any, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    printed: list[str] = []

    def fake_printer(html: str) -> bytes:
        printed.append(html)
        return b"%PDF-1.7 printed"

    monkeypatch.setattr(reports, "html_to_pdf", fake_printer)
    response = client.get("/ja/figures/kpis/report.pdf")
    assert_status(response, 200)
    assert response.content.startswith(b"%PDF") and response["Content-Type"] == "application/pdf"
    assert '<html lang="ja">' in printed[0] and "判定には早い" in printed[0]
    assert factsheet.html_to_pdf is not fake_printer  # the fact sheet printer is untouched


@pytest.mark.parametrize(
    ("language", "title", "rule"),
    [("en", "annual KPI report", "after the baseline year"), ("ja", "KPI年次報告", "基準年")],
)
def test_report_html_has_each_kpi_target_path_status_rule_and_sources(
    gtb: Any, language: str, title: str, rule: str
) -> None:
    html = reports.report_html(language)
    assert title in html and rule in html
    for kpi in Kpi.objects.all():
        assert (kpi.name_en if language == "en" else kpi.name_ja) in html
    assert "147" in html and "2030" in html
    assert "001_130d63ee7e402643.txt" in html  # the file, as a detail of the citation
    assert not re.search(r"<li>001 ", html)  # never the bare file number as the citation


def test_kpi_page_charts_actuals_against_the_expected_path(gtb: Any, client: Client) -> None:
    _add_actual(2022, 112.0)
    content = client.get("/en/figures/kpis/").content.decode()
    assert 'src="/static/indicators/kpis.js"' in content
    assert 'id="kpi-chart-member-company-sales"' in content
    match = re.search(
        r'<script id="kpi-chart-data" type="application/json">(.*?)</script>', content
    )
    assert match is not None
    charts = {c["code"]: c for c in json.loads(match.group(1))}
    top = charts["member-company-sales"]
    assert top["years"] == list(range(2020, 2031))
    assert top["expected"][-1] == pytest.approx(147)
    assert top["actual"][0] == 103 and top["actual"][2] == 112 and top["actual"][1] is None
    assert top["labels"]["expected"] == "Expected path" and top["unit"] == "trillion yen"
    # No actuals and no path: nothing to draw, the card says "no actual yet" instead.
    assert "large-joint-research-projects" not in charts
    assert "on track" in content and 'data-status="on_track"' in content


def test_kpi_page_states_the_baseline_rule_in_both_languages(gtb: Any, client: Client) -> None:
    en = client.get("/en/figures/kpis/").content.decode()
    assert "the baseline alone cannot show progress" in en
    ja = client.get("/ja/figures/kpis/").content.decode()
    assert "基準年より後" in ja and "判定には早い" in ja


def test_printed_chart_puts_the_path_and_actuals_on_one_scale(gtb: Any) -> None:
    _add_actual(2022, 112.0)
    item = next(i for i in reports.report_items("en") if i.code == "member-company-sales")
    chart = item.chart
    assert chart is not None
    expected = [tuple(map(float, p.split(","))) for p in chart["expected"].split()]
    assert len(expected) == 11  # 2020 … 2030
    assert expected[0][0] == chart["left"] and expected[-1][0] == chart["right"]
    # Growing path: each later year is drawn higher (smaller y), all above the zero line.
    assert all(b[1] < a[1] < chart["base"] for a, b in pairwise(expected))
    assert [p["x"] for p in chart["points"]] == [expected[0][0], expected[2][0]]
    # 112 is above the 2022 path value 110.6, so its point is drawn higher than the path's.
    assert chart["points"][1]["y"] < expected[2][1]
    html = reports.report_html("en")
    assert html.count('data-testid="report-chart"') == 1  # only the KPI with a path or actuals
    band = next(i for i in reports.report_items("en") if i.code == "large-joint-research-projects")
    assert band.chart is None
