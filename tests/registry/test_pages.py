"""The registry's pages in Japanese and English, on the shipped GTB dataset."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from biocommunity.core.provenance import cite
from biocommunity.registry.models import (
    Classification,
    Community,
    Hub,
    HubMembership,
    Organization,
)
from biocommunity.registry.services.players import players
from tests.conftest import assert_status

LANGUAGES = ("ja", "en")
# Every page, by its path after the language prefix.
PAGES = [
    "",
    "hubs/kawasaki/",
    "directory/",
    "directory/?hub=kawasaki&kind=university",
    "organizations/link-j/",
    "open-data/",
    "accounts/login/",
]


def label(text: str, language: str) -> str:
    """A UI string as the catalogue renders it in the language (itself where untranslated)."""
    with translation.override(language):
        return html.escape(gettext(text))


def page(client: Client, url: str, status: int = 200, **headers: Any) -> str:
    response = client.get(url, headers=headers)
    assert_status(response, status)
    return response.content.decode()


def h1(content: str) -> str:
    match = re.search(r"<h1>(.*?)</h1>", content, re.S)
    assert match, "no <h1>"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def html_lang(content: str) -> str:
    match = re.search(r'<html lang="([a-z-]+)"', content)
    assert match, "no <html lang>"
    return match.group(1)


def organization_links(content: str, language: str) -> list[str]:
    return re.findall(rf'class="name" href="/{language}/organizations/([a-z0-9-]+)/"', content)


def result_count(content: str) -> int:
    match = re.search(r'data-testid="result-count">(\d+)', content)
    assert match, "no result count"
    return int(match.group(1))


def csv_keys(body: bytes) -> list[str]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return [row["key"] for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))]


def hub_organizations(hub: str, **filters: Any) -> set[str]:
    return set(
        HubMembership.objects.filter(hub__key=hub, **filters).values_list(
            "organization__key", flat=True
        )
    )


# ---------------------------------------------------------------- every page, both languages


@pytest.mark.django_db
def test_root_redirects_to_japanese(client: Client) -> None:
    response = client.get("/")
    assert_status(response, 302)
    assert response.headers["Location"] == "/ja/"


@pytest.mark.django_db
def test_every_page_answers_in_both_languages(gtb: Community, client: Client) -> None:
    for path in PAGES:
        for language in LANGUAGES:
            content = page(client, f"/{language}/{path}")
            assert html_lang(content) == language, path
            assert label("Directory", language) in content, path
            assert label("Open data", language) in content, path


@pytest.mark.django_db
def test_language_switch_points_to_the_same_page(gtb: Community, client: Client) -> None:
    for path in [*PAGES, "organizations/no-such-org/"]:
        for language, other in (("ja", "en"), ("en", "ja")):
            response = client.get(f"/{language}/{path}")
            assert response.status_code in (200, 404), path
            links = re.findall(
                rf'<a href="([^"]*)" hreflang="{other}" lang="{other}" data-lang="{other}">',
                response.content.decode(),
            )
            assert [html.unescape(link) for link in links] == [f"/{other}/{path}"], (language, path)


# ---------------------------------------------------------------- home


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_home_shows_counts_map_and_chart_data(
    gtb: Community, client: Client, language: str
) -> None:
    content = page(client, f"/{language}/")
    name, other = ("name_ja", "name_en") if language == "ja" else ("name_en", "name_ja")
    assert getattr(gtb, name) in h1(content)
    assert getattr(gtb, other) not in h1(content)
    # The community's players: overseas partners that take no part are not counted.
    counted = players(gtb)
    assert f'data-testid="org-total">{counted.count()}<' in content

    hubs = list(Hub.objects.filter(community=gtb))
    for hub in hubs:
        count = len(hub_organizations(hub.key))
        assert f'<a href="/{language}/directory/?hub={hub.key}">{count}</a>' in content, hub.key
        assert html.escape(getattr(hub, name)) in content
    for kind in set(Classification.objects.values_list("kind", flat=True)):
        count = Classification.objects.filter(kind=kind, organization__in=counted).count()
        row = rf'href="/{language}/directory/\?kind={kind}">[^<]+</a></td><td class="num">{count}<'
        assert re.search(row, content), kind

    assert "<svg" in content
    # The 4.8 MB full plotly bundle is not loaded; charts.js fetches the basic one on scroll.
    assert "plotly.min.js" not in content
    assert 'data-chart-bundle="/static/vendor/plotly-basic/plotly-basic.min.js"' in content
    assert '<script src="/static/registry/charts.js" defer></script>' in content
    match = re.search(
        r'<script id="chart-data" type="application/json">(.*?)</script>', content, re.S
    )
    assert match
    chart = json.loads(match.group(1))
    assert chart["hubs"]["labels"] == [f"{h.number}. {getattr(h, name)}" for h in hubs]
    assert chart["hubs"]["values"] == [len(hub_organizations(h.key)) for h in hubs]
    assert len(chart["kinds"]["labels"]) == len(chart["kinds"]["values"])
    assert (
        sum(chart["kinds"]["values"])
        == Classification.objects.filter(organization__in=counted).count()
    )


@pytest.mark.django_db
def test_home_without_data_says_so_without_a_command(client: Client) -> None:
    content = page(client, "/ja/")
    assert label("No community has been loaded yet.", "ja") in content
    assert "load-dataset" not in content  # the public is not told to run commands


# ---------------------------------------------------------------- hub page


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_hub_page_lists_functions_with_their_organisations(
    gtb: Community, client: Client, language: str
) -> None:
    content = page(client, f"/{language}/hubs/kawasaki/")
    hub = Hub.objects.get(key="kawasaki")
    assert h1(content).startswith(hub.name_ja if language == "ja" else hub.name_en)
    functions = set(HubMembership.objects.filter(hub=hub).values_list("function", flat=True))
    assert len(functions) > 3
    sections = dict(
        re.findall(r'<section class="card" id="function-([a-z_]+)">(.*?)</section>', content, re.S)
    )
    assert set(sections) == functions
    for function, section in sections.items():
        listed = set(re.findall(rf'href="/{language}/organizations/([a-z0-9-]+)/"', section))
        assert listed == hub_organizations("kawasaki", function=function), function
    city = Organization.objects.get(key="kawasaki-city")
    assert html.escape(city.name_ja if language == "ja" else city.name_en) in content
    assert "<svg" in content


@pytest.mark.django_db
def test_unknown_hub_and_organisation_are_404(gtb: Community, client: Client) -> None:
    for language in LANGUAGES:
        page(client, f"/{language}/hubs/atlantis/", status=404)
        page(client, f"/{language}/organizations/no-such-org/", status=404)
        page(client, f"/{language}/organizations/no-such-org/edit/", status=302)
    page(client, "/ja/open-data/organizations.pdf", status=404)
    page(client, "/ja/directory/organizations.pdf", status=404)


# ---------------------------------------------------------------- directory


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_directory_filters_from_the_query_string(
    gtb: Community, client: Client, language: str
) -> None:
    content = page(client, f"/{language}/directory/?hub=kawasaki")
    assert "<html" in content
    in_hub = hub_organizations("kawasaki")
    assert result_count(content) == len(in_hub)
    shown = organization_links(content, language)
    assert len(shown) == min(25, len(in_hub))
    assert set(shown) <= in_hub
    assert '<option value="kawasaki" selected>' in content
    hub = Hub.objects.get(key="kawasaki")
    assert html.escape(hub.name_ja if language == "ja" else hub.name_en) + " (" in content

    content = page(client, f"/{language}/directory/?kind=hospital")
    hospitals = set(
        Classification.objects.filter(kind="hospital").values_list("organization__key", flat=True)
    )
    assert result_count(content) == len(hospitals)
    assert set(organization_links(content, language)) == hospitals

    content = page(client, f"/{language}/directory/?q=慶應&hub=kawasaki&kind=university")
    assert sorted(organization_links(content, language)) == [
        "keio-shin-kawasaki-town-campus",
        "keio-tonomachi-town-campus",
        "keio-university",
    ]


@pytest.mark.django_db
def test_directory_names_follow_the_language(gtb: Community, client: Client) -> None:
    ja = page(client, "/ja/directory/?q=かずさDNA")
    en = page(client, "/en/directory/?q=かずさDNA")
    assert '">かずさDNA研究所</a><span class="alt">Kazusa DNA Research Institute</span>' in ja
    assert '">Kazusa DNA Research Institute</a><span class="alt">かずさDNA研究所</span>' in en
    assert ">千葉県 (1)<" in ja
    assert ">Chiba (1)<" in en


@pytest.mark.django_db
def test_directory_pages_through_results(gtb: Community, client: Client) -> None:
    first = page(client, "/ja/directory/?page_size=100")
    second = page(client, "/ja/directory/?page_size=100&page=2")
    total = Organization.objects.count()
    assert result_count(first) == result_count(second) == total
    keys = organization_links(first, "ja") + organization_links(second, "ja")
    assert len(keys) == len(set(keys)) == 200
    assert 'href="?page_size=100&amp;page=2"' in first


@pytest.mark.django_db
def test_htmx_request_gets_only_the_results_partial(gtb: Community, client: Client) -> None:
    content = page(client, "/ja/directory/?hub=kawasaki", HX_Request="true")
    assert "<html" not in content
    assert "<body" not in content
    assert 'id="directory-form"' not in content
    assert result_count(content) == len(hub_organizations("kawasaki"))
    assert 'class="facets"' in content


@pytest.mark.django_db
def test_directory_csv_download_has_only_the_filtered_rows(gtb: Community, client: Client) -> None:
    content = page(client, "/ja/directory/?hub=kawasaki&page=2")
    match = re.search(r'href="(/ja/directory/organizations\.csv[^"]*)"', content)
    assert match
    link = html.unescape(match.group(1))
    assert link == "/ja/directory/organizations.csv?hub=kawasaki"

    response = client.get(link)
    assert_status(response, 200)
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    keys = csv_keys(response.content)
    assert len(keys) == len(set(keys))
    assert set(keys) == hub_organizations("kawasaki")
    assert len(keys) < Organization.objects.count()

    response = client.get("/ja/directory/organizations.csv", {"q": "慶應", "kind": "hospital"})
    assert csv_keys(response.content) == ["keio-university-hospital"]


@pytest.mark.django_db
def test_bad_directory_filter_is_a_message_and_400(gtb: Community, client: Client) -> None:
    client.raise_request_exception = False
    content = page(client, "/ja/directory/?kind=bogus", status=400)
    assert '<ul class="messages"><li class="error">kind: ' in content
    assert "bogus" in content
    assert result_count(content) == Organization.objects.count()

    content = page(client, "/ja/directory/?kind=bogus&page=0", HX_Request="true", status=400)
    assert "<html" not in content
    assert 'class="error">kind: ' in content
    assert 'class="error">page: ' in content

    response = client.get("/ja/directory/organizations.csv?hub=atlantis")
    assert_status(response, 400)


@pytest.mark.django_db
def test_search_text_is_escaped_when_shown_again(gtb: Community, client: Client) -> None:
    response = client.get("/ja/directory/", {"q": "<script>alert(1)</script>' OR 1=1 --"})
    assert_status(response, 200)
    content = response.content.decode()
    assert "<script>alert(1)" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert result_count(content) == 0


@pytest.mark.django_db
def test_directory_unicode_digit_page_is_400_not_500(db: None, client: Client) -> None:
    client.raise_request_exception = False
    for params in ({"page": "²"}, {"page_size": "³"}, {"domain": "²"}):
        response = client.get("/ja/directory/", params)
        assert_status(response, 400)
        assert 'class="error">' in response.content.decode()


@pytest.mark.django_db
def test_directory_query_count_is_bounded(
    gtb: Community, client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(15):
        page(client, "/ja/directory/")
    with django_assert_max_num_queries(15):
        page(client, "/ja/directory/?hub=kawasaki&kind=university&q=大学&page_size=200")


@pytest.mark.django_db
def test_organisation_query_count_is_bounded(
    gtb: Community, client: Client, django_assert_max_num_queries: Any
) -> None:
    for key in ("link-j", "keio-university", "kawasaki-city"):
        with django_assert_max_num_queries(15):
            page(client, f"/ja/organizations/{key}/")


# ---------------------------------------------------------------- organisation page


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_organisation_page_shows_sources_and_hubs(
    gtb: Community, client: Client, language: str
) -> None:
    content = page(client, f"/{language}/organizations/link-j/")
    org = Organization.objects.get(key="link-j")
    assert h1(content) == (org.name_ja if language == "ja" else org.name_en)
    assert len(org.sources) >= 2
    for source in org.sources:
        # cited by document title and table, the file as a tooltip, never the raw string
        assert f"<li>{html.escape(source)}</li>" not in content
        for citation in cite(source, language):
            assert html.escape(citation.text) in content
            if citation.detail:
                assert f'title="{html.escape(citation.detail)}"' in content
    for hub in Hub.objects.filter(memberships__organization=org).distinct():
        name = hub.name_ja if language == "ja" else hub.name_en
        assert f'<a href="/{language}/hubs/{hub.key}/">{html.escape(name)}</a>' in content
    assert "LINK-J" in content
    assert label("Edit profile", language) not in content


@pytest.mark.django_db
def test_organisation_page_links_parent_and_units(gtb: Community, client: Client) -> None:
    content = page(client, "/ja/organizations/keio-tonomachi-town-campus/")
    assert '<a href="/ja/organizations/keio-university/">慶應義塾大学</a>' in content
    content = page(client, "/en/organizations/keio-university/")
    assert '<a href="/en/organizations/keio-tonomachi-town-campus/">' in content


# ---------------------------------------------------------------- open data and login


@pytest.mark.django_db
def test_open_data_page_and_downloads(gtb: Community, client: Client) -> None:
    total = Organization.objects.count()
    content = page(client, "/ja/open-data/")
    for fmt in ("csv", "json", "xlsx"):
        assert f'href="/ja/open-data/organizations.{fmt}"' in content
    assert str(total) in content

    response = client.get("/ja/open-data/organizations.csv")
    assert_status(response, 200)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="organizations.csv"'
    keys = csv_keys(response.content)
    assert len(keys) == len(set(keys)) == total

    response = client.get("/ja/open-data/organizations.json")
    assert_status(response, 200)
    records = json.loads(response.content)
    assert len(records) == total
    link_j = next(r for r in records if r["key"] == "link-j")
    assert link_j["name_en"] == "Life Science Innovation Network Japan"
    assert link_j["hubs"]

    response = client.get("/ja/open-data/organizations.xlsx")
    assert_status(response, 200)
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("key", "name_ja", "name_en")
    assert len(rows) == total + 1


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_login_page(client: Client, language: str) -> None:
    content = page(client, f"/{language}/accounts/login/")
    assert html_lang(content) == language
    assert h1(content) == html.unescape(label("Log in", language))
    assert 'name="username"' in content
    assert 'name="password"' in content
    assert 'name="csrfmiddlewaretoken"' in content
