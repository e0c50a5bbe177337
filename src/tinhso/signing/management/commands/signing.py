"""`tinhso signing demo-ca`: a provincial test CA and a PKCS#12 key for every leader and every
agency seal, so the demo signs for real (refused when TINHSO_ENV=production)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhso.core.errors import ApplicationError
from tinhso.signing.democa import demo_ca_create


class Command(BaseCommand):
    help = "Signed results: signing keys and the demo CA."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("demo-ca", help="create a test CA and a certificate for every leader and agency seal")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = demo_ca_create()
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=2) from None
        self.stdout.write(
            f"demo CA {report.ca_path}: {report.signatories} signatory key(s), {report.seals} seal(s) registered"
        )
