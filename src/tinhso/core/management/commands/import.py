"""`tinhso import agencies FILE` and `tinhso import dossiers FILE`.

An agencies file may carry the agency's receiving bank account in the optional columns
`bank_bin, bank_account, bank_account_name` (`tinhso.payments.services.AgencyAccounts`).

Bad lines are reported as `FILE:LINE: reason` on stderr and skipped; good lines are kept.
Exit code 0 when every line was imported, 2 when the file cannot be read or any line was
rejected (bad input), 1 only for an unexpected failure (a traceback: a bug, or the database
gone), after which a rerun of the same file completes the import.

The report is in English, like the rest of the command line's reports (the same rules answer an
API or web request in the request's language).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation


class Command(BaseCommand):
    help = "Import agencies (CSV or JSON Lines) or historical dossiers (JSON Lines)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["agencies", "dossiers"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("en"):
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"FILE: {path} does not exist or is not a file", returncode=2)
        try:
            if options["what"] == "agencies":
                from tinhso.agencies.services import agencies_import, read_agency_rows
                from tinhso.payments.services import AgencyAccounts

                # The optional bank columns are the payments room's (its receiving accounts).
                accounts = AgencyAccounts()
                report = agencies_import(rows=accounts.check(read_agency_rows(path)), principal=None).as_dict()
                saved = accounts.save(rejected_lines={e["line"] for e in report["errors"]})
                if saved and not options["json"]:
                    self.stdout.write(f"receiving accounts saved {saved}")
            else:
                from tinhso.dossiers.imports import dossiers_import_file

                report = dossiers_import_file(path=path, principal=None, progress=options["verbosity"] > 0).as_dict()
        except OSError as exc:  # unreadable: permissions, an I/O error (lines committed before stay)
            raise CommandError(f"FILE: {path} cannot be read: {exc.strerror or exc}", returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            self.stdout.write(f"created {report['created']}, updated {report['updated']}, rejected {report['rejected']}")
            for err in report["errors"]:
                self.stderr.write(f"{path}:{err['line']}: {err['message']}")
        if report["rejected"]:
            raise CommandError(f"{report['rejected']} line(s) rejected", returncode=2)
