"""Benchmark: the service index of a province for a quarter, against DuckDB scanning Parquet.

Run by hand, not a test, after `bench/simulate.py` filled the database::

    DJANGO_SETTINGS_MODULE=tinhso.settings TINHSO_VAR_DIR=/tmp/bench-var \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tinhso_bench_idx \\
        .venv/bin/python bench/bench_index.py [--root H44] [--period 2026-Q3] [--runs 30] [--duck-runs 10]

Measures, on the dossiers in the database:

* **in process** — `tinhso.indicators.selectors.service_index(root=H44, period=2026-Q3)`: the
  province committee and each of its children (the counters of the quarter's months, plus the open
  dossiers past due at the moment of measure); 3 warm-up calls, then `--runs`, p50 and p95, in
  three states: warm (nothing changed between calls: a dashboard polled on a quiet afternoon),
  live (one receipt's counter change at a random agency before each call, untimed: the
  procedure counts of that agency-month are re-read, the province and that agency re-scored)
  and cold (the scoring memo cleared before each call: every agency scored again).
* **HTTP** — `GET /api/v1/indicators/service-index?agency=H44&period=2026-Q3` with an API key,
  against `tinhso serve` in a subprocess (one keep-alive connection, sequential requests);
  3 warm-up requests, then `--runs`, p50 and p95.
* **DuckDB baseline** — the same dossiers exported once from PostgreSQL (`COPY (SELECT …) TO
  STDOUT`, CSV, then DuckDB's `COPY … TO '….parquet'`; both timed but not part of the figure) with
  the columns the index reads; then DuckDB computes per receiving agency for the quarter: received,
  online, finished, finished late, open and past due now, with fee, paid online, digitised,
  electronic result, dissatisfied — a scan of the Parquet file, no counters. `--duck-runs`, p50
  and p95. The province totals are asserted equal to ours (n and d of every measured metric
  that comes from dossier counts), and so are those of every child agency.

Prints the ratio DuckDB p50 / ours p50 (goal ≥ 10).
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
import tempfile
import time as clock
from datetime import datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")

import django  # noqa: E402

django.setup()

import duckdb  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from tinhso.agencies.models import Agency  # noqa: E402
from tinhso.agencies.services import apikey_create  # noqa: E402
from tinhso.dossiers.models import Dossier  # noqa: E402
from tinhso.indicators.models import DossierCounter  # noqa: E402
from tinhso.indicators.periods import Period, parse_period  # noqa: E402
from tinhso.indicators.selectors import _scored, service_index  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_receive_api import Server  # noqa: E402

TABLE = Dossier._meta.db_table
# The columns the index reads; instants as microseconds since the epoch (no time-zone handling
# needed on DuckDB's side), flags as they are.
EXPORT = {
    "id": "id",
    "receiving_agency_id": "receiving_agency_id",
    "procedure_id": "procedure_id",
    "channel": "channel",
    "status": "status",
    "received_at": "(extract(epoch FROM received_at) * 1000000)::bigint",
    "due_at": "(extract(epoch FROM due_at) * 1000000)::bigint",
    "finished_at": "(extract(epoch FROM finished_at) * 1000000)::bigint",
    "paused_at": "(extract(epoch FROM paused_at) * 1000000)::bigint",
    "fee_due": "fee_due",
    "fee_paid_online": "fee_paid_online",
    "components_digitised": "components_digitised",
    "result_kind": "result_kind",
    "rating": "rating",
    "complained": "complained",
}
TYPES = {
    "id": "BIGINT", "receiving_agency_id": "BIGINT", "procedure_id": "BIGINT", "channel": "SMALLINT",
    "status": "SMALLINT", "received_at": "BIGINT", "due_at": "BIGINT", "finished_at": "BIGINT",
    "paused_at": "BIGINT", "fee_due": "BIGINT", "fee_paid_online": "BOOLEAN", "components_digitised": "BOOLEAN",
    "result_kind": "VARCHAR", "rating": "VARCHAR", "complained": "BOOLEAN",
}
DUCK_SQL = """
WITH q AS (
    SELECT *,
        status IN (9, 10) AS finished,
        status IN (9, 10) AND finished_at IS NOT NULL AND due_at IS NOT NULL AND finished_at > due_at AS late,
        status IN (1, 2, 4, 5, 6) AND due_at < $now AND paused_at IS NULL AS overdue_open
    FROM read_parquet($path)
    WHERE received_at >= $start AND received_at < $end
)
SELECT receiving_agency_id,
    count(*) AS received,
    count(*) FILTER (WHERE channel = 2) AS online,
    count(*) FILTER (WHERE finished) AS finished,
    count(*) FILTER (WHERE late) AS finished_late,
    count(*) FILTER (WHERE overdue_open) AS overdue_open,
    count(*) FILTER (WHERE fee_due > 0) AS with_fee,
    count(*) FILTER (WHERE fee_paid_online) AS paid_online,
    count(*) FILTER (WHERE components_digitised) AS digitised,
    count(*) FILTER (WHERE finished AND result_kind = 'electronic') AS result_electronic,
    count(*) FILTER (WHERE rating = 'unsatisfied' OR complained OR late OR overdue_open) AS dissatisfied
