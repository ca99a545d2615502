"""A member keeps its own profile; the secretariat imports a spreadsheet: in a real browser."""

from __future__ import annotations

from typing import Any

import pytest

from biocommunity.registry.models import Organization
from tests.browser.conftest import log_in, screenshot
from tests.factories import UserFactory, member_user, secretariat_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_edits_own_profile_and_sees_it_in_history(
    page: Any, live_server: Any, gtb: Any
) -> None:
    link_j = Organization.objects.get(key="link-j")
    member_user(link_j, username="linkj-staff")
    log_in(page, live_server.url, "linkj-staff", language="en")

    page.goto(f"{live_server.url}/en/organizations/link-j/edit/")
    page.fill("input[name=website]", "not a url")
    page.click("form.form button[type=submit]")
    assert page.locator(".errorlist").first.is_visible()  # re-shown with the error
    page.fill("input[name=website]", "https://www.link-j.org/")
    page.fill("textarea[name=description_en]", "Life science innovation network in Nihonbashi.")
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/en/organizations/link-j/")
    screenshot(page, "organization-after-edit-en")
    assert "Life science innovation network in Nihonbashi." in page.content()

    page.goto(f"{live_server.url}/en/organizations/link-j/history/")
    assert "linkj-staff" in page.content()
    assert "https://www.link-j.org/" in page.content()
    screenshot(page, "history-en")

    response = page.goto(f"{live_server.url}/en/organizations/riken/edit/")
    assert response.status == 403


def test_secretariat_imports_a_spreadsheet_after_a_failed_check(
    page: Any, live_server: Any, gtb: Any, tmp_path: Any
) -> None:
    secretariat_user(username="jba-secretariat")
    UserFactory(username="bystander")
    log_in(page, live_server.url, "jba-secretariat", language="en")
    bad = tmp_path / "members.csv"
    bad.write_text(
        "key,name_ja,name_en,kinds,hubs\n"
        "new-bio,新バイオ株式会社,New Bio Inc.,venture,kawasaki:incubation\n"
        "bad-one,悪い行,Bad Row,spaceship,kawasaki:incubation\n",
        encoding="utf-8",
    )
    page.goto(f"{live_server.url}/ja/secretariat/import/")
    page.set_input_files("input[name=file]", str(bad))
    page.uncheck("input[name=dry_run]")
    page.click("form.form button[type=submit]")
    errors = page.get_by_test_id("import-errors")
    assert "spaceship" in errors.inner_text()
    screenshot(page, "import-errors-ja")
    assert not Organization.objects.filter(key="new-bio").exists()

    good = tmp_path / "members-fixed.csv"
    good.write_text(
        bad.read_text(encoding="utf-8").replace("spaceship", "company"), encoding="cp932"
    )
    page.set_input_files("input[name=file]", str(good))
    page.uncheck("input[name=dry_run]")
    page.click("form.form button[type=submit]")
    assert "shift_jis" in page.get_by_test_id("import-ok").inner_text()
    assert Organization.objects.get(key="new-bio").hub_memberships.get().hub.key == "kawasaki"
    screenshot(page, "import-ok-ja")
