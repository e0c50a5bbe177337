"""`tinhso backup DIR`: the database and the media directory into DIR, with a manifest (see `tinhso.monitoring.backup`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhso.monitoring.backup import BackupError, backup_write


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format, or the SQLite file) and the media directory into DIR."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="a new (or empty) directory for the backup")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_write(Path(options["directory"]))
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"backup: {manifest['engine']} database ({len(manifest['tables'])} tables, {rows} rows), "
            f"{len(manifest['media'])} media files → {options['directory']}"
        )