FROM q GROUP BY receiving_agency_id
"""
KEYS = ("received", "online", "finished", "finished_late", "overdue_open", "with_fee", "paid_online", "digitised",
        "result_electronic", "dissatisfied")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(label: str, seconds: list[float]) -> tuple[float, float]:
    p50, p95 = pct(seconds, 0.5), pct(seconds, 0.95)
    print(f"{label:34}: p50 {1000 * p50:9.1f} ms, p95 {1000 * p95:9.1f} ms ({len(seconds)} runs)", flush=True)
    return p50, p95


def micros(instant: datetime) -> int:
    return round(instant.timestamp() * 1_000_000)


def export_parquet(folder: Path) -> tuple[Path, float, float]:
    csv_path, parquet = folder / "dossiers.csv", folder / "dossiers.parquet"
    select = ", ".join(f"{expr} AS {name}" for name, expr in EXPORT.items())
    started = clock.perf_counter()
    sql = f"COPY (SELECT {select} FROM {TABLE} ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)"
    with connection.cursor() as cursor, csv_path.open("wb") as fh, cursor.copy(sql) as copy:
        for chunk in copy:
            fh.write(chunk)
    exported = clock.perf_counter() - started
    started = clock.perf_counter()
    types = "{" + ", ".join(f"'{k}': '{v}'" for k, v in TYPES.items()) + "}"
    duckdb.sql(
        f"COPY (SELECT * FROM read_csv('{csv_path}', header = true, columns = {types})) TO '{parquet}' (FORMAT parquet)"
    )
    converted = clock.perf_counter() - started
    csv_path.unlink()
    return parquet, exported, converted


def duck_counts(con: Any, parquet: Path, period: Period, now: datetime) -> dict[int, dict[str, int]]:
    rows = con.execute(
        DUCK_SQL,
        {"path": str(parquet), "start": micros(period.start), "end": micros(period.end), "now": micros(now)},
    ).fetchall()
    return {r[0]: dict(zip(KEYS, r[1:], strict=True)) for r in rows}


def measured_pairs(c: dict[str, int]) -> dict[str, tuple[int, int]]:
    """n/d of the dossier-count metrics, by the definitions of service-index-766.md."""
    late = c["finished_late"] + c["overdue_open"]
    return {
        "PROGRESS": (c["received"] - late, c["received"]),
        "ONLINE_SERVICE_C": (c["online"], c["received"]),
        "ONLINE_PAYMENT_A": (c["paid_online"], c["with_fee"]),
        "ORIGINAL_RESULT_AVAILABLE": (c["result_electronic"], c["finished"]),
        "SO_HOA_GIAY_TO_GIAI_QUYET": (c["digitised"], c["received"]),
        "DOSSIER_RECEIVING_SATISFACTION": (c["received"] - c["dissatisfied"], c["received"]),
    }


def ours_pairs(result: dict[str, Any]) -> dict[str, tuple[int, int]]:
    wanted = set(measured_pairs(dict.fromkeys(KEYS, 0)))
    return {
        m["code"]: (m["numerator"], m["denominator"])
        for g in result["groups"]
        for m in g["metrics"]
        if m["code"] in wanted
    }


def check_equal(result: dict[str, Any], duck: dict[int, dict[str, int]], root: Agency) -> None:
    agencies = {a.code: a for a in Agency.objects.filter(path__startswith=root.path)}

    def subtree_total(code: str) -> dict[str, int]:
        path = agencies[code].path
        total = dict.fromkeys(KEYS, 0)
        for a in agencies.values():
            if a.path.startswith(path):
                for k, v in duck.get(a.pk, {}).items():
                    total[k] += v
        return total

    for node in [result, *result["children"]]:
        code = node["agency"]["code"]
        expected, got = measured_pairs(subtree_total(code)), ours_pairs(node)
        assert got == expected, f"{code}: tinhso {got} != DuckDB {expected}"
    print(f"checked: tinhso's n/d equal DuckDB's for {root.code} and its {len(result['children'])} children "
          f"(province: {measured_pairs(subtree_total(root.code))['PROGRESS'][1]:,} dossiers received in the period)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default="H44")
    parser.add_argument("--period", default="2026-Q3")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--duck-runs", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--parquet", help="reuse this Parquet export instead of exporting again")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench_index needs DATABASE_URL pointing at a PostgreSQL database")

    root = Agency.objects.get(code=args.root)
    period = parse_period(args.period)
    now = timezone.now()
    rows = Dossier.objects.count()
    print(f"{rows:,} dossiers in {TABLE}; index of {root.code} and its children for {period.key}", flush=True)

    # In process.
    for _ in range(3):
        result = service_index(root=root, period=period, now=now)
    seconds = []
    for _ in range(args.runs):
        started = clock.perf_counter()
        result = service_index(root=root, period=period, now=now)
        seconds.append(clock.perf_counter() - started)
    ours_p50, ours_p95 = summary("tinhso service_index (in process)", seconds)
    # Cold: every agency scored again (as after a restart, or if every agency's counts had moved).
    cold = []
    for _ in range(args.runs):
        _scored.cache_clear()
        started = clock.perf_counter()
        service_index(root=root, period=period, now=now)
        cold.append(clock.perf_counter() - started)
    cold_p50, cold_p95 = summary("tinhso service_index (in process, scoring cache cleared)", cold)
    # Live: before each call (untimed) the counters move as a receipt at a random agency would
    # move them — the province and that agency are scored again, the rest come from the memo.
    import random

    from tinhso.indicators.contributions import COLUMNS
    from tinhso.indicators.services import counters_apply

    rng = random.Random(7)
    pairs = list(DossierCounter.objects.filter(month__gte=period.first_month, month__lt=period.end_month)
                 .values_list("agency_id", "procedure_id", "month"))
    live = []
    moved: list[tuple[int, int, Any]] = []
    for _ in range(args.runs):
        key = rng.choice(pairs)
        delta = dict.fromkeys(COLUMNS, 0) | {"received": 1, "online": 1}
        with transaction.atomic():
            counters_apply({key: delta})
        moved.append(key)
        started = clock.perf_counter()
        service_index(root=root, period=period, now=now)
        live.append(clock.perf_counter() - started)
    with transaction.atomic():  # put the counters back as they were
        for key in moved:
            counters_apply({key: dict.fromkeys(COLUMNS, 0) | {"received": -1, "online": -1}})
    live_p50, live_p95 = summary("tinhso service_index (in process, one receipt between calls)", live)
    pending = Dossier.objects.filter(status__in=(1, 2, 4, 5, 6), marked_overdue=False, paused_at__isnull=True,
                                     due_at__lt=now).count()
    marked = Dossier.objects.filter(marked_overdue=True).count()
    print(f"open past due: {marked:,} marked by the sweep (counted from counters), {pending:,} not yet (counted live)")

    # Over HTTP.
    _, secret = apikey_create(name=f"bench-index-{int(clock.time())}", agency_code=root.code)
    connection.close()
    server = Server(args.workers, live_counters=True)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        path = f"/api/v1/indicators/service-index?agency={root.code}&period={period.key}"
        headers = {"Authorization": f"Bearer {secret}"}
        http_s = []
        for i in range(3 + args.runs):
            started = clock.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            assert response.status == 200, (response.status, payload[:300])
            if i >= 3:
                http_s.append(clock.perf_counter() - started)
        conn.close()
    finally:
        server.stop()
    http_p50, http_p95 = summary("tinhso GET service-index (HTTP)", http_s)

    # DuckDB on Parquet.
    with tempfile.TemporaryDirectory(prefix="bench-index-", dir=os.environ.get("TINHSO_VAR_DIR")) as tmp:
        if args.parquet:
            parquet = Path(args.parquet)
        else:
            parquet, exported, converted = export_parquet(Path(tmp))
            print(f"export (not timed in the figures): PostgreSQL COPY to CSV {exported:.1f} s, "
                  f"DuckDB CSV → Parquet {converted:.1f} s, Parquet {parquet.stat().st_size / 1e6:.0f} MB", flush=True)
        con = duckdb.connect()
        duck = duck_counts(con, parquet, period, now)  # warm-up (file in the page cache)
        duck_s = []
        for _ in range(args.duck_runs):
            started = clock.perf_counter()
            duck = duck_counts(con, parquet, period, now)
            duck_s.append(clock.perf_counter() - started)
        duck_p50, duck_p95 = summary("DuckDB scan of Parquet", duck_s)
        check_equal(result, duck, root)
        if args.parquet is None:
            keep = Path(os.environ.get("TINHSO_VAR_DIR", tempfile.gettempdir())) / "bench-index-dossiers.parquet"
            parquet.replace(keep)
            print(f"Parquet kept at {keep} (--parquet to reuse)")
    print()
    print(f"ratio DuckDB p50 / tinhso in-process p50: {duck_p50 / ours_p50:.1f}× (goal ≥ 10×)")
    print(f"ratio DuckDB p50 / tinhso in-process p50, cold: {duck_p50 / cold_p50:.1f}×")
    print(f"ratio DuckDB p50 / tinhso in-process p50, live: {duck_p50 / live_p50:.1f}×")
    print(f"ratio DuckDB p50 / tinhso HTTP p50      : {duck_p50 / http_p50:.1f}×")
    print(f"rows {rows:,}; in process p50 {1000 * ours_p50:.1f} ms p95 {1000 * ours_p95:.1f} ms "
          f"(cold p50 {1000 * cold_p50:.1f} ms p95 {1000 * cold_p95:.1f} ms; "
          f"live p50 {1000 * live_p50:.1f} ms p95 {1000 * live_p95:.1f} ms); "
          f"HTTP p50 {1000 * http_p50:.1f} ms p95 {1000 * http_p95:.1f} ms; "
          f"DuckDB p50 {1000 * duck_p50:.1f} ms p95 {1000 * duck_p95:.1f} ms")


if __name__ == "__main__":
    main()
