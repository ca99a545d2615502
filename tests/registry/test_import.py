"""Organisation import: every row applies or none does, and each problem names its cell."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import translation
from openpyxl import Workbook

from biocommunity.core.models import ChangeAction, ChangeRecord
from biocommunity.registry.models import Community, HubMembership, ImportRun, Organization
from biocommunity.registry.services.organizations import import_organizations
from biocommunity.registry.services.tabular import RowError
from tests.factories import (
    CommunityFactory,
    HubFactory,
    MarketDomainFactory,
    OrganizationFactory,
    member_user,
    reviewer_user,
    secretariat_user,
)

BASE = {"key": "acme", "name_ja": "アクメ株式会社", "name_en": "Acme Corporation"}


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    # Message fragments are asserted below; pin them whatever catalogue gets compiled.
    with translation.override("en"):
        yield


def corporate_number(body: str) -> str:
    """A valid 法人番号: check digit = 9 - (sum of the body, weights 1,2 from the right) % 9."""
    assert len(body) == 12 and body.isdigit()
    total = sum(int(d) * (2 if i % 2 else 1) for i, d in enumerate(reversed(body)))
    return f"{9 - total % 9}{body}"


def _csv(
    rows: list[dict[str, str]], columns: list[str] | None = None, encoding: str = "utf-8"
) -> bytes:
    columns = columns or list(dict.fromkeys(c for row in rows for c in row))
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _community() -> Community:
    community = CommunityFactory()
    HubFactory(community=community, key="kawasaki", number=5)
    HubFactory(community=community, key="yokohama", number=6)
    MarketDomainFactory(number=5)
    MarketDomainFactory(number=6)
    return community


def _import(data: bytes, file_name: str = "orgs.csv", **kwargs: Any) -> Any:
    kwargs.setdefault("user", secretariat_user())
    return import_organizations(data, file_name, **kwargs)


GOOD_ROWS = [
    {
        **BASE,
        "kinds": "venture;company",
        "hubs": "kawasaki:incubation;kawasaki:talent;yokohama:funding",
        "market_domains": "6;5",
        "prefecture": "東京都",
        "city_ja": "大田区",
        "lat": "35.5494",
        "lon": "139.7798",
        "corporate_number": corporate_number("180301018771"),
        "website": "https://acme.example.org/",
        "listed": "false",
        "parent": "",
        "source": "secretariat sheet 2024",
        "as_of": "2024-04",
    },
    {
        "key": "beta-lab",
        "name_ja": "ベータ研究所",
        "name_en": "Beta Laboratory",
        "kinds": "research_institute",
        "hubs": "",
        "market_domains": "",
        "prefecture": "Tokyo",
        "lat": "",
        "lon": "",
        "parent": "acme",
        "source": "secretariat sheet 2024",
        "as_of": "2024",
    },
    {
        "key": "gamma",
        "name_ja": "ガンマ大学",
        "name_en": "Gamma University",
        "kinds": "university",
        "hubs": "yokohama:research_education",
        "market_domains": "5",
        "prefecture": "13",
        "lat": "35.6",
        "lon": "139.7",
        "parent": "",
        "source": "gamma website",
        "as_of": "2023-12-01",
    },
]


@pytest.mark.django_db
def test_good_csv_creates_then_reimport_is_unchanged_then_edit_is_recorded() -> None:
    community = _community()
    user = secretariat_user()
    data = _csv(GOOD_ROWS)

    report = import_organizations(data, "orgs.csv", user=user, community=community)

    assert report.errors == []
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    acme = Organization.objects.get(key="acme")
    assert sorted(acme.kind_codes) == ["company", "venture"]
    assert sorted(
        HubMembership.objects.filter(organization=acme).values_list("hub__key", "function")
    ) == [("kawasaki", "incubation"), ("kawasaki", "talent"), ("yokohama", "funding")]
    assert sorted(acme.market_domain_links.values_list("domain__number", flat=True)) == [5, 6]
    assert set(Organization.objects.values_list("prefecture", flat=True)) == {"13"}
    assert (acme.lat, acme.lon) == (35.5494, 139.7798)
    assert acme.listed is False
    assert (acme.source, acme.as_of) == ("secretariat sheet 2024", "2024-04")
    assert Organization.objects.get(key="beta-lab").parent == acme
    run = ImportRun.objects.get(pk=report.run_id)
    assert (run.kind, run.file_name, run.user, run.rows, run.created) == (
        "organizations",
        "orgs.csv",
        user,
        3,
        3,
    )
    assert run.sha256 == hashlib.sha256(data).hexdigest()
    # Hub functions carry no source column: they cite the import that brought them.
    assert set(HubMembership.objects.values_list("source", flat=True)) == {run.citation}
    assert ChangeRecord.objects.filter(action=ChangeAction.CREATE).count() == 3

    again = import_organizations(data, "orgs.csv", user=user, community=community)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert ChangeRecord.objects.count() == 3

    edited = [
        {**GOOD_ROWS[0], "name_en": "Acme Holdings", "hubs": "kawasaki:incubation"},
        *GOOD_ROWS[1:],
    ]
    third = import_organizations(_csv(edited), "orgs-v2.csv", user=user, community=community)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    acme.refresh_from_db()
    assert acme.name_en == "Acme Holdings"
    assert "acme holdings" in acme.search_text
    record = ChangeRecord.objects.get(action=ChangeAction.UPDATE)
    assert record.object_id == str(acme.pk)
    assert record.user == user
    assert record.channel == f"import #{third.run_id} orgs-v2.csv"
    assert record.changes == {
        "name_en": ["Acme Corporation", "Acme Holdings"],
        "hubs": [
            "kawasaki:incubation;kawasaki:talent;yokohama:funding",
            "kawasaki:incubation",
        ],
    }
    assert ImportRun.objects.count() == 3


@pytest.mark.django_db
def test_rows_without_source_cite_the_import_and_reimport_is_unchanged() -> None:
    data = _csv([BASE])
    report = _import(data)
    run = ImportRun.objects.get(pk=report.run_id)
    org = Organization.objects.get(key="acme")
    assert (org.source, org.as_of) == (run.citation, date.today().isoformat())
    assert org.sources == [run.citation]

    again = _import(data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    org.refresh_from_db()
    assert org.source == run.citation


@pytest.mark.django_db
def test_empty_source_cell_keeps_the_source_on_reimport() -> None:
    data = _csv([{**BASE, "source": "", "as_of": "2024"}])
    first = _import(data)
    assert first.ok, first.errors
    again = _import(data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    org = Organization.objects.get(key="acme")
    assert org.sources == [ImportRun.objects.get(pk=first.run_id).citation]


@pytest.mark.django_db
def test_columns_absent_from_the_file_are_left_alone() -> None:
    org = OrganizationFactory(key="acme", website="https://acme.example.org/", kinds=["venture"])
    report = _import(_csv([{**BASE, "city_en": "Ota"}]))
    assert (report.updated, report.unchanged) == (1, 0)
    org.refresh_from_db()
    assert org.website == "https://acme.example.org/"
    assert org.kind_codes == ["venture"]
    assert (org.city_en, org.prefecture, org.source) == ("Ota", "13", "test")


@pytest.mark.django_db
def test_dry_run_counts_but_changes_nothing() -> None:
    OrganizationFactory(key="beta-lab", name_en="Old Name")
    rows = [BASE, {"key": "beta-lab", "name_ja": "ベータ研究所", "name_en": "New Name"}]

    report = _import(_csv(rows), dry_run=True)

    assert report.ok and report.dry_run
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    assert report.run_id is None
    assert list(Organization.objects.values_list("key", "name_en")) == [("beta-lab", "Old Name")]
    assert not ImportRun.objects.exists()
    assert not ChangeRecord.objects.exists()


@pytest.mark.django_db
def test_one_bad_row_rejects_the_whole_file() -> None:
    OrganizationFactory(key="beta-lab", name_en="Old Name")
    columns = ["key", "name_ja", "name_en", "lat", "lon"]
    rows = [
        {**BASE, "lat": "35.5", "lon": "139.7"},
        {"key": "beta-lab", "name_ja": "ベータ", "name_en": "New Name", "lat": "", "lon": ""},
        {"key": "bad", "name_ja": "悪い", "name_en": "Bad", "lat": "north", "lon": "139.7"},
        {"key": "delta", "name_ja": "デルタ", "name_en": "Delta", "lat": "", "lon": ""},
    ]

    report = _import(_csv(rows, columns))

    assert not report.ok
    assert len(report.errors) == 1
    error = report.errors[0]
    assert (error.row, error.column, error.value) == (4, "lat", "north")
    assert "Not a number" in error.message
    assert report.as_dict()["errors"] == [error.as_dict()]
    assert report.created == report.updated == 0
    assert list(Organization.objects.values_list("key", "name_en")) == [("beta-lab", "Old Name")]
    assert not ImportRun.objects.exists()


def _case(**cells: str) -> bytes:
    return _csv([{**BASE, **cells}])


VALID_CN = corporate_number("010001008846")
BAD_CASES = [
    # (id, file bytes, file name, row, column, message fragment)
    ("unknown kind", _case(kinds="company;spaceship"), "orgs.csv", 2, "kinds", "Unknown kind"),
    ("unknown hub", _case(hubs="atlantis:incubation"), "orgs.csv", 2, "hubs", "Unknown hub"),
    (
        "unknown function",
        _case(hubs="kawasaki:dancing"),
        "orgs.csv",
        2,
        "hubs",
        "Unknown function 'dancing'",
    ),
    ("unknown domain", _case(market_domains="5;42"), "orgs.csv", 2, "market_domains", "42"),
    ("duplicate key", _csv([BASE, BASE]), "orgs.csv", 3, "key", "row 2"),
    ("bad key slug", _case(key="Acme_Inc"), "orgs.csv", 2, "key", "a-z, 0-9"),
    (
        "missing required column",
        _csv([{"key": "acme", "name_ja": "アクメ"}]),
        "orgs.csv",
        1,
        "name_en",
        "missing",
    ),
    ("unknown column", _case(colour="blue"), "orgs.csv", 1, "colour", "Unknown column"),
    ("empty English name", _case(name_en=""), "orgs.csv", 2, "name_en", "must not be empty"),
    ("lat not a number", _case(lat="north", lon="139.7"), "orgs.csv", 2, "lat", "Not a number"),
    ("lat out of range", _case(lat="95", lon="139.7"), "orgs.csv", 2, "lat", "-90 and 90"),
    ("only lat", _case(lat="35.5", lon=""), "orgs.csv", 2, "lon", "both"),
    ("outside Japan", _case(lat="51.5", lon="-0.12"), "orgs.csv", 2, "lat", "outside Japan"),
    (
        "corporate number check digit",
        _case(corporate_number=f"{(int(VALID_CN[0]) % 9) + 1}{VALID_CN[1:]}"),
        "orgs.csv",
        2,
        "corporate_number",
        "check digit",
    ),
    (
        "corporate number length",
        _case(corporate_number="123456789012"),
        "orgs.csv",
        2,
        "corporate_number",
        "13 digits",
    ),
    ("bad ROR id", _case(ror_id="https://ror.org/057zh3y96"), "orgs.csv", 2, "ror_id", "ROR"),
    ("bad website", _case(website="acme dot com"), "orgs.csv", 2, "website", "URL"),
    ("unknown prefecture", _case(prefecture="Atlantis"), "orgs.csv", 2, "prefecture", "Unknown"),
    ("unknown parent", _case(parent="nobody"), "orgs.csv", 2, "parent", "parent"),
    ("own parent", _case(parent="acme"), "orgs.csv", 2, "parent", "own parent"),
    ("bad as_of", _case(as_of="2024/04"), "orgs.csv", 2, "as_of", "YYYY-MM"),
    ("bad listed", _case(listed="maybe"), "orgs.csv", 2, "listed", "true, false"),
    ("bad country", _case(country="Japan"), "orgs.csv", 2, "country", "two-letter"),
    (
        "wrong encoding",
        b"key,name_ja,name_en\r\nacme,\x81\x7f\x81\x7f,Acme\r\n",
        "orgs.csv",
        0,
        "",
        "neither UTF-8 nor Shift_JIS",
    ),
    ("pdf", _case(), "orgs.pdf", 0, "", "Unsupported file type '.pdf'"),
    ("no extension", _case(), "orgs", 0, "", "Unsupported file type"),
    ("empty file", b"", "orgs.csv", 0, "", "empty"),
    ("broken xlsx", b"not a workbook", "orgs.xlsx", 0, "", "XLSX"),
    (
        "too many cells",
        b"key,name_ja,name_en\r\nacme,A,Acme\r\nbeta,B,Beta,extra\r\n",
        "orgs.csv",
        3,
        "",
        "4 cells",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "file_name", "row", "column", "fragment"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_CASES],
)
def test_bad_file_names_the_row_and_column(
    data: bytes, file_name: str, row: int, column: str, fragment: str
) -> None:
    _community()
    OrganizationFactory(key="keep", name_en="Keep")

    report = _import(data, file_name)

    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(row, column)], report.errors
    assert fragment in report.errors[0].message
    assert report.created == report.updated == 0
    assert list(Organization.objects.values_list("key", flat=True)) == ["keep"]
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_every_problem_of_a_row_is_reported() -> None:
    report = _import(_case(kinds="spaceship", website="nope", as_of="someday"))
    assert sorted(e.column for e in report.errors) == ["as_of", "kinds", "website"]
    assert {e.row for e in report.errors} == {2}


@pytest.mark.django_db
def test_swapped_coordinates_get_a_hint() -> None:
    report = _import(_case(lat="139.7671", lon="35.6812"))
    assert [(e.row, e.column) for e in report.errors] == [(2, "lat")]
    assert "swapped" in report.errors[0].message


@pytest.mark.django_db
def test_txt_is_read_as_csv() -> None:
    report = _import(_case(), "orgs.txt")
    assert report.ok and report.created == 1


@pytest.mark.django_db
def test_shift_jis_csv_with_japanese_names() -> None:
    # 髙 and ㈱ exist in cp932 (what Excel writes) but not in plain Shift_JIS.
    rows = [{**BASE, "name_ja": "髙島バイオ㈱", "city_ja": "川崎市", "prefecture": "神奈川県"}]
    data = _csv(rows, encoding="cp932")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    report = _import(data)

    assert report.ok, report.errors
    assert report.encoding == "shift_jis"
    org = Organization.objects.get(key="acme")
    assert (org.name_ja, org.city_ja, org.prefecture) == ("髙島バイオ㈱", "川崎市", "14")
    assert "高島ばいお" in org.search_text


@pytest.mark.django_db
def test_utf8_with_bom() -> None:
    report = _import(b"\xef\xbb\xbf" + _case(name_ja="アクメ"))
    assert report.ok, report.errors
    assert report.encoding == "utf-8-sig"
    assert Organization.objects.get(key="acme").name_ja == "アクメ"


def _xlsx(*rows: list[Any]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_xlsx_with_numeric_cells() -> None:
    number = corporate_number("180301018771")
    header = ["key", "name_ja", "name_en", "lat", "lon", "corporate_number", "prefecture"]
    data = _xlsx(
        [*header, "listed", "as_of"],
        ["acme", "アクメ", "Acme", 35.5494, 139.7798, int(number), 13, True, date(2024, 4, 1)],
        ["beta", "ベータ", "Beta", 35.6, 139.7, float(number), "東京都", False, 2022],
    )

    report = _import(data, "orgs.xlsx")

    assert report.ok, report.errors
    assert (report.encoding, report.created) == ("xlsx", 2)
    acme = Organization.objects.get(key="acme")
    assert (acme.lat, acme.lon) == (35.5494, 139.7798)
    assert (acme.corporate_number, acme.prefecture, acme.listed) == (number, "13", True)
    assert acme.as_of == "2024-04-01"
    beta = Organization.objects.get(key="beta")
    assert (beta.corporate_number, beta.listed, beta.as_of) == (number, False, "2022")


@pytest.mark.django_db
def test_xlsx_errors_use_spreadsheet_row_numbers() -> None:
    data = _xlsx(
        ["key", "name_ja", "name_en", "lat", "lon"],
        ["acme", "アクメ", "Acme", 35.5, 139.7],
        [None, None, None, None, None],
        ["beta", "ベータ", "Beta", 95.5, 139.7],
    )
    report = _import(data, "orgs.xlsx")
    assert report.errors == [
        RowError(4, "lat", "95.5", "Latitude must be between -90 and 90."),
    ]
    assert not Organization.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make_user",
    [
        pytest.param(lambda: None, id="no user"),
        pytest.param(AnonymousUser, id="anonymous"),
        pytest.param(lambda: member_user(OrganizationFactory()), id="member"),
        pytest.param(reviewer_user, id="reviewer"),
    ],
)
def test_only_the_secretariat_may_import(make_user: Any) -> None:
    user = make_user()
    count = Organization.objects.count()
    with pytest.raises(PermissionDenied):
        import_organizations(_case(), "orgs.csv", user=user)
    assert Organization.objects.count() == count
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_secretariat_import_is_attributed() -> None:
    user = secretariat_user()
    report = import_organizations(_case(), "orgs.csv", user=user)
    assert report.ok
    assert ImportRun.objects.get().user == user
    assert ChangeRecord.objects.get().user == user


@pytest.mark.django_db
def test_valid_corporate_number_is_accepted() -> None:
    number = corporate_number("234567890123")
    report = _import(_case(corporate_number=number))
    assert report.ok, report.errors
    assert Organization.objects.get(key="acme").corporate_number == number


@pytest.mark.django_db
def test_file_over_the_size_limit_is_refused(settings: Any) -> None:
    settings.BIOCOMMUNITY_IMPORT_MAX_BYTES = 10
    report = _import(_case())
    assert [(e.row, e.column) for e in report.errors] == [(0, "")]
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_nul_character_in_a_cell_is_reported_not_stored() -> None:
    """PostgreSQL text cannot hold NUL: the import must say so instead of failing."""
    user = secretariat_user()
    data = "key,name_ja,name_en\nnul-co,ヌル\x00社,Nul Co\n".encode()
    report = import_organizations(data, "nul.csv", user=user)
    assert [(e.row, e.column) for e in report.errors] == [(2, "name_ja")]
    assert not Organization.objects.filter(key="nul-co").exists()
