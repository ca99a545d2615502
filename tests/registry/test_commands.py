"""The command line: load-dataset, import, export and add-user, as the secretariat runs them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from biocommunity import cli
from biocommunity.core import roles
from biocommunity.registry.models import Community, ImportRun, Organization, OrganizationMember
from tests.factories import PASSWORD, OrganizationFactory

GOOD = "key,name_ja,name_en,prefecture\r\nacme,アクメ,Acme,東京都\r\nbeta,ベータ,Beta,13\r\n"
BAD = (
    "key,name_ja,name_en,lat,lon\r\n"
    "keep,キープ,Renamed,35.5,139.7\r\n"
    "acme,アクメ,Acme,north,139.7\r\n"
)


def _file(tmp_path: Path, text: str, name: str = "orgs.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# cli.main goes through run_from_argv, which closes the database connections when done: on
# PostgreSQL that is only safe outside the per-test transaction, hence transaction=True.
@pytest.mark.django_db(transaction=True)
def test_load_dataset_through_the_console_entry_is_idempotent(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli.main(["load-dataset", "gtb"])
    first = capsys.readouterr().out
    count = Organization.objects.count()
    assert count > 200
    assert Community.objects.filter(key="gtb").exists()
    assert "dataset gtb" in first

    cli.main(["load-dataset", "gtb", "--quiet"])
    cli.main(["load-dataset", "gtb"])

    assert "0 record(s) created or updated." in capsys.readouterr().out
    assert Organization.objects.count() == count


@pytest.mark.django_db(transaction=True)
def test_console_entry_reports_a_command_error_with_exit_status_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(["import", "organizations", str(tmp_path / "missing.csv")])
    assert caught.value.code == 1
    assert "missing.csv: no such file" in capsys.readouterr().err


@pytest.mark.django_db
def test_unknown_dataset_is_a_command_error() -> None:
    with pytest.raises(CommandError, match="atlantis"):
        _run("load_dataset", "atlantis")


@pytest.mark.django_db
def test_import_dry_run_prints_the_counts_and_changes_nothing(tmp_path: Path) -> None:
    path = _file(tmp_path, GOOD)

    output = _run("import", "organizations", str(path), "--dry-run")

    assert "2 row(s) read (utf-8): 2 would be created, 0 would be updated, 0 unchanged." in output
    assert not Organization.objects.exists()
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_import_applies_the_file(tmp_path: Path) -> None:
    output = _run("import", "organizations", str(_file(tmp_path, GOOD)))
    assert "2 were created" in output
    assert sorted(Organization.objects.values_list("key", "prefecture")) == [
        ("acme", "13"),
        ("beta", "13"),
    ]
    run = ImportRun.objects.get()
    assert (run.file_name, run.user, run.created) == ("orgs.csv", None, 2)


@pytest.mark.django_db
def test_bad_file_prints_the_problems_exits_1_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one table row per line, whatever the terminal
    OrganizationFactory(key="keep", name_en="Keep")
    out = io.StringIO()

    with pytest.raises(SystemExit) as caught:
        call_command("import", "organizations", str(_file(tmp_path, BAD)), stdout=out)

    assert caught.value.code == 1
    output = out.getvalue()
    assert "orgs.csv: 1 problem(s), nothing imported" in output
    line = next(line for line in output.splitlines() if "north" in line)
    assert [cell.strip() for cell in line.strip("│ ").split("│")][:3] == ["3", "lat", "north"]
    assert list(Organization.objects.values_list("key", "name_en")) == [("keep", "Keep")]
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_import_json_report(tmp_path: Path) -> None:
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "import", "organizations", str(_file(tmp_path, BAD)), "--format", "json", stdout=out
        )
    report = json.loads(out.getvalue())
    assert report["ok"] is False
    assert [(e["row"], e["column"], e["value"]) for e in report["errors"]] == [(3, "lat", "north")]

    report = json.loads(
        _run("import", "organizations", str(_file(tmp_path, GOOD)), "--format", "json")
    )
    assert (report["ok"], report["created"], report["errors"]) == (True, 2, [])
    assert report["import_run"] == ImportRun.objects.get().pk


@pytest.mark.django_db
def test_import_into_an_unknown_community_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="atlantis"):
        _run("import", "organizations", str(_file(tmp_path, GOOD)), "--community", "atlantis")


@pytest.mark.django_db
def test_export_writes_each_format(tmp_path: Path) -> None:
    OrganizationFactory(key="acme", name_ja="アクメ", name_en="Acme", kinds=["venture"])

    _run("export", "organizations", "--format", "csv", "--output", str(tmp_path / "o.csv"))
    _run("export", "organizations", "--format", "json", "--output", str(tmp_path / "o.json"))
    _run("export", "organizations", "--format", "xlsx", "-o", str(tmp_path / "o.xlsx"))

    data = (tmp_path / "o.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r["key"], r["name_ja"], r["kinds"]) for r in rows] == [("acme", "アクメ", "venture")]
    records = json.loads((tmp_path / "o.json").read_text(encoding="utf-8"))
    assert [(r["key"], r["kinds"]) for r in records] == [("acme", ["venture"])]
    sheet = load_workbook(tmp_path / "o.xlsx", read_only=True).worksheets[0]
    header, first = list(sheet.iter_rows(values_only=True))
    assert dict(zip(header, first, strict=True))["key"] == "acme"


@pytest.mark.django_db
def test_exported_csv_imports_back_unchanged(tmp_path: Path) -> None:
    OrganizationFactory(key="acme", kinds=["venture", "company"])
    path = tmp_path / "orgs.csv"
    _run("export", "organizations", "--output", str(path))
    assert "0 were created, 0 were updated, 1 unchanged." in _run(
        "import", "organizations", str(path)
    )


@pytest.mark.django_db
def test_add_user_as_secretariat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIOCOMMUNITY_PASSWORD", PASSWORD)

    assert "created alice (secretariat)" in _run("add_user", "alice", "--role", "secretariat")

    user = get_user_model().objects.get(username="alice")
    assert user.check_password(PASSWORD)
    assert user.is_staff and not user.is_superuser
    assert roles.is_secretariat(user)
    assert user.has_perm("registry.change_organization")

    monkeypatch.setenv("BIOCOMMUNITY_PASSWORD", PASSWORD + " changed")
    assert "updated alice (secretariat)" in _run("add_user", "alice", "--role", "secretariat")
    user.refresh_from_db()
    assert user.check_password(PASSWORD + " changed")


@pytest.mark.django_db
def test_add_user_as_member_of_an_organisation(monkeypatch: pytest.MonkeyPatch) -> None:
    org = OrganizationFactory(key="acme")
    monkeypatch.setenv("MEMBER_PASSWORD", PASSWORD)

    _run(
        "add_user",
        "bob",
        "--role",
        "member",
        "--organization",
        "acme",
        "--password-env",
        "MEMBER_PASSWORD",
    )

    user = get_user_model().objects.get(username="bob")
    assert OrganizationMember.objects.get(user=user).organization == org
    assert not user.is_staff
    assert not roles.is_secretariat(user)


@pytest.mark.django_db
def test_add_user_member_needs_a_known_organisation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIOCOMMUNITY_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="nobody"):
        _run("add_user", "bob", "--role", "member", "--organization", "nobody")
    assert not get_user_model().objects.filter(username="bob").exists()


@pytest.mark.django_db
def test_add_user_without_a_password_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BIOCOMMUNITY_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="BIOCOMMUNITY_PASSWORD"):
        _run("add_user", "alice", "--role", "secretariat")
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_add_user_refuses_a_weak_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIOCOMMUNITY_PASSWORD", "12345678")
    with pytest.raises(CommandError):
        _run("add_user", "alice", "--role", "secretariat")
    assert not get_user_model().objects.exists()
