"""Organisation export: the same columns the import reads, in csv, json and xlsx."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook

from biocommunity.registry.models import Community, Organization
from biocommunity.registry.services.organizations import export_organizations, import_organizations
from tests.factories import (
    HubFactory,
    HubMembershipFactory,
    MarketDomainFactory,
    OrganizationFactory,
    OrganizationMarketDomainFactory,
    secretariat_user,
)

COLUMNS = ["key", "name_ja", "name_en", "kinds", "hubs", "prefecture", "city_ja", "city_en",
           "lat", "lon", "source"]  # fmt: skip


def _sample() -> Organization:
    parent = OrganizationFactory(key="acme-group", name_en="Acme Group")
    org = OrganizationFactory(
        key="acme",
        name_ja="アクメ株式会社",
        name_en="Acme, Inc.",
        aliases="アクメ;ACME",
        kinds=["venture", "company"],
        prefecture="14",
        city_ja="川崎市川崎区",
        city_en="Kawasaki-ku, Kawasaki",
        lat=35.5308,
        lon=139.7462,
        listed=False,
        parent=parent,
        source="001 参考2 | 004 表1",
        as_of="2022-03",
    )
    kawasaki = HubFactory(key="kawasaki", number=5)
    HubMembershipFactory(hub=kawasaki, organization=org, function="talent")
    HubMembershipFactory(hub=kawasaki, organization=org, function="incubation")
    HubMembershipFactory(
        hub=HubFactory(key="yokohama", number=6), organization=org, function="funding"
    )
    OrganizationMarketDomainFactory(organization=org, domain=MarketDomainFactory(number=6))
    OrganizationMarketDomainFactory(organization=org, domain=MarketDomainFactory(number=5))
    return org


@pytest.mark.django_db
def test_csv_export_has_the_import_columns() -> None:
    _sample()
    data = export_organizations("csv")

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [r["key"] for r in rows] == ["acme", "acme-group"]
    row = rows[0]
    assert set(COLUMNS) <= set(row)
    assert {c: row[c] for c in COLUMNS} == {
        "key": "acme",
        "name_ja": "アクメ株式会社",
        "name_en": "Acme, Inc.",
        "kinds": "company;venture",
        "hubs": "kawasaki:incubation;kawasaki:talent;yokohama:funding",
        "prefecture": "神奈川県",
        "city_ja": "川崎市川崎区",
        "city_en": "Kawasaki-ku, Kawasaki",
        "lat": "35.5308",
        "lon": "139.7462",
        "source": "001 参考2 | 004 表1",
    }
    assert (row["aliases"], row["market_domains"], row["parent"]) == (
        "アクメ;ACME",
        "5;6",
        "acme-group",
    )
    assert (row["listed"], row["as_of"], row["country"]) == ("false", "2022-03", "JP")


@pytest.mark.django_db
def test_json_export_is_structured() -> None:
    _sample()
    records = json.loads(export_organizations("json"))

    record = next(r for r in records if r["key"] == "acme")
    assert record["kinds"] == ["company", "venture"]
    assert record["hubs"] == [
        {"hub": "kawasaki", "functions": ["incubation", "talent"]},
        {"hub": "yokohama", "functions": ["funding"]},
    ]
    assert record["aliases"] == ["アクメ", "ACME"]
    assert record["market_domains"] == [5, 6]
    assert (record["prefecture"], record["city_ja"], record["city_en"]) == (
        "神奈川県",
        "川崎市川崎区",
        "Kawasaki-ku, Kawasaki",
    )
    assert (record["lat"], record["lon"]) == (35.5308, 139.7462)
    assert record["sources"] == ["001 参考2", "004 表1"]
    assert (record["parent"], record["listed"], record["as_of"]) == ("acme-group", False, "2022-03")
    assert record["name_ja"] == "アクメ株式会社"


@pytest.mark.django_db
def test_xlsx_export_has_the_csv_cells() -> None:
    _sample()
    csv_rows = list(csv.reader(io.StringIO(export_organizations("csv").decode("utf-8-sig"))))

    sheet = load_workbook(io.BytesIO(export_organizations("xlsx")), read_only=True).worksheets[0]
    xlsx_rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]

    assert set(COLUMNS) <= set(xlsx_rows[0])
    assert xlsx_rows == csv_rows


@pytest.mark.django_db
def test_export_of_a_queryset() -> None:
    _sample()
    records = json.loads(
        export_organizations("json", Organization.objects.filter(key="acme-group"))
    )
    assert [r["key"] for r in records] == ["acme-group"]
    assert records[0]["hubs"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_shipped_dataset_round_trips(gtb: Community, fmt: str) -> None:
    data = export_organizations(fmt)

    report = import_organizations(data, f"export.{fmt}", user=secretariat_user())

    assert report.errors == []
    assert (report.created, report.updated) == (0, 0)
    assert report.unchanged == Organization.objects.count()


@pytest.mark.django_db
def test_precise_coordinates_round_trip() -> None:
    OrganizationFactory(key="acme", lat=35.530812, lon=139.746123)

    report = import_organizations(
        export_organizations("csv"), "export.csv", user=secretariat_user()
    )

    assert report.ok, report.errors
    assert report.updated == 0
    org = Organization.objects.get(key="acme")
    assert (org.lat, org.lon) == (35.530812, 139.746123)


@pytest.mark.django_db
def test_export_of_nothing_is_the_header() -> None:
    data = export_organizations("csv").decode("utf-8-sig")
    assert data.splitlines()[0].split(",")[:3] == ["key", "name_ja", "name_en"]
    assert len(data.splitlines()) == 1
    assert json.loads(export_organizations("json")) == []


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["pdf", "CSV", ""])
def test_unknown_format_is_refused(fmt: Any) -> None:
    with pytest.raises(ValueError):
        export_organizations(fmt)
