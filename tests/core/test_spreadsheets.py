"""Safe spreadsheets and bounded imports (core/spreadsheets.py, registry/services/tabular.py).

Every exporter neutralises formula-like text and never writes an XLSX formula; every importer
undoes exactly that, so export → import → export is identical. Hostile files (a huge declared
dimension, a zip bomb, a 200,000-column header) are refused at once with the limit named.
"""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from biocommunity.core.spreadsheets import neutralise, restore
from biocommunity.indicators.services.compare import export_comparison
from biocommunity.indicators.services.importing import import_observations, import_template
from biocommunity.matching.services import profiles
from biocommunity.registry.services.organizations import export_organizations, import_organizations
from biocommunity.registry.services.tabular import ImportFailed, read_table
from tests.factories import (
    ObservationFactory,
    OrganizationFactory,
    ProfileFactory,
    secretariat_user,
)

PAYLOADS = ['=HYPERLINK("http://evil.example/","x")', "+1+1", "-2+3", "@SUM(A1)"]
# Generous: each refusal takes milliseconds; minutes is what the unbounded reader took.
QUICK = 10.0


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),  # looks neutralised already: one more, so the import gives it back
        ("-5", "-5"),  # a plain number evaluates nothing and stays a number
        ("+1.5", "+1.5"),
        ("-1e3", "-1e3"),
        ("'abc", "'abc"),
        ("abc", "abc"),
        ("", ""),
        (-5, -5),
    ],
)
def test_neutralise_and_restore_are_exact_inverses(value: Any, written: Any) -> None:
    assert neutralise(value) == written
    if isinstance(value, str):
        assert restore(written) == value


def _xlsx_cells(data: bytes) -> list[Any]:
    workbook = load_workbook(io.BytesIO(data))
    return [c for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row]


def _xlsx_values(data: bytes) -> list[list[Any]]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return [list(r) for s in workbook.worksheets for r in s.iter_rows(values_only=True)]


def _assert_safe(data: bytes) -> None:
    cells = _xlsx_cells(data)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    for payload in PAYLOADS:
        assert any(c.value == "'" + payload for c in cells), payload
        assert not any(c.value == payload for c in cells), payload


def _assert_csv_safe(data: bytes) -> None:
    cells = [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row]
    for payload in PAYLOADS:
        assert "'" + payload in cells, payload
        assert payload not in cells, payload


# ---------------------------------------------------------------- round trips


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_organizations_round_trip_payloads_unchanged(fmt: str) -> None:
    for n, payload in enumerate(PAYLOADS):
        OrganizationFactory(key=f"org-{n}", name_en=payload, city_en=payload)
    user = secretariat_user()
    first = export_organizations(fmt)
    (_assert_safe if fmt == "xlsx" else _assert_csv_safe)(first)
    report = import_organizations(first, f"orgs.{fmt}", user=user)
    assert report.ok, report.as_dict()
    assert report.updated == 0
    second = export_organizations(fmt)
    if fmt == "csv":
        assert second == first
    else:
        assert _xlsx_values(second) == _xlsx_values(first)


