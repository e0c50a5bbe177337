"""Simulator: one year of a province's dossiers written straight into `dossiers_dossier`.

Run by hand (never by the tests) against a PostgreSQL database of its own — the table is emptied::

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE tinhso_bench_idx'
    DJANGO_SETTINGS_MODULE=tinhso.settings TINHSO_VAR_DIR=/tmp/bench-var \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tinhso_bench_idx \\
        .venv/bin/python bench/simulate.py [--rows 10000000] [--seed 11] [--end 2026-11-22]

This is a data generator for the index benchmark (`bench/bench_index.py`), NOT the product's
write path: rows go in with PostgreSQL `COPY` (psycopg `cursor.copy`), no service, no history
(`DossierEvent`), no audit, no live counters. To load tens of millions of rows in reasonable time
the secondary indexes of `dossiers_dossier` are dropped during the load and recreated afterwards
(`--keep-indexes` to keep them), and foreign-key triggers are skipped for the load session
(`session_replication_role = replica`; every id written comes from the database itself). Then it
runs `VACUUM ANALYZE`, the overdue sweep (`dossiers_mark_overdue`, what the worker does every minute)
and `tinhso indicators rebuild` and prints how long each step took; the
rebuild time is the figure quoted in bench/README.md.

The year: the 365 days up to `--end` (local time), working days only (Saturdays, Sundays and
Vietnamese public holidays from `holidays.VN` excluded), receipts inside office hours
(07:30–11:30, 13:30–17:00). Agencies: Phú Thọ's 164 (commune-level procedures at the 148
communes, weighted by a skewed "size"; province-level procedures at the departments). Mix:
channels 55 % counter / 40 % online / 5 % postal; of finished dossiers ~92 % on time and ~8 %
late; ~4 % still open (most not yet due, some overdue, some paused for a supplement); ~70 % of
returned dossiers rated (60 / 35 / 5 % very satisfied / satisfied / unsatisfied); ~1 %
complained; fees from the procedure; online payment for ~50 % of fee-bearing online dossiers;
components digitised ~70 %; electronic results for ~60 % of finished dossiers; of online
dossiers ~70 % with the applicant's data from the identity provider, ~35 % reusing a stored
document and ~80 % of their electronic results put in the applicant's store ("declare once"). Rows are generated
in order of receipt (ids follow time, as in production).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time as clock
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")

import django  # noqa: E402

django.setup()

import holidays  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from tqdm import tqdm  # noqa: E402

from tinhso.agencies.models import Agency  # noqa: E402
from tinhso.catalogue.models import Procedure  # noqa: E402
from tinhso.core.text import search_key  # noqa: E402
from tinhso.dossiers.models import Dossier  # noqa: E402

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TABLE = Dossier._meta.db_table
AGENCIES_CSV = Path(__file__).resolve().parents[1] / "src" / "tinhso" / "data" / "agencies-phu-tho.csv"
COMMUNE_SHARE = 0.8  # share of dossiers under commune-level procedures
OFFICE_MINUTES = [(7 * 60 + 30, 11 * 60 + 30), (13 * 60 + 30, 17 * 60)]
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Hà", "Đinh")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thu", "Ngọc", "Thanh", "Quang", "Hồng")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam",
         "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Việt", "Yến")

COLUMNS = (
    "code", "procedure_id", "receiving_agency_id", "handling_agency_id", "channel", "status",
    "applicant_type", "applicant_id_number", "applicant_name", "applicant_birth_date", "applicant_address",
    "applicant_phone", "applicant_email", "representative_name", "representative_id_number", "summary",
    "submitted_at", "received_at", "due_at", "legal_due_at", "finished_at", "returned_at", "paused_at",
    "paused_seconds", "step_due_at", "extended", "extension_reason", "stop_reason", "components_digitised",
    "result_kind", "result_number", "fee_due", "fee_paid", "fee_paid_online", "rating", "rated_at",
    "complained", "imported", "version", "created_at", "updated_at",
    "applicant_name_search", "marked_overdue", "applicant_verified", "documents_required", "documents_reused",
    "result_in_store", "result_delivery", "result_delivery_address",
)
# The "declare once" flags of online dossiers, drawn from their own stream so the rest of the
# simulated year stays what it was for a given --seed.
DECLARE_ONCE = random.Random(766)
NULL = r"\N"


def declare_once(name: str, channel: int, result_kind: str, finished: bool) -> tuple[str, ...]:
    """applicant_name_search … result_delivery_address: online applicants mostly signed in with
    the national identity, a third reused a stored document, most electronic results went into
    their store (marked_overdue is left to the sweep)."""
    online = channel == 2
    verified = online and DECLARE_ONCE.random() < 0.7
    reused = online and DECLARE_ONCE.random() < 0.35
    in_store = online and finished and result_kind == "electronic" and DECLARE_ONCE.random() < 0.8
    flag = {True: "t", False: "f"}
    return (search_key(name), "f", flag[verified], "t", flag[reused], flag[in_store],
            "electronic" if online else "", "")


def working_days(first: date, last: date) -> list[date]:
    vn = holidays.country_holidays("VN", years=range(first.year, last.year + 2))
    out, d = [], first
    while d <= last:
        if d.weekday() < 5 and d not in vn:
            out.append(d)
        d += timedelta(days=1)
    return out


class World:
    """The agencies, procedures and calendar the simulation draws from."""

    def __init__(self, end: date, rng: random.Random) -> None:
        self.rng = rng
        self.end = end
        self.days = working_days(end - timedelta(days=364), end)
        # Working days continue after `end` so due moments of the last receipts can be computed.
        self.calendar = working_days(end - timedelta(days=364), end + timedelta(days=120))
        self.day_index = {d: i for i, d in enumerate(self.calendar)}
        agencies = {a.code: a for a in Agency.objects.all().only("id", "code", "name", "kind")}
        with AGENCIES_CSV.open(encoding="utf-8") as fh:
            kinds = {row["code"]: row["kind"] for row in csv.DictReader(fh)}
        self.communes = [agencies[c] for c, k in kinds.items() if k == "commune_committee" and c in agencies]
        self.departments = [agencies[c] for c, k in kinds.items() if k in ("department", "other") and c in agencies]
        # Communes differ in size: a skewed weight (a few large wards, many small communes).
        self.commune_w = [rng.lognormvariate(0, 0.6) for _ in self.communes]
        self.department_w = [rng.lognormvariate(0, 0.8) for _ in self.departments]
        procs = list(Procedure.objects.filter(is_active=True).only(
            "id", "code", "name", "level", "processing_amount", "processing_unit", "fee_vnd"
        ))
        self.commune_procs = [p for p in procs if p.level == "commune"]
        self.province_procs = [p for p in procs if p.level != "commune"]
        # Popular procedures (birth registration, certification…) far outweigh the rest.
        self.commune_pw = [rng.paretovariate(1.2) for _ in self.commune_procs]
        self.province_pw = [rng.paretovariate(1.2) for _ in self.province_procs]

    def due(self, received: datetime, proc: Procedure) -> datetime:
        unit, amount = proc.processing_unit, float(proc.processing_amount)
        local = received.astimezone(VN)
        i = self.day_index[local.date()]
        if unit == "same_day":
            if local.hour >= 15:
                i += 1
            return datetime.combine(self.calendar[i], datetime.min.time(), VN).replace(hour=17)
        if unit == "calendar_days":
            return local + timedelta(days=amount)
        if unit == "working_hours":
            return local + timedelta(hours=amount) if local.hour < 16 else datetime.combine(
                self.calendar[i + 1], datetime.min.time(), VN
            ).replace(hour=8) + timedelta(hours=amount)
        days = max(1, round(amount))
        target = self.calendar[min(i + days, len(self.calendar) - 1)]
        return datetime.combine(target, local.time(), VN)


def office_moment(rng: random.Random, day: date) -> datetime:
    start, end = OFFICE_MINUTES[0] if rng.random() < 0.58 else OFFICE_MINUTES[1]
    minute = rng.randrange(start, end)
    return datetime(day.year, day.month, day.day, minute // 60, minute % 60, rng.randrange(60), tzinfo=VN)


def ts(value: datetime | None) -> str:
    return NULL if value is None else value.isoformat()


def generate(world: World, rows: int, now: datetime) -> Any:
    """Yield chunks of COPY text lines, in order of receipt."""
    rng = world.rng
    per_day = rows / len(world.days)
    seq: dict[int, int] = {}
    produced = 0
    for n_day, day in enumerate(world.days):
        # Even split with a little noise; the last day takes what is left.
        count = rows - produced if n_day == len(world.days) - 1 else int(per_day * (n_day + 1)) - produced
        produced += count
        seq.clear()
        stamp = day.strftime("%y%m%d")
        moments = sorted(office_moment(rng, day) for _ in range(count))
        lines: list[str] = []
        for received in moments:
            lines.append(one_line(world, rng, received, stamp, seq, now))
        yield lines


def one_line(world: World, rng: random.Random, received: datetime, stamp: str, seq: dict[int, int], now: datetime) -> str:
    r = rng.random
    if r() < COMMUNE_SHARE:
        proc = rng.choices(world.commune_procs, world.commune_pw)[0]
        agency = rng.choices(world.communes, world.commune_w)[0]
    else:
        proc = rng.choices(world.province_procs, world.province_pw)[0]
        agency = rng.choices(world.departments, world.department_w)[0]
    number = seq[agency.pk] = seq.get(agency.pk, 0) + 1
    x = r()
    channel = 1 if x < 0.55 else (2 if x < 0.95 else 3)
    due = world.due(received, proc)
    submitted = received - timedelta(minutes=rng.randrange(5, 600)) if channel != 1 else received

    status: int
    finished = returned = paused = rated_at = None
    if due > now:
        # Not yet due at the time of measure: most still in progress, some already done early.
        open_ = r() < 0.7
        late = False
    else:
        open_ = r() < 0.03  # overdue and still open
        late = not open_ and r() < 0.08
    if not open_:
        if late:
            finished = due + timedelta(hours=rng.randrange(2, 24 * 7))
            if finished > now:
                open_, finished = True, None
        else:
            span = (min(due, now) - received).total_seconds()
            finished = received + timedelta(seconds=span * r() ** 0.5)
    if open_:
        y = r()
        status = 2 if y < 0.3 else (4 if y < 0.85 else (5 if y < 0.95 else 6))
        if status == 5:
            paused = received + (now - received) * r()
    else:
        assert finished is not None
        if r() < 0.9:
            status = 10
            returned = min(finished + timedelta(hours=rng.randrange(0, 72)), now)
        else:
            status = 9

    fee = int(proc.fee_vnd)
    fee_paid_online = fee > 0 and channel == 2 and r() < 0.5
    fee_paid = fee > 0 and (fee_paid_online or not open_)
    rating = ""
    if status == 10 and r() < 0.7:
        z = r()
        rating = "very_satisfied" if z < 0.6 else ("satisfied" if z < 0.95 else "unsatisfied")
        assert returned is not None
        rated_at = min(returned + timedelta(hours=rng.randrange(0, 48)), now)
    complained = r() < 0.01
    result_kind = ""
    if finished is not None:
        result_kind = "electronic" if r() < 0.6 else "paper"
    business = r() < 0.12
    if business:
        id_number = f"{rng.randrange(2600000000, 2699999999)}"
        name = f"Công ty TNHH {rng.choice(GIVEN)} {rng.choice(GIVEN)}"
        birth = NULL
    else:
        born = rng.randrange(1950, 2008)
        id_number = f"025{(0 if born < 2000 else 2) + (r() < 0.5)}{born % 100:02d}{rng.randrange(1000000):06d}"
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        birth = f"{born}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    updated = max(t for t in (received, finished, returned, rated_at, paused) if t is not None)
    values = (
        f"{agency.code}-{stamp}-{number:04d}", str(proc.pk), str(agency.pk), str(agency.pk), str(channel), str(status),
        "business" if business else "citizen", id_number, name, birth, agency.name,
        f"09{rng.randrange(10**8):08d}", "", "", "", proc.name,
        ts(submitted), ts(received), ts(due), ts(due), ts(finished), ts(returned), ts(paused),
        "0", NULL, "f", "", "", "t" if r() < 0.7 else "f",
        result_kind, f"{number}/{stamp}" if result_kind else "", str(fee), "t" if fee_paid else "f",
        "t" if fee_paid_online else "f", rating, ts(rated_at),
        "t" if complained else "f", "f", "1", ts(received), ts(updated),
        *declare_once(name, channel, result_kind, finished is not None),
    )
    return "\t".join(values) + "\n"


def secondary_indexes() -> tuple[list[str], list[str]]:
    """(drop statements, create statements) for every index of the table but its primary key."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'u'",
            [TABLE],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND i.indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [TABLE, TABLE],
        )
        indexes = cursor.fetchall()
    drops = [f'ALTER TABLE {TABLE} DROP CONSTRAINT "{name}"' for name, _ in constraints]
    drops += [f'DROP INDEX "{name}"' for name, _ in indexes]
    creates = [f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}' for name, definition in constraints]
    creates += [definition for _, definition in indexes]
    return drops, creates


