"""Matching pages in Japanese and English: who sees which profile, how bad input fails,
the introduction flow, and that nothing hidden leaks through search, detail or export."""

from __future__ import annotations

import csv
import datetime
import html
import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext

from biocommunity.indicators.models import Observation
from biocommunity.matching.models import Introduction, Profile, SavedSearch
from biocommunity.matching.services import indexing
from tests.conftest import assert_status, login
from tests.factories import (
    CommunityFactory,
    IntroductionFactory,
    OrganizationFactory,
    ProfileFactory,
    UserFactory,
    member_user,
    secretariat_user,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ("ja", "en")
QUERY = "抗体医薬品の製造"


def url(language: str, name: str, *args: Any) -> str:
    """Reverse inside the language: a request leaves its own language active."""
    with translation.override(language):
        return reverse(f"matching:{name}", args=args)


def label(text: str, language: str) -> str:
    """A UI string as the page shows it in the language (HTML-escaped)."""
    with translation.override(language):
        return html.escape(gettext(text))


def get(client: Client, address: str, status: int = 200, **headers: Any) -> str:
    response = client.get(address, **headers)
    assert_status(response, status)
    return response.content.decode()


def assert_login_redirect(response: Any, language: str) -> None:
    assert_status(response, 302)
    with translation.override(language):
        login_path = reverse("login")
    assert response.url.startswith(f"{login_path}?next=")


class World:
    """Two organisations, their members, the secretariat, and profiles of every visibility."""

    def __init__(self) -> None:
        self.owner_org = OrganizationFactory(name_ja="抗体テック株式会社", name_en="Antibody Tech")
        self.other_org = OrganizationFactory(name_ja="バイオ製薬株式会社", name_en="Bio Pharma")
        self.owner = member_user(self.owner_org)
        self.member = member_user(self.other_org)
        self.secretariat = secretariat_user()
        self.public = ProfileFactory(
            organization=self.owner_org,
            title_ja="公開 抗体医薬品の製造技術",
            body_ja="CHO細胞を用いた抗体医薬品の高生産プロセス。",
            contact_email="owner-contact@example.org",
        )
        self.members_only = ProfileFactory(
            organization=self.owner_org,
            title_ja="会員限定 抗体医薬品の精製",
            body_ja="抗体医薬品の連続精製プロセス。",
            visibility="members",
        )
        self.secret = ProfileFactory(
            organization=self.owner_org,
            title_ja="事務局限定 抗体医薬品の製造",
            body_ja="抗体医薬品の製造ラインの増設。",
            visibility="secretariat",
        )
        self.draft = ProfileFactory(
            organization=self.owner_org,
            title_ja="下書き 抗体医薬品の製造",
            body_ja="抗体医薬品の製造に関する下書き。",
            status="draft",
        )

    def hidden_from(self, who: str) -> list[Profile]:
        return {
            "anonymous": [self.members_only, self.secret, self.draft],
            "member": [self.secret, self.draft],
            "secretariat": [],
        }[who]


@pytest.fixture
def world() -> World:
    return World()


def as_user(client: Client, world: World, who: str) -> Client:
    if who == "member":
        login(client, world.member)
    elif who == "owner":
        login(client, world.owner)
    elif who == "secretariat":
        login(client, world.secretariat)
    return client


# ---------------------------------------------------------------- every page, both languages


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_answers_in_both_languages(client: Client, world: World, language: str) -> None:
    IntroductionFactory(profile=world.public, requester_organization=world.other_org)
    pages: list[tuple[str, str]] = [
        ("anonymous", url(language, "index")),
        ("anonymous", url(language, "index") + "?q=" + QUERY),
        ("anonymous", url(language, "profiles")),
        ("anonymous", url(language, "profile", world.public.pk)),
        ("member", url(language, "index") + "?q=" + QUERY),
        ("member", url(language, "profile", world.members_only.pk)),
        ("member", url(language, "profile_new")),
        ("member", url(language, "introductions")),
        ("owner", url(language, "profile_edit", world.public.pk)),
        ("owner", url(language, "introductions")),
        ("secretariat", url(language, "profile", world.secret.pk)),
        ("secretariat", url(language, "profile_new")),
        ("secretariat", url(language, "introductions")),
        ("secretariat", url(language, "pipeline")),
        ("secretariat", url(language, "import")),
    ]
    for who, address in pages:
        client.logout()
        content = get(as_user(client, world, who), address)
        assert f'<html lang="{language}">' in content, address
        assert label("Matching", language) in content, address
    assert label("Find partners", language) in get(client, url(language, "index"))


def test_japanese_and_english_pages_differ(client: Client, world: World) -> None:
    ja = get(client, url("ja", "index") + "?q=" + QUERY)
    en = get(client, url("en", "index") + "?q=" + QUERY)
    assert label("Why it matched", "ja") in ja
    assert "Why it matched" in en
    assert label("Why it matched", "ja") not in en


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_refuse_the_wrong_people(client: Client, world: World, language: str) -> None:
    for name, args in [
        ("profile_new", ()),
        ("profile_edit", (world.public.pk,)),
        ("introductions", ()),
        ("pipeline", ()),
        ("import", ()),
    ]:
        assert_login_redirect(client.get(url(language, name, *args)), language)
    login(client, world.member)
    assert_status(client.get(url(language, "pipeline")), 403)
    assert_status(client.post(url(language, "pipeline")), 403)
    assert_status(client.get(url(language, "import")), 403)
    assert_status(client.get(url(language, "profile_edit", world.public.pk)), 403)
    client.logout()
    login(client, UserFactory())  # logged in, but no organisation
    assert_status(client.get(url(language, "profile_new")), 403)


@pytest.mark.parametrize(
    ("who", "profile_attr"),
    [
        ("anonymous", "members_only"),
        ("anonymous", "secret"),
        ("anonymous", "draft"),
        ("member", "secret"),
        ("member", "draft"),
    ],
)
def test_a_hidden_profile_looks_missing(
    client: Client, world: World, who: str, profile_attr: str
) -> None:
    profile = getattr(world, profile_attr)
    as_user(client, world, who)
    for language in LANGUAGES:
        assert_status(client.get(url(language, "profile", profile.pk)), 404)
    if who == "member":
        assert_status(client.get(url("ja", "profile_edit", profile.pk)), 404)
        response = client.post(url("ja", "request_introduction", profile.pk), {"message": "hi"})
        assert_status(response, 404)
        assert not Introduction.objects.exists()


def test_owner_and_secretariat_see_their_hidden_profiles(client: Client, world: World) -> None:
    login(client, world.owner)
    assert "下書き" in get(client, url("ja", "profile", world.draft.pk))
    client.logout()
    login(client, world.secretariat)
    for profile in (world.secret, world.draft, world.members_only):
        get(client, url("en", "profile", profile.pk))


# ---------------------------------------------------------------- search


@pytest.mark.parametrize("who", ["anonymous", "member", "secretariat"])
def test_search_shows_visible_profiles_and_never_a_hidden_one(
    client: Client, world: World, who: str
) -> None:
    as_user(client, world, who)
    for language in LANGUAGES:
        for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
            content = get(client, url(language, "index") + "?q=" + QUERY, **extra)
            assert world.public.title_ja in content
            for hidden in world.hidden_from(who):
                assert hidden.title_ja not in content, (who, hidden.title_ja)
            if who != "anonymous":
                assert world.members_only.title_ja in content
            if who == "secretariat":
                assert world.secret.title_ja in content


def test_htmx_search_answers_the_results_partial(client: Client, world: World) -> None:
    response = client.get(url("ja", "index") + "?q=" + QUERY, HTTP_HX_REQUEST="true")
    assert_status(response, 200)
    content = response.content.decode()
    assert "<html" not in content
    assert 'data-testid="match"' in content
    assert "HX-Request" in response["Vary"]


def test_explanation_names_shared_concepts_in_both_languages(client: Client, world: World) -> None:
    concept = indexing.glossary().concept("monoclonal-antibody")
    for language in LANGUAGES:
        # An English query finds the Japanese profile through the glossary.
        content = get(client, url(language, "index") + "?q=monoclonal+antibody+production")
        assert world.public.title_ja in content
        assert 'data-testid="explanation"' in content
        assert html.escape(concept.ja[0]) in content
        assert html.escape(concept.label("en")) in content
        assert label("Meaning similarity", language) in content


def test_a_result_in_the_other_language_carries_a_language_badge(client: Client) -> None:
    ProfileFactory(
        title_ja="",
        body_ja="",
        title_en="AAV vector GMP manufacturing",
        body_en="Contract manufacturing of adeno-associated virus vectors for gene therapy.",
        kind="capability",
        capability_type="cdmo",
    )
    ja = get(client, url("ja", "index") + "?q=遺伝子治療用AAVベクターの製造委託先")
    assert "AAV vector GMP manufacturing" in ja
    assert 'class="lang-badge" lang="en"' in ja
    en = get(client, url("en", "index") + "?q=AAV+vector+manufacturing")
    assert 'class="lang-badge"' not in en


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("q=", "q", "Type what you are looking for."),
        ("q=++", "q", "Type what you are looking for."),
        ("q=" + "抗" * 2001, "q", None),
        (f"q={QUERY}&kind=bogus", "kind", None),
        (f"q={QUERY}&stage=someday", "stage", None),
        (f"q={QUERY}&domain=no-such-domain", "domain", None),
        (f"q={QUERY}&hub=no-such-hub", "hub", None),
        (f"q={QUERY}&gmp=perhaps", "gmp", "gmp must be true or false."),
        (f"q={QUERY}&colour=red", None, None),
    ],
)
def test_bad_queries_answer_400_with_the_message_by_the_field(
    client: Client, world: World, query: str, field: str | None, message: str | None
) -> None:
    for language in LANGUAGES:
        partial = client.get(url(language, "index") + "?" + query, HTTP_HX_REQUEST="true")
        assert_status(partial, 400)
        content = partial.content.decode()
        assert 'data-testid="query-error"' in content
        if field:
            slot = content.split(f'id="error-{field}"', 1)[1].split("</div>", 1)[0]
            assert "errorlist" in slot
            if message:
                assert label(message, language) in slot
        full = client.get(url(language, "index") + "?" + query)
        assert_status(full, 400)
        assert f'<html lang="{language}">' in full.content.decode()
        assert world.public.title_ja not in full.content.decode()


