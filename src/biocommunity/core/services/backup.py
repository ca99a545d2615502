"""Backup and restore of an installation: its database and its uploaded files in one archive.

The archive is a tar.gz holding ``manifest.json`` first, then ``database/…`` (an SQLite file made
through the online backup API, or a ``pg_dump`` custom-format dump) and ``media/…`` (every file
under MEDIA_ROOT). The manifest lists every other member with its size and SHA-256, so a restore
can refuse a damaged or foreign archive before it changes anything.

The database is copied before the files: an upload is written to disk before the row that names
it, so every file the copied database refers to is already there when the files are copied,
even while the site keeps running.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connections

import biocommunity

FORMAT = "biocommunity-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/biocommunity.sqlite3"
POSTGRES_MEMBER = "database/biocommunity.pgdump"
ENGINES = {"sqlite": SQLITE_MEMBER, "postgresql": POSTGRES_MEMBER}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be done; nothing was changed."""


@dataclass(frozen=True)
class Summary:
    """What an archive holds, as its manifest says."""

    path: Path
    engine: str
    created_at: str
    files: int
    media_files: int
    size: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _engine(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in ENGINES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _pg_environment(alias: str) -> dict[str, str]:
    """libpq variables for pg_dump / pg_restore, so no password appears on a command line."""
    db: dict[str, Any] = dict(settings.DATABASES[alias])
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _run_pg_tool(arguments: list[str], alias: str) -> None:
    tool = arguments[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} was not found on PATH; install PostgreSQL's client tools.")
    # A fixed tool with arguments built here, no shell: nothing from a user reaches it.
    result = subprocess.run(  # noqa: S603
        arguments, env=_pg_environment(alias), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()}")


def _copy_database(engine: str, alias: str, target: Path) -> None:
    """A consistent copy of the database while other processes keep writing to it."""
    if engine == "sqlite":
        connection = connections[alias]
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            # One step: the whole database is read inside a single read transaction.
            connection.connection.backup(destination)
        finally:
            destination.close()
    else:
        _run_pg_tool(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
            alias,
        )


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(p for p in media_root.rglob("*") if p.is_file() and not p.is_symlink())


def create_backup(output: Path, *, alias: str = "default") -> Summary:
    """Write the database and every uploaded file to ``output`` (tar.gz), with a manifest."""
    engine = _engine(alias)
    output = output.resolve()
    if not output.parent.is_dir():
        raise BackupError(f"The folder {output.parent} does not exist.")
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if output.is_relative_to(media_root):
        # The archive (and its work folder) would end up among the files it is copying.
        raise BackupError(f"Write the backup outside the uploads folder {media_root}.")
    with tempfile.TemporaryDirectory(prefix="backup-", dir=output.parent) as work:
        database_copy = Path(work) / "database"
        _copy_database(engine, alias, database_copy)
        entries: list[tuple[str, Path]] = [(ENGINES[engine], database_copy)]
        for path in _media_files(media_root):
            entries.append(("media/" + path.relative_to(media_root).as_posix(), path))
        files = []
        for name, path in entries:
            files.append({"path": name, "size": path.stat().st_size, "sha256": _sha256(path)})
        created_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "biocommunity_version": biocommunity.__version__,
            "engine": engine,
            "created_at": created_at,
            "files": files,
        }
        manifest_path = Path(work) / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")
        partial = Path(work) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(manifest_path, arcname=MANIFEST)
            for name, path in entries:
                archive.add(path, arcname=name, recursive=False)
        # Written aside, then moved: a failed backup never leaves half an archive at ``output``.
        os.replace(partial, output)
    return Summary(
        path=output,
        engine=engine,
        created_at=created_at,
        files=len(files),
        media_files=len(files) - 1,
        size=output.stat().st_size,
    )


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and (name in ENGINES.values() or (path.parts[:1] == ("media",) and len(path.parts) > 1))
    )


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.getmember(MANIFEST)
        handle = archive.extractfile(member)
        if handle is None:
            raise KeyError(MANIFEST)
        manifest = json.loads(handle.read().decode("utf-8"))
    except (KeyError, ValueError, UnicodeDecodeError):
        raise BackupError(
            "This is not a biocommunity backup: it has no readable manifest."
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("This is not a biocommunity backup: its manifest is of another kind.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"This backup has format version {manifest.get('format_version')}; "
            f"this version of biocommunity reads version {FORMAT_VERSION}."
        )
    return manifest


def _extract_verified(path: Path, work: Path) -> dict[str, Any]:
    """Unpack into ``work``, checking every member against the manifest; raise on any mismatch."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            manifest = _read_manifest(archive)
            expected = {f["path"]: f for f in manifest.get("files", [])}
            seen: set[str] = set()
            for member in archive:
                if member.name == MANIFEST:
                    continue
                if member.name not in expected or not _safe_member_name(member.name):
                    raise BackupError(f"The archive holds {member.name}, which its manifest omits.")
                if not member.isfile():
                    raise BackupError(f"{member.name} in the archive is not a plain file.")
                handle = archive.extractfile(member)
                assert handle is not None  # a plain file always has content
                target = work / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with target.open("wb") as out:
                    while chunk := handle.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                entry = expected[member.name]
                if digest.hexdigest() != entry["sha256"] or member.size != entry["size"]:
                    raise BackupError(
                        f"{member.name} does not match its checksum: the archive is damaged."
                    )
                seen.add(member.name)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        raise BackupError(f"Cannot read {path} as a backup archive (damaged?): {error}") from None
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"The archive lacks {', '.join(missing[:5])}: it is incomplete.")
    return manifest


def installation_contents(alias: str = "default") -> tuple[list[str], int]:
    """The database's tables and the number of uploaded files: both empty in a new install."""
    tables = connections[alias].introspection.table_names()
    return tables, len(_media_files(Path(settings.MEDIA_ROOT)))


def restore_backup(path: Path, *, alias: str = "default") -> Summary:
    """Restore an archive into this (empty) installation, then migrate it to this version."""
    engine = _engine(alias)
    path = path.resolve()
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    media_root = Path(settings.MEDIA_ROOT)
    data_dir = Path(settings.DATA_DIR)
    with tempfile.TemporaryDirectory(prefix="restore-", dir=data_dir) as work_name:
        work = Path(work_name)
        # The archive is checked first, so a damaged one is reported whatever the installation.
        manifest = _extract_verified(path, work)
        if manifest.get("engine") != engine:
            raise BackupError(
                f"This backup holds a {manifest.get('engine')} database; this installation uses "
                f"{engine}. Restore it into an installation with the same database engine."
            )
        tables, media_count = installation_contents(alias)
        if tables or media_count:
            raise BackupError(
                "This installation is not empty "
                f"({len(tables)} tables in its database, {media_count} uploaded files): "
                "restore only into a new installation (a new BIOCOMMUNITY_DATA_DIR, or an empty "
                "database in DATABASE_URL on which migrate has not been run)."
            )
        database_file = work / ENGINES[engine]
        if engine == "sqlite":
            name = Path(str(settings.DATABASES[alias]["NAME"]))
            connections[alias].close()
            for suffix in ("-wal", "-shm"):
                Path(f"{name}{suffix}").unlink(missing_ok=True)
            shutil.move(database_file, name)
        else:
            # One transaction: a dump that fails to load leaves the database as empty as it was.
            _run_pg_tool(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={settings.DATABASES[alias]['NAME']}",
                    str(database_file),
                ],
                alias,
            )
        media_root.mkdir(parents=True, exist_ok=True)
        staged = work / "media"
        if staged.is_dir():
            for source in sorted(p for p in staged.rglob("*") if p.is_file()):
                target = media_root / source.relative_to(staged)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(source, target)
    call_command("migrate", interactive=False, verbosity=0, database=alias)
    files = manifest["files"]
    return Summary(
        path=path,
        engine=engine,
        created_at=str(manifest.get("created_at", "")),
        files=len(files),
        media_files=len(files) - 1,
        size=path.stat().st_size,
    )
