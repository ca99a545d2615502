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
    # Axes name the regions, never their keys; a region without a figure says so, no bar.
    rd = page.locator('#bar-charts [data-indicator="bio-industry-rd-employment"]')
    ticks = [t.text_content() for t in rd.locator(".xtick text").all()]
    assert "Massachusetts" in ticks and "massachusetts" not in ticks, ticks
    assert "not given" in [t.text_content() for t in rd.locator(".annotation-text").all()]
    assert page.locator('#bar-charts [data-indicator="average-annual-salary"]').count() == 0
    assert "Performance" in (page.locator("#radar").text_content() or "")
    screenshot(page, "compare-en")
    page.locator("a[data-lang=ja]").click()
    page.wait_for_url("**/ja/figures/compare/**")
    page.wait_for_selector("#radar .main-svg")
    rd = page.locator('#bar-charts [data-indicator="bio-industry-rd-employment"]')
    assert "記載なし" in [t.text_content() for t in rd.locator(".annotation-text").all()]
    screenshot(page, "compare-ja")