def test_logged_in_users_save_and_delete_searches(client: Client, world: World) -> None:
    assert_login_redirect(client.post(url("ja", "save_search"), {"q": QUERY}), "ja")
    login(client, world.member)
    response = client.post(url("ja", "save_search"), {"q": QUERY, "kind": ["seed"]})
    assert_status(response, 302)
    saved = SavedSearch.objects.get(user=world.member)
    assert saved.query == QUERY
    assert saved.kind_list == ["seed"]
    assert QUERY in get(client, url("en", "index"))
    # someone else's saved search looks missing
    other = SavedSearch.objects.create(user=world.owner, query="別の検索")
    assert_status(client.post(url("ja", "delete_search", other.pk)), 404)
    assert_status(client.post(url("ja", "delete_search", saved.pk)), 302)
    assert not SavedSearch.objects.filter(pk=saved.pk).exists()
    assert SavedSearch.objects.filter(pk=other.pk).exists()


def test_saving_a_bad_search_saves_nothing(client: Client, world: World) -> None:
    login(client, world.member)
    response = client.post(url("ja", "save_search"), {"q": "  "}, follow=True)
    assert label("Type what you are looking for.", "ja") in response.content.decode()
    assert not SavedSearch.objects.exists()


# ---------------------------------------------------------------- browse and detail


