"""/api/docs in a real browser: Swagger UI renders every router's operations from the
installed files, under the site's Content-Security-Policy, with no request to another host."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_renders_the_operations_offline(page: Any, live_server: Any) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    operations = page.locator(".opblock-summary-path").all_inner_texts()
    paths = {text.replace("\u200b", "") for text in operations}
    for expected in ("/api/organizations", "/api/matching/search", "/api/notifications"):
        assert any(p.startswith(expected) for p in paths), (expected, sorted(paths)[:20])
    assert "biocommunity API" in page.locator(".info .title").inner_text()
    here = urlparse(live_server.url).netloc
    foreign = [u for u in requested if urlparse(u).netloc not in (here, "")]
    assert not foreign, f"requests to other hosts: {foreign}"
    screenshot(page, "api-docs")
    # Opening an operation works too (Swagger UI's own scripts, nothing inline).
    page.locator(".opblock-summary").first.click()
    page.wait_for_selector(".opblock-body")
