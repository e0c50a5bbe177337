"""`tinhso restore DIR`: check a backup against its manifest, replace the database and media with it, verify."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhso.monitoring.backup import BackupError, backup_check, backup_restore


class Command(BaseCommand):
    help = "Restore a backup made by `tinhso backup` (REPLACES the database and the media directory)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="a directory written by `tinhso backup`")
        parser.add_argument("--check", action="store_true", help="only check the backup's files against its manifest")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["directory"])
        try:
            if options["check"]:
                manifest = backup_check(directory)
                self.stdout.write(f"backup {directory}: every file matches its manifest ({manifest['created_at']})")
                return
            manifest = backup_restore(directory)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(
            f"restored {directory} (made {manifest['created_at']}): {len(manifest['tables'])} tables with the "
            f"manifest's row counts and checksums, {len(manifest['media'])} media files"
        )
