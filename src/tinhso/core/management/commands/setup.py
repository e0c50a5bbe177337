"""`tinhso setup`: create or migrate the database and load the reference data. Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from tinhso.catalogue.services import catalogue_load, read_procedure_rows, sample_catalogue_path
from tinhso.core.progress import progress_bar
from tinhso.units.services import units_division_count, units_load_divisions


class Command(BaseCommand):
    help = "Create or migrate the database named by DATABASE_URL and load divisions, calendar and the sample catalogue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-catalogue", action="store_true", help="do not load the sample procedure catalogue")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1))
        with progress_bar(total=units_division_count(), desc="divisions", unit="units", disable=verbosity == 0) as bar:
            units = units_load_divisions(progress=bar.update)
        self.stdout.write(f"divisions: {units['created']} created, {units['updated']} updated")
        from tinhso.workcalendar.selectors import calendar_for_province

        calendar_for_province(None)  # holidays (VN) load lazily; this proves the package answers
        self.stdout.write("calendar: national holidays from the `holidays` package (VN), overrides in the admin")
        if not options["no_catalogue"]:
            result = catalogue_load(rows=read_procedure_rows(sample_catalogue_path()))
            self.stdout.write(f"catalogue: {result['created']} created, {result['updated']} updated")
        from tinhso.indicators.defaults import load_default_sets

        sets = load_default_sets()  # idempotent by code: sets edited in the admin are left alone
        self.stdout.write(f"indicator sets: {sets['sets_created']} created ({sets['indicators_created']} indicators)")
        from tinhso.feedback.defaults import load_default_categories

        self.stdout.write(f"feedback categories: {load_default_categories()} created")
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS("setup done"))
