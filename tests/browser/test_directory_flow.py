"""The directory flow a visitor follows, in a real browser."""

from __future__ import annotations

from typing import Any

import pytest

from biocommunity.registry.models import Organization
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_directory_in_japanese_filter_to_kawasaki_open_org_switch_to_english(
    page: Any, live_server: Any, gtb: Any
) -> None:
    page.goto(f"{live_server.url}/ja/directory/")
    assert page.locator("html").get_attribute("lang") == "ja"
    total_before = page.get_by_test_id("result-count").inner_text()

    page.locator("select[name=hub]").select_option("kawasaki")
    page.wait_for_url("**hub=kawasaki**")
    page.wait_for_function(
        "before => document.querySelector('[data-testid=result-count]').innerText !== before",
        arg=total_before,
    )
    screenshot(page, "directory-ja-kawasaki")
    kawasaki_city = Organization.objects.get(key="kawasaki-city")
    link = page.get_by_role("link", name=kawasaki_city.name_ja, exact=True)
    link.click()
    page.wait_for_url("**/ja/organizations/kawasaki-city/")
    assert kawasaki_city.name_ja in page.locator("h1").inner_text()
    screenshot(page, "organization-ja")

    page.locator("a[data-lang=en]").click()
    page.wait_for_url("**/en/organizations/kawasaki-city/")
    assert kawasaki_city.name_en in page.locator("h1").inner_text()
    assert page.locator("html").get_attribute("lang") == "en"
    screenshot(page, "organization-en")


def test_home_page_draws_map_and_charts(page: Any, live_server: Any, gtb: Any) -> None:
    page.goto(f"{live_server.url}/en/")
    page.locator("#chart-kinds").scroll_into_view_if_needed()  # charts load when reached
    page.wait_for_selector("#chart-kinds .main-svg")
    assert page.locator(".map svg circle").count() > 10
    screenshot(page, "home-en")
    page.goto(f"{live_server.url}/ja/")
    page.locator("#chart-hubs").scroll_into_view_if_needed()
    page.wait_for_selector("#chart-hubs .main-svg")
    screenshot(page, "home-ja")
