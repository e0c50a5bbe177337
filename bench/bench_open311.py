"""Benchmark: filing reports through the real Open311 endpoint, against pgbench doing the same inserts.

Run by hand, not a test, against a PostgreSQL database of its own (reports accumulate in it)::

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE tinhso_bench_o311'
    DJANGO_SETTINGS_MODULE=tinhso.settings TINHSO_VAR_DIR=/tmp/bench-var \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tinhso_bench_o311 \\
        .venv/bin/python bench/bench_open311.py [--seconds 20] [--repeats 3] [--clients 4] [--workers 4]

Sets the database up (`tinhso setup`, `tinhso import agencies` with the Phú Thọ agencies, every
category handled by the province committee H44, a routing rule per commune for the first 20
communes so each report is assigned on arrival, an API key). Then, per repeat, two runs of
`--seconds` each, alternating:

* **open311** — `tinhso serve --workers W` (gunicorn) in a subprocess; C client processes, each
  with one keep-alive `http.client` connection, POST `/open311/v2/requests.json`
  (`application/x-www-form-urlencoded`): `api_key`, a random category without required
  attributes, a point in Phú Thọ, a commune code (`address_id`), an address, a Vietnamese
  description, a reporter. Counts 200 answers → reports/s.
* **pgbench** — C pgbench clients running, per transaction, the rows one report writes: the
  `INSERT` into `feedback_report` (same columns, already assigned), two `INSERT`s into
  `feedback_reportevent` (submit, assign) and two into `audit_auditentry` → tx/s: the floor of
  what PostgreSQL can do. (The service also re-saves the report once when it assigns it and
  reads the key, the category, the routing rules and the calendar; pgbench does none of that.)

Prints the medians and the ratio open311/pgbench. The server, the clients and PostgreSQL share
the machine.
"""

from __future__ import annotations

import argparse
import http.client
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
from urllib.parse import urlencode

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from tinhso.agencies.models import Agency, AgencyKind  # noqa: E402
from tinhso.agencies.services import apikey_create  # noqa: E402
from tinhso.feedback.models import Category, RoutingRule  # noqa: E402
from tinhso.open311.attributes import attributes_for  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
AGENCIES_CSV = ROOT / "src" / "tinhso" / "data" / "agencies-phu-tho.csv"
TINHSO = Path(sys.executable).with_name("tinhso")
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi")
GIVEN = ("Văn An", "Thị Bình", "Minh Chi", "Hữu Dũng", "Thu Hà", "Ngọc Lan", "Văn Long", "Thị Mai")
PROBLEMS = (
    "Đèn đường không sáng từ tối qua, đoạn đường rất tối.",
    "Rác thải tập kết sai nơi quy định, bốc mùi hôi.",
    "Cống thoát nước bị tắc, nước tràn lên mặt đường khi mưa.",
    "Lấn chiếm vỉa hè để kinh doanh, người đi bộ phải xuống lòng đường.",
)


