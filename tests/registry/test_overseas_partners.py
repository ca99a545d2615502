"""Organisations abroad: a Japanese name only where the seeds give one (else the English name
is shown), and the international partners that take no part are not counted as players."""

from __future__ import annotations

import csv
import io
import re
from importlib import resources
from typing import Any

import pytest
from django.test import Client

from biocommunity.assessment.services.community import assess_community
from biocommunity.indicators.services.factsheet import factsheet_context
from biocommunity.registry.models import Classification, Organization
from biocommunity.registry.services import players
from tests.conftest import assert_status
from tests.factories import (
    CommunityFactory,
    HubFactory,
    HubMembershipFactory,
    OrganizationFactory,
)

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _shipped_organizations() -> list[dict[str, str]]:
    root = resources.files("biocommunity.registry").joinpath("data/gtb/organizations")
    rows: list[dict[str, str]] = []
    for path in root.iterdir():
        if path.name.endswith(".csv"):
            rows += csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    return rows


def test_no_organisation_abroad_carries_latin_letters_as_its_japanese_name() -> None:
    abroad = [r for r in _shipped_organizations() if r["country"] not in ("", "JP")]
    assert len(abroad) > 40
    for row in abroad:
        assert row["name_ja"] == "" or JAPANESE.search(row["name_ja"]), row["key"]
    by_key = {r["key"]: r for r in abroad}
    assert by_key["a-star"]["name_ja"] == "シンガポール科学技術研究庁"  # the seed's Japanese
    assert by_key["bio-m"]["name_ja"] == ""
    assert "Bio-M" in by_key["bio-m"]["aliases"].split(";")  # still found as the seed wrote it


@pytest.mark.parametrize("language", ["ja", "en"])
def test_an_organisation_without_a_japanese_name_shows_its_english_name(
    gtb: Any, client: Client, language: str
) -> None:
    bio_m = Organization.objects.get(key="bio-m")
    assert bio_m.name_ja == ""
    page = client.get(f"/{language}/organizations/bio-m/")
    assert_status(page, 200)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page.content.decode(), flags=re.S)
    assert heading and "BioM Biotech Cluster Development GmbH" in heading.group(1)
    subtitle = re.search(r'<p class="sub">(.*?)</p>', page.content.decode(), flags=re.S)
    assert subtitle and subtitle.group(1).strip() == "BioM"  # no dangling separator
    found = client.get(f"/{language}/directory/", {"q": "Bio-M"}).content.decode()
    assert "BioM Biotech Cluster Development GmbH" in found


def test_the_japanese_directory_sorts_an_english_only_name_among_the_others(gtb: Any) -> None:
    from django.utils import translation

    from biocommunity.registry.services.directory import filtered_organizations, parse_query

    with translation.override("ja"):
        ordered = list(filtered_organizations(parse_query({})).values_list("key", flat=True))
    # An empty name_ja would sort first; the English name stands in for it instead.
    assert ordered[0] != "bio-m"
    assert ordered.index("bio-m") > 0


def test_counts_leave_out_the_overseas_partners_but_keep_one_serving_a_hub(gtb: Any) -> None:
    counted = set(players.players(gtb).values_list("key", flat=True))
    assert "a-star" not in counted and "biocom-california" not in counted
    assert "embassy-of-denmark" not in counted
    # Abroad (Belgium) but serving the Nihonbashi hub's funding function: a player.
    assert "newton-biocapital" in counted
    assert {"kawasaki-city", "university-of-tokyo", "agc"} <= counted
    outsiders = players.overseas_outsiders(gtb).count()
    assert outsiders >= 50
    assert len(counted) == Organization.objects.count() - outsiders


@pytest.mark.parametrize("language", ["ja", "en"])
def test_home_page_counts_only_players(gtb: Any, client: Client, language: str) -> None:
    response = client.get(f"/{language}/")
    assert_status(response, 200)
    expected = players.players(gtb)
    assert response.context["total"] == expected.count() < Organization.objects.count()
    by_kind = {code: n for code, _label, n in response.context["by_kind"]}
    agencies = Classification.objects.filter(
        kind="government_agency", organization__in=expected
    ).count()
    assert by_kind["government_agency"] == agencies
    assert agencies < Classification.objects.filter(kind="government_agency").count()


def test_api_and_fact_sheet_count_players(gtb: Any, client: Client) -> None:
    record = client.get("/api/communities/gtb").json()
    assert record["organizations"] == players.players(gtb).count()
    assert record["organizations_by_kind"]["government_agency"] == (
        Classification.objects.filter(
            kind="government_agency", organization__in=players.players(gtb)
        ).count()
    )
    assert factsheet_context(gtb)["total"] == record["organizations"]


def _required_institutions(target: Any) -> Any:
    for item in assess_community(target).requirements:
        if item.criterion.code == "global.required_institutions":
            return item.result
    raise AssertionError("no global.required_institutions in the assessment")


def test_the_community_check_does_not_treat_partners_abroad_as_unplaced(db: Any) -> None:
    target = CommunityFactory(key="test-community")
    OrganizationFactory(key="abroad-partner", country="SG", lat=None, lon=None, kinds=["incubator"])
    check = _required_institutions(target)
    assert check.facts["not_located"] == 0
    # Abroad but serving one of the community's hubs: it takes part, so it is counted.
    partner = Organization.objects.get(key="abroad-partner")
    HubMembershipFactory(hub=HubFactory(community=target), organization=partner)
    check = _required_institutions(target)
    incubators = next(c for c in check.facts["categories"] if c["code"] == "incubator")
    assert incubators["count"] == 1