def step(label: str, run: Any) -> float:
    started = clock.perf_counter()
    run()
    seconds = clock.perf_counter() - started
    print(f"{label}: {seconds:.1f} s", flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--end", default="2026-11-22", help="last day of the simulated year (local); 'now' is its 17:30")
    parser.add_argument("--keep-indexes", action="store_true", help="load with the secondary indexes in place")
    parser.add_argument("--no-rebuild", action="store_true", help="skip `tinhso indicators rebuild`")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("simulate.py needs DATABASE_URL pointing at a PostgreSQL database")

    end = date.fromisoformat(args.end)
    now = datetime.combine(end, datetime.min.time(), VN).replace(hour=17, minute=30)
    world = World(end, random.Random(args.seed))
    print(f"simulating {args.rows:,} dossiers over {len(world.days)} working days up to {end} "
          f"({len(world.communes)} communes, {len(world.departments)} departments, "
          f"{len(world.commune_procs)}+{len(world.province_procs)} procedures)", flush=True)

    timings: dict[str, float] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLE} RESTART IDENTITY CASCADE")
        cursor.execute("TRUNCATE indicators_dossiercounter, dossiers_dossiersequence")
    creates: list[str] = []
    if not args.keep_indexes:
        drops, creates = secondary_indexes()
        with connection.cursor() as cursor:
            for sql in drops:
                cursor.execute(sql)

    def load() -> None:
        sql = f"COPY {TABLE} ({', '.join(COLUMNS)}) FROM STDIN"
        with tqdm(total=args.rows, unit="row", unit_scale=True, mininterval=5) as bar, connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            buffer: list[str] = []
            pending = 0
            with cursor.copy(sql) as copy:
                for lines in generate(world, args.rows, now):
                    buffer.extend(lines)
                    pending += len(lines)
                    if pending >= 50_000:
                        copy.write("".join(buffer).encode())
                        bar.update(pending)
                        buffer, pending = [], 0
                if buffer:
                    copy.write("".join(buffer).encode())
                    bar.update(pending)
            cursor.execute("SET session_replication_role = DEFAULT")

    timings["generate + COPY"] = step("generate + COPY", load)

    def recreate() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for sql in creates:
                cursor.execute(sql)

    if creates:
        timings["recreate indexes"] = step(f"recreate {len(creates)} indexes", recreate)

    def vacuum() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {TABLE}")

    # What the worker's every-minute sweep would have done over the year: mark the open dossiers
    # already past due (the index counts them from its counters, not live). Before VACUUM, which
    # then clears the marked rows' old entries from the small pending-overdue index.
    from tinhso.dossiers.services import dossiers_mark_overdue

    timings["mark overdue (sweep)"] = step("mark overdue (the worker's sweep)", dossiers_mark_overdue)
    timings["VACUUM ANALYZE"] = step("VACUUM ANALYZE", vacuum)
    if not args.no_rebuild:
        timings["tinhso indicators rebuild"] = step("tinhso indicators rebuild", lambda: call_command("indicators", "rebuild"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), avg((channel = 2)::int), avg((status IN (1,2,4,5,6))::int), "
            f"avg((status IN (1,2,4,5,6) AND paused_at IS NULL AND due_at < %s)::int), "
            f"avg((finished_at > due_at)::int) FILTER (WHERE status IN (9, 10)), "
            f"avg((rating <> '')::int) FILTER (WHERE status = 10), avg(complained::int), "
            f"pg_size_pretty(pg_total_relation_size('{TABLE}')) FROM {TABLE}",
            [now],
        )
        n, online, open_, overdue, late, rated, complained, size = cursor.fetchone()
    print(f"rows {n:,}; online {online:.1%}; open {open_:.1%} (overdue {overdue:.2%}); finished late {late:.1%}; "
          f"returned rated {rated:.1%}; complained {complained:.1%}; table with indexes {size}")
    print("timings: " + "; ".join(f"{k} {v:.1f} s" for k, v in timings.items()))


if __name__ == "__main__":
    main()
