"""The header's site-wide search: organisations, visible profiles and pages, grouped."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from biocommunity.portal.services.search import InvalidSearch, find_pages, site_search
from biocommunity.registry.models import Community, Organization
from tests.conftest import assert_status, login
from tests.factories import OrganizationFactory, ProfileFactory, member_user

pytestmark = pytest.mark.django_db


def _profiles(gtb: Community) -> dict[str, Any]:
    owner = Organization.objects.get(key="fujifilm")
    public = ProfileFactory(
        organization=owner,
        kind="capability",
        title_ja="抗体医薬品の受託製造",
        body_ja="CHO細胞による抗体医薬品のGMP受託製造を提供する。",
        visibility="public",
    )
    members = ProfileFactory(
        organization=owner,
        kind="capability",
        title_ja="抗体医薬品の非公開製造枠",
        body_ja="会員限定: 抗体医薬品の製造枠を提供する。",
        visibility="members",
    )
    return {"owner": owner, "public": public, "members": members}


def test_one_query_finds_organisations_profiles_and_pages(gtb: Community) -> None:
    made = _profiles(gtb)
    results = site_search(AnonymousUser(), "抗体医薬品")
    assert made["public"].pk in [m.profile.pk for m in results.profiles]
    cdmo = site_search(AnonymousUser(), "CDMO")
    assert {o.key for o in cdmo.organizations} == {"fujifilm", "agc"}
    assert cdmo.organization_total == 2
    kawasaki = site_search(AnonymousUser(), "川崎")
    hub = next(p for p in kawasaki.pages if p.url == "/ja/hubs/kawasaki/")
    assert hub.title_ja.startswith("5. 川崎")  # numbered as GTB numbers its hubs
    assert kawasaki.organization_total > 0


def test_members_only_profile_is_hidden_from_the_public_and_shown_to_members(
    gtb: Community,
) -> None:
    made = _profiles(gtb)
    anonymous = [m.profile.pk for m in site_search(AnonymousUser(), "抗体医薬品").profiles]
    assert made["members"].pk not in anonymous
    assert made["public"].pk in anonymous
    other_member = member_user(Organization.objects.get(key="agc"))
    seen = [m.profile.pk for m in site_search(other_member, "抗体医薬品").profiles]
    assert made["members"].pk in seen


def test_members_only_profile_is_not_on_the_public_results_page(
    gtb: Community, client: Client
) -> None:
    made = _profiles(gtb)
    response = client.get("/ja/search/", {"q": "抗体医薬品"})
    assert_status(response, 200)
    html = response.content.decode()
    assert made["public"].title_ja in html
    assert made["members"].title_ja not in html
    login(client, member_user(Organization.objects.get(key="agc")))
    member_page = client.get("/ja/search/", {"q": "抗体医薬品"}).content.decode()
    assert made["members"].title_ja in member_page


def test_pages_are_found_by_title_in_either_language(db: None) -> None:
    for q in ("認定", "certification register", "Certification Register"):
        assert "/ja/certification/" in [p.url for p in find_pages(q)], q
    assert "/ja/figures/compare/" in [p.url for p in find_pages("compare")]
    assert "/ja/figures/kpis/" in [p.url for p in find_pages("KPI")]
    assert "/ja/" in [p.url for p in find_pages("バイオコミュニティ")]
    assert find_pages("") == []
    assert find_pages("no-such-page-anywhere") == []


def test_results_page_groups_by_type_in_both_languages(gtb: Community, client: Client) -> None:
    ja = client.get("/ja/search/", {"q": "CDMO"})
    assert_status(ja, 200)
    html = ja.content.decode()
    for group in ("group-organizations", "group-profiles", "group-pages"):
        assert f'data-testid="{group}"' in html
    assert "富士フイルム株式会社" in html and "機関・団体" in html
    en = client.get("/en/search/", {"q": "CDMO"})
    assert_status(en, 200)
    text = en.content.decode()
    assert "FUJIFILM Corporation" in text and "Organisations" in text
    assert 'lang="en"' in text


def test_empty_query_finds_nothing_and_says_what_the_search_covers(
    gtb: Community, client: Client
) -> None:
    assert site_search(AnonymousUser(), "   ").total == 0
    response = client.get("/en/search/")
    assert_status(response, 200)
    assert "One search across" in response.content.decode()


def test_too_long_query_names_the_field_and_answers_400(db: None, client: Client) -> None:
    with pytest.raises(InvalidSearch) as caught:
        site_search(AnonymousUser(), "x" * 201)
    assert caught.value.errors[0]["field"] == "q"
    response = client.get("/ja/search/", {"q": "x" * 201})
    assert_status(response, 400)
    assert 'data-testid="search-error"' in response.content.decode()


def test_an_organisation_added_later_is_found_by_its_kind(db: None) -> None:
    OrganizationFactory(key="new-cro", name_ja="新しい受託機関", kinds=["cdmo"])
    assert [o.key for o in site_search(AnonymousUser(), "受託製造").organizations] == ["new-cro"]


def test_header_has_the_search_box_on_every_page(gtb: Community, client: Client) -> None:
    for url in ("/ja/", "/en/directory/", "/ja/figures/kpis/"):
        html = client.get(url).content.decode()
        assert 'data-testid="header-search"' in html, url
        assert 'action="/' + url.split("/")[1] + '/search/"' in html, url


def test_a_certificate_in_force_is_found_by_its_holder_and_number(db: None) -> None:
    from biocommunity.assessment.services import workflow
    from tests.factories import issued_certificate, secretariat_user

    holder = OrganizationFactory(
        key="certified-incubator", name_ja="認定インキュベータ甲", kinds=["incubator"]
    )
    certificate: Any = issued_certificate(organization=holder)
    url = f"/ja/certification/certificates/{certificate.number}/"
    assert url in [p.url for p in find_pages("認定インキュベータ甲")]
    assert url in [p.url for p in find_pages(certificate.number)]
    workflow.revoke(secretariat_user(), certificate, reason="取り消し")
    assert url not in [p.url for p in find_pages("認定インキュベータ甲")]


def test_results_page_query_count_does_not_grow_with_results(
    gtb: Community, client: Client, django_assert_max_num_queries: Any
) -> None:
    client.get("/ja/search/", {"q": "warm-up"})  # builds the profile index once
    for q in ("インキュベーション", "CDMO", "川崎"):  # 28 organisations; 10 profiles; pages
        with django_assert_max_num_queries(14):
            assert_status(client.get("/ja/search/", {"q": q}), 200)


def test_the_api_answers_the_same_search_for_the_same_viewer(
    gtb: Community, client: Client
) -> None:
    made = _profiles(gtb)
    response = client.get("/api/search", {"q": "抗体医薬品"})
    assert_status(response, 200)
    body = response.json()
    ids = [p["id"] for p in body["profiles"]]
    assert made["public"].pk in ids and made["members"].pk not in ids
    cdmo = client.get("/api/search", {"q": "CDMO"}).json()
    assert {o["key"] for o in cdmo["organizations"]} == {"agc", "fujifilm"}
    assert cdmo["organization_count"] == 2
    assert all(o["url"].endswith(f"/organizations/{o['key']}/") for o in cdmo["organizations"])
    pages = client.get("/api/search", {"q": "Certification register"}).json()["pages"]
    assert any(p["url"].endswith("/certification/") for p in pages)
    login(client, member_user(Organization.objects.get(key="agc")))
    seen = [p["id"] for p in client.get("/api/search", {"q": "抗体医薬品"}).json()["profiles"]]
    assert made["members"].pk in seen


def test_the_api_refuses_a_bad_query_with_a_json_detail(db: None, client: Client) -> None:
    response = client.get("/api/search", {"q": "x" * 201})
    assert_status(response, 400)
    body = response.json()
    assert (body["field"], isinstance(body["detail"], str)) == ("q", True)
    assert list(body["errors"]) == ["q"]
