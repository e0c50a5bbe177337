"""`tinhso backup DIR` → `tinhso restore DIR`: the same rows, counts and checksums, and the media.

The round trip through pg_dump/pg_restore runs on PostgreSQL (committed data: pg_dump reads it
from its own connection); on SQLite the same round trip runs on the test database in memory.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import UnitFactory
from tinhso.monitoring.backup import MANIFEST, table_states
from tinhso.units.models import AdministrativeUnit


def _media(settings, tmp_path):
    media = tmp_path / "media"
    (media / "attachments").mkdir(parents=True)
    (media / "attachments" / "a.pdf").write_bytes(b"%PDF-1.4 receipt")
    settings.MEDIA_ROOT = media
    return media


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_gives_identical_counts_checksums_and_media(settings, tmp_path):
    media = _media(settings, tmp_path)
    UnitFactory.create_batch(3)
    before = table_states()
    out = StringIO()
    call_command("backup", str(tmp_path / "b"), stdout=out)
    manifest = json.loads((tmp_path / "b" / MANIFEST).read_text())
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"]["units_administrativeunit"]["rows"] == 3
    assert manifest["media"].keys() == {"attachments/a.pdf"}

    # After the backup: more rows, a lost file, a stray file. The restore undoes all three.
    UnitFactory.create_batch(2)
    (media / "attachments" / "a.pdf").unlink()
    (media / "stray.txt").write_text("x")
    assert AdministrativeUnit.objects.count() == 5

    call_command("restore", str(tmp_path / "b"), stdout=out)
    assert "checksums" in out.getvalue()
    after = table_states()
    assert after == before
    assert AdministrativeUnit.objects.count() == 3
    assert (media / "attachments" / "a.pdf").read_bytes() == b"%PDF-1.4 receipt"
    assert not (media / "stray.txt").exists()


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_before_anything_is_touched(settings, tmp_path):
    _media(settings, tmp_path)
    UnitFactory.create_batch(2)
    call_command("backup", str(tmp_path / "b"), stdout=StringIO())
    manifest = json.loads((tmp_path / "b" / MANIFEST).read_text())
    database_file = tmp_path / "b" / manifest["database_file"]
    database_file.write_bytes(database_file.read_bytes()[:-10])
    UnitFactory.create_batch(1)
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore", str(tmp_path / "b"), stdout=StringIO())
    assert AdministrativeUnit.objects.count() == 3  # untouched


@pytest.mark.django_db(transaction=True)
def test_a_changed_media_file_is_named(settings, tmp_path):
    _media(settings, tmp_path)
    call_command("backup", str(tmp_path / "b"), stdout=StringIO())
    (tmp_path / "b" / "media" / "attachments" / "a.pdf").write_bytes(b"tampered")
    with pytest.raises(CommandError, match="attachments/a.pdf"):
        call_command("restore", str(tmp_path / "b"), "--check", stdout=StringIO())


def test_backup_refuses_a_directory_that_is_not_empty(db, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "x").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "old"), stdout=StringIO())
