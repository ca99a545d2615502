"""Without Chromium or Playwright the fact sheet says how to enable the PDF, on the page and
as the download's answer (an HTML page, status 503), in both languages."""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

import pytest
from django.test import Client

from biocommunity.indicators.services import factsheet
from tests.conftest import assert_status


def _without_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any, **kwargs: Any) -> Any:
        return None if name == "playwright" else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_missing_chromium_is_explained_on_the_page_and_the_download(
    gtb: Any, client: Client, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    monkeypatch.setenv("BIOCOMMUNITY_CHROMIUM", "/nonexistent/chromium")
    page = client.get(f"/{language}/figures/factsheet/")
    assert_status(page, 200)
    html = page.content.decode()
    assert 'data-testid="pdf-unavailable"' in html
    assert "/nonexistent/chromium" in html and "fonts-noto-cjk" in html
    assert "factsheet.pdf" not in html  # no button that can only fail

    download = client.get(f"/{language}/figures/factsheet.pdf")
    assert_status(download, 503)
    assert download["Content-Type"].startswith("text/html")
    body = download.content.decode()
    assert f'<html lang="{language}"' in body
    assert 'data-testid="pdf-unavailable"' in body and "fonts-noto-cjk" in body
    assert 'class="factsheet"' in body  # the fact sheet itself, printable from the browser
    expected = "PDF のダウンロードを" if language == "ja" else "The PDF download is not available"
    assert expected in body


@pytest.mark.parametrize("language", ["ja", "en"])
def test_missing_playwright_names_the_pdf_extra(
    gtb: Any, client: Client, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    monkeypatch.setenv("BIOCOMMUNITY_CHROMIUM", sys.executable)  # some file that exists
    _without_playwright(monkeypatch)
    download = client.get(f"/{language}/figures/factsheet.pdf")
    assert_status(download, 503)
    body = download.content.decode()
    assert "biocommunity[pdf]" in body and "make demo" in body


def test_with_both_installed_the_page_offers_the_download(
    gtb: Any, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BIOCOMMUNITY_CHROMIUM", sys.executable)
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("Playwright is not installed here: pip install 'biocommunity[pdf]'")
    assert factsheet.pdf_unavailable_reason() == ""
    html = client.get("/en/figures/factsheet/").content.decode()
    assert 'data-testid="pdf-unavailable"' not in html
    assert 'href="/en/figures/factsheet.pdf"' in html
