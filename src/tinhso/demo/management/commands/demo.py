"""`tinhso demo`: set up, seed a simulated province, print the logins, and serve.

    tinhso demo [--province 25] [--host 127.0.0.1] [--port 8000] [--months 3] [--per-day 5]
                [--password tinhso-demo] [--seed 1] [--days N] [--until ISO] [--reset] [--no-serve]

Runs `setup`, imports (or generates) the province's agencies, creates the demo logins and
simulates a few months of dossiers through the services, then serves exactly like
`tinhso serve`. Running it again keeps the agencies, users and dossiers already there;
`--reset` starts from an empty SQLite database (the history is append-only, so dossiers are
never deleted one by one).

First page fast: when it serves, only the last `RECENT_DAYS` working days (the open dossiers in
every state) are simulated before the server starts; the older history is simulated by a
background process (`tinhso demo --continue-history`, started and stopped with the server)
whose progress the pages show as a banner ("Đang tạo dữ liệu mẫu: 40 %",
`tinhso.demo.progress`). An interrupted background seeding carries on at the next `tinhso
demo`. With `--no-serve` everything is simulated before the command returns.

Demo mode (`TINHSO_DEMO=1` for the server, the worker and the background process): SMS
(phone verification codes included) and e-mails are kept, not sent or printed, and listed at
`/demo/messages/` (`tinhso.demo.outbox`).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from tqdm import tqdm

from tinhso.core.errors import ApplicationError
from tinhso.core.management.commands.serve import parse_server_options, run_server
from tinhso.demo import seeding
from tinhso.demo.progress import SeedingProgress, clear_progress, read_progress, write_progress
from tinhso.dossiers.models import Dossier

DAYS_PER_MONTH = 30.44
# Working days simulated before the demo serves: about 300 dossiers, every open state among them.
RECENT_DAYS = 7
# What demo mode sets for the processes it starts, unless the environment already says otherwise.
DEMO_ENVIRONMENT = {
    "TINHSO_DEMO": "1",
    "TINHSO_SMS_BACKEND": "tinhso.demo.outbox.DemoSmsBackend",
    "EMAIL_BACKEND": "tinhso.demo.outbox.DemoEmailBackend",
}


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
        parser.add_argument("--continue-history", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        if options["continue_history"]:
            self._continue_history()
            return
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
            clear_progress()
        if not options["no_serve"]:
            _enter_demo_mode()
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
        progress = read_progress()
        if Dossier.objects.exists():
            if progress is not None and not progress.finished:
                self.stdout.write(f"dossiers: {len(progress.remaining_days)} more days of history to simulate")
                if options["no_serve"]:
                    self._continue_history()
            else:
                self.stdout.write("dossiers: the demo data is already there (--reset starts afresh)")
        else:
            now = until or timezone.now()
            day_list = seeding.demo_days(province=province, days=days, now=now)
            recent, history = seeding.split_recent(day_list, len(day_list) if options["no_serve"] else RECENT_DAYS)
            later = seeding.plan_days(province=province, working=working, day_list=history, per_day=per_day,
                                      seed=seed, now=now)
            started = time.monotonic()
            with tqdm(total=0, desc="dossiers", unit="dossier", disable=verbosity == 0 or not sys.stderr.isatty()) as bar:

                def set_total(n: int) -> None:
                    bar.total = n
                    bar.refresh()

                report = seeding.seed_dossiers(
                    province=province, staff=staff, working=working, days=days, per_day=per_day, seed=seed,
                    progress=bar.update, total_hint=set_total, now=now, day_list=recent,
                )
            self.stdout.write(f"dossiers: {report.dossiers} simulated in {time.monotonic() - started:.1f} s")
            for problem in report.problems[:10]:
                self.stderr.write(f"  not simulated: {problem}")
            if history:
                progress = SeedingProgress(
                    total=report.dossiers + sum(len(a) for _, a in later), done=report.dossiers,
                    province=province.unit.code, per_day=per_day, seed=seed, now=now.isoformat(),
                    # Newest first: the months a leader opens first fill first.
                    remaining_days=[d.isoformat() for d in reversed(history)],
                )
                write_progress(progress)
                self.stdout.write(f"dossiers: {len(history)} older working days "
                                  f"({progress.total - progress.done} dossiers) go on in the background")
            else:
                clear_progress()
        from tinhso.demo.feedback_seeding import seed_feedback

        communes = [(a, staff.by_agency[a.pk]) for a, _ in working if a.kind == "commune_committee" and a.pk in staff.by_agency]
        filed = seed_feedback(committee=province.committee, communes=communes, days=days, seed=seed, now=until)
        if filed:
            self.stdout.write(f"citizen feedback: {filed} reports filed and handled")
        from tinhso.demo.citizen_seeding import seed_citizens

        citizens = seed_citizens(province=province, staff=staff, now=until, log=self.stderr.write)
        if citizens.created:
            self.stdout.write(f"citizens: {len(citizens.logins)} with {citizens.documents} stored documents, "
                              f"{len(citizens.dossiers)} online dossiers")
        seeding.dossier_summary(report)
        for label, n in report.by_status.items():
            self.stdout.write(f"  {label:<22} {n:>6}")
        self.stdout.write(
            f"  extended once {report.extended}, finished late {report.late}, open and overdue {report.overdue_open}"
        )
        self._print_logins(staff, password, host or "127.0.0.1", port or 8000, citizens.logins)
        if options["no_serve"]:
            return
        assert host is not None and port is not None and workers is not None
        # The demo is one command: the background worker (SMS, e-mail, deadline reminders and
        # escalations) and the rest of the history run beside the web server and stop with it.
        # The worker's two lines per task would bury the logins: only its warnings, unless asked.
        worker_env = {**os.environ, "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING")}
        children = [subprocess.Popen([sys.executable, "-m", "tinhso", "worker"], stdin=subprocess.DEVNULL, env=worker_env)]
        progress = read_progress()
        if progress is not None and not progress.finished:
            children.append(subprocess.Popen(
                [sys.executable, "-m", "tinhso", "demo", "--continue-history", "-v", "0"], stdin=subprocess.DEVNULL
            ))
        try:
            run_server(host=host, port=port, workers=workers)
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGINT)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()

    def _continue_history(self) -> None:
        """Simulate the days still listed in the progress file, newest first, one transaction
        and one progress update per day (an interrupted day is rolled back and played again)."""
        progress = read_progress()
        if progress is None or progress.finished:
            return
        now = parse_datetime(progress.now) or timezone.now()
        province = seeding.demo_province(progress.province)
        working = seeding.working_agencies(province)
        staff = seeding.ensure_staff(province=province, working=[a for a, _ in working] or province.communes[:1],
                                     password=None, seed=progress.seed)
        day_list = [date.fromisoformat(d) for d in progress.remaining_days]

        def day_done(day: date, arrivals: int) -> None:
            assert progress is not None
            progress.done += arrivals
            progress.remaining_days.remove(day.isoformat())
            write_progress(progress)

        interrupted = False
        try:
            seeding.seed_dossiers(province=province, staff=staff, working=working, days=0, per_day=progress.per_day,
                                  seed=progress.seed, now=now, day_list=day_list, day_done=day_done)
        except KeyboardInterrupt:  # stopped with the server: the progress file says where to go on
            interrupted = True
        if not interrupted:
            progress.finished, progress.done = True, progress.total
            write_progress(progress)

    def _print_logins(self, staff: seeding.Staff, password: str, host: str, port: int,
                      citizens: list[Any] | None = None) -> None:
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}"
        w = self.stdout.write
        w("")
        w(self.style.SUCCESS(f"tinhso demo: {url}/"))
        w(f"  sign in:  {url}/dang-nhap/")
        w(f"  API docs: {url}/api/v1/docs")
        w(f"  admin:    {url}/admin/")
        w(f"  SMS, verification codes and e-mails of the demo: {url}/demo/messages/")
        w("")
        w(f"  {'login':<14} {'role':<30} agency")
        for login in staff.main_logins:
            role = "superuser (everything)" if login.role == "superuser" else f"{login.role}"
            w(f"  {login.username:<14} {role:<30} {login.agency.code} {login.agency.name}")
        w("  <role>.<agency code> e.g. tiepnhan.h44.101: one login per role (tiepnhan, chuyenvien, truongphong,")
        w("  lanhdao, vanthu) at every other agency that received demo dossiers")
        w(f"  password for all: {password}")
        if citizens:
            w("")
            w(f"  citizens: {url}/cong-dan/dang-nhap/ with the phone; the one-time code is shown at {url}/demo/messages/")
            for login in citizens:
                source = "VNeID (identity provider)" if login.verified else "phone only, declared"
                w(f"  {login.phone:<14} {login.name:<30} {source}")
        w("")
        self.stdout.flush()


def _enter_demo_mode() -> None:
    """Demo mode for this process (the server forks from it) and every process it starts."""
    for name, value in DEMO_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
        if name != "TINHSO_DEMO" and os.environ[name] != value:
            continue  # the operator chose a real gateway: keep it
        setattr(settings, name, value == "1" if name == "TINHSO_DEMO" else value)


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
