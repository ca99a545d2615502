"""Playwright driving Debian's Chromium; skips (or fails under CI) when it is missing."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("BIOCOMMUNITY_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _chromium_missing() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return (
            f"Chromium not found at {CHROMIUM}: install Debian's 'chromium' and 'fonts-noto-cjk' "
            "(apt-get install chromium fonts-noto-cjk) or set BIOCOMMUNITY_CHROMIUM"
        )
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    """Chromium's path; skips without it, except in CI where browser tests must run."""
    problem = _chromium_missing()
    if problem:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"browser tests must run in CI: {problem}")
        pytest.skip(problem)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Forms re-shown with errors answer 400 and refusals 403 on purpose; any other failed
    # load (a missing script, a 404 asset, a 500) is an error.
    expected = ("status of 400", "status of 403")

    def on_console(msg: Any) -> None:
        if msg.type == "error" and not any(e in msg.text for e in expected):
            errors.append(msg.text)

    page.on("console", on_console)
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(
    page: Any,
    base: str,
    username: str,
    next_path: str = "",
    *,
    password: str = "",
    language: str = "ja",
) -> None:
    """Sign in through the login form (its own button, not the header's search button)."""
    from tests.factories import PASSWORD

    suffix = f"?next={next_path}" if next_path else ""
    page.goto(f"{base}/{language}/accounts/login/{suffix}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password or PASSWORD)
    page.click("form.form button[type=submit]")
    if next_path:
        page.wait_for_url(f"**{next_path}")
    else:
        page.wait_for_load_state()


def log_out(page: Any) -> None:
    with page.expect_navigation():
        page.locator("form[action$='/logout/'] button[type=submit]").click()
