"""The fact sheet printed to PDF by Chromium: one A4 page in each language."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_factsheet_pdf_is_one_page(chromium: str, gtb: Any, tmp_path: Path, language: str) -> None:
    output = tmp_path / f"factsheet-{language}.pdf"
    call_command("factsheet", language=language, output=output, stdout=StringIO())
    data = output.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", data)) == 1
