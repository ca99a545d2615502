"""The shipped GTB dataset: loads as the files say, cites its sources, keeps no personal names."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import pytest
from django.db import models

from biocommunity.registry.models import (
    Community,
    CouncilCategory,
    CouncilSeat,
    Hub,
    HubMembership,
    MarketDomain,
    NationalProject,
    Organization,
    OrganizationMarketDomain,
    Partnership,
    Programme,
    ProgrammeEntry,
    ProjectParticipation,
)
from biocommunity.registry.services import dataset
from biocommunity.registry.services.dataset import DatasetError, load_dataset
from biocommunity.registry.services.directory import parse_query, search


def _root() -> Traversable:
    return resources.files("biocommunity.registry").joinpath("data").joinpath("gtb")


def _rows(name: str) -> list[dict[str, str]]:
    text = _root().joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _organization_files() -> list[str]:
    return sorted(
        f"organizations/{p.name}"
        for p in _root().joinpath("organizations").iterdir()
        if p.name.endswith(".csv")
    )


@pytest.mark.django_db
def test_gtb_dataset_loads_and_second_load_changes_nothing(gtb: Community) -> None:
    assert Hub.objects.filter(community=gtb).count() == 6
    assert Organization.objects.filter(key="link-j").exists()
    again = load_dataset("gtb")
    assert again.changed == 0


@pytest.mark.django_db
def test_counts_match_the_files(gtb: Community) -> None:
    expected: dict[type[models.Model], str] = {
        Hub: "hubs.csv",
        HubMembership: "hub_functions.csv",
        MarketDomain: "market_domains.csv",
        OrganizationMarketDomain: "organization_market_domains.csv",
        CouncilCategory: "council_categories.csv",
        CouncilSeat: "council.csv",
        Partnership: "partnerships.csv",
        NationalProject: "national_projects.csv",
        ProjectParticipation: "project_participants.csv",
        Programme: "programmes.csv",
        ProgrammeEntry: "programme_entries.csv",
    }
    counts = {model.__name__: model.objects.count() for model in expected}  # type: ignore[attr-defined]
    assert counts == {model.__name__: len(_rows(name)) for model, name in expected.items()}
    assert counts["Hub"] == 6
    assert counts["MarketDomain"] == 9
    keys = {row["key"] for name in _organization_files() for row in _rows(name)}
    assert set(Organization.objects.values_list("key", flat=True)) == keys
    assert Community.objects.get() == gtb
    assert gtb.network_organization is not None and gtb.network_organization.key == "jba"


@pytest.mark.django_db
def test_every_record_cites_a_source(gtb: Community) -> None:
    organizations = Organization.objects.all()
    assert not organizations.filter(source="").exists()
    assert not organizations.filter(as_of="").exists()
    for model in (HubMembership, CouncilSeat, ProgrammeEntry, Hub, OrganizationMarketDomain):
        assert not model.objects.filter(source="").exists(), model.__name__  # type: ignore[attr-defined]
    assert gtb.source and gtb.as_of


@pytest.mark.django_db
def test_hubs_are_the_seed_numbers_3_to_8(gtb: Community) -> None:
    # The seeds describe hubs 3–8 only; 1 and 2 must not be made up.
    assert sorted(Hub.objects.values_list("number", flat=True)) == [3, 4, 5, 6, 7, 8]


@pytest.mark.django_db
def test_same_key_in_several_files_is_merged(gtb: Community) -> None:
    keio = Organization.objects.get(key="keio-university")
    assert {"慶應大学", "慶応義塾大学", "慶應", "慶応"} <= set(keio.alias_list)
    assert len(keio.alias_list) == len(set(keio.alias_list))
    assert any(s.startswith("000 ") for s in keio.sources)
    assert any(s.startswith("001 ") for s in keio.sources)


def test_no_personal_names_in_any_shipped_file() -> None:
    # Council members listed by name in seed 000 (会長, 副会長, 委員); only their
    # organisations may be shipped.
    names = ["永山", "宮坂", "渡部", "岡野", "荒蒔", "浅島", "三原", "金保", "天谷", "澤田"]
    files = [p for p in _root().iterdir() if p.is_file()]
    files += list(_root().joinpath("organizations").iterdir())
    found = {
        (f.name, name) for f in files for name in names if name in f.read_text(encoding="utf-8")
    }
    assert found == set()
    assert "organization" in _rows("council.csv")[0]


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "gtb"
    with resources.as_file(_root()) as source:
        shutil.copytree(source, target)
    return target


def _edit(path: Path, change: Callable[[list[dict[str, str]]], None]) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        columns = list(reader.fieldnames or [])
        rows = list(reader)
    change(rows)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.django_db
def test_broken_dataset_is_reported_by_file_and_row_and_loads_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy(tmp_path)
    _edit(root / "organizations" / "000.csv", lambda rows: rows[0].update(lat="north"))
    _edit(root / "hub_functions.csv", lambda rows: rows[0].update(function="dancing"))
    _edit(root / "council.csv", lambda rows: rows[1].update(organization="nobody"))
    monkeypatch.setattr(dataset, "_dataset_root", lambda name: root)

    with pytest.raises(DatasetError) as caught:
        load_dataset("gtb")

    problems = caught.value.problems
    assert any(p.startswith("organizations/000.csv:2 [lat='north']") for p in problems), problems
    assert any(p.startswith("hub_functions.csv:2 [function='dancing']") for p in problems), problems
    assert any(p.startswith("council.csv:3 [organization='nobody']") for p in problems), problems
    assert len(problems) == 3
    assert not Organization.objects.exists()
    assert not Community.objects.exists()
    assert not Hub.objects.exists()


@pytest.mark.django_db
def test_conflicting_organization_files_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy(tmp_path)
    first = _rows("organizations/000.csv")[0]
    header = (root / "organizations" / "000.csv").read_text(encoding="utf-8").splitlines()[0]
    extra = root / "organizations" / "999.csv"
    extra.write_text(header + "\n", encoding="utf-8")
    _edit(extra, lambda rows: rows.append({**first, "name_en": "Tokyo University (conflict)"}))
    monkeypatch.setattr(dataset, "_dataset_root", lambda name: root)

    with pytest.raises(DatasetError) as caught:
        load_dataset("gtb")

    assert len(caught.value.problems) == 1
    problem = caught.value.problems[0]
    assert problem.startswith("organizations/999.csv:2 [name_en='Tokyo University (conflict)']")
    assert "organizations/000.csv:2" in problem
    assert first["name_en"] in problem
    assert not Organization.objects.exists()


def test_unknown_dataset_is_refused() -> None:
    with pytest.raises(DatasetError) as caught:
        load_dataset("atlantis")
    assert "gtb" in caught.value.problems[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "expected", "not_expected"),
    [
        (
            "川崎",
            {"kawasaki-city", "kawasaki-industrial-promotion-foundation", "peptidream"},
            "university-of-tokyo",
        ),
        (
            "かずさ",
            {"kazusa-dna-research-institute", "kazusa-incubation-center"},
            "chiba-university",
        ),
        (
            "カズサ",
            {"kazusa-dna-research-institute", "kazusa-incubation-center"},
            "chiba-university",
        ),
        ("慶應", {"keio-university", "keio-university-hospital"}, "waseda-university"),
        ("慶応 病院", {"keio-university-hospital"}, "keio-university"),
        ("ＫＥＩＯ", {"keio-university", "keio-university-hospital"}, "university-of-tokyo"),
    ],
)
def test_directory_search_on_the_shipped_data(
    gtb: Community, q: str, expected: set[str], not_expected: str
) -> None:
    page = search(parse_query({"q": q, "page_size": "200"}), with_facets=False)
    keys = {o.key for o in page.organizations}
    assert page.total == len(keys)
    assert expected <= keys
    assert not_expected not in keys