def test_browse_lists_visible_profiles_filters_and_pages(client: Client, world: World) -> None:
    content = get(client, url("en", "profiles"))
    assert world.public.title_ja in content
    for hidden in world.hidden_from("anonymous"):
        assert hidden.title_ja not in content
    need = ProfileFactory(kind="need", title_ja="ニーズ 培地の供給")
    content = get(client, url("en", "profiles") + "?kind=need")
    assert need.title_ja in content
    assert world.public.title_ja not in content
    assert_status(client.get(url("en", "profiles") + "?kind=bogus"), 400)
    ProfileFactory.create_batch(21)
    assert "?page=2" in get(client, url("ja", "profiles"))
    get(client, url("ja", "profiles") + "?page=2")


def test_browse_mine_shows_the_members_own_drafts(client: Client, world: World) -> None:
    login(client, world.owner)
    content = get(client, url("ja", "profiles") + "?mine=1")
    assert world.draft.title_ja in content
    assert world.secret.title_ja in content
    ProfileFactory(title_ja="他社の公開プロファイル")
    assert "他社の公開プロファイル" not in content


def test_detail_shows_both_languages_and_contacts_only_to_owner_and_secretariat(
    client: Client, world: World
) -> None:
    bilingual = ProfileFactory(
        organization=world.owner_org,
        title_ja="AAVベクターの受託製造",
        title_en="AAV vector contract manufacturing",
        body_ja="遺伝子治療用AAVベクターのGMP製造。",
        body_en="GMP manufacturing of AAV vectors for gene therapy.",
        contact_email="aav@example.org",
        kind="capability",
        capability_type="cdmo",
        trl=7,
    )
    address = url("en", "profile", bilingual.pk)
    content = get(client, address)
    for text in (bilingual.title_ja, bilingual.title_en, bilingual.body_ja, bilingual.body_en):
        assert text in content
    assert "aav@example.org" not in content
    login(client, world.member)
    assert "aav@example.org" not in get(client, address)
    client.logout()
    login(client, world.owner)
    assert "aav@example.org" in get(client, address)
    assert url("en", "profile_edit", bilingual.pk) in get(client, address)
    client.logout()
    login(client, world.secretariat)
    assert "aav@example.org" in get(client, address)


