"""Conditional GET on public pages: ETag and 304 for anonymous visitors, never signed-in ones."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from biocommunity.registry.models import Hub, Organization
from tests.conftest import assert_status, login
from tests.factories import OrganizationFactory, secretariat_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(gtb: Any) -> Any:
    """The shipped GTB dataset (the compare and KPI pages need its figures)."""
    return gtb


PUBLIC_PAGES = [
    "/ja/",
    "/ja/hubs/{hub}/",
    "/ja/directory/",
    "/ja/directory/?kind=venture",
    "/ja/organizations/{org}/",
    "/ja/figures/compare/",
    "/ja/figures/kpis/",
    "/ja/certification/",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_answers_304_while_its_etag_holds(
    client: Client, community: Any, path: str
) -> None:
    hub = Hub.objects.filter(community=community).first()
    org = Organization.objects.first()
    assert hub is not None and org is not None
    path = path.format(hub=hub.key, org=org.key)
    first = client.get(path)
    assert_status(first, 200)
    etag = first.headers["ETag"]
    assert "Cookie" in first.headers["Vary"]
    again = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag
    other = client.get(path, HTTP_IF_NONE_MATCH='W/"something-else"')
    assert_status(other, 200)


def test_etag_changes_with_a_write_and_with_the_language(client: Client, community: Any) -> None:
    etag = client.get("/ja/").headers["ETag"]
    assert client.get("/en/").headers["ETag"] != etag
    OrganizationFactory(kinds=["company"])
    fresh = client.get("/ja/", HTTP_IF_NONE_MATCH=etag)
    assert_status(fresh, 200)
    assert fresh.headers["ETag"] != etag


def test_etag_differs_by_query(client: Client, community: Any) -> None:
    plain = client.get("/ja/directory/").headers["ETag"]
    filtered = client.get("/ja/directory/?kind=venture").headers["ETag"]
    assert plain != filtered


def test_signed_in_pages_are_private_and_never_revalidated(client: Client, community: Any) -> None:
    anonymous = client.get("/ja/")
    etag = anonymous.headers["ETag"]
    login(client, secretariat_user())
    response = client.get("/ja/", HTTP_IF_NONE_MATCH=etag)
    assert_status(response, 200)  # the anonymous page's tag does not stand for this one
    assert "ETag" not in response.headers
    cache_control = response.headers["Cache-Control"]
    assert "private" in cache_control and "no-cache" in cache_control
    assert "Cookie" in response.headers["Vary"]


def test_a_public_page_may_be_stored_only_if_revalidated_per_cookie(
    client: Client, community: Any
) -> None:
    response = client.get("/ja/directory/")
    assert "no-cache" in response.headers["Cache-Control"]
    assert "private" not in response.headers["Cache-Control"]
    assert {"Cookie", "Accept-Language"} <= {v.strip() for v in response.headers["Vary"].split(",")}
