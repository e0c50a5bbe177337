"""Benchmark: receiving dossiers through the real HTTP API, against pgbench doing the same inserts.

Run by hand, not a test, against a PostgreSQL database of its own (dossiers accumulate in it)::

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE tinhso_bench_recv'
    DJANGO_SETTINGS_MODULE=tinhso.settings TINHSO_VAR_DIR=/tmp/bench-var \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tinhso_bench_recv \\
        .venv/bin/python bench/bench_receive_api.py [--seconds 20] [--repeats 3] [--clients 4] [--workers 4]

Sets the database up (`tinhso setup`, `tinhso import agencies` with the Phú Thọ agencies, an API
key for the province committee H44 — a key acts with every role in its agency's subtree, so it
may receive at any commune). Then, per repeat, three runs of `--seconds` each, alternating:

* **api** — `tinhso serve --workers W` (gunicorn, the production server) in a subprocess; C client
  processes, each with one keep-alive `http.client` connection, POST `/api/v1/dossiers` in a loop:
  a random one of the first 20 communes, a random commune-level procedure, a random channel, a
  citizen with a valid 12-digit ID, name, address and phone. Counts 201 answers → dossiers/s.
* **api, counters off** — the same with `TINHSO_LIVE_COUNTERS=false` in the server's environment
  (the index counters are not kept in the receipt's transaction).
* **pgbench** — C pgbench clients running, per transaction, the statements a receipt writes:
  the sequence upsert on `dossiers_dossiersequence`, the `INSERT` into `dossiers_dossier` with the
  same columns, the `INSERT` into `dossiers_dossierevent`, the `INSERT` into `audit_auditentry` and
  the counter upserts on `indicators_dossiercounter` and `indicators_agencymonthcounter` → tx/s: the floor of what PostgreSQL can do.

Prints the medians and the ratios api/pgbench (goal ≥ 0.25) and api/api-without-counters
(goal ≥ 0.8). The server, the clients and PostgreSQL share the machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time as clock
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from tinhso.agencies.models import Agency, AgencyKind  # noqa: E402
from tinhso.agencies.services import apikey_create  # noqa: E402
from tinhso.catalogue.models import Procedure  # noqa: E402
from tinhso.indicators.contributions import COLUMNS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
AGENCIES_CSV = ROOT / "src" / "tinhso" / "data" / "agencies-phu-tho.csv"
TINHSO = Path(sys.executable).with_name("tinhso")
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Hữu", "Minh", "Thu", "Ngọc")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Hà", "Hương", "Lan", "Long", "Mai", "Nam", "Sơn", "Trang")


def prepare_database() -> tuple[str, list[Agency], list[Procedure]]:
    if connection.vendor != "postgresql":
        sys.exit("bench_receive_api needs DATABASE_URL pointing at a PostgreSQL database")
    call_command("setup", verbosity=0)
    call_command("import", "agencies", str(AGENCIES_CSV), verbosity=0)
    _, secret = apikey_create(name=f"bench-{int(clock.time())}", agency_code="H44")
    communes = list(Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE).order_by("code")[:20])
    procedures = list(Procedure.objects.filter(level="commune", is_active=True).order_by("code"))
    return secret, communes, procedures


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`tinhso serve` in a subprocess, stopped with SIGTERM (graceful)."""

    def __init__(self, workers: int, live_counters: bool) -> None:
        self.port = free_port()
        env = {**os.environ, "TINHSO_LIVE_COUNTERS": "true" if live_counters else "false", "LOG_LEVEL": "WARNING"}
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 — lives as long as the server
        self.process = subprocess.Popen(
            [str(TINHSO), "serve", "--port", str(self.port), "--workers", str(workers)],
            env=env, stdout=subprocess.DEVNULL, stderr=self.log,
        )
        deadline = clock.monotonic() + 60
        while clock.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/api/v1/openapi.json")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            except OSError:
                clock.sleep(0.3)
        else:
            self.log.seek(0)
            log = self.log.read().decode(errors="replace")[-3000:]
            self.stop()
            sys.exit(f"tinhso serve did not answer within 60 s:\n{log}")
        # Each worker imports lazily on its first request: warm all of them up.
        # A cold worker builds the OpenAPI document first: on a loaded machine that takes seconds.
        for _ in range(workers * 4):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            conn.request("GET", "/api/v1/openapi.json")
            conn.getresponse().read()
            conn.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def body(rng: random.Random, communes: list[str], procedures: list[str]) -> bytes:
    born = rng.randrange(1950, 2008)
    id_number = f"025{(0 if born < 2000 else 2) + rng.randrange(2)}{born % 100:02d}{rng.randrange(10**6):06d}"
    x = rng.random()
    return json.dumps({
        "procedure_code": rng.choice(procedures),
        "agency_code": rng.choice(communes),
        "channel": 1 if x < 0.55 else (2 if x < 0.95 else 3),
        "applicant": {
            "type": "citizen",
            "name": f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            "id_number": id_number,
            "birth_date": f"{born}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
            "address": "Khu 3, phường Việt Trì, tỉnh Phú Thọ",
            "phone": f"09{rng.randrange(10**8):08d}",
        },
        "summary": "",
    }, ensure_ascii=False).encode()


