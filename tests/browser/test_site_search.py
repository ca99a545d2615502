"""The header's search box in a real browser: type, see results grouped by type, follow one."""

from __future__ import annotations

from typing import Any

import pytest

from biocommunity.matching.services import indexing
from biocommunity.registry.models import Organization
from tests.browser.conftest import screenshot
from tests.factories import ProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lexical(settings: Any) -> Any:
    settings.BIOCOMMUNITY_MATCHING_EMBEDDER = "none"
    indexing.reset()
    yield
    indexing.reset()


def test_header_search_finds_cdmos_profiles_and_pages_in_both_languages(
    page: Any, live_server: Any, gtb: Any, lexical: Any
) -> None:
    agc = Organization.objects.get(key="agc")
    hidden = ProfileFactory(
        organization=agc, title_ja="会員限定の受託製造枠", body_ja="受託製造", visibility="members"
    )
    page.goto(f"{live_server.url}/ja/")
    box = page.get_by_test_id("header-search").locator("input[name=q]")
    box.fill("受託製造")
    box.press("Enter")
    page.wait_for_url("**/ja/search/?q=*")
    organizations = page.get_by_test_id("group-organizations")
    assert organizations.get_by_role("link", name=agc.name_ja, exact=True).is_visible()
    assert page.get_by_test_id("group-profiles").locator("[data-testid=match]").count() > 0
    assert hidden.title_ja not in page.content()  # members only: not for the public
    assert page.locator("#header-search-q").input_value() == "受託製造"
    screenshot(page, "search-ja")

    page.locator("a[data-lang=en]").click()
    page.wait_for_url("**/en/search/?q=*")
    assert (
        page.get_by_test_id("group-organizations")
        .get_by_role("link", name=agc.name_en, exact=True)
        .is_visible()
    )
    screenshot(page, "search-en")

    box = page.locator("#header-search-q")
    box.fill("certification register")
    box.press("Enter")
    page.wait_for_url("**/en/search/?q=certification*")
    page.get_by_test_id("group-pages").get_by_role("link", name="Certification register").click()
    page.wait_for_url("**/en/certification/")

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/ja/")
    page.locator(".menu-button").click()  # at 375 px the box sits in the folded menu
    box = page.locator("#header-search-q")
    assert box.is_visible()
    box.fill("CDMO")
    box.press("Enter")
    page.wait_for_url("**/ja/search/?q=CDMO")
    assert (
        page.get_by_test_id("group-organizations")
        .get_by_role("link", name=agc.name_ja, exact=True)
        .is_visible()
    )
    screenshot(page, "search-ja-375")
