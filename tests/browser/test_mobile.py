"""A phone-sized visitor (375 px): the header folds into a menu opened from the keyboard, the
directory's filters fold away; on a desktop both stay open; home charts load on scroll."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def _words(language: str) -> dict[str, str]:
    with translation.override(language):
        return {
            "menu": gettext("Menu"),
            "directory": gettext("Directory"),
            "filters": gettext("Filters"),
        }


@pytest.mark.parametrize("language", ["ja", "en"])
def test_phone_opens_the_menu_from_the_keyboard_reaches_the_directory_and_filters(
    page: Any, live_server: Any, gtb: Any, language: str
) -> None:
    words = _words(language)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/{language}/")
    directory_link = page.locator("header nav a", has_text=words["directory"])
    menu = page.locator("summary.menu-button")
    assert menu.is_visible() and menu.inner_text().strip() == words["menu"]
    assert not directory_link.is_visible(), "the header's links should be folded at 375 px"
    # No wider than the screen: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    menu.focus()
    page.keyboard.press("Enter")
    assert directory_link.is_visible()
    screenshot(page, f"mobile-menu-{language}")
    page.keyboard.press("Escape")
    assert not directory_link.is_visible()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Space")
    assert directory_link.is_visible()
    directory_link.click()
    page.wait_for_url(f"**/{language}/directory/")

    kind = page.locator("select[name=kind]")
    fold = page.locator(".facets-fold > summary")
    assert fold.is_visible() and fold.inner_text().strip() == words["filters"]
    assert not kind.is_visible(), "the filters should be folded at 375 px"
    fold.click()
    assert kind.is_visible()
    total_before = page.get_by_test_id("result-count").inner_text()
    kind.select_option("cdmo")
    page.wait_for_url("**kind=cdmo**")
    page.wait_for_function(
        "before => document.querySelector('[data-testid=result-count]').innerText !== before",
        arg=total_before,
    )
    # htmx replaced the filters: they stay open, and the summary names the one in force.
    assert page.locator("select[name=kind]").is_visible()
    assert page.locator(".facets-fold > summary .tag").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, f"mobile-directory-{language}")


def test_desktop_shows_links_and_filters_without_the_menu_button(
    page: Any, live_server: Any, gtb: Any
) -> None:
    page.goto(f"{live_server.url}/en/directory/")
    assert not page.locator("summary.menu-button").is_visible()
    assert page.locator("header nav a", has_text="Directory").is_visible()
    assert not page.locator(".facets-fold > summary").is_visible()
    assert page.locator("select[name=hub]").is_visible()


def test_home_loads_the_chart_bundle_only_when_the_charts_are_reached(
    page: Any, live_server: Any, gtb: Any
) -> None:
    scripts: list[str] = []
    page.on("request", lambda request: scripts.append(request.url))
    page.goto(f"{live_server.url}/ja/")
    page.wait_for_load_state("load")
    assert not any("plotly" in url for url in scripts), scripts
    page.locator("#chart-kinds").scroll_into_view_if_needed()
    page.wait_for_selector("#chart-kinds .main-svg")
    page.wait_for_selector("#chart-hubs .main-svg")
    loaded = [url for url in scripts if "plotly" in url]
    assert loaded == [f"{live_server.url}/static/vendor/plotly-basic/plotly-basic.min.js"]
    assert page.locator("#chart-kinds .bars path").count() > 3
