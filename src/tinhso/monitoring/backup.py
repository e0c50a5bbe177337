"""Backup and restore of an installation: the database and the media directory, with a manifest.

`backup_write(directory)` writes
- `database.dump` (PostgreSQL: `pg_dump --format=custom`) or `database.sqlite3` (SQLite: a
  consistent copy through SQLite's backup API),
- `media/`, a copy of `MEDIA_ROOT` (attachments, photos),
- `manifest.json`: when, which engine, the row count and an order-independent checksum of every
  table, and the SHA-256 of the database file and of every media file.

`backup_restore(directory)` first checks every file against the manifest (a damaged backup is
refused before anything is touched), then replaces the database (`pg_restore --clean` in one
transaction, or the SQLite file) and the media directory, then recounts every table and compares
counts and checksums with the manifest. Any difference raises `BackupError`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA = "media"
FORMAT = 1


class BackupError(Exception):
    """A backup that cannot be written, read or restored as it should; the message says why."""


@dataclass(frozen=True)
class TableState:
    rows: int
    checksum: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def table_states() -> dict[str, TableState]:
    """Every table's row count and checksum: the sum of a hash of each row, so order does not matter."""
    states: dict[str, TableState] = {}
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        for table in tables:
            quoted = connection.ops.quote_name(table)
            if _is_postgres():
                cursor.execute(
                    f"SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint::numeric), 0)"
                    f" FROM {quoted} AS t"
                )
                rows, total = cursor.fetchone()
                states[table] = TableState(int(rows), str(int(total)))
            else:
                cursor.execute(f"SELECT * FROM {quoted}")
                rows, acc = 0, 0
                for row in cursor.fetchall():
                    rows += 1
                    acc += int(hashlib.md5(repr(row).encode(), usedforsecurity=False).hexdigest()[:15], 16)
                states[table] = TableState(rows, str(acc))
    return states


def _pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (apt-get install postgresql-client)") from None
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


def _media_files(root: Path) -> dict[str, str]:
    if not root.is_dir():
        return {}
    return {str(p.relative_to(root)): _sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def backup_write(directory: Path) -> dict[str, Any]:
    """Write a backup into `directory` (created; must be empty) and return its manifest."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: a backup goes into a new directory")
    directory.mkdir(parents=True, exist_ok=True)
    db = connection.settings_dict
    if _is_postgres():
        database_file = directory / PG_DUMP
        args, env = _pg_env(db)
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(database_file), *args], env)
    elif connection.vendor == "sqlite":
        database_file = directory / SQLITE_COPY
        connection.ensure_connection()
        target = sqlite3.connect(database_file)
        try:
            connection.connection.backup(target)  # type: ignore[union-attr]
        finally:
            target.close()
    else:
        raise BackupError(f"backups of {connection.vendor} databases are not supported")
    states = table_states()
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir():
        shutil.copytree(media_root, directory / MEDIA)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "engine": connection.vendor,
        "database_file": database_file.name,
        "database_sha256": _sha256(database_file),
        "tables": {name: {"rows": s.rows, "checksum": s.checksum} for name, s in states.items()},
        "media": _media_files(directory / MEDIA),
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return manifest


def backup_check(directory: Path) -> dict[str, Any]:
    """The manifest, after checking every file of the backup against it."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{directory / MANIFEST}: cannot be read ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{directory / MANIFEST}: unknown format {manifest.get('format')!r}")
    database_file = directory / str(manifest["database_file"])
    if not database_file.is_file() or _sha256(database_file) != manifest["database_sha256"]:
        raise BackupError(f"{database_file}: missing or damaged (its SHA-256 differs from the manifest)")
    media = _media_files(directory / MEDIA)
    if media != manifest["media"]:
        differ = sorted(set(media.items()) ^ set(manifest["media"].items()))
        raise BackupError(f"media files differ from the manifest: {', '.join(sorted({n for n, _ in differ})[:10])}")
    return manifest


def backup_restore(directory: Path) -> dict[str, Any]:
    """Replace the database and the media with the backup's, then prove counts and checksums match."""
    directory = Path(directory)
    manifest = backup_check(directory)
    if manifest["engine"] != connection.vendor:
        raise BackupError(f"the backup is of a {manifest['engine']} database, this one is {connection.vendor}")
    db = dict(connection.settings_dict)
    connections.close_all()
    database_file = directory / str(manifest["database_file"])
    if manifest["engine"] == "postgresql":
        args, env = _pg_env(db)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(database_file)], env)
    else:
        source = sqlite3.connect(database_file)
        connection.ensure_connection()  # the very database Django uses (a file, or the tests' memory)
        try:
            source.backup(connection.connection)  # type: ignore[arg-type]
        finally:
            source.close()
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists():
        shutil.rmtree(media_root)
    if (directory / MEDIA).is_dir():
        shutil.copytree(directory / MEDIA, media_root)
    else:
        media_root.mkdir(parents=True, exist_ok=True)
    states = {name: {"rows": s.rows, "checksum": s.checksum} for name, s in table_states().items()}
    if states != manifest["tables"]:
        differ = sorted(n for n in set(states) | set(manifest["tables"]) if states.get(n) != manifest["tables"].get(n))
        raise BackupError(f"restored tables differ from the manifest: {', '.join(differ[:10])}")
    if _media_files(media_root) != manifest["media"]:
        raise BackupError("restored media files differ from the manifest")
    return manifest
