"""A file over an import limit is refused at once on the import page, in both languages."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.core.test_spreadsheets import _wide_csv
from tests.factories import secretariat_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ja", "取り込みで読むのは 200 列までです"), ("en", "an import reads at most 200")],
)
def test_wide_csv_is_refused_on_the_page(
    page: Any, live_server: Any, tmp_path: Path, language: str, expected: str
) -> None:
    user = secretariat_user()
    base = live_server.url
    log_in(page, base, user.username, language=language)
    page.goto(f"{base}/{language}/secretariat/import/")
    path = tmp_path / "wide.csv"
    path.write_bytes(_wide_csv())
    page.set_input_files("input[type=file]", str(path))
    start = time.monotonic()
    page.locator("form.form button[type=submit], form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert time.monotonic() - start < 10.0
    body = page.inner_text("main")
    assert expected in body and "BIOCOMMUNITY_IMPORT_MAX_COLUMNS" in body
    screenshot(page, f"import-limit-{language}")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, f"import-limit-{language}-375")