def client(port: int, secret: str, communes: list[str], procedures: list[str], start_at: float, seconds: float,
           seed: int, out: Any) -> None:
    """One client process: POST receipts on one keep-alive connection until the time is up."""
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    ok = failed = 0
    latencies: list[float] = []
    errors: dict[str, int] = {}
    while clock.time() < start_at:
        clock.sleep(0.001)
    end = start_at + seconds
    while (t0 := clock.time()) < end:
        try:
            conn.request("POST", "/api/v1/dossiers", body=body(rng, communes, procedures), headers=headers)
            response = conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as exc:
            failed += 1
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        if response.status == 201:
            ok += 1
            latencies.append(clock.time() - t0)
        else:
            failed += 1
            key = f"{response.status} {payload[:120]!r}"
            errors[key] = errors.get(key, 0) + 1
    conn.close()
    out.put((ok, failed, latencies, errors))


def run_api(*, secret: str, communes: list[str], procedures: list[str], clients: int, workers: int,
            seconds: float, live_counters: bool, seed: int) -> dict[str, Any]:
    server = Server(workers, live_counters)
    try:
        queue: Any = mp.Queue()
        start_at = clock.time() + 1.0
        procs = [
            mp.Process(target=client, args=(server.port, secret, communes, procedures, start_at, seconds, seed + i, queue))
            for i in range(clients)
        ]
        for p in procs:
            p.start()
        results = [queue.get() for _ in procs]
        for p in procs:
            p.join()
    finally:
        server.stop()
    ok = sum(r[0] for r in results)
    failed = sum(r[1] for r in results)
    latencies = sorted(x for r in results for x in r[2])
    errors: dict[str, int] = {}
    for r in results:
        for k, v in r[3].items():
            errors[k] = errors.get(k, 0) + v
    return {
        "rate": ok / seconds,
        "ok": ok,
        "failed": failed,
        "errors": errors,
        "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else float("nan"),
        "p95_ms": 1000 * latencies[int(len(latencies) * 0.95)] if latencies else float("nan"),
    }


