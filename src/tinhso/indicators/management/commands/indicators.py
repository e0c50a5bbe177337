"""`tinhso indicators rebuild`: recompute every index counter from the dossiers."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tinhso.indicators.services import counters_rebuild


class Command(BaseCommand):
    help = "Index counters: `rebuild` recomputes them from the dossiers (live writers wait, nothing is lost)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("rebuild", help="recompute every counter from the dossiers")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = counters_rebuild()
        self.stdout.write(f"rebuilt {rows} counter rows in {time.perf_counter() - started:.1f} s")
