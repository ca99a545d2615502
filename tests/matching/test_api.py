"""The matching JSON API: result shapes, explanations, writes and their permissions, and JSON
errors naming the parameter for every kind of bad input (never a 500, never HTML)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client

from biocommunity.matching.models import Introduction, Profile
from tests.conftest import assert_status, login
from tests.factories import (
    HubFactory,
    MarketDomainFactory,
    OrganizationFactory,
    ProfileFactory,
    member_user,
    reviewer_user,
    secretariat_user,
)
from tests.matching.test_visibility import cached_embedder  # noqa: F401  (autouse fixture)

pytestmark = pytest.mark.django_db

SEARCH = "/api/matching/search"
PROFILES = "/api/matching/profiles"
INTRODUCTIONS = "/api/matching/introductions"

MATCH_KEYS = {
    "rank",
    "id",
    "kind",
    "capability_type",
    "title_ja",
    "title_en",
    "organization",
    "domain",
    "stage",
    "trl",
    "hub",
    "languages",
    "score",
    "lexical",
    "dense",
    "explanation",
}
PROFILE_KEYS = {
    "id",
    "kind",
    "capability_type",
    "title_ja",
    "title_en",
    "body_ja",
    "body_en",
    "organization",
    "domain",
    "tags",
    "stage",
    "trl",
    "scale_min_litres",
    "scale_max_litres",
    "gmp",
    "hub",
    "visibility",
    "status",
    "expires_on",
    "languages",
    "source",
    "as_of",
    "created_at",
    "updated_at",
    "can_edit",
}


def call(
    client: Client, method: str, url: str, expect: int, data: Any = None, **params: Any
) -> Any:
    """One request; asserts the status and that the answer is JSON, and returns it."""
    if method == "get":
        response = client.get(url, params)
    else:
        body = data if isinstance(data, str | bytes) else json.dumps(data or {})
        response = getattr(client, method)(url, body, content_type="application/json")
    assert_status(response, expect)
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def assert_error(body: Any, field: str | None) -> None:
    assert set(body) == {"detail", "field", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["field"] == field


class World:
    def __init__(self) -> None:
        self.domain = MarketDomainFactory(number=6)
        self.hub = HubFactory()
        self.pharma = OrganizationFactory(name_ja="製薬株式会社", name_en="Pharma Inc.")
        self.univ = OrganizationFactory(name_ja="東京大学", name_en="University of Tokyo")
        self.cdmo = OrganizationFactory(name_ja="受託製造株式会社", name_en="CDMO Co.")
        self.pharma_member = member_user(self.pharma)
        self.univ_member = member_user(self.univ)
        self.cdmo_member = member_user(self.cdmo)
        self.secretariat = secretariat_user()
        self.need = ProfileFactory(
            organization=self.pharma,
            kind="need",
            title_ja="抗体医薬品の製造委託先を探しています",
            body_ja="治験薬の抗体医薬品をCHO細胞で製造できるパートナーを探しています。",
            market_domain=self.domain,
            contact_email="need@pharma.example.org",
        )
        self.seed = ProfileFactory(
            organization=self.univ,
            kind="seed",
            title_ja="",
            body_ja="",
            title_en="High-yield monoclonal antibody production in CHO cells",
            body_en="A perfusion process for monoclonal antibodies with titres above 5 g/L.",
            market_domain=self.domain,
            stage="proof-of-concept",
            hub=self.hub,
            contact_email="seed@univ.example.org",
        )
        self.capability = ProfileFactory(
            organization=self.cdmo,
            kind="capability",
            capability_type="cdmo",
            title_ja="抗体医薬品の受託製造（GMP）",
            body_ja="2000 LのシングルユースバイオリアクターでGMP製造を受託します。",
            gmp=True,
        )
        self.other_need = ProfileFactory(
            organization=self.cdmo,
            kind="need",
            title_ja="培地の供給元を探しています",
            body_ja="抗体医薬品の製造に使う培地の供給元を探しています。",
        )


@pytest.fixture
def world() -> World:
    return World()


def as_(user: Any) -> Client:
    return login(Client(), user)


# ---------------------------------------------------------------- search


def test_search_results_are_explained_across_languages(world: World) -> None:
    body = call(Client(), "get", SEARCH, 200, q="抗体医薬品の製造")
    assert body["mode"] == "hybrid" and body["count"] == len(body["results"])
    assert body["results"], body
    for result in body["results"]:
        assert set(result) == MATCH_KEYS
        assert set(result["organization"]) == {"key", "name_ja", "name_en"}
        assert set(result["explanation"]) == {"concepts", "words", "similarity"}
        assert "contact_email" not in result
    ranks = [r["rank"] for r in body["results"]]
    assert ranks == list(range(1, len(ranks) + 1))
    seed = next(r for r in body["results"] if r["id"] == world.seed.pk)
    # A Japanese query finds the English seed through a shared concept, named in both.
    concepts = {c["key"]: c for c in seed["explanation"]["concepts"]}
    assert "monoclonal-antibody" in concepts
    assert concepts["monoclonal-antibody"]["ja"].startswith("抗体医薬品")
    assert concepts["monoclonal-antibody"]["en"].startswith("monoclonal antibody")
    assert isinstance(seed["explanation"]["similarity"], float)
    assert seed["organization"] == {
        "key": world.univ.key,
        "name_ja": "東京大学",
        "name_en": "University of Tokyo",
    }
    assert seed["domain"]["key"] == world.domain.key
    assert seed["hub"]["key"] == world.hub.key
    assert seed["languages"] == ["en"]


def test_search_filters_modes_and_k(world: World) -> None:
    client = Client()
    needs = call(client, "get", SEARCH, 200, q="抗体医薬品", kind="need")
    assert {r["kind"] for r in needs["results"]} == {"need"}
    both = call(client, "get", f"{SEARCH}?q=抗体医薬品&kind=seed&kind=capability", 200)
    assert {r["kind"] for r in both["results"]} == {"seed", "capability"}
    comma = call(client, "get", SEARCH, 200, q="抗体医薬品", kind="seed,capability")
    assert [r["id"] for r in comma["results"]] == [r["id"] for r in both["results"]]
    cdmo = call(client, "get", SEARCH, 200, q="抗体医薬品", capability_type="cdmo", gmp="true")
    assert [r["id"] for r in cdmo["results"]] == [world.capability.pk]
    domain = call(client, "get", SEARCH, 200, q="抗体医薬品", domain=world.domain.key)
    assert {r["id"] for r in domain["results"]} == {world.need.pk, world.seed.pk}
    hub = call(client, "get", SEARCH, 200, q="antibody", hub=world.hub.key)
    assert [r["id"] for r in hub["results"]] == [world.seed.pk]
    stage = call(client, "get", SEARCH, 200, q="antibody", stage="proof-of-concept")
    assert [r["id"] for r in stage["results"]] == [world.seed.pk]
    english = call(client, "get", SEARCH, 200, q="抗体医薬品", lang="en")
    assert [r["id"] for r in english["results"]] == [world.seed.pk]
    one = call(client, "get", SEARCH, 200, q="抗体医薬品", k=1)
    assert one["count"] == 1 and one["k"] == 1
    for mode in ("lexical", "dense", "hybrid"):
        found = call(client, "get", SEARCH, 200, q="monoclonal antibody", mode=mode)
        assert found["mode"] == mode
        assert world.seed.pk in [r["id"] for r in found["results"]]
    lexical = call(client, "get", SEARCH, 200, q="monoclonal antibody", mode="lexical")
    assert all(r["dense"] == 0 for r in lexical["results"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "あ" * 3000}, "q"),
        ({"q": "抗体\x00"}, "q"),
        ({"q": "抗体", "colour": "red"}, "colour"),
        ({"q": "抗体", "page": "2"}, "page"),
        ({"q": "抗体", "kind": "startup"}, "kind"),
        ({"q": "抗体", "kind": "seed,startup"}, "kind"),
        ({"q": "抗体", "capability_type": "bank"}, "capability_type"),
        ({"q": "抗体", "stage": "phase-3"}, "stage"),
        ({"q": "抗体", "domain": "no-such-domain"}, "domain"),
        ({"q": "抗体", "hub": "no-such-hub"}, "hub"),
        ({"q": "抗体", "domain": "x\x00"}, "domain"),
        ({"q": "抗体", "gmp": "maybe"}, "gmp"),
        ({"q": "抗体", "lang": "fr"}, "lang"),
        ({"q": "抗体", "k": "abc"}, "k"),
        ({"q": "抗体", "k": "0"}, "k"),
        ({"q": "抗体", "k": "51"}, "k"),
        ({"q": "抗体", "k": "-3"}, "k"),
        ({"q": "抗体", "k": "1e3"}, "k"),
        ({"q": "抗体", "k": "99999999999999999999999"}, "k"),
        ({"q": "抗体", "mode": "semantic"}, "mode"),
    ],
)
def test_bad_search_input_answers_400_json_naming_the_parameter(
    world: World, params: dict[str, str], field: str
) -> None:
    body = call(Client(), "get", SEARCH, 400, **params)
    assert_error(body, field)


def test_query_at_the_limit_is_searched(world: World) -> None:
    call(Client(), "get", SEARCH, 200, q="抗体" * 1000)


def test_html_in_profile_texts_is_returned_as_data(world: World) -> None:
    nasty = '<script>alert("x")</script><b onmouseover=alert(1)>抗体医薬品</b>'
    profile = ProfileFactory(title_ja=nasty, body_ja=f"{nasty} の製造")
    response = Client().get(SEARCH, {"q": "抗体医薬品 alert"})
    assert_status(response, 200)
    assert response.headers["Content-Type"].startswith("application/json")
    results = json.loads(response.content)["results"]
    assert next(r for r in results if r["id"] == profile.pk)["title_ja"] == nasty
    detail = call(Client(), "get", f"{PROFILES}/{profile.pk}", 200)
    assert detail["title_ja"] == nasty and detail["body_ja"].startswith(nasty)


# ---------------------------------------------------------------- profiles: reading


def test_profile_list_filters_and_paging(world: World) -> None:
    client = Client()
    everything = call(client, "get", PROFILES, 200)
    assert everything["count"] == 4 and everything["pages"] == 1
    assert set(everything["results"][0]) == PROFILE_KEYS  # anonymous: no contacts
    needs = call(client, "get", PROFILES, 200, kind="need")
    assert {r["id"] for r in needs["results"]} == {world.need.pk, world.other_need.pk}
    cdmo = call(client, "get", PROFILES, 200, organization=world.cdmo.key)
    assert {r["id"] for r in cdmo["results"]} == {world.capability.pk, world.other_need.pk}
    pages = [call(client, "get", PROFILES, 200, page_size=1, page=n) for n in (1, 2, 3, 4, 5)]
    assert [p["count"] for p in pages] == [4] * 5 and pages[0]["pages"] == 4
    assert len({p["results"][0]["id"] for p in pages[:4]}) == 4 and pages[4]["results"] == []
    mine = call(as_(world.cdmo_member), "get", PROFILES, 200, mine="true")
    assert {r["id"] for r in mine["results"]} == {world.capability.pk, world.other_need.pk}
    assert call(client, "get", PROFILES, 200, mine="true")["count"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "抗体"}, "q"),
        ({"sort": "title"}, "sort"),
        ({"organization": "acme\x00"}, "organization"),
        ({"hub": "\x00"}, "hub"),
        ({"kind": "startup"}, "kind"),
        ({"domain": "nowhere"}, "domain"),
        ({"organization": "no-such-org"}, "organization"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"page_size": "1000"}, "page_size"),
        ({"mine": "perhaps"}, "mine"),
    ],
)
def test_bad_list_input_answers_400(world: World, params: dict[str, str], field: str) -> None:
    assert_error(call(Client(), "get", PROFILES, 400, **params), field)


def test_profile_detail_and_contacts(world: World) -> None:
    anonymous = call(Client(), "get", f"{PROFILES}/{world.seed.pk}", 200)
    assert set(anonymous) == PROFILE_KEYS
    assert anonymous["can_edit"] is False
    assert anonymous["domain"]["number"] == 6
    owner = call(as_(world.univ_member), "get", f"{PROFILES}/{world.seed.pk}", 200)
    assert owner["contact_email"] == "seed@univ.example.org" and owner["can_edit"] is True
    other = call(as_(world.pharma_member), "get", f"{PROFILES}/{world.seed.pk}", 200)
    assert "contact_email" not in other and other["can_edit"] is False
    secretariat = call(as_(world.secretariat), "get", f"{PROFILES}/{world.seed.pk}", 200)
    assert secretariat["contact_email"] == "seed@univ.example.org"


@pytest.mark.parametrize("pk", ["987654", "abc", "0", "-1", "1.5", "99999999999999999999999"])
def test_missing_profile_is_404_json(world: World, pk: str) -> None:
    body = call(Client(), "get", f"{PROFILES}/{pk}", 404)
    assert_error(body, "id")
    call(Client(), "get", f"{PROFILES}/{pk}/matches", 404)


def test_matches_are_direction_aware(world: World) -> None:
    client = Client()
    for_need = call(client, "get", f"{PROFILES}/{world.need.pk}/matches", 200)
    assert set(for_need["kinds"]) == {"seed", "capability"}
    kinds = {r["kind"] for r in for_need["results"]}
    assert kinds <= {"seed", "capability"} and kinds
    assert {r["id"] for r in for_need["results"]} == {world.seed.pk, world.capability.pk}
    for_seed = call(client, "get", f"{PROFILES}/{world.seed.pk}/matches", 200)
    assert for_seed["kinds"] == ["need"]
    assert {r["id"] for r in for_seed["results"]} == {world.need.pk, world.other_need.pk}
    # A profile's own organisation is left out of its matches.
    for_capability = call(client, "get", f"{PROFILES}/{world.capability.pk}/matches", 200)
    assert {r["id"] for r in for_capability["results"]} == {world.need.pk}
    one = call(client, "get", f"{PROFILES}/{world.need.pk}/matches", 200, k=1)
    assert one["count"] == 1
    assert_error(call(client, "get", f"{PROFILES}/{world.need.pk}/matches", 400, k="x"), "k")
    assert_error(call(client, "get", f"{PROFILES}/{world.need.pk}/matches", 400, mode="x"), "mode")


# ---------------------------------------------------------------- profiles: writing

NEW = {
    "kind": "seed",
    "title_ja": "新しい抗体精製技術",
    "body_ja": "連続クロマトグラフィーによる抗体精製。",
    "tags": ["antibody", "chromatography"],
    "trl": 4,
    "scale_min_litres": 0.25,
    "scale_max_litres": "2000",
    "gmp": False,
    "visibility": "members",
    "contact_name": "山田",
    "contact_email": "yamada@example.org",
}


def test_member_posts_for_own_organisation(world: World) -> None:
    body = call(as_(world.univ_member), "post", PROFILES, 201, NEW)
    profile = Profile.objects.get(pk=body["id"])
    assert profile.organization == world.univ
    assert profile.tags == "antibody; chromatography"
    assert body["tags"] == ["antibody", "chromatography"]
    assert body["scale_min_litres"] == 0.25 and body["scale_max_litres"] == 2000
    assert body["contact_email"] == "yamada@example.org" and body["can_edit"] is True
    assert body["visibility"] == "members" and body["status"] == "active"
    explicit = call(
        as_(world.univ_member), "post", PROFILES, 201, {**NEW, "organization": world.univ.key}
    )
    assert explicit["organization"]["key"] == world.univ.key


def test_secretariat_posts_for_any_organisation(world: World) -> None:
    client = as_(world.secretariat)
    body = call(
        client,
        "post",
        PROFILES,
        201,
        {**NEW, "organization": world.cdmo.key, "domain": 6, "hub": world.hub.key},
    )
    assert body["organization"]["key"] == world.cdmo.key
    assert body["domain"]["key"] == world.domain.key and body["hub"]["key"] == world.hub.key
    assert_error(call(client, "post", PROFILES, 422, NEW), "organization")
    assert_error(
        call(client, "post", PROFILES, 422, {**NEW, "organization": "no-such-org"}),
        "organization",
    )


def test_writes_need_a_session_and_the_right_organisation(world: World) -> None:
    count = Profile.objects.count()
    assert "detail" in call(Client(), "post", PROFILES, 401, NEW)
    call(Client(), "patch", f"{PROFILES}/{world.seed.pk}", 401, {"title_en": "x"})
    other = {**NEW, "organization": world.cdmo.key}
    assert_error(call(as_(world.univ_member), "post", PROFILES, 403, other), None)
    # A reviewer speaks for no organisation: nothing to post for.
    call(as_(reviewer_user()), "post", PROFILES, 403, NEW)
    assert Profile.objects.count() == count


def test_writes_check_the_csrf_token(world: World) -> None:
    client = login(Client(enforce_csrf_checks=True), world.univ_member)
    response = client.post(PROFILES, json.dumps(NEW), content_type="application/json")
    assert_status(response, 403)
    assert response.headers["Content-Type"].startswith("application/json")
    client.get("/ja/matching/")  # the page sets the CSRF cookie its scripts send back
    token = client.cookies["csrftoken"].value
    response = client.post(
        PROFILES, json.dumps(NEW), content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert_status(response, 201)


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"title_ja": "", "title_en": ""}, 422, "title_ja"),
        ({"body_ja": ""}, 422, "body_ja"),
        ({"kind": "capability"}, 422, "capability_type"),
        ({"capability_type": "cdmo"}, 422, "capability_type"),
        ({"kind": "startup"}, 422, "kind"),
        ({"kind": None}, 422, "kind"),
        ({"scale_min_litres": 100, "scale_max_litres": 10}, 422, "scale_max_litres"),
        ({"scale_min_litres": "NaN"}, 400, "scale_min_litres"),
        ({"scale_min_litres": "lots"}, 400, "scale_min_litres"),
        ({"trl": 10}, 422, "trl"),
        ({"trl": 0}, 422, "trl"),
        ({"trl": "ten"}, 400, "trl"),
        ({"trl": 4.5}, 400, "trl"),
        ({"visibility": "friends"}, 422, "visibility"),
        ({"status": "deleted"}, 422, "status"),
        ({"expires_on": "next week"}, 400, "expires_on"),
        ({"contact_email": "not an address"}, 422, "contact_email"),
        ({"domain": "nowhere"}, 422, "domain"),
        ({"hub": "nowhere"}, 422, "hub"),
        ({"title_ja": "あ" * 201}, 422, "title_ja"),
        ({"body_ja": "あ" * 5001}, 422, "body_ja"),
        ({"title_ja": "抗体\x00"}, 400, "title_ja"),
        ({"colour": "red"}, 400, "colour"),
        ({"tags": {"a": 1}}, 400, "tags"),
    ],
)
def test_invalid_profiles_answer_with_the_field(
    world: World, change: dict[str, Any], status: int, field: str
) -> None:
    count = Profile.objects.count()
    body = call(as_(world.univ_member), "post", PROFILES, status, {**NEW, **change})
    assert body["field"] == field, body
    assert field in body["errors"]
    assert Profile.objects.count() == count


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", '"text"', '{"trl": NaN}', b"\xff\xfe", "{"])
def test_unreadable_bodies_answer_400(world: World, raw: str | bytes) -> None:
    body = call(as_(world.univ_member), "post", PROFILES, 400, raw)
    assert body["field"] in ("body", "trl")


def test_owner_and_secretariat_update_others_may_not(world: World) -> None:
    url = f"{PROFILES}/{world.seed.pk}"
    body = call(as_(world.univ_member), "patch", url, 200, {"title_en": "Antibody perfusion"})
    assert body["title_en"] == "Antibody perfusion"
    assert body["body_en"] == world.seed.body_en  # untouched fields stay
    world.seed.refresh_from_db()
    assert world.seed.title_en == "Antibody perfusion"
    call(as_(world.secretariat), "patch", url, 200, {"stage": "preclinical", "trl": 5})
    assert_error(call(as_(world.pharma_member), "patch", url, 403, {"title_en": "Mine"}), None)
    world.seed.refresh_from_db()
    assert world.seed.title_en == "Antibody perfusion" and world.seed.trl == 5
    assert_error(
        call(as_(world.univ_member), "patch", url, 422, {"organization": world.cdmo.key}),
        "organization",
    )
    assert_error(call(as_(world.univ_member), "patch", url, 422, {"trl": 10}), "trl")
    call(as_(world.univ_member), "patch", url, 200, {"organization": world.univ.key})


def test_hidden_profile_cannot_be_patched_and_answers_404(world: World) -> None:
    draft = ProfileFactory(organization=world.univ, status="draft")
    url = f"{PROFILES}/{draft.pk}"
    missing = call(as_(world.pharma_member), "patch", f"{PROFILES}/987654", 404, {})
    hidden = call(as_(world.pharma_member), "patch", url, 404, {"title_ja": "乗っ取り"})
    assert hidden == missing
    call(as_(world.univ_member), "patch", url, 200, {"status": "active"})


def test_an_edit_reaches_search_without_a_rebuild(world: World) -> None:
    client = Client()
    before = call(client, "get", SEARCH, 200, q="glycoengineering", mode="lexical")
    assert world.seed.pk not in [r["id"] for r in before["results"]]
    call(
        as_(world.univ_member),
        "patch",
        f"{PROFILES}/{world.seed.pk}",
        200,
        {"title_en": "Glycoengineering of antibodies"},
    )
    after = call(client, "get", SEARCH, 200, q="glycoengineering", mode="lexical")
    assert [r["id"] for r in after["results"]] == [world.seed.pk]
    # Closing it takes it out of everyone else's results at once.
    call(as_(world.univ_member), "patch", f"{PROFILES}/{world.seed.pk}", 200, {"status": "closed"})
    gone = call(client, "get", SEARCH, 200, q="glycoengineering", mode="lexical")
    assert gone["results"] == []


# ---------------------------------------------------------------- introductions


def ask(world: World, client: Client | None = None, status: int = 201, **body: Any) -> Any:
    payload = {"profile": world.seed.pk, "message": "CHO細胞の抗体製造でご相談したいです。"}
    return call(client or as_(world.pharma_member), "post", INTRODUCTIONS, status, payload | body)


def test_introduction_accepted_reveals_contacts_to_both_sides_only(world: World) -> None:
    asked = ask(world, from_profile=world.need.pk)
    assert asked["status"] == "requested" and "contacts" not in asked
    assert asked["role"] == "requester" and asked["can_withdraw"] is True
    assert asked["profile"]["id"] == world.seed.pk
    assert asked["from_profile"]["id"] == world.need.pk
    url = f"{INTRODUCTIONS}/{asked['id']}"
    received = call(as_(world.univ_member), "get", INTRODUCTIONS, 200)
    assert [i["id"] for i in received["results"]] == [asked["id"]]
    assert received["results"][0]["can_answer"] is True
    assert "contacts" not in received["results"][0]
    # Someone not involved neither lists it nor acts on it.
    assert call(as_(world.cdmo_member), "get", INTRODUCTIONS, 200)["count"] == 0
    assert_error(call(as_(world.cdmo_member), "post", f"{url}/accept", 404), "id")
    # Only the recipient answers.
    call(as_(world.pharma_member), "post", f"{url}/accept", 403)
    accepted = call(as_(world.univ_member), "post", f"{url}/accept", 200, {"reply": "是非"})
    assert accepted["status"] == "accepted" and accepted["reply"] == "是非"
    contacts = accepted["contacts"]
    assert contacts["profile"]["email"] == "seed@univ.example.org"
    assert contacts["requester"]["email"] == "need@pharma.example.org"
    for user in (world.pharma_member, world.secretariat):
        listed = call(as_(user), "get", INTRODUCTIONS, 200)["results"]
        assert listed[0]["contacts"]["profile"]["email"] == "seed@univ.example.org"
    assert "seed@univ.example.org" not in as_(world.cdmo_member).get(INTRODUCTIONS).content.decode()
    # Answered once only.
    assert_error(call(as_(world.univ_member), "post", f"{url}/decline", 422), "status")


def test_declined_and_withdrawn_introductions_reveal_nothing(world: World) -> None:
    asked = ask(world)
    url = f"{INTRODUCTIONS}/{asked['id']}"
    declined = call(as_(world.univ_member), "post", f"{url}/decline", 200)
    assert declined["status"] == "declined" and "contacts" not in declined
    listed = call(as_(world.pharma_member), "get", INTRODUCTIONS, 200, status="declined")
    assert listed["count"] == 1 and "contacts" not in listed["results"][0]
    again = ask(world)  # a declined request does not block a new one
    url = f"{INTRODUCTIONS}/{again['id']}"
    call(as_(world.univ_member), "post", f"{url}/withdraw", 403)  # the recipient cannot
    withdrawn = call(as_(world.pharma_member), "post", f"{url}/withdraw", 200)
    assert withdrawn["status"] == "withdrawn" and "contacts" not in withdrawn
    assert_error(call(as_(world.univ_member), "post", f"{url}/accept", 422), "status")


def test_introduction_refusals(world: World) -> None:
    ask(world)
    duplicate = ask(world, status=422)
    assert_error(duplicate, "profile")
    own = ask(world, client=as_(world.univ_member), status=422)
    assert_error(own, "profile")
    assert_error(ask(world, message="   ", status=422), "message")
    assert_error(ask(world, message="あ" * 2001, status=422), "message")
    assert_error(ask(world, from_profile=world.capability.pk, status=422), "from_profile")
    assert_error(ask(world, from_profile=987654, status=422), "from_profile")
    assert_error(ask(world, profile="seed", status=400), "profile")
    assert_error(ask(world, profile=99999999999999999999999, status=400), "profile")
    assert_error(ask(world, profile=987654, status=404), "id")
    assert_error(ask(world, colour="red", status=400), "colour")
    call(as_(world.pharma_member), "post", INTRODUCTIONS, 400, {"profile": world.seed.pk})
    ask(world, client=Client(), status=401)
    ask(world, client=as_(reviewer_user()), status=403)
    assert Introduction.objects.count() == 1


def test_meeting_dates(world: World) -> None:
    asked = ask(world)
    url = f"{INTRODUCTIONS}/{asked['id']}/meeting"
    today = datetime.date.today()
    assert_error(
        call(as_(world.pharma_member), "post", url, 422, {"held_on": str(today)}), "held_on"
    )
    call(as_(world.univ_member), "post", f"{INTRODUCTIONS}/{asked['id']}/accept", 200)
    future = str(today + datetime.timedelta(days=1))
    assert_error(call(as_(world.pharma_member), "post", url, 422, {"held_on": future}), "held_on")
    past = str(today - datetime.timedelta(days=30))
    assert_error(call(as_(world.pharma_member), "post", url, 422, {"held_on": past}), "held_on")
    assert_error(call(as_(world.pharma_member), "post", url, 400, {"held_on": "soon"}), "held_on")
    assert_error(call(as_(world.pharma_member), "post", url, 400, {}), "held_on")
    call(as_(world.cdmo_member), "post", url, 404, {"held_on": str(today)})
    met = call(as_(world.univ_member), "post", url, 200, {"held_on": str(today)})
    assert met["meeting_held_on"] == str(today)
    call(as_(world.secretariat), "post", url, 200, {"held_on": str(today)})


def test_introduction_list_filters(world: World) -> None:
    ask(world)
    client = as_(world.pharma_member)
    assert call(client, "get", INTRODUCTIONS, 200, role="sent")["count"] == 1
    assert call(client, "get", INTRODUCTIONS, 200, role="received")["count"] == 0
    assert call(client, "get", INTRODUCTIONS, 200, status="accepted")["count"] == 0
    assert_error(call(client, "get", INTRODUCTIONS, 400, status="lost"), "status")
    assert_error(call(client, "get", INTRODUCTIONS, 400, role="other"), "role")
    assert_error(call(client, "get", INTRODUCTIONS, 400, colour="red"), "colour")
    call(Client(), "get", INTRODUCTIONS, 401)
    assert call(as_(reviewer_user()), "get", INTRODUCTIONS, 200)["count"] == 0


def test_introduction_hides_a_profile_the_viewer_can_no_longer_see(world: World) -> None:
    asked = ask(world, from_profile=world.need.pk)
    Profile.objects.filter(pk=world.seed.pk).update(visibility="secretariat")
    Profile.objects.filter(pk=world.need.pk).update(status="draft")
    requester = call(as_(world.pharma_member), "get", INTRODUCTIONS, 200)["results"][0]
    assert requester["profile"] is None and requester["from_profile"]["id"] == world.need.pk
    recipient = call(as_(world.univ_member), "get", INTRODUCTIONS, 200)["results"][0]
    assert recipient["profile"]["id"] == world.seed.pk and recipient["from_profile"] is None
    assert recipient["id"] == asked["id"]


# ---------------------------------------------------------------- pipeline


def test_pipeline_is_for_the_secretariat(world: World) -> None:
    asked = ask(world)
    call(as_(world.univ_member), "post", f"{INTRODUCTIONS}/{asked['id']}/accept", 200)
    ask(world, client=as_(world.cdmo_member))
    body = call(as_(world.secretariat), "get", "/api/matching/pipeline", 200)
    year = str(datetime.date.today().year)
    assert body["years"] == [
        {"period": year, "requested": 2, "accepted": 1, "declined": 0, "meetings": 0}
    ]
    assert body["total"]["requested"] == 2
    assert "matching-introductions-requested" in body["indicators"]
    assert_error(call(as_(world.pharma_member), "get", "/api/matching/pipeline", 403), None)
    call(Client(), "get", "/api/matching/pipeline", 401)


# ---------------------------------------------------------------- the schema


def test_openapi_lists_the_matching_endpoints() -> None:
    schema = call(Client(), "get", "/api/openapi.json", 200)
    paths = schema["paths"]
    for path in (
        "/api/matching/search",
        "/api/matching/profiles",
        "/api/matching/profiles/{profile_id}",
        "/api/matching/profiles/{profile_id}/matches",
        "/api/matching/introductions",
        "/api/matching/introductions/{introduction_id}/accept",
        "/api/matching/introductions/{introduction_id}/decline",
        "/api/matching/introductions/{introduction_id}/withdraw",
        "/api/matching/introductions/{introduction_id}/meeting",
        "/api/matching/pipeline",
    ):
        assert path in paths, path
    assert "patch" in paths["/api/matching/profiles/{profile_id}"]
    body = paths["/api/matching/profiles"]["post"]["requestBody"]["content"]["application/json"]
    assert "trl" in body["schema"]["properties"]


# ---------------------------------------------------------------- robustness


@pytest.mark.parametrize(
    "address",
    [
        "/api/matching/search?q=%ff%fe",
        "/api/matching/search?q=%00",
        "/api/matching/search?q=" + "%E6%8A%97" * 2500,
        "/api/matching/search?q=抗体&k=&mode=",
        "/api/matching/search?q=抗体&k=5&k=500",
        "/api/matching/search?q=抗体&kind=",
        "/api/matching/search?q=抗体&kind=,,",
        "/api/matching/search?q=抗体&domain=%00",
        "/api/matching/search?q=😀🧬",
        "/api/matching/search?q=' OR 1=1 --",
        "/api/matching/search?q=*&mode=dense&lang=ja,en",
        "/api/matching/search?" + "x" * 5000 + "=1",
        "/api/matching/profiles?page=99999999999999999999",
        "/api/matching/profiles?page=100000",
        "/api/matching/profiles?gmp=false&lang=ja&stage=research,clinical",
        "/api/matching/profiles/%00",
        "/api/matching/profiles/１２",
        "/api/matching/profiles/²",
    ],
)
def test_odd_requests_never_fail_with_500(world: World, address: str) -> None:
    response = Client().get(address)
    assert response.status_code < 500
    assert response.headers["Content-Type"].startswith("application/json")
    if response.status_code >= 400:
        assert "detail" in json.loads(response.content)


def test_list_queries_do_not_grow_with_the_results(
    world: World, django_assert_max_num_queries: Any
) -> None:
    client = as_(world.secretariat)
    client.get(PROFILES)  # the session and the role are read once
    with django_assert_max_num_queries(8):
        small = call(client, "get", PROFILES, 200)
    for _ in range(15):
        ProfileFactory(market_domain=world.domain, hub=world.hub)
    with django_assert_max_num_queries(8):
        large = call(client, "get", PROFILES, 200)
    assert len(large["results"]) == 19 > len(small["results"])


def test_introduction_list_queries_do_not_grow(
    world: World, django_assert_max_num_queries: Any
) -> None:
    client = as_(world.secretariat)
    ask(world)
    client.get(INTRODUCTIONS)
    with django_assert_max_num_queries(8):
        call(client, "get", INTRODUCTIONS, 200)
    for profile in (world.capability, world.other_need, world.need):
        ask(world, client=as_(world.univ_member), profile=profile.pk)
    with django_assert_max_num_queries(8):
        assert call(client, "get", INTRODUCTIONS, 200)["count"] == 4
