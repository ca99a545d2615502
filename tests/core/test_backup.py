"""Backup and restore: a round trip keeps every export and file; bad archives change nothing.

Each installation is a subprocess with its own BIOCOMMUNITY_DATA_DIR (and DATABASE_URL for
PostgreSQL), as an operator would run it: the source is migrated, filled through the factories
with an evidence upload and backed up; the archive is restored into a new installation; the
exports of both must be byte for byte the same.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "django"]
EXPORTS = ("organizations.csv", "organizations.json", "compare.json", "profiles.json", "evidence")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --------------------------------------------------------------- run inside the installations


def populate(dataset: bool = False) -> dict[str, Any]:
    """Fill a migrated installation: organisations, figures, a profile, a document as evidence.

    With ``dataset`` the GTB dataset is loaded first, as an installation in use would hold it.
    """
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from biocommunity.assessment.services import workflow as wf
    from biocommunity.assessment.services.rubrics import get_rubric
    from tests.factories import (
        CommunityFactory,
        ObservationFactory,
        OrganizationFactory,
        ProfileFactory,
        SubjectFactory,
        certification_round,
        member_user,
        secretariat_user,
    )

    regions = "region-a,region-b"
    if dataset:
        call_command("load_dataset", "gtb", quiet=True, stdout=io.StringIO())
        regions += ",gtb,massachusetts,greater-london"
    community = CommunityFactory()
    organization = OrganizationFactory(kinds=["incubator"], name_ja="テスト", name_en="Test")
    ProfileFactory(organization=organization, title_en="AAV manufacturing")
    for key in ("region-a", "region-b"):
        ObservationFactory(subject=SubjectFactory(key=key), value=42)
    round_ = certification_round(
        community, secretariat=secretariat_user(), invite=[(organization, "incubator")]
    )
    assessment = round_.assessments.get()
    member = member_user(organization)
    code = next(
        c.code
        for c in get_rubric("institutions").type("incubator").criteria
        if c.stage == "registered"
    )
    wf.save_claims(member, assessment, {code: (True, "年次報告")})
    upload = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
    evidence = wf.add_evidence(member, assessment, code, upload=upload)
    return {"member": member.username, "evidence": evidence.pk, "regions": regions}


def write_exports(out: Path, member: str, evidence: int, regions: str) -> None:
    """Every export the round trip must keep, and the evidence as a member downloads it."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    out.mkdir(parents=True, exist_ok=True)
    for fmt in ("csv", "json"):
        call_command("export", "organizations", format=fmt, output=out / f"organizations.{fmt}")
    compare = io.StringIO()
    call_command("indicators", "compare", regions=regions, format="json", stdout=compare)
    (out / "compare.json").write_text(compare.getvalue(), "utf-8")
    call_command("match", "export", format="json", output=out / "profiles.json")
    client = Client()
    client.force_login(
        get_user_model().objects.get(username=member),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    with translation.override("en"):
        address = reverse("assessment:evidence", args=[evidence])
    response = client.get(address)
    assert response.status_code == 200, response.status_code
    (out / "evidence").write_bytes(b"".join(response.streaming_content))


# --------------------------------------------------------------------------- the test side


def environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIOCOMMUNITY_")}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="biocommunity.settings",
        BIOCOMMUNITY_DATA_DIR=str(data_dir),
        BIOCOMMUNITY_MATCHING_EMBEDDER="none",
        BIOCOMMUNITY_MATCHING_WARMUP="off",
        BIOCOMMUNITY_EMAIL_DELIVERY="outbox",
        ALLOWED_HOSTS="testserver",
        PYTHONPATH=str(ROOT),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run(
    args: list[str], data_dir: Path, database_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=ROOT,
        env=environment(data_dir, database_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def python(code: str, data_dir: Path, database_url: str | None = None) -> str:
    script = "import django; django.setup()\n" + code
    result = run([sys.executable, "-c", script], data_dir, database_url)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def command(args: list[str], data_dir: Path, database_url: str | None = None) -> str:
    result = run([*CLI, *args], data_dir, database_url)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def source_installation(
    tmp_path: Path, database_url: str | None, *, dataset: bool = False
) -> tuple[Path, Path]:
    """An installation migrated and filled in one process; its exports and its backup archive."""
    exports = tmp_path / "source-exports"
    archive = tmp_path / "backup.tar.gz"
    out = python(
        "import json\nfrom pathlib import Path\nfrom django.core.management import call_command\n"
        "from tests.core.test_backup import populate, write_exports\n"
        "call_command('migrate', verbosity=0)\n"
        f"info = populate(dataset={dataset})\n"
        f"write_exports(Path({str(exports)!r}), **info)\n"
        f"(Path({str(exports)!r}) / 'info.json').write_text(json.dumps(info))\n"
        f"call_command('backup', output=Path({str(archive)!r}))\n",
        tmp_path / "source",
        database_url,
    )
    assert "1 uploaded files" in out
    return exports, archive


def assert_round_trip(
    tmp_path: Path, exports: Path, archive: Path, database_url: str | None
) -> None:
    """Restore ``archive`` into a new installation and compare its exports with ``exports``."""
    with tarfile.open(archive) as opened:
        names = opened.getnames()
        handle = opened.extractfile("manifest.json")
        assert handle is not None
        manifest = json.loads(handle.read())
    assert names[0] == "manifest.json"
    assert manifest["engine"] == ("postgresql" if database_url else "sqlite")
    assert sorted(f["path"] for f in manifest["files"]) == sorted(names[1:])
    assert all(len(f["sha256"]) == 64 and f["size"] > 0 for f in manifest["files"])
    target = tmp_path / "restored"
    out = command(["restore", str(archive)], target, database_url)
    assert "migrated it to this version" in out
    info = json.loads((exports / "info.json").read_text("utf-8"))
    restored = tmp_path / "restored-exports"
    python(
        "from pathlib import Path\nfrom tests.core.test_backup import write_exports\n"
        f"write_exports(Path({str(restored)!r}), **{info!r})\n",
        target,
        database_url,
    )
    for name in EXPORTS:
        assert (restored / name).read_bytes() == (exports / name).read_bytes(), name
    assert (restored / "evidence").read_bytes() == PDF
    assert json.loads((exports / "organizations.json").read_text("utf-8")), "no data exported"


@pytest.fixture(scope="module")
def sqlite_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One SQLite installation with data and its backup, shared by the tests below."""
    return source_installation(tmp_path_factory.mktemp("sqlite"), None, dataset=True)


def test_sqlite_round_trip_keeps_every_export_and_evidence_file(
    tmp_path: Path, sqlite_source: tuple[Path, Path]
) -> None:
    assert_round_trip(tmp_path, *sqlite_source, None)


def _postgres() -> Iterator[tuple[str, str]]:
    import shutil

    base = os.environ.get(
        "BIOCOMMUNITY_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"
    )
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore not on PATH: install PostgreSQL's client tools")
    try:
        import psycopg
    except ImportError:
        pytest.skip("psycopg is not installed")
    try:
        admin = psycopg.connect(base, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL at {base} is unreachable ({error}); start it to run this test")
    names = [f"backup_{kind}_{uuid.uuid4().hex[:10]}" for kind in ("source", "target")]
    prefix = base.rsplit("/", 1)[0]
    try:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        yield f"{prefix}/{names[0]}", f"{prefix}/{names[1]}"
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def postgres_pair() -> Iterator[tuple[str, str]]:
    """Two new databases on the test server, dropped afterwards."""
    yield from _postgres()


def test_postgresql_round_trip_keeps_every_export_and_evidence_file(
    tmp_path: Path, postgres_pair: tuple[str, str]
) -> None:
    source_url, target_url = postgres_pair
    exports, archive = source_installation(tmp_path, source_url)
    assert_round_trip(tmp_path, exports, archive, target_url)


# -------------------------------------------------------------------------- refusals


@pytest.fixture
def archive(sqlite_source: tuple[Path, Path]) -> Path:
    return sqlite_source[1]


def rewrite(archive: Path, target: Path, change: Any) -> Path:
    """A copy of the archive with one member's bytes changed by ``change(name, data)``."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source:
            handle = source.extractfile(member)
            data = change(member.name, handle.read() if handle else b"")
            if data is None:
                continue
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return target


def assert_refused(archive: Path, message: str) -> None:
    """Restoring fails with ``message`` and leaves the installation as it was."""
    from biocommunity.core.services.backup import BackupError, restore_backup
    from biocommunity.registry.models import Organization

    before = Organization.objects.count()
    with pytest.raises(BackupError, match=message):
        restore_backup(archive)
    assert Organization.objects.count() == before
    assert not any(Path(settings_dir("MEDIA_ROOT")).rglob("*"))
    assert not any(Path(settings_dir("DATA_DIR")).glob("restore-*"))


def settings_dir(name: str) -> str:
    from django.conf import settings

    return str(getattr(settings, name))


@pytest.fixture
def installation(settings: Any, tmp_path: Path, db: Any) -> Path:
    """This process's installation, with its uploads and work folders in a fresh directory."""
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    settings.MEDIA_ROOT.mkdir(parents=True)
    return tmp_path


def test_a_damaged_file_is_refused_and_changes_nothing(archive: Path, installation: Path) -> None:
    def flip(name: str, data: bytes) -> bytes:
        return data.replace(b"%%EOF", b"%%EOX") if name.startswith("media/") else data

    damaged = rewrite(archive, installation / "damaged.tar.gz", flip)
    assert_refused(damaged, "does not match its checksum")


def test_a_missing_file_is_refused(archive: Path, installation: Path) -> None:
    def drop(name: str, data: bytes) -> bytes | None:
        return None if name.startswith("media/") else data

    assert_refused(rewrite(archive, installation / "incomplete.tar.gz", drop), "incomplete")


@pytest.mark.parametrize("listed", [False, True])
def test_a_file_escaping_the_media_folder_is_refused(
    archive: Path, installation: Path, listed: bool
) -> None:
    """A member named to climb out of media/ is refused, even when the manifest lists it."""
    escaping = installation / "escaping.tar.gz"
    bad = "media/../../escaped.pdf"
    with tarfile.open(archive) as source, tarfile.open(escaping, "w:gz") as out:
        for member in source:
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == "manifest.json" and listed:
                manifest = json.loads(data)
                for entry in manifest["files"]:
                    if entry["path"].startswith("media/"):
                        entry["path"] = bad
                data = json.dumps(manifest).encode()
            if member.name.startswith("media/"):
                member.name = bad
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    assert_refused(escaping, "which its manifest omits")
    assert not list(installation.rglob("escaped.pdf"))


def test_a_foreign_archive_is_refused(installation: Path) -> None:
    foreign = installation / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as out:
        info = tarfile.TarInfo("notes.txt")
        info.size = 5
        out.addfile(info, io.BytesIO(b"hello"))
    assert_refused(foreign, "not a biocommunity backup")
    truncated = installation / "truncated.tar.gz"
    truncated.write_bytes(foreign.read_bytes()[:20])
    assert_refused(truncated, "Cannot read")


def test_restore_into_an_installation_with_data_is_refused(
    archive: Path, installation: Path
) -> None:
    from django.db import connection

    from tests.factories import OrganizationFactory

    if connection.vendor != "sqlite":
        pytest.skip("the archive here is SQLite's; the PostgreSQL round trip covers that engine")
    OrganizationFactory()
    assert_refused(archive, r"This installation is not empty \(\d+ tables")


def test_the_command_refuses_a_data_dir_with_files(archive: Path, tmp_path: Path) -> None:
    """Through the command line: exit status 1, the reason on standard error, nothing restored."""
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "left.pdf").write_bytes(PDF)
    result = run([*CLI, "restore", str(archive)], tmp_path)
    assert result.returncode == 1
    assert "(0 tables in its database, 1 uploaded files)" in result.stderr
    with sqlite3.connect(tmp_path / "biocommunity.sqlite3") as connection:
        assert connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def test_a_backup_taken_during_writes_holds_whole_transactions(
    sqlite_source: tuple[Path, Path], tmp_path: Path
) -> None:
    """Another process commits batches of rows all through the backup: none is cut in half."""
    import threading

    data = sqlite_source[1].parent / "source"
    batch = 20
    done = threading.Event()
    written = [0]

    def write() -> None:
        with sqlite3.connect(data / "biocommunity.sqlite3", timeout=30) as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS probe (n INTEGER)")
            while not done.is_set():
                with connection:
                    connection.executemany("INSERT INTO probe VALUES (?)", [(1,)] * batch)
                written[0] += batch

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while written[0] < batch * 10:  # writing before the backup starts
            done.wait(0.01)
        out = command(["backup", "--output", str(tmp_path / "live.tar.gz")], data)
    finally:
        done.set()
        writer.join()
    assert "Wrote" in out
    with tarfile.open(tmp_path / "live.tar.gz") as opened:
        opened.extract("database/biocommunity.sqlite3", tmp_path, filter="data")
    with sqlite3.connect(tmp_path / "database" / "biocommunity.sqlite3") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = copy.execute("SELECT count(*) FROM probe").fetchone()[0]
        organizations = copy.execute("SELECT count(*) FROM registry_organization").fetchone()[0]
    assert rows > 0 and rows % batch == 0, rows
    assert rows < written[0], "the writer kept committing after the copy was taken"
    assert organizations > 300  # the GTB dataset came along


def test_a_backup_inside_the_uploads_folder_is_refused(installation: Path) -> None:
    from biocommunity.core.services.backup import BackupError, create_backup

    target = Path(settings_dir("MEDIA_ROOT")) / "backup.tar.gz"
    with pytest.raises(BackupError, match="outside the uploads folder"):
        create_backup(target)
    assert not any(Path(settings_dir("MEDIA_ROOT")).rglob("*"))
