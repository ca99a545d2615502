"""Observation import: all rows or none, row-level errors, history, permissions."""

from __future__ import annotations

from io import BytesIO, StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from openpyxl import Workbook

from biocommunity.core.models import ChangeRecord
from biocommunity.indicators.models import Observation
from biocommunity.indicators.services.importing import import_observations
from tests.conftest import assert_status, login
from tests.factories import UserFactory, secretariat_user

pytestmark = pytest.mark.django_db
GOOD = (
    "indicator,subject,period,value,value_kind,note_en,source\n"
    'ipo-count,gtb,2023,"1,234",exact,n,sheet\n'
)


def test_good_rows_create_then_reimport_is_unchanged_and_history_is_kept(gtb: Any) -> None:
    user = secretariat_user()
    report = import_observations(GOOD.encode(), "obs.csv", user=user)
    assert (report.created, report.updated, report.errors) == (1, 0, [])
    obs = Observation.objects.get(indicator__code="ipo-count", subject__key="gtb", period="2023")
    assert obs.value == 1234 and obs.source == "sheet"
    again = import_observations(GOOD.encode(), "obs.csv", user=user)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    changed = import_observations(GOOD.replace('"1,234"', "1300").encode(), "obs.csv", user=user)
    assert changed.updated == 1
    record = ChangeRecord.objects.filter(object_id=str(obs.pk)).first()
    assert record is not None and record.user == user and "value" in record.changes


def test_one_bad_row_changes_nothing_and_each_problem_names_row_and_column(gtb: Any) -> None:
    before = Observation.objects.count()
    data = (
        GOOD + "nope,gtb,2023,1,,,\nipo-count,atlantis,2023,x,,,\nipo-count,gtb,2023,5,,,\n"
        "ipo-count,gtb,2024,,exact,,\nipo-count,gtb,2025,1,guess,,\n"
    ).encode()
    report = import_observations(data, "obs.csv", check_permission=False)
    problems = {(e.row, e.column) for e in report.errors}
    assert {
        (3, "indicator"),
        (4, "subject"),
        (4, "value"),
        (5, "period"),
        (6, "value"),
        (7, "value_kind"),
    } <= problems
    assert Observation.objects.count() == before


def test_header_problems(gtb: Any) -> None:
    report = import_observations(b"indicator,subject,colour\n", "obs.csv", check_permission=False)
    assert {(e.row, e.column) for e in report.errors} == {(1, "colour"), (1, "value")}


def test_xlsx_and_shift_jis(gtb: Any) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["indicator", "subject", "period", "value", "note_ja"])
    sheet.append(["ipo-count", "gtb", "2022", 9, "注記"])
    out = BytesIO()
    book.save(out)
    assert import_observations(out.getvalue(), "obs.xlsx", check_permission=False).created == 1
    sjis = "indicator,subject,period,value,note_ja\nipo-count,gtb,2021,3,東京圏\n".encode("cp932")
    report = import_observations(sjis, "obs.csv", check_permission=False)
    assert report.encoding == "shift_jis" and report.created == 1


def test_only_the_secretariat_may_import(gtb: Any) -> None:
    with pytest.raises(PermissionDenied):
        import_observations(GOOD.encode(), "obs.csv", user=UserFactory())


def test_import_page_dry_run_then_apply(gtb: Any, client: Client) -> None:
    login(client, secretariat_user())
    assert_status(client.get("/ja/figures/import/"), 200)
    upload = SimpleUploadedFile("obs.csv", GOOD.encode(), content_type="text/csv")
    response = client.post("/ja/figures/import/", {"file": upload, "dry_run": "on"})
    assert_status(response, 200)
    assert not Observation.objects.filter(period="2023", indicator__code="ipo-count").exists()
    upload = SimpleUploadedFile("obs.csv", GOOD.encode(), content_type="text/csv")
    assert_status(client.post("/ja/figures/import/", {"file": upload}), 200)
    assert Observation.objects.filter(period="2023", indicator__code="ipo-count").exists()
    bad = SimpleUploadedFile(
        "obs.csv", b"indicator,subject,value\nx,y,z\n", content_type="text/csv"
    )
    response = client.post("/ja/figures/import/", {"file": bad})
    assert_status(response, 400)
    assert 'data-testid="import-errors"' in response.content.decode()


def test_import_page_refuses_members_and_anonymous(gtb: Any, client: Client) -> None:
    assert client.get("/ja/figures/import/").status_code == 302
    login(client, UserFactory())
    assert client.get("/ja/figures/import/").status_code == 403


def test_cli_import(gtb: Any, tmp_path: Any) -> None:
    path = tmp_path / "obs.csv"
    path.write_text(GOOD, encoding="utf-8")
    out = StringIO()
    call_command("indicators", "import", str(path), dry_run=True, stdout=out)
    assert "1 would be created" in out.getvalue()
    path.write_text("indicator,subject,value\nx,gtb,1\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        call_command("indicators", "import", str(path), stdout=StringIO())
    assert exit_info.value.code == 1
