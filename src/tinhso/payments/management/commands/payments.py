"""`tinhso payments webhook-secret` and `tinhso payments import FILE [--account NUMBER]`.

`webhook-secret` creates the payment intermediary's secret, or rotates it (the previous one stops
working): printed once on stdout, stored only as a digest. `import` records the lines of a bank
statement (CSV, XLSX, camt.053 XML: `tinhso.payments.statements` lists the accepted columns) and
reconciles them like the webhook's notifications; lines already recorded are counted as
duplicates, so importing a file twice records it once. Bad lines are reported as `FILE:LINE:
reason` on stderr; exit 2 when the file cannot be read or any line was rejected.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from tinhso.core.progress import progress_bar
from tinhso.payments.services import statement_import, webhook_secret_rotate
from tinhso.payments.statements import read_statement


class Command(BaseCommand):
    help = "The payments room: the webhook's secret, bank statement imports."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("webhook-secret", help="create or rotate the webhook's secret (printed once)")
        imp = sub.add_parser("import", help="record and reconcile a bank statement (CSV, XLSX or camt.053 XML)")
        imp.add_argument("file", type=Path)
        imp.add_argument("--account", default="", help="the account number, when the file has no such column")
        imp.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("en"):
            if options["verb"] == "webhook-secret":
                secret = webhook_secret_rotate()
                self.stderr.write("Webhook secret (Authorization: Apikey <secret>, or the HMAC-SHA256 key); shown once:")
                self.stdout.write(secret)
                return
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"FILE: {path} does not exist or is not a file", returncode=2)
        account = str(options["account"]).strip()
        if account and not (account.isalnum() and account.isascii() and len(account) <= 19):
            raise CommandError(f"--account: {account!r} is not 1 to 19 letters or digits", returncode=2)
        try:
            with progress_bar(desc="bank statement", unit=" lines", disable=options["verbosity"] == 0) as bar:
                report = statement_import(rows=read_statement(path, account=account), progress=bar).as_dict()
        except OSError as exc:
            raise CommandError(f"FILE: {path} cannot be read: {exc.strerror or exc}", returncode=2) from None
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            self.stdout.write(
                f"recorded {report['recorded']} (matched {report['matched']}, unmatched {report['unmatched']}), "
                f"duplicates {report['duplicates']}, rejected {report['rejected']}")
            for err in report["errors"]:
                self.stderr.write(f"{path}:{err['line']}: {err['message']}")
        if report["rejected"]:
            raise CommandError(f"{report['rejected']} line(s) rejected", returncode=2)
