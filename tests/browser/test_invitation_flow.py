"""The secretariat invites a member by e-mail; the member sets a password from the link."""

from __future__ import annotations

import re
from typing import Any

import pytest

from biocommunity.people.models import OutboxEmail
from biocommunity.registry.services.permissions import contacts_of
from tests.browser.conftest import log_in, screenshot
from tests.factories import PASSWORD, OrganizationFactory, secretariat_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretariat_invites_a_member_who_sets_a_password_and_lands_on_own_page(
    page: Any, browser: Any, live_server: Any
) -> None:
    org = OrganizationFactory(name_ja="かずさバイオ株式会社", name_en="Kazusa Bio Inc.")
    OrganizationFactory(name_ja="湘南ラボ", name_en="Shonan Lab")
    secretariat_user(username="jba-office")
    log_in(page, live_server.url, "jba-office")

    page.get_by_test_id("users-link").click()
    page.wait_for_url("**/ja/accounts/users/")
    page.get_by_role("link", name="ユーザーを招待").click()
    page.fill("input[name=email]", "Tanaka@Example.org")
    page.select_option("select[name=role]", "member")
    page.fill("input[name=organization]", "Kazusa Bio Inc.")  # by name, never by key
    page.select_option("select[name=language]", "ja")
    screenshot(page, "invite-form-ja")
    page.click("form[data-testid=invite-form] button[type=submit]")
    page.wait_for_url(re.compile(r".*/ja/accounts/users/\d+/$"))
    assert "招待中" in page.get_by_test_id("state").inner_text()

    email = OutboxEmail.objects.get(to="tanaka@example.org")
    assert email.body.index("biocommunity に") < email.body.index("You are invited")  # ja first
    link = re.search(r"https?://\S+?(/ja/accounts/invitation/\S+/)", email.body)
    assert link, email.body

    invitee = browser.new_context(viewport={"width": 375, "height": 800}, locale="ja-JP")
    try:
        other = invitee.new_page()
        other.goto(live_server.url + link.group(1))
        assert "tanaka@example.org" in other.content()
        other.fill("input[name=new_password1]", "short")
        other.fill("input[name=new_password2]", "short")
        other.click("form[data-testid=set-password] button[type=submit]")
        assert other.locator(".errorlist").first.is_visible()  # weak password: said so
        other.fill("input[name=new_password1]", PASSWORD)
        other.fill("input[name=new_password2]", PASSWORD)
        screenshot(other, "invitation-set-password-375-ja")
        other.click("form[data-testid=set-password] button[type=submit]")
        other.wait_for_url("**/ja/accounts/me/")
        assert "かずさバイオ株式会社" in other.get_by_test_id("speaks-for").inner_text()
        screenshot(other, "account-after-invitation-375-ja")

        # the link works once
        again = other.goto(live_server.url + link.group(1))
        assert again is not None and again.status == 410
    finally:
        invitee.close()

    assert [u.username for u in contacts_of(org)] == ["tanaka@example.org"]
    page.reload()
    assert "有効" in page.get_by_test_id("state").inner_text()