def test_detail_lists_direction_aware_matches(client: Client, world: World) -> None:
    need = ProfileFactory(
        organization=world.other_org,
        kind="need",
        title_ja="抗体医薬品の製造委託先を探しています",
        body_ja="抗体医薬品の製造を委託できるCDMOを探しています。",
    )
    other_need = ProfileFactory(
        kind="need", title_ja="別のニーズ 抗体医薬品", body_ja="抗体医薬品の製造パートナー。"
    )
    own_seed = ProfileFactory(
        organization=world.other_org, title_ja="自社シーズ 抗体医薬品", body_ja="抗体医薬品"
    )
    login(client, world.member)
    content = get(client, url("ja", "profile", need.pk))
    matches = content.split('data-testid="profile-matches"', 1)[1]
    assert world.public.title_ja in matches  # a seed answers a need
    assert world.members_only.title_ja in matches
    assert other_need.title_ja not in matches  # needs are not offered to needs
    assert own_seed.title_ja not in matches  # nor one's own organisation's profiles
    assert world.secret.title_ja not in matches
    assert world.draft.title_ja not in matches


def test_html_in_a_profile_is_escaped(client: Client, world: World) -> None:
    evil = ProfileFactory(
        title_ja="<script>alert('x')</script>抗体医薬品の製造",
        body_ja="<img src=x onerror=alert(1)>抗体医薬品",
    )
    pages = [
        url("ja", "profile", evil.pk),
        url("ja", "profiles"),
        url("ja", "index") + "?q=" + QUERY,
    ]
    for address in pages:
        content = get(client, address)
        assert "<script>alert" not in content, address
        assert "<img src=x" not in content, address
        assert "&lt;script&gt;alert(" in content, address


# ---------------------------------------------------------------- profile form


