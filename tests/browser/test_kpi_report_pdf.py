"""The council's annual KPI report printed to PDF by Chromium, in each language."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_kpi_report_pdf_has_pages(chromium: str, gtb: Any, tmp_path: Path, language: str) -> None:
    output = tmp_path / f"kpi-report-{language}.pdf"
    call_command(
        "kpi", "report", language=language, format="pdf", output=str(output), stdout=StringIO()
    )
    data = output.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 1