def pgbench_script(communes: list[Agency], procedures: list[Procedure]) -> str:
    """One receipt's writes, as the service issues them (same tables, columns and upserts)."""
    agency_ids = ",".join(str(a.pk) for a in communes)
    proc_ids = ",".join(str(p.pk) for p in procedures)
    counter_cols = ", ".join(COLUMNS)
    ones = ", ".join("1" if c == "received" else "0" for c in COLUMNS)
    counter_set = ", ".join(f"{c} = indicators_dossiercounter.{c} + excluded.{c}" for c in COLUMNS)
    rollup_set = ", ".join(f"{c} = indicators_agencymonthcounter.{c} + excluded.{c}" for c in COLUMNS)
    return f"""\\set ai random(1, {len(communes)})
\\set pi random(1, {len(procedures)})
\\set ch random(1, 3)
\\set idn random(100000000, 999999999)
BEGIN;
SELECT (ARRAY[{agency_ids}])[:ai] AS agency, (ARRAY[{proc_ids}])[:pi] AS proc \\gset
INSERT INTO dossiers_dossiersequence (agency_id, day, last) VALUES (:agency, current_date, 1) ON CONFLICT (agency_id, day) DO UPDATE SET last = dossiers_dossiersequence.last + 1 RETURNING last \\gset
INSERT INTO dossiers_dossier (code, procedure_id, receiving_agency_id, handling_agency_id, channel, status, applicant_type, applicant_id_number, applicant_name, applicant_birth_date, applicant_address, applicant_phone, applicant_email, representative_name, representative_id_number, summary, submitted_at, received_at, due_at, legal_due_at, finished_at, returned_at, paused_at, paused_seconds, current_step_id, current_handler_id, step_due_at, extended, extension_reason, stop_reason, components_digitised, result_kind, result_number, fee_due, fee_paid, fee_paid_online, rating, rated_at, complained, marked_overdue, imported, version, created_at, updated_at, applicant_name_search, applicant_verified, documents_required, documents_reused, result_in_store, result_delivery, result_delivery_address) VALUES ('PGB' || :agency || '-' || to_char(now(), 'YYMMDD') || '-' || lpad(:last::text, 4, '0'), :proc, :agency, :agency, :ch, 2, 'citizen', '025' || :idn, 'Nguyễn Văn An', '1990-05-17', 'Khu 3, phường Việt Trì, tỉnh Phú Thọ', '0912345678', '', '', '', 'Thủ tục đăng ký khai sinh', now(), now(), now() + interval '3 days', now() + interval '3 days', NULL, NULL, NULL, 0, NULL, NULL, now() + interval '1 day', false, '', '', false, '', '', 0, false, false, '', NULL, false, false, false, 2, now(), now(), 'nguyen van an', false, true, false, false, '', '') RETURNING id \\gset
INSERT INTO dossiers_dossierevent (at, actor_id, actor_name, action, from_status, to_status, from_agency_id, to_agency_id, from_step, to_step, due_before, due_after, note, dossier_id) VALUES (now(), NULL, 'bench', 'receive', NULL, 2, NULL, :agency, '', 'Tiếp nhận', NULL, now() + interval '3 days', '', :id);
INSERT INTO audit_auditentry (at, actor_id, api_key_id, action, object_type, object_id, data) VALUES (now(), NULL, NULL, 'dossier.receive', 'dossier', 'PGB' || :id, '{{"from_status": null, "to_status": 2, "note": ""}}');
INSERT INTO indicators_dossiercounter (agency_id, procedure_id, month, {counter_cols}) VALUES (:agency, :proc, date_trunc('month', now())::date, {ones}) ON CONFLICT (agency_id, procedure_id, month) DO UPDATE SET {counter_set};
INSERT INTO indicators_agencymonthcounter (agency_id, month, version, {counter_cols}) VALUES (:agency, date_trunc('month', now())::date, 1, {ones}) ON CONFLICT (agency_id, month) DO UPDATE SET version = indicators_agencymonthcounter.version + 1, {rollup_set};
END;
"""


def run_pgbench(script: str, clients: int, seconds: int) -> dict[str, Any]:
    settings = connection.settings_dict
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as fh:
        fh.write(script)
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = [
        "pgbench", "-n", "-f", fh.name, "-c", str(clients), "-j", str(clients), "-T", str(seconds),
        "-h", settings.get("HOST") or "127.0.0.1", "-p", str(settings.get("PORT") or 5432),
        "-U", settings.get("USER") or "postgres", settings["NAME"],
    ]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    finally:
        Path(fh.name).unlink()
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", done.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", done.stdout)
    if done.returncode != 0 or match is None:
        sys.exit(f"pgbench failed:\n{done.stdout}\n{done.stderr}")
    return {"rate": float(match[1]), "failed": int(failed[1]) if failed else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    secret, communes, procedures = prepare_database()
    commune_codes, proc_codes = [a.code for a in communes], [p.code for p in procedures]
    script = pgbench_script(communes, procedures)
    connection.close()
    rates: dict[str, list[float]] = {"api": [], "api, counters off": [], "pgbench": []}
    for repeat in range(args.repeats):
        for label in rates:
            if label == "pgbench":
                result = run_pgbench(script, args.clients, args.seconds)
            else:
                result = run_api(
                    secret=secret, communes=commune_codes, procedures=proc_codes, clients=args.clients,
                    workers=args.workers, seconds=args.seconds, live_counters=label == "api",
                    seed=args.seed * 1000 + repeat * 10,
                )
            rates[label].append(result["rate"])
            extra = (f", p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms" if "p50_ms" in result else "")
            print(f"run {repeat + 1} {label:18}: {result['rate']:8.1f} /s ({result['failed']} failed{extra})"
                  + (f" errors {result['errors']}" if result.get("errors") else ""), flush=True)
    median = {label: statistics.median(values) for label, values in rates.items()}
    print()
    print(f"clients {args.clients}, server workers {args.workers} × 4 threads, {args.seconds} s per run, "
          f"{args.repeats} runs each")
    for label, value in median.items():
        print(f"median {label:18}: {value:8.1f} /s")
    print(f"ratio api / pgbench                 : {median['api'] / median['pgbench']:.3f} (goal ≥ 0.25)")
    print(f"ratio api / api with counters off   : {median['api'] / median['api, counters off']:.3f} (goal ≥ 0.8)")


if __name__ == "__main__":
    main()
