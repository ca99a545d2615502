"""The JSON API on the shipped GTB dataset: filters, result shape, errors, the OpenAPI schema."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from biocommunity.registry.models import Community, HubMembership, Organization
from tests.conftest import assert_status
from tests.factories import MarketDomainFactory, issued_certificate

ORGANIZATION_KEYS = {
    "key",
    "name_ja",
    "name_en",
    "short_name",
    "aliases",
    "kinds",
    "hubs",
    "market_domains",
    "country",
    "prefecture",
    "city_ja",
    "city_en",
    "lat",
    "lon",
    "coordinates_approximate",
    "location_basis",
    "website",
    "description_ja",
    "description_en",
    "corporate_number",
    "ror_id",
    "listed",
    "parent",
    "sources",
    "as_of",
}
PATHS = [
    "/api/organizations",
    "/api/organizations/{key}",
    "/api/hubs",
    "/api/hubs/{key}",
    "/api/communities",
    "/api/communities/{key}",
]
EXAMPLE_KEYS = {"organizations": "link-j", "hubs": "kawasaki", "communities": "gtb"}


def get_json(client: Client, url: str, status: int = 200, **params: Any) -> Any:
    response = client.get(url, params)
    assert_status(response, status)
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def keys_of(body: dict[str, Any]) -> list[str]:
    return [row["key"] for row in body["results"]]


def error_fields(body: dict[str, Any]) -> set[str]:
    assert isinstance(body["detail"], str) and body["detail"]
    return set(body["errors"])


# ---------------------------------------------------------------- /api/organizations


@pytest.mark.django_db
def test_organizations_list_pages_through_everything(gtb: Community, client: Client) -> None:
    total = Organization.objects.count()
    body = get_json(client, "/api/organizations")
    assert body["count"] == total
    assert body["page"] == 1
    assert body["page_size"] == 25
    assert body["pages"] == -(-total // 25)
    assert len(body["results"]) == 25
    assert keys_of(body) == sorted(keys_of(body))

    seen: list[str] = []
    for page in range(1, -(-total // 200) + 1):
        seen += keys_of(get_json(client, "/api/organizations", page=page, page_size=200))
    assert len(seen) == len(set(seen)) == total


@pytest.mark.django_db
def test_organization_record_shape(gtb: Community, client: Client) -> None:
    # Partners abroad mention LINK-J in their descriptions, so it is one hit among several.
    body = get_json(client, "/api/organizations", q="LINK-J")
    assert body["count"] >= 1
    record = next(r for r in body["results"] if r["key"] == "link-j")
    assert set(record) == ORGANIZATION_KEYS
    assert record["key"] == "link-j"
    assert record["name_ja"] == "ライフサイエンス・イノベーション・ネットワーク・ジャパン"
    assert record["name_en"] == "Life Science Innovation Network Japan"
    assert "support_organization" in record["kinds"]
    assert record["kinds"] == sorted(record["kinds"])
    assert "nihonbashi" in {h["hub"] for h in record["hubs"]}
    assert [h["hub"] for h in record["hubs"]] == sorted(h["hub"] for h in record["hubs"])
    for hub in record["hubs"]:
        assert set(hub) == {"hub", "functions"}
        assert hub["functions"] and hub["functions"] == sorted(hub["functions"])
    assert record["sources"] and all(isinstance(s, str) and s for s in record["sources"])
    assert record["as_of"]
    assert record["prefecture"] == "東京都"
    assert isinstance(record["lat"], float)


@pytest.mark.django_db
def test_filter_by_text(gtb: Community, client: Client) -> None:
    assert "kawasaki-city" in keys_of(
        get_json(client, "/api/organizations", q="川崎", page_size=200)
    )
    assert keys_of(get_json(client, "/api/organizations", q="かずさDNA")) == [
        "kazusa-dna-research-institute"
    ]
    assert "keio-university" in keys_of(get_json(client, "/api/organizations", q="慶応"))
    assert get_json(client, "/api/organizations", q="no such organisation anywhere")["count"] == 0


@pytest.mark.django_db
def test_filter_by_kind(gtb: Community, client: Client) -> None:
    body = get_json(client, "/api/organizations", kind="hospital", page_size=200)
    expected = Organization.objects.filter(classifications__kind="hospital").distinct().count()
    assert body["count"] == expected > 0
    assert all("hospital" in row["kinds"] for row in body["results"])


@pytest.mark.django_db
def test_filter_by_hub_and_function(gtb: Community, client: Client) -> None:
    body = get_json(client, "/api/organizations", hub="kawasaki", page_size=200)
    in_hub = set(
        HubMembership.objects.filter(hub__key="kawasaki").values_list(
            "organization__key", flat=True
        )
    )
    assert set(keys_of(body)) == in_hub
    assert "kawasaki-city" in in_hub
    assert all(any(h["hub"] == "kawasaki" for h in row["hubs"]) for row in body["results"])

    body = get_json(
        client, "/api/organizations", hub="kawasaki", function="incubation", page_size=200
    )
    expected = set(
        HubMembership.objects.filter(hub__key="kawasaki", function="incubation").values_list(
            "organization__key", flat=True
        )
    )
    assert set(keys_of(body)) == expected
    assert 0 < len(expected) < len(in_hub)
    for row in body["results"]:
        functions = {f for h in row["hubs"] if h["hub"] == "kawasaki" for f in h["functions"]}
        assert "incubation" in functions

    body = get_json(client, "/api/organizations", function="incubation", page_size=200)
    assert body["count"] >= len(expected)


@pytest.mark.django_db
def test_filter_by_market_domain(gtb: Community, client: Client) -> None:
    body = get_json(client, "/api/organizations", domain="6", page_size=200)
    assert body["count"] > 0
    assert all(6 in row["market_domains"] for row in body["results"])


@pytest.mark.django_db
@pytest.mark.parametrize("prefecture", ["14", "神奈川県", "神奈川", "Kanagawa", "JP-14"])
def test_filter_by_prefecture_in_any_notation(
    gtb: Community, client: Client, prefecture: str
) -> None:
    body = get_json(client, "/api/organizations", prefecture=prefecture, page_size=200)
    assert body["count"] == Organization.objects.filter(prefecture="14").count() > 0
    assert {row["prefecture"] for row in body["results"]} == {"神奈川県"}


@pytest.mark.django_db
def test_filters_combine(gtb: Community, client: Client) -> None:
    body = get_json(
        client, "/api/organizations", q="慶應", hub="kawasaki", kind="university", prefecture="14"
    )
    assert sorted(keys_of(body)) == ["keio-shin-kawasaki-town-campus", "keio-tonomachi-town-campus"]


@pytest.mark.django_db
def test_pagination(gtb: Community, client: Client) -> None:
    first = get_json(client, "/api/organizations", page_size=10)
    second = get_json(client, "/api/organizations", page=2, page_size=10)
    assert len(first["results"]) == len(second["results"]) == 10
    assert not set(keys_of(first)) & set(keys_of(second))
    assert keys_of(first)[-1] < keys_of(second)[0]
    beyond = get_json(client, "/api/organizations", page=10_000, page_size=10)
    assert beyond["results"] == []
    assert beyond["count"] == first["count"]


@pytest.mark.django_db
def test_organization_detail(gtb: Community, client: Client) -> None:
    record = get_json(client, "/api/organizations/keio-tonomachi-town-campus")
    assert set(record) == ORGANIZATION_KEYS
    assert record["parent"] == "keio-university"
    assert any(h["hub"] == "kawasaki" for h in record["hubs"])


@pytest.mark.django_db
def test_unknown_organization_is_json_404(gtb: Community, client: Client) -> None:
    body = get_json(client, "/api/organizations/no-such-org", status=404)
    assert "no-such-org" in body["detail"]


# ---------------------------------------------------------------- hubs and communities


@pytest.mark.django_db
def test_hubs(gtb: Community, client: Client) -> None:
    hubs = get_json(client, "/api/hubs")
    assert [h["key"] for h in hubs] == [
        "hongo-ochanomizu-tokyo-station",
        "nihonbashi",
        "kawasaki",
        "yokohama",
        "shonan",
        "chiba-kazusa",
    ]
    kawasaki = next(h for h in hubs if h["key"] == "kawasaki")
    assert kawasaki["community"] == "gtb"
    assert kawasaki["number"] == 5
    assert kawasaki["name_ja"] == "川崎エリア"
    assert kawasaki["name_en"] == "Kawasaki Area"
    assert kawasaki["sources"] and kawasaki["as_of"] == "2022"
    listed = get_json(client, "/api/organizations", hub="kawasaki")["count"]
    assert kawasaki["organizations"] == listed > 0
    assert get_json(client, "/api/hubs", community="gtb") == hubs
    assert get_json(client, "/api/hubs", community="elsewhere") == []


@pytest.mark.django_db
def test_hub_detail_and_404(gtb: Community, client: Client) -> None:
    hub = get_json(client, "/api/hubs/chiba-kazusa")
    assert hub["name_en"] == "Chiba / Kazusa Area"
    assert hub["organizations"] > 0
    body = get_json(client, "/api/hubs/atlantis", status=404)
    assert "atlantis" in body["detail"]


@pytest.mark.django_db
def test_communities(gtb: Community, client: Client) -> None:
    (community,) = get_json(client, "/api/communities")
    assert community["key"] == "gtb"
    assert community["name_en"] == "Greater Tokyo Biocommunity"
    assert community["short_name"] == "GTB"
    assert len(community["hubs"]) == 6
    assert community["organizations_in_hubs"] == (
        HubMembership.objects.values("organization").distinct().count()
    )
    assert get_json(client, "/api/communities/gtb") == community


@pytest.mark.django_db
def test_unknown_community_is_json_404(gtb: Community, client: Client) -> None:
    body = get_json(client, "/api/communities/atlantis", status=404)
    assert "detail" in body


# ---------------------------------------------------------------- bad parameters


BAD_PARAMETERS = [
    ({"kind": "bogus"}, "kind"),
    ({"hub": "atlantis"}, "hub"),
    ({"function": "juggling"}, "function"),
    ({"domain": "99"}, "domain"),
    ({"domain": "six"}, "domain"),
    ({"prefecture": "Atlantis"}, "prefecture"),
    ({"prefecture": "99"}, "prefecture"),
    ({"page": "0"}, "page"),
    ({"page": "-1"}, "page"),
    ({"page": "abc"}, "page"),
    ({"page": "1.5"}, "page"),
    ({"page_size": "0"}, "page_size"),
    ({"page_size": "1000"}, "page_size"),
    ({"q": "x" * 201}, "q"),
]


@pytest.mark.django_db
def test_bad_parameter_is_400_naming_the_field(gtb: Community, client: Client) -> None:
    client.raise_request_exception = False
    for params, field in BAD_PARAMETERS:
        response = client.get("/api/organizations", params)
        assert response.status_code == 400, (params, response.status_code)
        body = json.loads(response.content)
        assert error_fields(body) == {field}, params
        assert all(all(messages) for messages in body["errors"].values()), params


@pytest.mark.django_db
def test_every_bad_parameter_is_reported_at_once(gtb: Community, client: Client) -> None:
    body = get_json(client, "/api/organizations", status=400, kind="bogus", hub="x", page="0")
    assert error_fields(body) == {"kind", "hub", "page"}


@pytest.mark.django_db
def test_limits_themselves_are_accepted(gtb: Community, client: Client) -> None:
    assert get_json(client, "/api/organizations", q="x" * 200)["count"] == 0
    assert get_json(client, "/api/organizations", page_size=200)["page_size"] == 200


HOSTILE_TEXT = [
    "<script>' OR 1=1 --",
    "'; DROP TABLE registry_organization; --",
    '" OR ""="',
    "%_%",
    "%",
    "\\",
]


@pytest.mark.django_db
def test_hostile_text_is_searched_not_run(gtb: Community, client: Client) -> None:
    client.raise_request_exception = False
    total = Organization.objects.count()
    for q in HOSTILE_TEXT:
        response = client.get("/api/organizations", {"q": q})
        assert response.status_code == 200, (q, response.status_code)
        assert json.loads(response.content)["count"] == 0, q
    for q in ("\x00", "川崎\u3000慶應", "   "):
        response = client.get("/api/organizations", {"q": q})
        assert response.status_code == 200, (q, response.status_code)
    assert Organization.objects.count() == total


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"page": "²"}, {"page_size": "²"}, {"domain": "²"}])
def test_unicode_digit_parameters_are_400_not_500(
    db: None, client: Client, params: dict[str, str]
) -> None:
    MarketDomainFactory(number=2)
    client.raise_request_exception = False
    response = client.get("/api/organizations", params)
    assert_status(response, 400)


# ---------------------------------------------------------------- OpenAPI


@pytest.mark.django_db
def test_openapi_schema_lists_every_path(client: Client) -> None:
    schema = get_json(client, "/api/openapi.json")
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"]
    assert set(PATHS) <= set(schema["paths"])
    list_parameters = {
        p["name"] for p in schema["paths"]["/api/organizations"]["get"]["parameters"]
    }
    assert list_parameters >= {
        "q",
        "kind",
        "hub",
        "function",
        "domain",
        "prefecture",
        "page",
        "page_size",
    }


REQUIRED_EXAMPLES = {"regions": "gtb,massachusetts"}


@pytest.mark.django_db
def test_every_schema_path_answers_without_server_error(gtb: Community, client: Client) -> None:
    certificate = issued_certificate(gtb)
    examples = {
        "number": certificate.number,  # type: ignore[attr-defined]
        "code": "institutions",
        "version": "2020.1",
    }
    schema = get_json(client, "/api/openapi.json")
    client.raise_request_exception = False
    checked = 0
    for path, operations in schema["paths"].items():
        if path.startswith("/api/matching/"):
            continue  # writes, sessions and a required query: tests/matching/test_api.py
        if path.startswith("/api/notifications"):
            continue  # a session's own notices: tests/people/test_notices_api.py
        assert "get" in operations, path
        names = re.findall(r"\{(\w+)\}", path)
        for example in ("example", "no-such-key"):
            if example != "example" and not names:
                continue
            url = path
            for name in names:
                if example != "example":
                    value = example
                elif name == "key":
                    value = EXAMPLE_KEYS[path.split("/")[-2]]
                else:
                    value = examples[name]
                url = url.replace("{" + name + "}", value)
            # Required query parameters get an example value from the schema's own list.
            required = {
                p["name"]: REQUIRED_EXAMPLES[p["name"]]
                for p in operations["get"].get("parameters", [])
                if p.get("required") and p["in"] == "query"
            }
            response = client.get(url, required)
            assert 200 <= response.status_code < 500, (url, response.status_code)
            if example == "example":
                assert_status(response, 200)
            else:
                assert_status(response, 404)
            json.loads(response.content)
            checked += 1
    assert checked >= len(PATHS)