def profile_data(**changes: Any) -> dict[str, Any]:
    data = {
        "kind": "need",
        "capability_type": "",
        "title_ja": "培地の安定供給先を探しています",
        "title_en": "",
        "body_ja": "動物細胞培養用の無血清培地を安定して供給できる企業を探しています。",
        "body_en": "",
        "market_domain": "",
        "tags": "培地; CHO",
        "stage": "clinical",
        "trl": "6",
        "scale_min_litres": "50",
        "scale_max_litres": "2000",
        "gmp": "true",
        "hub": "",
        "visibility": "members",
        "status": "active",
        "expires_on": "",
        "contact_name": "山田",
        "contact_email": "yamada@example.org",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("language", LANGUAGES)
def test_member_posts_a_profile_for_its_own_organisation(
    client: Client, world: World, language: str
) -> None:
    login(client, world.member)
    form = get(client, url(language, "profile_new") + "?kind=need")
    assert 'value="need" selected' in form
    response = client.post(url(language, "profile_new"), profile_data())
    assert_status(response, 302)
    profile = Profile.objects.get(title_ja="培地の安定供給先を探しています")
    assert profile.organization == world.other_org
    assert profile.created_by == world.member
    assert profile.gmp is True
    assert response.url == url(language, "profile", profile.pk)


def test_secretariat_chooses_the_organisation(client: Client, world: World) -> None:
    login(client, world.secretariat)
    assert 'name="organization"' in get(client, url("ja", "profile_new"))
    response = client.post(
        url("ja", "profile_new"), profile_data(organization=str(world.owner_org.pk))
    )
    assert_status(response, 302)
    assert Profile.objects.get(title_ja="培地の安定供給先を探しています").organization == (
        world.owner_org
    )
    client.logout()
    login(client, world.member)
    assert 'name="organization"' not in get(client, url("ja", "profile_new"))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title_ja": "", "title_en": ""}, "title_ja"),
        ({"body_ja": "", "body_en": ""}, "body_ja"),
        ({"kind": "capability"}, "capability_type"),
        ({"capability_type": "cdmo"}, "capability_type"),
        ({"trl": "12"}, "trl"),
        ({"scale_min_litres": "5000"}, "scale_max_litres"),
        ({"contact_email": "not an address"}, "contact_email"),
        ({"kind": "wish"}, "kind"),
    ],
)
def test_profile_form_errors_reshow_with_400_and_save_nothing(
    client: Client, world: World, changes: dict[str, str], field: str
) -> None:
    login(client, world.member)
    before = Profile.objects.count()
    response = client.post(url("ja", "profile_new"), profile_data(**changes))
    assert_status(response, 400)
    assert field in response.context["form"].errors
    assert label("Please correct the fields marked below; nothing was saved.", "ja") in (
        response.content.decode()
    )
    assert Profile.objects.count() == before
    # edits fail the same way and leave the profile as it was
    client.logout()
    login(client, world.owner)
    response = client.post(url("en", "profile_edit", world.public.pk), profile_data(**changes))
    assert_status(response, 400)
    assert field in response.context["form"].errors
    world.public.refresh_from_db()
    assert world.public.title_ja == "公開 抗体医薬品の製造技術"
    assert world.public.kind == "seed"


def test_owner_edits_a_profile(client: Client, world: World) -> None:
    login(client, world.owner)
    form = get(client, url("ja", "profile_edit", world.public.pk))
    assert world.public.title_ja in form
    response = client.post(
        url("ja", "profile_edit", world.public.pk),
        profile_data(kind="seed", title_ja="改訂 抗体医薬品の製造技術", visibility="public"),
    )
    assert_status(response, 302)
    world.public.refresh_from_db()
    assert world.public.title_ja == "改訂 抗体医薬品の製造技術"
    assert world.public.organization == world.owner_org


# ---------------------------------------------------------------- introductions


