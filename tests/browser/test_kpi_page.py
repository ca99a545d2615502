"""The KPI page in a browser: actuals drawn against the expected path with the light chart
bundle, the report downloads reachable, ja and en, desktop and phone."""

from __future__ import annotations

from typing import Any

import pytest

from biocommunity.indicators.models import Indicator, Observation, Subject
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("language", "width"), [("ja", 1280), ("en", 1280), ("ja", 375)])
def test_kpi_chart_draws_actuals_and_path_with_the_basic_bundle(
    page: Any, live_server: Any, gtb: Any, language: str, width: int
) -> None:
    Observation.objects.create(
        indicator=Indicator.objects.get(code="member-company-sales"),
        subject=Subject.objects.get(key="gtb"),
        period="2022",
        value=112,
        unit="JPY-trillion",
        source="annual survey",
    )
    page.set_viewport_size({"width": width, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server.url}/{language}/figures/kpis/")
    chart = page.locator("#kpi-chart-member-company-sales")
    chart.scroll_into_view_if_needed()
    page.wait_for_selector("#kpi-chart-member-company-sales .main-svg")
    # Expected path, actuals (2020 baseline and 2022) and the target star.
    assert chart.locator(".scatterlayer .trace").count() == 3
    assert chart.locator(".scatterlayer .trace .points path").count() >= 3
    loaded = [url for url in requests if "plotly" in url]
    assert loaded == [f"{live_server.url}/static/vendor/plotly-basic/plotly-basic.min.js"]
    legend = chart.locator(".legend").text_content() or ""
    assert ("想定経路" if language == "ja" else "Expected path") in legend
    assert page.locator('[data-status="on_track"]').count() == 1
    pdf = page.locator(f'a[href="/{language}/figures/kpis/report.pdf"]')
    assert pdf.is_visible()
    screenshot(page, f"kpis-{language}-{width}")
