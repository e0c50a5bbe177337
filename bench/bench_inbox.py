"""Benchmark: one agency's due-sorted inbox through `selectors.inbox` against the bare indexed SQL.

Run by hand, not a test, on the PostgreSQL database `bench/bench_import.py` filled::

    DJANGO_SETTINGS_MODULE=tinhso.settings TINHSO_VAR_DIR=/tmp/bench-var \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tinhso_bench_import \\
        .venv/bin/python bench/bench_inbox.py [--rows 1000000] [--runs 50]

If the table holds fewer than `--rows` dossiers it is filled first with the import (as
`bench_import.py` does). The agency is the one with the most open dossiers; the principal is a
reception officer there. Times, alternately, `--runs` times each (after warming up):

- the product: `list(inbox(principal=…)[:50])` — the first page, evaluated to model instances
  with procedure, agency and step joined, scoped through `visible_agencies`;
- the baseline: the bare SQL the partial index `dossier_inbox_open` is for, through a raw
  cursor: `SELECT * FROM dossiers_dossier WHERE handling_agency_id = %s AND status IN
  (1,2,4,5,6) ORDER BY due_at, id LIMIT 50`, rows fetched as tuples.

Prints the median and 90th percentile latency of each, the ratio of the medians (goal ≤ 2), and
both query plans, saying whether the product's plan uses `dossier_inbox_open`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time as clock
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_import  # noqa: E402  (sets Django up)
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from tinhso.agencies.models import Agency, Role, StaffRole  # noqa: E402
from tinhso.agencies.principals import Principal  # noqa: E402
from tinhso.dossiers.imports import dossiers_import_file  # noqa: E402
from tinhso.dossiers.models import Dossier  # noqa: E402
from tinhso.dossiers.selectors import inbox  # noqa: E402

PAGE = 50
BARE_SQL = (
    "SELECT * FROM dossiers_dossier WHERE handling_agency_id = %s AND status IN (1, 2, 4, 5, 6) "
    "ORDER BY due_at, id LIMIT 50"
)


def ensure_dossiers(rows: int) -> None:
    bench_import.prepare_database()  # idempotent: migrations, units, catalogue, agencies
    have = Dossier.objects.count()
    if have >= rows:
        print(f"{have:,} dossiers in the table")
        return
    print(f"{have:,} dossiers in the table, importing {rows:,} …")
    with tempfile.TemporaryDirectory(prefix="bench-inbox-") as tmp:
        jsonl, _ = bench_import.write_files(rows, 7, Path(tmp))
        bench_import.empty_table()
        report = dossiers_import_file(path=jsonl, principal=None, progress=True)
    print(f"imported: {report.created:,} created, {report.rejected} rejected")


def busiest_agency() -> Agency:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT handling_agency_id, count(*) FROM dossiers_dossier WHERE status IN (1, 2, 4, 5, 6) "
            "GROUP BY handling_agency_id ORDER BY 2 DESC LIMIT 1"
        )
        agency_id, open_count = cursor.fetchone()
    agency = Agency.objects.get(pk=agency_id)
    print(f"agency {agency.code} ({agency.name}): {open_count:,} open dossiers")
    return agency


def reception_at(agency: Agency) -> Principal:
    user, _ = get_user_model().objects.get_or_create(username=f"bench-inbox-{agency.code}")
    StaffRole.objects.get_or_create(user=user, agency=agency, role=Role.RECEPTION)
    principal = Principal.for_user(user)
    assert principal is not None
    return principal


def product(principal: Principal) -> list[Dossier]:
    return list(inbox(principal=principal)[:PAGE])


def bare(agency_id: int) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(BARE_SQL, [agency_id])
        return cursor.fetchall()


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    if connection.vendor != "postgresql":
        sys.exit("bench_inbox needs DATABASE_URL pointing at a PostgreSQL database")
    ensure_dossiers(args.rows)
    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would have them after an import
        cursor.execute("ANALYZE dossiers_dossier")
    agency = busiest_agency()
    principal = reception_at(agency)

    got, want = product(principal), bare(agency.pk)
    assert [d.pk for d in got] == [row[0] for row in want], "the inbox and the bare SQL disagree"
    assert len(got) == PAGE

    for _ in range(5):  # warm caches and the connection
        product(principal)
        bare(agency.pk)
    product_s: list[float] = []
    bare_s: list[float] = []
    for _ in range(args.runs):
        started = clock.perf_counter()
        product(principal)
        product_s.append(clock.perf_counter() - started)
        started = clock.perf_counter()
        bare(agency.pk)
        bare_s.append(clock.perf_counter() - started)

    qs = inbox(principal=principal)[:PAGE]
    plan = qs.explain(analyze=True)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + BARE_SQL, [agency.pk])
        bare_plan = "\n".join(row[0] for row in cursor.fetchall())
    print("\n-- product query:\n" + str(qs.query))
    print("-- product plan:\n" + plan)
    print("-- bare plan:\n" + bare_plan)
    print(f"\nrows: {Dossier.objects.count():,}, runs: {args.runs} each, page: {PAGE}")
    print(f"selectors.inbox: median {statistics.median(product_s) * 1e3:.2f} ms, p90 {p90(product_s) * 1e3:.2f} ms")
    print(f"bare SQL:        median {statistics.median(bare_s) * 1e3:.2f} ms, p90 {p90(bare_s) * 1e3:.2f} ms")
    print(f"ratio inbox/bare: {statistics.median(product_s) / statistics.median(bare_s):.2f} (goal ≤ 2)")
    print(f"product plan uses dossier_inbox_open: {'dossier_inbox_open' in plan}")


if __name__ == "__main__":
    main()
