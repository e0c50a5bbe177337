"""`tinhso apikey create NAME --agency CODE` / `tinhso apikey revoke PREFIX`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhso.agencies.services import apikey_create, apikey_revoke
from tinhso.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Create or revoke API keys for machine clients."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="print a new key scoped to an agency and the agencies under it")
        create.add_argument("name")
        create.add_argument("--agency", required=True, help="agency code, e.g. H44.03")
        revoke = sub.add_parser("revoke", help="revoke a key by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["verb"] == "create":
                key, secret = apikey_create(name=options["name"], agency_code=options["agency"])
                self.stderr.write(f"API key '{key.name}' for {key.agency.code} (prefix {key.prefix}); shown once:")
                self.stdout.write(secret)
            else:
                apikey_revoke(prefix=options["prefix"])
                self.stdout.write(f"revoked {options['prefix']}")
        except ApplicationError as exc:
            raise CommandError(f"--agency: {exc.message}" if "agency" in exc.fields else exc.message, returncode=2) from None