def prepare_database() -> tuple[str, list[str], list[tuple[str, int]]]:
    if connection.vendor != "postgresql":
        sys.exit("bench_open311 needs DATABASE_URL pointing at a PostgreSQL database")
    call_command("setup", verbosity=0)
    call_command("import", "agencies", str(AGENCIES_CSV), verbosity=0)
    province = Agency.objects.get(code="H44")
    Category.objects.filter(agency__isnull=True).update(agency=province)
    communes = list(Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE).select_related("unit").order_by("code")[:20])
    for agency in communes:
        RoutingRule.objects.get_or_create(category=None, commune=agency.unit, defaults={"agency": agency})
    _, secret = apikey_create(name=f"bench-o311-{int(clock.time())}", agency_code="H44")
    codes = [c.code for c in Category.objects.filter(is_active=True)
             if not any(a.required for a in attributes_for(c.code))]
    return secret, codes, [(a.unit.code, a.pk) for a in communes]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`tinhso serve` in a subprocess, stopped with SIGTERM (graceful)."""

    def __init__(self, workers: int) -> None:
        self.port = free_port()
        env = {**os.environ, "LOG_LEVEL": "WARNING"}
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 — lives as long as the server
        self.process = subprocess.Popen(
            [str(TINHSO), "serve", "--port", str(self.port), "--workers", str(workers)],
            env=env, stdout=subprocess.DEVNULL, stderr=self.log,
        )
        deadline = clock.monotonic() + 60
        while clock.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/open311/v2/services.json")
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
        for _ in range(workers * 4):  # each worker imports lazily: warm them all up
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            conn.request("GET", "/open311/v2/services.json")
            conn.getresponse().read()
            conn.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def body(rng: random.Random, secret: str, codes: list[str], communes: list[str]) -> bytes:
    return urlencode({
        "api_key": secret,
        "service_code": rng.choice(codes),
        "lat": f"{21.30 + rng.random() * 0.05:.6f}",
        "long": f"{105.38 + rng.random() * 0.05:.6f}",
        "address_id": rng.choice(communes),
        "address_string": f"Số {rng.randrange(1, 300)} đường Hùng Vương",
        "description": rng.choice(PROBLEMS),
        "first_name": rng.choice(GIVEN), "last_name": rng.choice(SURNAMES),
        "phone": f"09{rng.randrange(10**8):08d}",
    }).encode()


def client(port: int, secret: str, codes: list[str], communes: list[str], start_at: float, seconds: float,
           seed: int, out: Any) -> None:
    """One client process: POST reports on one keep-alive connection until the time is up."""
    rng = random.Random(seed)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    ok = failed = 0
    latencies: list[float] = []
    errors: dict[str, int] = {}
    while clock.time() < start_at:
        clock.sleep(0.001)
    end = start_at + seconds
    while (t0 := clock.time()) < end:
        try:
            conn.request("POST", "/open311/v2/requests.json", body=body(rng, secret, codes, communes), headers=headers)
            response = conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as exc:
            failed += 1
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        if response.status == 200:
            ok += 1
            latencies.append(clock.time() - t0)
        else:
            failed += 1
            key = f"{response.status} {payload[:160]!r}"
            errors[key] = errors.get(key, 0) + 1
    conn.close()
    out.put((ok, failed, latencies, errors))


def run_open311(*, secret: str, codes: list[str], communes: list[str], clients: int, workers: int, seconds: float,
                seed: int) -> dict[str, Any]:
    server = Server(workers)
    try:
        queue: Any = mp.Queue()
        start_at = clock.time() + 1.0
        procs = [mp.Process(target=client, args=(server.port, secret, codes, communes, start_at, seconds, seed + i, queue))
                 for i in range(clients)]
        for p in procs:
            p.start()
        results = [queue.get() for _ in procs]
        for p in procs:
            p.join()
    finally:
        server.stop()
    latencies = sorted(x for r in results for x in r[2])
    errors: dict[str, int] = {}
    for r in results:
        for k, v in r[3].items():
            errors[k] = errors.get(k, 0) + v
    ok = sum(r[0] for r in results)
    return {
        "rate": ok / seconds, "failed": sum(r[1] for r in results), "errors": errors,
        "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else float("nan"),
        "p95_ms": 1000 * latencies[int(len(latencies) * 0.95)] if latencies else float("nan"),
    }


def pgbench_script(categories: list[int], communes: list[tuple[str, int]], unit_ids: list[int]) -> str:
    """One report's rows, as the service writes them (same tables and columns)."""
    cats = ",".join(map(str, categories))
    agencies = ",".join(str(pk) for _code, pk in communes)
    units = ",".join(map(str, unit_ids))
    return f"""\\set ci random(1, {len(categories)})
\\set ai random(1, {len(communes)})
\\set tok random(1, 1000000000000)
BEGIN;
SELECT (ARRAY[{cats}])[:ci] AS cat, (ARRAY[{agencies}])[:ai] AS agency, (ARRAY[{units}])[:ai] AS unit \\gset
INSERT INTO feedback_report (description, latitude, longitude, address, channel, reporter_name, reporter_phone, reporter_email, phone_verified, anonymous, is_public, status, received_at, due_at, answered_at, closed_at, public_answer, reject_reason, satisfied, reopen_count, warned_at, escalated_at, token, survey_token, version, created_at, updated_at, agency_id, api_key_id, category_id, commune_id, handler_id, attributes, media_url) VALUES ('Đèn đường không sáng từ tối qua, đoạn đường rất tối.', 21.322700, 105.402000, 'Số 12 đường Hùng Vương', 'open311', 'Trần Thị Bình', '0987654321', '', true, false, true, 'assigned', now(), now() + interval '7 days', NULL, NULL, '', '', NULL, 0, NULL, NULL, left(md5(random()::text || :client_id), 24), left(md5(random()::text || :tok), 24), 1, now(), now(), :agency, NULL, :cat, :unit, NULL, '{{}}', '') RETURNING id \\gset
INSERT INTO feedback_reportevent (at, actor_name, action, from_status, to_status, note, is_public, actor_id, from_agency_id, report_id, to_agency_id) VALUES (now(), 'Trần Thị Bình', 'submit', '', 'received', '', false, NULL, NULL, :id, NULL);
INSERT INTO audit_auditentry (at, actor_id, api_key_id, action, object_type, object_id, data) VALUES (now(), NULL, NULL, 'report.submit', 'report', :id, '{{"channel": "open311", "category": "chieu-sang"}}');
INSERT INTO feedback_reportevent (at, actor_name, action, from_status, to_status, note, is_public, actor_id, from_agency_id, report_id, to_agency_id) VALUES (now(), 'Hệ thống', 'assign', 'received', 'assigned', 'Phân công tự động theo quy tắc', false, NULL, NULL, :id, :agency);
INSERT INTO audit_auditentry (at, actor_id, api_key_id, action, object_type, object_id, data) VALUES (now(), NULL, NULL, 'report.assign', 'report', :id, '{{"agency": "H44.100", "rule": "routing"}}');
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

    secret, codes, communes = prepare_database()
    category_ids = list(Category.objects.filter(code__in=codes).values_list("pk", flat=True))
    unit_ids = list(Agency.objects.filter(pk__in=[pk for _c, pk in communes]).order_by("code").values_list("unit_id", flat=True))
    script = pgbench_script(category_ids, communes, unit_ids)
    commune_codes = [code for code, _pk in communes]
    connection.close()
    rates: dict[str, list[float]] = {"open311": [], "pgbench": []}
    for repeat in range(args.repeats):
        for label in rates:
            if label == "pgbench":
                result = run_pgbench(script, args.clients, args.seconds)
            else:
                result = run_open311(secret=secret, codes=codes, communes=commune_codes, clients=args.clients,
                                     workers=args.workers, seconds=args.seconds, seed=args.seed * 1000 + repeat * 10)
            rates[label].append(result["rate"])
            extra = f", p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms" if "p50_ms" in result else ""
            print(f"run {repeat + 1} {label:8}: {result['rate']:8.1f} /s ({result['failed']} failed{extra})"
                  + (f" errors {result['errors']}" if result.get("errors") else ""), flush=True)
    median = {label: statistics.median(values) for label, values in rates.items()}
    print()
    print(f"clients {args.clients}, server workers {args.workers}, {args.seconds} s per run, {args.repeats} runs each")
    for label, value in median.items():
        print(f"median {label:8}: {value:8.1f} /s")
    print(f"ratio open311 / pgbench: {median['open311'] / median['pgbench']:.3f}")


if __name__ == "__main__":
    main()