def profiles_titles() -> list[str]:
    from biocommunity.matching.models import Profile

    return list(Profile.objects.values_list("title_en", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_profiles_round_trip_payloads_unchanged(fmt: str) -> None:
    for payload in PAYLOADS:
        ProfileFactory(title_en=payload, body_en=payload + " body")
    user = secretariat_user()
    first = profiles.export_profiles(user, fmt)
    (_assert_safe if fmt == "xlsx" else _assert_csv_safe)(first)
    report = profiles.import_profiles(first, f"profiles.{fmt}", user=user)
    assert report.ok, report.as_dict()
    assert sorted(profiles_titles()) == sorted(PAYLOADS)
    second = profiles.export_profiles(user, fmt)
    if fmt == "csv":
        assert second == first
    else:
        assert _xlsx_values(second) == _xlsx_values(first)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_observation_template_round_trips_payload_unchanged(fmt: str, payload: str) -> None:
    observation = ObservationFactory(note_en=payload, value=-5)
    first = import_template(fmt, "en")
    if fmt == "xlsx":
        cells = _xlsx_cells(first)
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        assert any(c.value == "'" + payload for c in cells)
    else:
        assert (
            "'" + payload in next(csv.DictReader(io.StringIO(first.decode("utf-8-sig"))))["note_en"]
        )
    report = import_observations(first, f"template.{fmt}", user=secretariat_user())
    assert report.ok, report.as_dict()
    observation.refresh_from_db()
    assert observation.note_en == payload
    assert observation.value == -5  # a negative number is a number, not neutralised
    assert import_template(fmt, "en") == first or fmt == "xlsx"
    if fmt == "xlsx":
        assert _xlsx_values(import_template(fmt, "en")) == _xlsx_values(first)


def test_comparison_export_is_neutralised(monkeypatch: pytest.MonkeyPatch) -> None:
    from biocommunity.indicators.services import compare

    rows = [
        {c: None for c in compare.EXPORT_COLUMNS} | {"indicator": p, "value": -5} for p in PAYLOADS
    ]
    monkeypatch.setattr(compare, "export_rows", lambda _result: rows)
    xlsx = export_comparison({"rows": []}, "xlsx")
    text = export_comparison({"rows": []}, "csv")
    _assert_safe(xlsx)
    _assert_csv_safe(text)
    assert any(c.value == -5 and c.data_type == "n" for c in _xlsx_cells(xlsx))


# ---------------------------------------------------------------- bounded imports


def _declared_huge_xlsx() -> bytes:
    """A tiny workbook whose sheet declares the whole grid, A1:XFD1048576."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["key", "name_en"])
    sheet.append(["a", "A"])
    out = io.BytesIO()
    workbook.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', body)
                far = (
                    b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
                )
                body = body.replace(b"</sheetData>", far + b"</sheetData>")
                assert b"XFD1048576" in body
            target.writestr(item, body)
    return patched.getvalue()


def _deflate_bomb() -> bytes:
    """An XLSX whose sheet inflates from a few kilobytes to about 2.5 MB of empty rows."""
    workbook = Workbook()
    workbook.active.append(["key"])  # type: ignore[union-attr]
    out = io.BytesIO()
    workbook.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"</sheetData>", b"<row/>" * 420_000 + b"</sheetData>")
            target.writestr(item.filename, body, compress_type=zipfile.ZIP_DEFLATED)
    return patched.getvalue()


def _undeclared_wide_xlsx() -> bytes:
    """No dimension declared, and a data row 300 cells wide: the width shows while reading."""
    workbook = Workbook()
    workbook.active.append(["key", "name_en"])  # type: ignore[union-attr]
    out = io.BytesIO()
    workbook.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    wide = b"".join(b'<c r="%s2" t="inlineStr"><is><t>v</t></is></c>' % (
        (chr(65 + i // 26) + chr(65 + i % 26)).encode()) for i in range(300)
    )  # fmt: skip
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", body)
                body = body.replace(b"</sheetData>", b'<row r="2">' + wide + b"</row></sheetData>")
            target.writestr(item, body)
    return patched.getvalue()


def _wide_csv() -> bytes:
    return (",".join(f"c{i}" for i in range(200_000)) + "\r\na\r\n").encode()


def _refused(data: bytes, name: str) -> str:
    start = time.monotonic()
    with pytest.raises(ImportFailed) as caught:
        read_table(data, name)
    assert time.monotonic() - start < QUICK
    return caught.value.errors[0].message


def test_declared_dimension_is_refused_before_reading() -> None:
    data = _declared_huge_xlsx()
    assert len(data) < 8_000
    assert "BIOCOMMUNITY_IMPORT_MAX_COLUMNS" in _refused(data, "huge.xlsx")


def test_deflate_bomb_is_refused_from_the_zip_directory() -> None:
    data = _deflate_bomb()
    sizes = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    assert sizes.file_size > 2_400_000 and sizes.compress_size < 30_000
    assert "BIOCOMMUNITY_IMPORT_MAX_COMPRESSION_RATIO" in _refused(data, "bomb.xlsx")


def test_uncompressed_size_limit(settings: Any) -> None:
    settings.BIOCOMMUNITY_IMPORT_MAX_UNCOMPRESSED_BYTES = 2**20
    assert "BIOCOMMUNITY_IMPORT_MAX_UNCOMPRESSED_BYTES" in _refused(_deflate_bomb(), "b.xlsx")


def test_far_cell_without_dimension_is_read_quickly() -> None:
    """The same far cell with the declaration removed: the empty rows are skipped cheaply and
    the cell, past the column limit, is not read."""
    data = _declared_huge_xlsx()
    source = zipfile.ZipFile(io.BytesIO(data))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            body = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", body)
            target.writestr(item, body)
    start = time.monotonic()
    table = read_table(patched.getvalue(), "far.xlsx")
    assert time.monotonic() - start < QUICK
    assert [cells["key"] for _n, cells in table.rows] == ["a"]


def test_undeclared_wide_sheet_is_refused_while_reading() -> None:
    with translation.override("en"):
        message = _refused(_undeclared_wide_xlsx(), "wide.xlsx")
    assert "more than 200 columns" in message and "BIOCOMMUNITY_IMPORT_MAX_COLUMNS" in message


def test_csv_with_200000_header_columns_is_refused() -> None:
    message = _refused(_wide_csv(), "wide.csv")
    assert "BIOCOMMUNITY_IMPORT_MAX_COLUMNS" in message and "200,000" in message


def test_rows_and_cell_size_limits(settings: Any) -> None:
    settings.BIOCOMMUNITY_IMPORT_MAX_ROWS = 3
    rows = "key\r\n" + "".join(f"k{i}\r\n" for i in range(4))
    assert "BIOCOMMUNITY_IMPORT_MAX_ROWS" in _refused(rows.encode(), "rows.csv")
    table = read_table(("key\r\n" + "".join(f"k{i}\r\n" for i in range(3))).encode(), "ok.csv")
    assert len(table.rows) == 3
    settings.BIOCOMMUNITY_IMPORT_MAX_CELL_CHARS = 10
    assert "BIOCOMMUNITY_IMPORT_MAX_CELL_CHARS" in _refused(b"key\r\n" + b"x" * 11, "c.csv")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("s")
    for i in range(5):
        sheet.append([f"k{i}"])
    out = io.BytesIO()
    workbook.save(out)
    settings.BIOCOMMUNITY_IMPORT_MAX_CELL_CHARS = 100
    assert "BIOCOMMUNITY_IMPORT_MAX_ROWS" in _refused(out.getvalue(), "rows.xlsx")


@pytest.mark.django_db
def test_refusal_is_shown_on_the_import_page(client: Any) -> None:
    client.force_login(secretariat_user())
    upload = io.BytesIO(_wide_csv())
    upload.name = "wide.csv"
    start = time.monotonic()
    response = client.post(
        reverse("registry:import"), {"file": upload, "dry_run": "on"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert time.monotonic() - start < QUICK
    assert response.status_code == 400
    assert "BIOCOMMUNITY_IMPORT_MAX_COLUMNS" in response.content.decode()


@pytest.mark.django_db
def test_refusal_is_reported_by_the_cli(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "huge.xlsx"
    path.write_bytes(_declared_huge_xlsx())
    with pytest.raises(SystemExit) as exited:
        call_command("import", "organizations", str(path), "--format", "json")
    assert exited.value.code == 1
    assert "BIOCOMMUNITY_IMPORT_MAX_COLUMNS" in capsys.readouterr().out
