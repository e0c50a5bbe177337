"""Benchmark: `tinhso import dossiers` against a raw PostgreSQL `COPY` of the same rows.

Run by hand, not a test, against a PostgreSQL database of its own (its dossiers are replaced)::

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE tinhso_bench_import'
    DJANGO_SETTINGS_MODULE=tinhso.settings TINHSO_VAR_DIR=/tmp/bench-var \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tinhso_bench_import \\
        .venv/bin/python bench/bench_import.py [--rows 1000000] [--repeats 3] [--seed 7]

Sets the database up (`tinhso setup`, then `tinhso import agencies` with the Phú Thọ agencies),
generates N realistic historical dossiers (the 35 sample procedures, the 164 Phú Thọ agencies
weighted towards the communes, the three channels, every status, about one in eight finished
late, ratings and complaints) to a JSON Lines file, and the same rows, already mapped to the
`dossiers_dossier` columns, to a `COPY` text file. Each repeat empties the table, times a raw
`COPY … FROM STDIN` of the text file (psycopg `cursor.copy`: the floor of what PostgreSQL can
ingest into that table with its indexes), empties it again and times `dossiers_import_file` on
the JSON Lines file (reading, parsing, validating, batching, writing, auditing). Prints the
median rows/s of each and the ratio import/COPY (goal ≥ 0.5). The last import stays in the
table, ready for `bench/bench_inbox.py`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import tempfile
import time as clock
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from tinhso.catalogue.models import Procedure  # noqa: E402
from tinhso.dossiers import imports  # noqa: E402
from tinhso.dossiers.models import Dossier  # noqa: E402

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AGENCIES_CSV = Path(__file__).resolve().parents[1] / "src" / "tinhso" / "data" / "agencies-phu-tho.csv"
# (status, weight): most history is returned; some still open, refused, withdrawn or stopped.
STATUSES = ((10, 70), (9, 8), (2, 3), (4, 7), (5, 2), (6, 1), (3, 3), (7, 3), (8, 3))
RATINGS = (("very_satisfied", 30), ("satisfied", 40), ("unsatisfied", 3), (None, 27))


def prepare_database() -> None:
    if connection.vendor != "postgresql":
        sys.exit("bench_import needs DATABASE_URL pointing at a PostgreSQL database")
    call_command("setup", verbosity=0)
    call_command("import", "agencies", str(AGENCIES_CSV), verbosity=0)


def dossier_lines(n: int, seed: int) -> Any:
    """N realistic dossier objects (dicts in the import format)."""
    rng = random.Random(seed)
    procedures = list(Procedure.objects.values_list("code", "level", "processing_amount", "fee_vnd"))
    with AGENCIES_CSV.open(encoding="utf-8") as fh:
        agencies = [(row["code"], row["kind"]) for row in csv.DictReader(fh)]
    communes = [code for code, kind in agencies if kind == "commune_committee"]
    provincial = [code for code, kind in agencies if kind != "commune_committee"]
    statuses, status_w = zip(*STATUSES, strict=True)
    ratings, rating_w = zip(*RATINGS, strict=True)
    # Three years of history that end months before today: the import refuses instants in the future.
    first = datetime(2023, 3, 1, 7, 0, tzinfo=VN)
    span_days = 3 * 365
    seq: dict[tuple[str, str], int] = {}
    for _ in range(n):
        code, level, amount, fee = rng.choice(procedures)
        agency = rng.choice(communes if level == "commune" and rng.random() < 0.95 else provincial)
        received = first + timedelta(days=rng.randrange(span_days), minutes=rng.randrange(10 * 60))
        days = max(1, int(amount or 1))
        due = received + timedelta(days=days + 2 * (days // 5))
        status = rng.choices(statuses, status_w)[0]
        finished = returned = None
        if status in (9, 10):
            late = rng.random() < 0.12
            finished = due + timedelta(hours=rng.randrange(1, 96)) if late else received + (due - received) * rng.random()
            if status == 10:
                returned = finished + timedelta(hours=rng.randrange(0, 72))
        day = received.strftime("%y%m%d")
        number = seq[(agency, day)] = seq.get((agency, day), 0) + 1
        fee_due = int(fee or 0)
        yield {
            "code": f"{agency}-{day}-{number:04d}",
            "procedure_code": code,
            "agency_code": agency,
            "channel": rng.choices(("counter", "online", "postal"), (45, 50, 5))[0],
            "applicant_type": "business" if rng.random() < 0.15 else "citizen",
            "received_at": received.isoformat(),
            "due_at": due.isoformat(),
            "finished_at": finished.isoformat() if finished else None,
            "returned_at": returned.isoformat() if returned else None,
            "status": status,
            "fee_due": fee_due,
            "fee_paid_online": fee_due > 0 and rng.random() < 0.4,
            "components_digitised": rng.random() < 0.7,
            "result_electronic": rng.random() < 0.5,
            "rating": rng.choices(ratings, rating_w)[0] if status == 10 else None,
            "complained": rng.random() < 0.01,
        }


def dossier_columns() -> list[tuple[str, str, Any]]:
    """(attribute, column, default) of every `dossiers_dossier` column but the primary key."""
    return [(f.attname, f.column, f.get_default()) for f in Dossier._meta.concrete_fields if not f.primary_key]


def copy_text(value: Any) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def write_files(n: int, seed: int, folder: Path) -> tuple[Path, Path]:
    """The JSON Lines file for the import and the same rows as COPY text for the baseline."""
    jsonl, copy_file = folder / "dossiers.jsonl", folder / "dossiers.copy"
    ctx = imports._Context(
        procedures=dict(Procedure.objects.values_list("code", "pk")),
        agencies=dict(imports.Agency.objects.values_list("code", "pk")),
        allowed=None,
        now=timezone.now(),
    )
    columns = dossier_columns()
    with jsonl.open("w", encoding="utf-8") as fj, copy_file.open("w", encoding="utf-8") as fc:
        for obj in dossier_lines(n, seed):
            fj.write(json.dumps(obj, ensure_ascii=False) + "\n")
            values = imports._dossier_values(obj, ctx)
            fc.write("\t".join(
                copy_text(ctx.now if attname in ("created_at", "updated_at") else values.get(attname, default))
                for attname, _, default in columns
            ) + "\n")
    return jsonl, copy_file


def empty_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Dossier._meta.db_table} RESTART IDENTITY CASCADE")
        cursor.execute("CHECKPOINT")


def raw_copy(copy_file: Path) -> None:
    columns = ", ".join(column for _, column, _ in dossier_columns())
    sql = f"COPY {Dossier._meta.db_table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy, copy_file.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            copy.write(chunk)


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    started = clock.perf_counter()
    result = run()
    return clock.perf_counter() - started, result


def run_import(jsonl: Path) -> dict[str, Any]:
    return imports.dossiers_import_file(path=jsonl, principal=None).as_dict()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-reimport", action="store_true", help="skip timing a second import (all updates)")
    args = parser.parse_args()

    prepare_database()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        started = clock.perf_counter()
        jsonl, copy_file = write_files(args.rows, args.seed, Path(tmp))
        print(f"generated {args.rows:,} dossiers in {clock.perf_counter() - started:.1f} s "
              f"({jsonl.stat().st_size / 1e6:.0f} MB JSON Lines, {copy_file.stat().st_size / 1e6:.0f} MB COPY text)")
        copy_s: list[float] = []
        import_s: list[float] = []
        for repeat in range(args.repeats):
            empty_table()
            copy_s.append(timed(lambda: raw_copy(copy_file))[0])
            assert Dossier.objects.count() == args.rows
            empty_table()
            seconds, report = timed(lambda: run_import(jsonl))
            import_s.append(seconds)
            assert (report["created"], report["rejected"]) == (args.rows, 0), report
            print(f"repeat {repeat + 1}: COPY {copy_s[-1]:.1f} s, import {import_s[-1]:.1f} s")
        reimport = None
        if not args.no_reimport:
            reimport, report = timed(lambda: run_import(jsonl))
            assert report["updated"] == args.rows, report
    copy_rate = args.rows / statistics.median(copy_s)
    import_rate = args.rows / statistics.median(import_s)
    print(f"rows: {args.rows:,}, repeats: {args.repeats}")
    print(f"raw COPY (baseline): median {statistics.median(copy_s):.1f} s = {copy_rate:,.0f} rows/s")
    print(f"tinhso import:       median {statistics.median(import_s):.1f} s = {import_rate:,.0f} rows/s")
    print(f"ratio import/COPY:   {import_rate / copy_rate:.2f} (goal ≥ 0.5)")
    if reimport is not None:
        print(f"re-import (all {args.rows:,} updated): {reimport:.1f} s = {args.rows / reimport:,.0f} rows/s")


if __name__ == "__main__":
    main()