def test_introduction_request_accept_and_contacts_appear_only_then(
    client: Client, world: World
) -> None:
    requester_client, owner_client = Client(), Client()
    login(requester_client, world.member)
    login(owner_client, world.owner)
    own_profile = ProfileFactory(
        organization=world.other_org, contact_email="requester-contact@example.org"
    )

    # The owner is not offered the form on its own profile; a member of another org is.
    assert 'name="message"' not in get(owner_client, url("ja", "profile", world.public.pk))
    detail = get(requester_client, url("ja", "profile", world.public.pk))
    assert 'name="message"' in detail
    assert "owner-contact@example.org" not in detail

    # An empty message is refused and nothing is sent.
    response = requester_client.post(
        url("ja", "request_introduction", world.public.pk), {"message": "  "}
    )
    assert_status(response, 400)
    assert not Introduction.objects.exists()

    response = requester_client.post(
        url("ja", "request_introduction", world.public.pk),
        {"message": "共同開発のご相談です。", "from_profile": str(own_profile.pk)},
    )
    assert_status(response, 302)
    intro = Introduction.objects.get()
    assert intro.from_profile == own_profile

    # While it waits, the page says so instead of offering a second request ...
    detail = get(requester_client, url("ja", "profile", world.public.pk))
    assert 'name="message"' not in detail
    with translation.override("ja"):
        assert pgettext("introduction status", "Requested") in detail
    # ... and a second open request from the same organisation is refused with 400.
    response = requester_client.post(
        url("ja", "request_introduction", world.public.pk), {"message": "もう一度"}
    )
    assert_status(response, 400)
    assert Introduction.objects.count() == 1

    for page_client in (requester_client, owner_client):
        content = get(page_client, url("en", "introductions"))
        assert "共同開発のご相談です。" in content
        assert "owner-contact@example.org" not in content
        assert "requester-contact@example.org" not in content
        assert 'data-testid="contacts"' not in content

    # Only the recipient may answer.
    response = requester_client.post(
        url("ja", "introduction_action", intro.pk), {"action": "accept"}
    )
    assert_status(response, 403)
    response = owner_client.post(
        url("ja", "introduction_action", intro.pk), {"action": "accept", "reply": "喜んで。"}
    )
    assert_status(response, 302)
    intro.refresh_from_db()
    assert intro.status == "accepted"

    for page_client in (requester_client, owner_client):
        content = get(page_client, url("ja", "introductions"))
        assert 'data-testid="contacts"' in content
        assert "owner-contact@example.org" in content
        assert "requester-contact@example.org" in content

    # An outsider sees neither the introduction nor the contacts.
    outsider = Client()
    login(outsider, member_user(OrganizationFactory()))
    content = get(outsider, url("ja", "introductions"))
    assert "owner-contact@example.org" not in content
    assert_status(
        outsider.post(url("ja", "introduction_action", intro.pk), {"action": "withdraw"}), 404
    )

    # Either side records the meeting; a future date is refused.
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    response = requester_client.post(
        url("ja", "introduction_action", intro.pk),
        {"action": "meeting", "meeting_held_on": tomorrow.isoformat()},
    )
    assert_status(response, 400)
    response = requester_client.post(
        url("ja", "introduction_action", intro.pk),
        {"action": "meeting", "meeting_held_on": datetime.date.today().isoformat()},
    )
    assert_status(response, 302)
    intro.refresh_from_db()
    assert intro.meeting_held_on == datetime.date.today()


def test_requester_withdraws_and_recipient_declines(client: Client, world: World) -> None:
    first = IntroductionFactory(profile=world.public, requester_organization=world.other_org)
    login(client, first.requester)
    assert_status(
        client.post(url("en", "introduction_action", first.pk), {"action": "withdraw"}), 302
    )
    first.refresh_from_db()
    assert first.status == "withdrawn"
    second = IntroductionFactory(profile=world.public, requester_organization=world.other_org)
    client.logout()
    login(client, world.owner)
    assert_status(
        client.post(url("en", "introduction_action", second.pk), {"action": "decline"}), 302
    )
    second.refresh_from_db()
    assert second.status == "declined"
    assert 'data-testid="contacts"' not in get(client, url("en", "introductions"))
    # answering twice is a 400, not a 500
    response = client.post(url("en", "introduction_action", second.pk), {"action": "accept"})
    assert_status(response, 400)
    response = client.post(url("en", "introduction_action", second.pk), {"action": "dance"})
    assert_status(response, 400)


