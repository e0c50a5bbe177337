"""`tinhso demo`: set up, seed a simulated province, print the logins, and serve.

    tinhso demo [--province 25] [--host 127.0.0.1] [--port 8000] [--months 3] [--per-day 5]
                [--password tinhso-demo] [--seed 1] [--days N] [--until ISO] [--reset] [--no-serve]

Runs `setup`, imports (or generates) the province's agencies, creates the demo logins and
simulates a few months of dossiers through the services, then serves exactly like
`tinhso serve`. Running it again keeps the agencies, users and dossiers already there;
`--reset` starts from an empty SQLite database (the history is append-only, so dossiers are
never deleted one by one).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils.dateparse import parse_datetime
from tqdm import tqdm

from tinhso.core.errors import ApplicationError
from tinhso.core.management.commands.serve import parse_server_options, run_server
from tinhso.demo import seeding
from tinhso.dossiers.models import Dossier

DAYS_PER_MONTH = 30.44


class Command(BaseCommand):
    help = "Set up, seed a realistic simulated province (agencies, staff, months of dossiers) and serve it."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", default="25", help="GSO code of the province (default 25, Phú Thọ)")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--workers", default=None, help="worker processes (default as for `tinhso serve`)")
        parser.add_argument("--months", default="3", help="months of dossiers up to now (default 3)")
        parser.add_argument("--days", default=None, help="days of dossiers up to now (overrides --months)")
        parser.add_argument("--per-day", default=str(seeding.DEFAULT_PER_DAY),
                            help=f"average dossiers per working day per agency (default {seeding.DEFAULT_PER_DAY})")
        parser.add_argument("--password", default="tinhso-demo", help="password of every demo login")
        parser.add_argument("--seed", default="1", help="random seed (default 1)")
        parser.add_argument("--until", default=None,
                            help="simulate up to this ISO instant instead of now (reproducible demos and tests)")
        parser.add_argument("--reset", action="store_true",
                            help="start afresh: delete the SQLite demo database first (history is append-only, "
                                 "so dossiers are never deleted one by one)")
        parser.add_argument("--no-serve", action="store_true", help="seed only, do not start the server")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        months = _number(options["months"], "--months", float, 0, 36)
        days = int(_number(options["days"], "--days", int, 0, 1100)) if options["days"] is not None else round(months * DAYS_PER_MONTH)
        per_day = int(_number(options["per_day"], "--per-day", int, 0, 500))
        seed = int(_number(options["seed"], "--seed", int, -(2**31), 2**31))
        password = options["password"]
        if len(password) < 6:
            raise CommandError("--password: use at least 6 characters", returncode=2)
        until = None
        if options["until"]:
            until = parse_datetime(options["until"])
            if until is None or until.tzinfo is None:
                raise CommandError(f"--until {options['until']!r}: an ISO instant with its offset, e.g. 2026-03-13T17:00+07:00", returncode=2)
        host = port = workers = None
        if not options["no_serve"]:
            host, port, workers = parse_server_options(options)  # fail before the long part

        if options["reset"]:
            self.stdout.write(f"reset: deleted {_delete_sqlite_database()}")
        call_command("setup", verbosity=max(0, verbosity - 1) if verbosity < 2 else verbosity)
        try:
            province = seeding.ensure_agencies(options["province"])
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=2) from None
        working = seeding.working_agencies(province)
        staff = seeding.ensure_staff(
            province=province, working=[a for a, _ in working] or province.communes[:1], password=password, seed=seed
        )
        self.stdout.write(
            f"agencies: {province.committee.code} {province.committee.name}, {len(province.departments)} departments, "
            f"{len(province.communes)} commune committees; {staff.users} demo logins"
        )

        report = seeding.SeedReport()
        if Dossier.objects.exists():
            self.stdout.write("dossiers: the demo data is already there (--reset starts afresh)")
        else:
            started = time.monotonic()
            with tqdm(total=0, desc="dossiers", unit="dossier", disable=verbosity == 0) as bar:

                def set_total(n: int) -> None:
                    bar.total = n
                    bar.refresh()

                report = seeding.seed_dossiers(
                    province=province, staff=staff, working=working, days=days, per_day=per_day, seed=seed,
                    progress=bar.update, total_hint=set_total, now=until,
                )
            self.stdout.write(f"dossiers: {report.dossiers} simulated in {time.monotonic() - started:.1f} s")
            for problem in report.problems[:10]:
                self.stderr.write(f"  not simulated: {problem}")
        from tinhso.demo.feedback_seeding import seed_feedback

        communes = [(a, staff.by_agency[a.pk]) for a, _ in working if a.kind == "commune_committee" and a.pk in staff.by_agency]
        filed = seed_feedback(committee=province.committee, communes=communes, days=days, seed=seed, now=until)
        if filed:
            self.stdout.write(f"citizen feedback: {filed} reports filed and handled")
        seeding.dossier_summary(report)
        for label, n in report.by_status.items():
            self.stdout.write(f"  {label:<22} {n:>6}")
        self.stdout.write(
            f"  extended once {report.extended}, finished late {report.late}, open and overdue {report.overdue_open}"
        )
        self._print_logins(staff, password, host or "127.0.0.1", port or 8000)
        if options["no_serve"]:
            return
        assert host is not None and port is not None and workers is not None
        # The demo is one command: the background worker (SMS, e-mail, deadline reminders and
        # escalations) runs beside the web server and stops with it.
        worker = subprocess.Popen([sys.executable, "-m", "tinhso", "worker"], stdin=subprocess.DEVNULL)
        try:
            run_server(host=host, port=port, workers=workers)
        finally:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()

    def _print_logins(self, staff: seeding.Staff, password: str, host: str, port: int) -> None:
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}"
        w = self.stdout.write
        w("")
        w(self.style.SUCCESS(f"tinhso demo: {url}/"))
        w(f"  sign in:  {url}/dang-nhap/")
        w(f"  API docs: {url}/api/v1/docs")
        w(f"  admin:    {url}/admin/")
        w("")
        w(f"  {'login':<14} {'role':<30} agency")
        for login in staff.main_logins:
            role = "superuser (everything)" if login.role == "superuser" else f"{login.role}"
            w(f"  {login.username:<14} {role:<30} {login.agency.code} {login.agency.name}")
        w("  <role>.<agency code> e.g. tiepnhan.h44.101: one login per role (tiepnhan, chuyenvien, truongphong,")
        w("  lanhdao, vanthu) at every other agency that received demo dossiers")
        w(f"  password for all: {password}")
        w("")
        self.stdout.flush()


def _delete_sqlite_database() -> str:
    """Delete the SQLite database file (with its WAL files); refuse for any other database."""
    database = connections["default"].settings_dict
    name = str(database.get("NAME") or "")
    in_memory = ":memory:" in name or "mode=memory" in name
    is_test = name == str((database.get("TEST") or {}).get("NAME") or "")
    if database["ENGINE"] != "django.db.backends.sqlite3" or not name or in_memory or is_test:
        raise CommandError(
            "--reset: only the SQLite demo database can be reset; drop and recreate this database yourself",
            returncode=2,
        )
    connections.close_all()
    for suffix in ("", "-wal", "-shm"):
        Path(name + suffix).unlink(missing_ok=True)
    return name


def _number(raw: Any, name: str, kind: type, low: float, high: float) -> float:
    try:
        value = kind(str(raw))
    except ValueError:
        raise CommandError(f"{name} {raw!r}: must be a number", returncode=2) from None
    if not low <= value <= high:
        raise CommandError(f"{name} {value}: must be between {low} and {high}", returncode=2)
    return float(value)
