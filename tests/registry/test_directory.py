"""The directory service on the shipped GTB dataset: search, facets, pagination, validation."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from django.utils import translation

from biocommunity.registry.models import Community, HubMembership, Organization
from biocommunity.registry.services import directory
from biocommunity.registry.services.directory import DirectoryQuery, InvalidQuery, parse_query
from tests.factories import HubFactory, MarketDomainFactory


def keys(q: str = "", **params: Any) -> list[str]:
    page = directory.search(parse_query({"q": q, "page_size": "200", **params}), with_facets=False)
    assert page.total == len(page.organizations), "test helper expects everything on one page"
    return [o.key for o in page.organizations]


def hub_members(hub: str, **filters: str) -> set[str]:
    return set(
        HubMembership.objects.filter(hub__key=hub, **filters).values_list(
            "organization__key", flat=True
        )
    )


def total(query: DirectoryQuery) -> int:
    return directory.search(query, with_facets=False).total


def facet_mismatches(
    query: DirectoryQuery, names: tuple[str, ...]
) -> list[tuple[str, str, int, int]]:
    """(facet, value, facet count, total when the value is chosen) wherever the two disagree."""
    page = directory.search(query)
    wrong = []
    for name in names:
        for value in page.facets[name]:
            chosen = int(value.value) if name == "domain" else value.value
            actual = total(replace(query, **{name: chosen}))
            if actual != value.count:
                wrong.append((name, value.value, value.count, actual))
    return wrong


# ---------------------------------------------------------------- text search


@pytest.mark.django_db
def test_kawasaki_in_japanese_finds_the_city_and_its_hub_organisations(gtb: Community) -> None:
    found = keys("川崎")
    assert {"kawasaki-city", "lise", "kbic", "kawasaki-municipal-hospitals"} <= set(found)
    kawasaki_hub = hub_members("kawasaki")
    assert len(set(found) & kawasaki_hub) >= 10
    for org in Organization.objects.filter(key__in=found):
        assert "川崎" in org.search_text


@pytest.mark.django_db
def test_kazusa_in_hiragana_and_katakana(gtb: Community) -> None:
    hiragana = keys("かずさ")
    assert "kazusa-dna-research-institute" in hiragana
    assert "kazusa-incubation-center" in hiragana
    assert keys("カズサ") == hiragana
    assert keys("かずさDNA") == ["kazusa-dna-research-institute"]


@pytest.mark.django_db
def test_keio_in_either_kanji_form_and_in_english(gtb: Community) -> None:
    old_form = keys("慶應")
    assert "keio-university" in old_form
    assert keys("慶応") == old_form
    english = keys("Keio")
    assert "keio-university" in english
    assert set(english) == set(old_form)
    assert keys("KEIO") == english
    assert keys("ｋｅｉｏ") == english  # full-width letters, as typed with a Japanese IME


@pytest.mark.django_db
def test_aliases_are_searched(gtb: Community) -> None:
    # Partners abroad mention LINK-J in their descriptions; LINK-J itself is found by alias.
    assert "link-j" in keys("LINK-J")
    assert keys("ＬＩＮＫ－Ｊ") == keys("LINK-J")
    # 実中研 is only an alias of the Central Institute for Experimental Animals
    # (実験動物中央研究所).
    assert (
        "実中研"
        not in Organization.objects.get(key="central-institute-for-experimental-animals").name_ja
    )
    assert keys("実中研") == ["central-institute-for-experimental-animals"]


@pytest.mark.django_db
def test_several_terms_must_all_match(gtb: Community) -> None:
    both = keys("川崎 慶應")
    assert sorted(both) == ["keio-shin-kawasaki-town-campus", "keio-tonomachi-town-campus"]
    assert set(both) == set(keys("川崎")) & set(keys("慶應"))
    assert keys("川崎\u3000慶應") == both  # ideographic space
    assert keys("  慶應   川崎  ") == both
    assert keys("川崎 no-such-word") == []


@pytest.mark.django_db
def test_search_and_filters_combine(gtb: Community) -> None:
    assert keys("慶應", kind="hospital") == ["keio-university-hospital"]
    assert set(keys("慶應", hub="kawasaki")) >= {"keio-university", "keio-tonomachi-town-campus"}
    assert keys("かずさ", prefecture="13") == []


# ---------------------------------------------------------------- facets


@pytest.mark.django_db
def test_facet_counts_match_the_totals_they_lead_to(gtb: Community) -> None:
    for params in (
        {},
        {"q": "川崎"},
        {"kind": "university"},
        {"prefecture": "14"},
        {"domain": "6"},
        {"q": "大学", "prefecture": "東京都"},
    ):
        assert facet_mismatches(parse_query(params), directory.FILTERS) == [], params


@pytest.mark.django_db
def test_hub_facet_counts_match_with_a_hub_chosen(gtb: Community) -> None:
    query = parse_query({"hub": "kawasaki"})
    assert facet_mismatches(query, ("kind", "hub", "domain", "prefecture")) == []


@pytest.mark.django_db
def test_function_facet_respects_the_chosen_hub(gtb: Community) -> None:
    # One membership must match both: the function is served in the chosen hub.
    for params in (
        {"hub": "kawasaki"},
        {"function": "funding"},
        {"hub": "yokohama", "function": "talent"},
    ):
        assert facet_mismatches(parse_query(params), directory.FILTERS) == [], params
    page = directory.search(parse_query({"hub": "kawasaki"}))
    contact_points = next(v for v in page.facets["function"] if v.value == "contact_point")
    assert contact_points.count == len(hub_members("kawasaki", function="contact_point"))


@pytest.mark.django_db
def test_a_facet_ignores_its_own_filter(gtb: Community) -> None:
    page = directory.search(parse_query({"kind": "university"}))
    kinds = {v.value: v for v in page.facets["kind"]}
    assert len(kinds) > 3
    assert kinds["university"].selected
    assert kinds["university"].count == page.total
    assert not any(v.selected for k, v in kinds.items() if k != "university")
    everything = directory.search(DirectoryQuery())
    assert {v.value: v.count for v in everything.facets["kind"]} == {
        k: v.count for k, v in kinds.items()
    }

    page = directory.search(parse_query({"prefecture": "千葉県"}))
    prefectures = {v.value: v.count for v in page.facets["prefecture"]}
    assert {"12", "13", "14"} <= set(prefectures)
    assert prefectures["12"] == page.total


@pytest.mark.django_db
def test_facet_labels_follow_the_language(gtb: Community) -> None:
    ja = directory.search(parse_query({"q": "川崎"}), language="ja").facets
    en = directory.search(parse_query({"q": "川崎"}), language="en").facets
    assert "川崎エリア" in {v.label for v in ja["hub"]}
    assert "Kawasaki Area" in {v.label for v in en["hub"]}
    assert "神奈川県" in {v.label for v in ja["prefecture"]}
    assert "Kanagawa" in {v.label for v in en["prefecture"]}


@pytest.mark.django_db
def test_the_whole_registry_counts_once(gtb: Community) -> None:
    page = directory.search(DirectoryQuery())
    assert page.total == Organization.objects.count()
    hub_counts = {v.value: v.count for v in page.facets["hub"]}
    assert hub_counts["kawasaki"] == (
        HubMembership.objects.filter(hub__key="kawasaki").values("organization").distinct().count()
    )


# ---------------------------------------------------------------- pagination


@pytest.mark.django_db
def test_pages_cover_every_result_once_in_name_order(gtb: Community) -> None:
    everything = list(
        directory.filtered_organizations(DirectoryQuery()).values_list("key", flat=True)
    )
    query = parse_query({"page_size": "40"})
    first = directory.search(query, with_facets=False)
    assert first.pages == -(-len(everything) // 40)
    assert first.has_next and not first.has_previous
    collected: list[str] = []
    for number in range(1, first.pages + 1):
        page = directory.search(replace(query, page=number), with_facets=False)
        assert page.total == len(everything)
        collected += [o.key for o in page.organizations]
    assert collected == everything
    assert not page.has_next and page.has_previous
    beyond = directory.search(replace(query, page=first.pages + 1), with_facets=False)
    assert beyond.organizations == []

    # In Japanese the English name stands in for an empty name_ja (an organisation abroad).
    names = [
        (ja or en, key)
        for ja, en, key in Organization.objects.filter(key__in=everything[:40]).values_list(
            "name_ja", "name_en", "key"
        )
    ]
    assert [k for _n, k in sorted(names)] == everything[:40]


@pytest.mark.django_db
def test_english_orders_by_english_name(gtb: Community) -> None:
    with translation.override("en"):
        page = directory.search(parse_query({"q": "慶應"}), with_facets=False)
    names = [o.name_en for o in page.organizations]
    assert names == sorted(names)


def test_empty_result_has_one_page() -> None:
    page = directory.DirectoryPage(query=DirectoryQuery(), total=0, organizations=[])
    assert page.pages == 1
    assert not page.has_next and not page.has_previous


# ---------------------------------------------------------------- parse_query


@pytest.mark.django_db
def test_parse_query_defaults_and_normalisation(gtb: Community) -> None:
    assert parse_query({}) == DirectoryQuery()
    query = parse_query(
        {
            "q": "  川崎  ",
            "kind": "university",
            "hub": "kawasaki",
            "function": "incubation",
            "domain": "6",
            "prefecture": "Kanagawa",
            "page": "3",
            "page_size": "50",
        }
    )
    assert query == DirectoryQuery(
        q="川崎",
        kind="university",
        hub="kawasaki",
        function="incubation",
        domain=6,
        prefecture="14",
        page=3,
        page_size=50,
    )
    assert query.as_params() == {
        "q": "川崎",
        "kind": "university",
        "hub": "kawasaki",
        "function": "incubation",
        "domain": "6",
        "prefecture": "14",
    }
    assert parse_query({"kind": ["company", "university"]}).kind == "university"
    for notation in ("13", "JP-13", "東京都", "東京", "Tokyo", "tokyo-to"):
        assert parse_query({"prefecture": notation}).prefecture == "13", notation


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"q": "あ" * 201}, {"q"}),
        ({"kind": "bogus"}, {"kind"}),
        ({"function": "bogus"}, {"function"}),
        ({"hub": "atlantis"}, {"hub"}),
        ({"domain": "0"}, {"domain"}),
        ({"domain": "7"}, {"domain"}),
        ({"hub": "kawasaki", "domain": "6", "function": "x"}, {"function"}),
        ({"domain": "x"}, {"domain"}),
        ({"prefecture": "Narnia"}, {"prefecture"}),
        ({"page": "0"}, {"page"}),
        ({"page": "abc"}, {"page"}),
        ({"page": "1000001"}, {"page"}),
        ({"page_size": "201"}, {"page_size"}),
        ({"kind": "bogus", "page": "-2", "page_size": "x"}, {"kind", "page", "page_size"}),
    ],
)
def test_parse_query_names_every_bad_parameter(
    db: None, params: dict[str, str], fields: set[str]
) -> None:
    HubFactory(key="kawasaki")
    MarketDomainFactory(number=6)
    with pytest.raises(InvalidQuery) as caught:
        parse_query(params)
    assert {e["field"] for e in caught.value.errors} == fields
    assert all(e["message"] for e in caught.value.errors)
    for field in fields:
        assert field in str(caught.value)


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"page": "²"}, {"page_size": "³"}, {"domain": "²"}])
def test_parse_query_rejects_unicode_digits_cleanly(db: None, params: dict[str, str]) -> None:
    with pytest.raises(InvalidQuery):
        parse_query(params)


# ---------------------------------------------------------------- what organisations are and do


@pytest.mark.django_db
@pytest.mark.parametrize(
    "q", ["CDMO", "cdmo", "ＣＤＭＯ", "受託製造", "GMP", "contract manufacturing"]
)
def test_cdmos_are_found_by_kind_and_synonyms(gtb: Community, q: str) -> None:
    cdmos = set(
        Organization.objects.filter(classifications__kind="cdmo").values_list("key", flat=True)
    )
    assert cdmos == {"fujifilm", "agc"}
    assert set(keys(q)) >= cdmos


@pytest.mark.django_db
@pytest.mark.parametrize(
    "q", ["incubation", "Incubation", "インキュベーション", "いんきゅべーしょん", "ｲﾝｷｭﾍﾞｰｼｮﾝ"]
)
def test_incubation_finds_incubators_and_hub_incubation_functions(gtb: Community, q: str) -> None:
    found = set(keys(q))
    incubators = set(
        Organization.objects.filter(classifications__kind="incubator").values_list("key", flat=True)
    )
    serving = hub_members("kawasaki", function="incubation") | hub_members(
        "nihonbashi", function="incubation"
    )
    assert incubators and serving
    assert found >= incubators | serving


@pytest.mark.django_db
def test_programme_names_and_kinds_are_searched(gtb: Community) -> None:
    certified = set(
        Organization.objects.filter(programme_entries__programme__kind="certified_vc").values_list(
            "key", flat=True
        )
    )
    assert "newton-biocapital" in certified
    assert set(keys("認定VC")) >= certified
    assert set(keys("certified venture capital")) >= certified
    foundries = set(
        Organization.objects.filter(programme_entries__programme__kind="biofoundry").values_list(
            "key", flat=True
        )
    )
    assert foundries and set(keys("バイオファウンドリ")) >= foundries


@pytest.mark.django_db
def test_kind_words_combine_with_other_terms_and_filters(gtb: Community) -> None:
    assert keys("CDMO no-such-word") == []
    assert set(keys("CDMO", kind="cdmo")) == {"agc", "fujifilm"}
    assert keys("CDMO", kind="university") == []


@pytest.mark.django_db
def test_facets_of_a_kind_word_search_count_what_it_finds(gtb: Community) -> None:
    query = parse_query({"q": "incubation"})
    assert facet_mismatches(query, ("kind", "hub", "function", "prefecture")) == []


@pytest.mark.django_db
def test_describing_words_give_both_languages_and_synonyms() -> None:
    words = directory.describing_words(["kind:cdmo", "function:incubation", "kind:nonsense"])
    assert {"CDMO", "受託製造", "GMP製造", "インキュベーション", "Incubation"} <= set(words)
    assert len(words) == len(set(words))


@pytest.mark.django_db
def test_loading_the_dataset_again_restores_search_texts_written_before_labels(
    gtb: Community,
) -> None:
    from io import StringIO

    from django.core.management import call_command

    Organization.objects.filter(key__in=["agc", "fujifilm"]).update(search_text="")
    assert keys("CDMO") == []
    call_command("load_dataset", "gtb", quiet=True, stdout=StringIO())
    assert set(keys("CDMO")) == {"agc", "fujifilm"}


@pytest.mark.django_db
def test_the_api_searches_kind_words_too(gtb: Community, client: Any) -> None:
    response = client.get("/api/organizations", {"q": "受託製造", "page_size": "50"})
    assert response.status_code == 200
    assert {o["key"] for o in response.json()["results"]} == {"agc", "fujifilm"}
