"""GET /api/notifications and POST /api/notifications/read: one's own notices only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from biocommunity.people.models import Notice
from tests.conftest import assert_status, login
from tests.factories import NoticeFactory, UserFactory

pytestmark = pytest.mark.django_db


def _get(client: Client, url: str = "/api/notifications", **params: Any) -> Any:
    return client.get(url, params)


def _post(client: Client, body: Any) -> Any:
    return client.post(
        "/api/notifications/read",
        data=json.dumps(body) if not isinstance(body, str) else body,
        content_type="application/json",
    )


def test_anonymous_gets_401_json(client: Client) -> None:
    response = _get(client)
    assert_status(response, 401)
    assert "detail" in response.json()
    assert_status(_post(client, {"all": True}), 401)


def test_lists_own_notices_newest_first_with_unread_count(client: Client) -> None:
    reader = UserFactory()
    other = UserFactory()
    old = NoticeFactory(recipient=reader, text_ja="古い", text_en="old")
    new = NoticeFactory(recipient=reader, text_ja="新しい", text_en="new", path="/matching/")
    NoticeFactory(recipient=other, text_ja="他人の", text_en="someone else's")
    Notice.objects.filter(pk=old.pk).update(read_at="2026-01-01T00:00:00Z")
    login(client, reader)
    body = _get(client).json()
    assert body["count"] == 2
    assert body["unread"] == 1
    assert [n["id"] for n in body["results"]] == [new.pk, old.pk]
    first = body["results"][0]
    assert set(first) == {"id", "kind", "created", "read", "text", "url"}
    assert first["kind"] == "introduction_requested"
    assert first["read"] is False and body["results"][1]["read"] is True
    # The request's language (/api is not prefixed, so Japanese by default) or ?language=.
    assert first["text"] == "新しい"
    assert first["url"] == "/ja/matching/"
    english = _get(client, language="en").json()["results"][0]
    assert english["text"] == "new" and english["url"] == "/en/matching/"
    assert "someone else's" not in json.dumps(body, ensure_ascii=False)


def test_pagination_and_bad_parameters(client: Client) -> None:
    reader = UserFactory()
    made = [NoticeFactory(recipient=reader) for _ in range(5)]
    login(client, reader)
    body = _get(client, limit=2, offset=1).json()
    assert body["count"] == 5 and body["limit"] == 2 and body["offset"] == 1
    assert [n["id"] for n in body["results"]] == [made[3].pk, made[2].pk]
    for params in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"language": "fr"}):
        response = _get(client, **params)
        assert_status(response, 400)
        assert "detail" in response.json()


def test_mark_read_by_ids_touches_only_own_notices(client: Client) -> None:
    reader = UserFactory()
    other = UserFactory()
    mine = NoticeFactory(recipient=reader)
    keep = NoticeFactory(recipient=reader)
    theirs = NoticeFactory(recipient=other)
    login(client, reader)
    response = _post(client, {"ids": [mine.pk, theirs.pk]})
    assert_status(response, 200)
    assert response.json() == {"marked": 1, "unread": 1}
    theirs.refresh_from_db()
    keep.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.read_at is None and keep.read_at is None and mine.read_at is not None


def test_mark_all_read(client: Client) -> None:
    reader = UserFactory()
    other = UserFactory()
    NoticeFactory.create_batch(3, recipient=reader)
    theirs = NoticeFactory(recipient=other)
    login(client, reader)
    assert _post(client, {"all": True}).json() == {"marked": 3, "unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize(
    "body",
    [{}, {"ids": [1], "all": True}, {"ids": ["x"]}, {"ids": [0]}, {"colour": 1}, "not json"],
)
def test_mark_read_refuses_bad_bodies_with_a_message(client: Client, body: Any) -> None:
    reader = UserFactory()
    notice = NoticeFactory(recipient=reader)
    login(client, reader)
    response = _post(client, body)
    assert_status(response, 400)
    assert response.json()["detail"]
    notice.refresh_from_db()
    assert notice.read_at is None


def test_schema_declares_both_endpoints(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    listing = schema["paths"]["/api/notifications"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"limit", "offset", "language"} <= names
    assert {"200", "401"} <= set(listing["responses"])
    read = schema["paths"]["/api/notifications/read"]["post"]
    assert "ids" in json.dumps(read["requestBody"])
    assert "401" in read["responses"]


def test_mark_read_needs_the_sessions_csrf_token() -> None:
    """A session write: another site cannot mark someone's notices read behind their back."""
    reader = UserFactory()
    notice = NoticeFactory(recipient=reader)
    client = login(Client(enforce_csrf_checks=True), reader)
    response = _post(client, {"all": True})
    assert_status(response, 403)
    assert "detail" in response.json()
    notice.refresh_from_db()
    assert notice.read_at is None
    client.get("/ja/accounts/notices/")  # a page sets the CSRF cookie, as the browser has it
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/notifications/read",
        data=json.dumps({"all": True}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert_status(response, 200)