def test_secretariat_sees_every_introduction(client: Client, world: World) -> None:
    intro = IntroductionFactory(profile=world.public, message="事務局にも見える依頼")
    login(client, world.secretariat)
    content = get(client, url("ja", "introductions"))
    assert intro.message in content


# ---------------------------------------------------------------- secretariat pages


def test_pipeline_records_into_the_indicators(client: Client, world: World, settings: Any) -> None:
    CommunityFactory(key=settings.BIOCOMMUNITY_DEFAULT_COMMUNITY)
    intro = IntroductionFactory(profile=world.public)
    login(client, world.secretariat)
    content = get(client, url("ja", "pipeline"))
    assert str(intro.created_at.year) in content
    response = client.post(url("ja", "pipeline"), follow=True)
    assert_status(response, 200)
    assert Observation.objects.exists()
    assert '<li class="success">' in response.content.decode()


def test_pipeline_without_the_community_is_a_400(client: Client, world: World) -> None:
    login(client, world.secretariat)
    assert_status(client.post(url("en", "pipeline")), 400)


def test_import_checks_then_imports_profiles(client: Client, world: World) -> None:
    login(client, world.secretariat)
    rows = (
        "kind,organization,title_ja,body_ja,visibility\r\n"
        f"need,{world.other_org.key},培養槽の空き,50Lの培養槽を借りたい,members\r\n"
    )
    upload = SimpleUploadedFile("profiles.csv", rows.encode(), content_type="text/csv")
    response = client.post(url("ja", "import"), {"file": upload, "dry_run": "on"})
    assert_status(response, 200)
    assert 'data-testid="import-ok"' in response.content.decode()
    assert not Profile.objects.filter(title_ja="培養槽の空き").exists()
    upload = SimpleUploadedFile("profiles.csv", rows.encode(), content_type="text/csv")
    assert_status(client.post(url("ja", "import"), {"file": upload}), 200)
    assert Profile.objects.get(title_ja="培養槽の空き").organization == world.other_org
    bad = "kind,organization,title_ja,body_ja\r\nwish,no-such-org,題,本文\r\n"
    upload = SimpleUploadedFile("bad.csv", bad.encode(), content_type="text/csv")
    response = client.post(url("en", "import"), {"file": upload})
    assert_status(response, 400)
    content = response.content.decode()
    assert 'data-testid="import-errors"' in content
    assert "no-such-org" in content


# ---------------------------------------------------------------- export


def exported_titles(client: Client, fmt: str) -> set[str]:
    response = client.get(url("ja", "export") + f"?format={fmt}")
    assert_status(response, 200)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "json":
        return {row["title_ja"] for row in json.loads(body)}
    if fmt == "csv":
        return {row["title_ja"] for row in csv.DictReader(io.StringIO(body.decode("utf-8-sig")))}
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("title_ja")
    return {row[column] for row in rows[1:]}


@pytest.mark.parametrize("who", ["anonymous", "member", "secretariat"])
def test_export_never_includes_a_hidden_profile(client: Client, world: World, who: str) -> None:
    as_user(client, world, who)
    for fmt in ("csv", "json", "xlsx"):
        titles = exported_titles(client, fmt)
        assert world.public.title_ja in titles
        for hidden in world.hidden_from(who):
            assert hidden.title_ja not in titles, (who, fmt)


def test_export_contacts_only_for_the_secretariat_and_bad_format_is_400(
    client: Client, world: World
) -> None:
    login(client, world.member)
    assert (
        b"owner-contact@example.org" not in client.get(url("ja", "export") + "?format=csv").content
    )
    assert_status(client.get(url("ja", "export") + "?format=pdf"), 400)
    assert_status(client.get(url("ja", "export") + "?format=csv&kind=bogus"), 400)
    client.logout()
    login(client, world.secretariat)
    assert b"owner-contact@example.org" in client.get(url("ja", "export") + "?format=csv").content


def test_the_site_navigation_links_to_matching(client: Client) -> None:
    for language in LANGUAGES:
        assert f'href="{url(language, "index")}"' in get(client, f"/{language}/")
