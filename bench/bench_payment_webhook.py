"""Benchmark: the bank webhook (`POST /api/v1/payments/bank-transactions`) paying dossiers through
the real HTTP path, against raw psycopg doing the same writes.

Run by hand, not a test, against a fresh PostgreSQL database of its own (transactions and
dossiers accumulate)::

    psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS tinhso_bench_pay' \\
         -c 'CREATE DATABASE tinhso_bench_pay'
    DJANGO_SETTINGS_MODULE=tinhso.settings TINHSO_VAR_DIR=/tmp/bench-var-pay \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tinhso_bench_pay \\
        .venv/bin/python bench/bench_payment_webhook.py [--seconds 20] [--repeats 3] [--clients 4] [--workers 4]

Sets the database up (`tinhso setup`, `tinhso import agencies` with the Phú Thọ agencies), a
receiving account for each of the first 20 communes, the webhook's secret (`webhook_secret_rotate`)
and a pool of `--dossiers` unpaid dossiers with a fee: one received through the dossier door per
commune, the rest copied from it in SQL (codes `<agency>-<yyMMdd>-<7 digits>`, which
reconciliation reads). One probe notification runs in process first and its SQL is tallied by
(statement, table): the baseline must write exactly the same tally, or the bench stops. Then,
per repeat, two runs of `--seconds` each, alternating:

* **api** — `tinhso serve --workers W` (gunicorn) in a subprocess; C client processes, each on
  one keep-alive `http.client` connection, POST the intermediary's notification (SePay's shape,
  `Authorization: Apikey …`) in a loop, each for the next unpaid dossier of the client's share of
  the pool: its commune's account, the full fee, the code mangled in the content as banks do
  (`CT DEN H44100261205…`, lower case, no dashes). The product authenticates, records the
  transfer once, finds the code, locks the dossier and pays it through the one door (history,
  audit, counters), then tells the applicant (an SMS row, queued to huey). Counts `{"success":
  true}` answers → payments/s, and latency.
* **baseline** — C Python processes, each on one psycopg connection, per notification one
  transaction with the product's writes, in its order, without any read: the transaction row,
  its audit entry, the dossier's `UPDATE`, the history row, the door's audit entry, the two
  counter upserts, the transaction's `UPDATE` to matched, its audit entry; then the SMS row
  (the product writes it after commit). The floor of the same work.

Prints each run, the medians, the ratio api/baseline, the load average around each run, the
commit and the database. Server, clients and PostgreSQL share the machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import statistics
import sys
import time as clock
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The receipt bench's server wrapper (importing it sets Django up).
from bench_online_submission import _commit, _table_tally  # noqa: E402
from bench_receive_api import AGENCIES_CSV, Server  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tinhso.agencies.models import Agency, AgencyKind, StaffRole  # noqa: E402
from tinhso.agencies.principals import Principal  # noqa: E402
from tinhso.catalogue.models import Procedure  # noqa: E402
from tinhso.dossiers import services as ds  # noqa: E402
from tinhso.dossiers.models import Channel, Dossier  # noqa: E402
from tinhso.indicators.contributions import COLUMNS  # noqa: E402
from tinhso.payments.services import fee_account_save, webhook_secret_rotate  # noqa: E402

PATH = "/api/v1/payments/bank-transactions"
PHONE = "0912345678"


def _account(agency: Agency) -> str:
    return "BENCH" + agency.code.replace(".", "")


def notification(n: int, tag: str, code: str, account: str, amount: int) -> bytes:
    return json.dumps({
        "id": f"{tag}-{n}", "gateway": "Vietcombank", "transactionDate": f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S}",
        "accountNumber": account, "content": f"CT DEN {code.replace('-', '').lower()} NGUYEN VAN AN",
        "transferType": "in", "transferAmount": amount, "referenceCode": f"FT{tag}{n}",
    }).encode()


def prepare_database(n_dossiers: int) -> tuple[str, list[tuple[int, str, str, int, int]], int, Counter[str]]:
    """The secret, the unpaid pool as (dossier id, code, account, fee, agency id), the number of
    dossiers before, and the product's writes for one notification (the probe)."""
    if connection.vendor != "postgresql":
        sys.exit("bench_payment_webhook needs DATABASE_URL pointing at a PostgreSQL database")
    call_command("setup", verbosity=0)
    call_command("import", "agencies", str(AGENCIES_CSV), verbosity=0)
    before = Dossier.objects.count()
    procedure = Procedure.objects.filter(level="commune", is_active=True, fee_vnd__gt=0).order_by("code").first()
    if procedure is None:
        sys.exit("no commune-level procedure with a fee")
    communes = list(Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE).order_by("code")[:20])
    run = f"{int(clock.time()) % 10**6:06d}"
    user = get_user_model().objects.create_user(f"bench-quay-{run}")
    seeds: list[Dossier] = []
    for agency in communes:
        fee_account_save(principal=None, agency=agency, bank_bin="970436", account_number=_account(agency),
                         account_name=f"UBND {agency.code}")
        StaffRole.objects.create(user=user, agency=agency, role="reception")
    principal = Principal.for_user(user)
    assert principal is not None
    for agency in communes:
        seeds.append(ds.dossier_receive(
            principal=principal, procedure=procedure, agency=agency, channel=Channel.COUNTER,
            applicant=ds.Applicant(type="citizen", name="Nguyễn Văn An", id_number="025090001234", phone=PHONE),
            components=[ds.ComponentReceipt(c.order) for c in procedure.components.order_by("order") if c.is_required],
        ).dossier)
    secret = webhook_secret_rotate()
    # The pool: copies of each commune's dossier, new codes, same everything else.
    columns = [f.column for f in Dossier._meta.concrete_fields if f.column not in ("id", "code")]
    per = max(n_dossiers // len(seeds), 1)
    offset = 1_000_000 + Dossier.objects.count()  # grows with every set-up: codes never clash
    with connection.cursor() as cur:
        for seed in seeds:
            prefix = f"{seed.receiving_agency.code}-{seed.code.split('-')[1]}-"
            cur.execute(
                f"INSERT INTO dossiers_dossier (code, {', '.join(columns)}) "  # noqa: S608 — our own column names
                f"SELECT %s || lpad((g + %s)::text, 7, '0'), {', '.join(columns)} "
                "FROM dossiers_dossier, generate_series(1, %s) AS g WHERE id = %s",
                [prefix, offset, per, seed.pk],
            )
    pool = [(d.pk, d.code, _account(d.receiving_agency), d.fee_due, d.receiving_agency_id)
            for d in Dossier.objects.filter(receiving_agency__in=communes, procedure=procedure, fee_paid=False,
                                            fee_due__gt=0).select_related("receiving_agency").order_by("?")]
    probe = pool.pop()
    with CaptureQueriesContext(connection) as queries:
        answer = Client(HTTP_HOST="127.0.0.1").post(
            PATH, data=notification(0, f"probe{run}", probe[1], probe[2], probe[3]), content_type="application/json",
            HTTP_AUTHORIZATION=f"Apikey {secret}")
    if answer.status_code != 200 or not Dossier.objects.get(pk=probe[0]).fee_paid_online:
        sys.exit(f"the probe notification did not pay: {answer.status_code} {answer.content[:300]!r}")
    return secret, pool, before, _table_tally([q["sql"] for q in queries.captured_queries])


def _wait(start_at: float) -> None:
    while clock.time() < start_at:
        clock.sleep(0.001)


def api_client(port: int, secret: str, share: list[tuple[int, str, str, int, int]], tag: str, start_at: float,
               seconds: float, out: Any) -> None:
    headers = {"Authorization": f"Apikey {secret}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    ok = failed = n = 0
    latencies: list[float] = []
    errors: dict[str, int] = {}
    _wait(start_at)
    end = start_at + seconds
    while (t0 := clock.time()) < end and n < len(share):
        _id, code, account, fee, _agency = share[n]
        n += 1
        try:
            conn.request("POST", PATH, body=notification(n, tag, code, account, fee), headers=headers)
            response = conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as exc:
            failed += 1
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        if response.status == 200 and payload == b'{"success": true}':
            ok += 1
            latencies.append(clock.time() - t0)
        else:
            failed += 1
            key = f"{response.status} {payload[:120]!r}"
            errors[key] = errors.get(key, 0) + 1
    conn.close()
    out.put((ok, failed, latencies, errors, n >= len(share)))


SQL_AUDIT = """INSERT INTO audit_auditentry (at, actor_id, api_key_id, action, object_type, object_id, data)
  VALUES (now(), NULL, NULL, %s, %s, %s, %s)"""


def baseline_statements() -> Counter[str]:
    return _table_tally(
        ["INSERT INTO payments_banktransaction", SQL_AUDIT, "UPDATE dossiers_dossier",
         "INSERT INTO dossiers_dossierevent", SQL_AUDIT, "INSERT INTO indicators_dossiercounter",
         "INSERT INTO indicators_agencymonthcounter", "UPDATE payments_banktransaction", SQL_AUDIT,
         "INSERT INTO feedback_smsmessage"])


def baseline_client(dsn: dict[str, Any], share: list[tuple[int, str, str, int, int]], procedure_id: int, tag: str,
                    start_at: float, seconds: float, out: Any) -> None:
    import psycopg

    conn = psycopg.connect(**dsn, autocommit=True)
    ok = n = 0
    latencies: list[float] = []
    cols = ", ".join(COLUMNS)
    values = ", ".join("1" if c == "paid_online" else "0" for c in COLUMNS)
    counter_set = ", ".join(f"{c} = indicators_dossiercounter.{c} + excluded.{c}" for c in COLUMNS)
    rollup_set = ", ".join(f"{c} = indicators_agencymonthcounter.{c} + excluded.{c}" for c in COLUMNS)
    _wait(start_at)
    end = start_at + seconds
    while (t0 := clock.time()) < end and n < len(share):
        dossier, code, account, fee, agency = share[n]
        n += 1
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("""INSERT INTO payments_banktransaction (provider, provider_id, gateway, account_number,
                fee_account_id, amount, credit, content, bank_reference, occurred_at, recorded_at, state, dossier_id,
                outcome, excess, unmatched_reason, matched_by_id, handled_at)
                VALUES ('sepay', %s, 'Vietcombank', %s, NULL, %s, true, %s, %s, now(), now(), 'unmatched', NULL, '',
                0, '', NULL, NULL) RETURNING id""",
                        (f"{tag}-{n}", account, fee, f"CT DEN {code.replace('-', '').lower()}", f"FT{tag}{n}"))
            tx = cur.fetchone()[0]
            cur.execute(SQL_AUDIT, ("payments.transaction_recorded", "banktransaction", str(tx), json.dumps(
                {"provider": "sepay", "provider_id": f"{tag}-{n}", "account_number": account, "amount": fee,
                 "credit": True})))
            cur.execute("UPDATE dossiers_dossier SET fee_paid = true, fee_paid_online = true, version = version + 1, "
                        "updated_at = now() WHERE id = %s", (dossier,))
            cur.execute("""INSERT INTO dossiers_dossierevent (dossier_id, at, actor_id, actor_name, action,
                from_status, to_status, from_agency_id, to_agency_id, from_step, to_step, due_before, due_after, note)
                VALUES (%s, now(), NULL, 'Ngân hàng (đối soát)', 'fee_paid', 2, 2, NULL, NULL, '', '', NULL, NULL,
                %s)""", (dossier, f"FT{tag}{n}"))
            cur.execute(SQL_AUDIT, ("dossier.fee_paid", "dossier", code, json.dumps(
                {"from_status": 2, "to_status": 2, "note": f"FT{tag}{n}", "amount": fee, "reconciled": True})))
            cur.execute(f"""INSERT INTO indicators_dossiercounter (agency_id, procedure_id, month, {cols})
                VALUES (%s, %s, date_trunc('month', now())::date, {values}) ON CONFLICT (agency_id, procedure_id, month)
                DO UPDATE SET {counter_set}""", (agency, procedure_id))  # noqa: S608
            cur.execute(f"""INSERT INTO indicators_agencymonthcounter (agency_id, month, version, {cols})
                VALUES (%s, date_trunc('month', now())::date, 1, {values}) ON CONFLICT (agency_id, month)
                DO UPDATE SET version = indicators_agencymonthcounter.version + 1, {rollup_set}""",  # noqa: S608
                        (agency,))
            cur.execute("""UPDATE payments_banktransaction SET state = 'matched', dossier_id = %s, outcome = 'paid',
                excess = 0 WHERE id = %s""", (dossier, tx))
            cur.execute(SQL_AUDIT, ("payments.transaction_matched", "banktransaction", str(tx), json.dumps(
                {"dossier": code, "amount": fee, "received": fee, "fee_due": fee, "outcome": "paid", "excess": 0})))
        with conn.cursor() as cur:  # the applicant's SMS, written after commit
            cur.execute("""INSERT INTO feedback_smsmessage (phone, body, backend, created_at, sent_at, error)
                VALUES (%s, %s, 'tinhso.feedback.sms.ConsoleSmsBackend', now(), NULL, '')""",
                        (PHONE, f"Hồ sơ {code}: đã nhận phí, lệ phí {fee} đồng."))
        ok += 1
        latencies.append(clock.time() - t0)
    conn.close()
    out.put((ok, 0, latencies, {}, n >= len(share)))


def _run(target: Any, args_for: Any, clients: int, seconds: float) -> dict[str, Any]:
    queue: Any = mp.Queue()
    start_at = clock.time() + 1.0
    procs = [mp.Process(target=target, args=(*args_for(i), start_at, seconds, queue)) for i in range(clients)]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(x for r in results for x in r[2])
    errors: dict[str, int] = {}
    for r in results:
        for k, v in r[3].items():
            errors[k] = errors.get(k, 0) + v
    ok = sum(r[0] for r in results)
    return {"rate": ok / seconds, "ok": ok, "failed": sum(r[1] for r in results), "errors": errors,
            "exhausted": any(r[4] for r in results),
            "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else float("nan"),
            "p95_ms": 1000 * latencies[int(len(latencies) * 0.95)] if latencies else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--dossiers", type=int, default=40_000, help="unpaid dossiers in the pool (all runs)")
    args = parser.parse_args()

    t0 = clock.monotonic()
    secret, pool, before, product_writes = prepare_database(args.dossiers)
    if product_writes != baseline_statements():
        sys.exit(f"the baseline no longer writes what the product writes:\n product  {sorted(product_writes.items())}"
                 f"\n baseline {sorted(baseline_statements().items())}")
    procedure_id = Dossier.objects.get(pk=pool[0][0]).procedure_id
    print(f"database {connection.settings_dict['NAME']} ({before} dossiers before), commit {_commit()}, "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; set-up {clock.monotonic() - t0:.1f} s: {len(pool)} unpaid "
          f"dossiers in 20 communes; {sum(product_writes.values())} write statements per notification "
          f"(product = baseline)", flush=True)
    s = connection.settings_dict
    dsn = {"dbname": s["NAME"], "host": s.get("HOST") or "127.0.0.1", "port": s.get("PORT") or 5432,
           "user": s.get("USER") or "postgres", "password": s.get("PASSWORD") or None}
    connection.close()
    labels = ("api", "baseline")
    slices = args.repeats * len(labels) * args.clients
    size = len(pool) // slices
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label in labels}
    k = 0
    for repeat in range(args.repeats):
        for label in labels:
            load = os.getloadavg()[0]
            shares = [pool[(k + i) * size:(k + i + 1) * size] for i in range(args.clients)]
            k += args.clients
            tag = f"{label[:1]}{repeat}{int(clock.time()) % 10**5}"
            if label == "baseline":
                result = _run(baseline_client, lambda i, shares=shares, tag=tag: (dsn, shares[i], procedure_id,
                                                                                  f"{tag}c{i}"),
                              args.clients, args.seconds)
            else:
                server = Server(args.workers, live_counters=True)
                try:
                    result = _run(api_client, lambda i, shares=shares, tag=tag, port=server.port: (
                        port, secret, shares[i], f"{tag}c{i}"), args.clients, args.seconds)
                finally:
                    server.stop()
            runs[label].append(result)
            print(f"run {repeat + 1} {label:8}: {result['rate']:7.1f} /s ({result['ok']} ok, {result['failed']} failed, "
                  f"p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms), "
                  f"load {load:.2f} → {os.getloadavg()[0]:.2f}"
                  + (" — POOL EXHAUSTED: raise --dossiers" if result["exhausted"] else "")
                  + (f" errors {result['errors']}" if result.get("errors") else ""), flush=True)
    print()
    print(f"clients {args.clients}, server workers {args.workers} × 4 threads, {args.seconds} s per run, "
          f"{args.repeats} runs each, {os.cpu_count()} CPUs")
    median = {}
    for label, results in runs.items():
        median[label] = statistics.median(r["rate"] for r in results)
        print(f"median {label:8}: {median[label]:7.1f} /s, p50 latency "
              f"{statistics.median(r['p50_ms'] for r in results):.0f} ms")
    print(f"ratio api / baseline: {median['api'] / median['baseline']:.3f}")
    connection.connect()
    print(f"dossiers paid online now: {Dossier.objects.filter(fee_paid_online=True).count()}")


if __name__ == "__main__":
    main()
