"""Comparing GTB with Massachusetts in a real browser."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_compare_gtb_with_massachusetts(page: Any, live_server: Any, gtb: Any) -> None:
    page.goto(f"{live_server.url}/en/figures/compare/")
    for box in page.locator("input[name=regions]").all():
        if box.get_attribute("value") not in ("gtb", "massachusetts"):
            box.uncheck()
        else:
            box.check()
    page.click("form.compare-form button[type=submit]")
    page.wait_for_url("**regions=gtb**")
    table = page.get_by_test_id("compare-table")
    headers = table.locator("thead th").all_inner_texts()
    assert any("Massachusetts" in h for h in headers), headers
    assert not any("London" in h for h in headers)
    assert "MassBio" in table.inner_text() or "Massachusetts" in table.inner_text()
    page.wait_for_selector("#bar-charts .main-svg")
    page.wait_for_selector("#radar .main-svg")
    screenshot(page, "compare-en")
    page.locator("a[data-lang=ja]").click()
    page.wait_for_url("**/ja/figures/compare/**")
    page.wait_for_selector("#radar .main-svg")
    screenshot(page, "compare-ja")
