"""The notices page and the header badge, in both languages; one's own notices only."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from biocommunity.people.models import Notice
from tests.conftest import assert_status, login
from tests.factories import NoticeFactory, UserFactory

pytestmark = pytest.mark.django_db


def _badge(html: str) -> str:
    match = re.search(r'<a [^>]*data-testid="notice-badge"[^>]*>.*?</a>', html, re.S)
    assert match, "no notice badge in the header"
    return match.group(0)


@pytest.mark.parametrize(
    ("language", "label", "title"),
    [("ja", "通知、未読 2 件", "通知"), ("en", "Notices, 2 unread", "Notices")],
)
def test_badge_counts_unread_with_a_label(
    client: Client, language: str, label: str, title: str
) -> None:
    reader = UserFactory()
    NoticeFactory.create_batch(2, recipient=reader)
    NoticeFactory(recipient=reader, read_at="2026-01-01T00:00:00Z")
    NoticeFactory(recipient=UserFactory())  # someone else's: not counted
    login(client, reader)
    badge = _badge(client.get(f"/{language}/").content.decode())
    assert f'aria-label="{label}"' in badge
    assert '<span class="count" aria-hidden="true">2</span>' in badge
    assert f'href="/{language}/accounts/notices/"' in badge
    assert title in badge


def test_no_badge_for_anonymous(client: Client) -> None:
    assert 'data-testid="notice-badge"' not in client.get("/ja/").content.decode()


def test_page_needs_login(client: Client) -> None:
    response = client.get("/ja/accounts/notices/")
    assert_status(response, 302)
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_page_lists_own_notices_in_the_language(client: Client, language: str) -> None:
    reader = UserFactory()
    NoticeFactory(recipient=reader, text_ja="日本語の通知", text_en="English notice")
    NoticeFactory(recipient=UserFactory(), text_ja="他人の通知", text_en="Not yours")
    login(client, reader)
    response = client.get(f"/{language}/accounts/notices/")
    assert_status(response, 200)
    html = response.content.decode()
    assert ("日本語の通知" if language == "ja" else "English notice") in html
    assert ("English notice" if language == "ja" else "日本語の通知") not in html
    assert "他人の通知" not in html and "Not yours" not in html
    assert ("未読" if language == "ja" else "Mark all as read") in html


def test_following_a_link_marks_read_and_goes_to_the_page(client: Client) -> None:
    reader = UserFactory()
    notice = NoticeFactory(recipient=reader, path="/matching/introductions/")
    login(client, reader)
    response = client.get(f"/en/accounts/notices/{notice.pk}/")
    assert_status(response, 302)
    assert response["Location"] == "/en/matching/introductions/"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_someone_elses_notice_is_404_and_stays_unread(client: Client) -> None:
    theirs = NoticeFactory(recipient=UserFactory())
    login(client, UserFactory())
    client.raise_request_exception = False
    assert_status(client.get(f"/ja/accounts/notices/{theirs.pk}/"), 404)
    assert_status(client.post("/ja/accounts/notices/read/", {"id": theirs.pk}), 302)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_one_and_all_read(client: Client) -> None:
    reader = UserFactory()
    first, second, third = NoticeFactory.create_batch(3, recipient=reader)
    login(client, reader)
    assert_status(client.post("/ja/accounts/notices/read/", {"id": first.pk}), 302)
    assert set(Notice.objects.filter(read_at__isnull=True).values_list("pk", flat=True)) == {
        second.pk,
        third.pk,
    }
    assert_status(client.post("/ja/accounts/notices/read/", {"all": "1"}), 302)
    assert not Notice.objects.filter(read_at__isnull=True).exists()


def test_mark_read_with_a_bad_id_says_so(client: Client) -> None:
    reader = UserFactory()
    notice = NoticeFactory(recipient=reader)
    login(client, reader)
    response = client.post("/en/accounts/notices/read/", {"id": "x"}, follow=True)
    assert "Choose a notice to mark as read." in response.content.decode()
    notice.refresh_from_db()
    assert notice.read_at is None


def test_page_is_paged(client: Client) -> None:
    reader = UserFactory()
    NoticeFactory.create_batch(35, recipient=reader)
    login(client, reader)
    first = client.get("/en/accounts/notices/").content.decode()
    assert first.count('class="card notice') == 30
    assert "?offset=30" in first
    second = client.get("/en/accounts/notices/?offset=30").content.decode()
    assert second.count('class="card notice') == 5
    assert "?offset=0" in second


def test_menu_button_carries_the_count_for_narrow_screens(client: Client) -> None:
    """At 375 px the badge sits inside the folded menu: the Menu button shows the count too."""
    reader = UserFactory()
    NoticeFactory.create_batch(3, recipient=reader)
    login(client, reader)
    html = client.get("/en/").content.decode()
    summary = re.search(r'<summary class="menu-button">.*?</summary>', html, re.S)
    assert summary, "no menu button"
    assert 'data-testid="menu-notice-count">3</span>' in summary.group(0)
    assert "Notices, 3 unread" in summary.group(0)
    NoticeFactory._meta.model.objects.update(read_at="2026-01-01T00:00:00Z")
    html = client.get("/en/").content.decode()
    assert 'data-testid="menu-notice-count"' not in html
