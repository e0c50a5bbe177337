"""Benchmark: a citizen's online submission with three 1 MB files through the real HTTP path,
against raw SQL writing the same rows plus the same bytes written to disk.

Run by hand, not a test, against a fresh PostgreSQL database of its own (dossiers accumulate)::

    psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS tinhso_bench_online' \\
         -c 'CREATE DATABASE tinhso_bench_online'
    DJANGO_SETTINGS_MODULE=tinhso.settings TINHSO_VAR_DIR=/tmp/bench-var-online \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tinhso_bench_online \\
        .venv/bin/python bench/bench_online_submission.py [--seconds 20] [--repeats 3] [--clients 4] [--workers 4]

Sets the database up (`tinhso setup`, `tinhso import agencies` with the Phú Thọ agencies) and
`--citizens` citizens (name and ID number declared), each signed in (`Client.force_login`: a row
of the session store, as the phone-code or VNeID sign-in leaves; the client sends its cookie
and a CSRF token, as the web space and a mini-app in a web view do). One probe submission runs
in process first and its SQL is tallied by (statement, table): the baseline must write exactly
the same tally, or the bench stops. Then, per repeat, two runs of `--seconds` each, alternating:

* **api** — `tinhso serve --workers W` (gunicorn, the production server) in a subprocess; C client
  processes, each on one keep-alive `http.client` connection, POST `/api/v1/citizen/dossiers`
  (multipart, a fresh `Idempotency-Key`) in a loop, each request as the next of the client's
  citizens: a random commune-level online procedure that has components 1, 2 and 3 and requires
  no other, a random one of the first 20 communes, `file_1`, `file_2`, `file_3` each a 1 MiB PDF
  (unique bytes: files are stored under their SHA-256). The product checks the session, the key,
  the profile, the procedure and the agency, hashes and sniffs each file, writes it to storage,
  puts it in the citizen's store and, in one transaction, writes the rows. Counts 201 answers →
  dossiers/s and latency. While it runs, the RSS of the server (gunicorn's master and workers,
  from /proc) is sampled every 0.25 s: it must stay flat, the files are not kept in memory.
* **baseline** — C Python processes, each on one psycopg connection, per submission: the same
  three 1 MiB files built, hashed (the product names files by digest) and written to disk under
  the same layout (`<dir>/dossiers/<sha>`, plain `open`/`write` as `FileSystemStorage` does, no
  fsync), then one transaction with the product's writes, in its order, without any read:
  the idempotency row (expired-key `DELETE`, `INSERT`, final `UPDATE`), three `citizens_document`
  rows with an audit entry each, the sequence upsert, the dossier, three attachments with an
  audit entry each, the `components_digitised` update, the history row, the submission's audit
  entry, the three `citizens_documentuse` rows, the draft `DELETE`; then the session row's
  `UPDATE` (the product saves the session after the response). The floor of the same work.

Prints each run, the medians, the ratio api/baseline, the server's RSS, the load average around
each run, the commit and the database. Server, clients and PostgreSQL share the machine.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import multiprocessing as mp
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time as clock
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The receipt bench's server wrapper (importing it sets Django up).
from bench_receive_api import AGENCIES_CSV, Server  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from tinhso.agencies.models import Agency, AgencyKind  # noqa: E402
from tinhso.catalogue.models import Procedure  # noqa: E402
from tinhso.citizens import services as cs  # noqa: E402
from tinhso.citizens.models import Citizen, FieldSource  # noqa: E402
from tinhso.dossiers.models import Dossier  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CSRF = "benchcsrf" + "0" * 23  # a 32-character CSRF secret, sent as cookie and header
FILE_BYTES = 1024 * 1024
COMPONENTS = (1, 2, 3)
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Hà", "Hương", "Lan", "Long", "Mai", "Nam", "Sơn", "Trang")


def _one_page_pdf(text: str) -> bytes:
    from fpdf import FPDF

    document = FPDF(format="A4")
    document.add_page()
    document.set_font("helvetica", size=12)
    document.cell(text=text)
    return bytes(document.output())


def _scan_body() -> bytes:
    """A real one-page PDF padded with a comment line to FILE_BYTES minus the tag's room (a scan's size)."""
    pdf = _one_page_pdf("Giay to - bench")
    pad = FILE_BYTES - len(pdf) - 64
    return pdf + b"%" + bytes(random.Random(1).choices(b"0123456789abcdef", k=pad - 2)) + b"\n"


SCAN = _scan_body()


def scan(tag: str) -> bytes:
    """FILE_BYTES of PDF, unique by `tag`."""
    return SCAN + f"% {tag}".encode().ljust(63, b" ")[:63] + b"\n"


def _table_tally(sqls: list[str]) -> Counter[str]:
    """Writes by statement and table: "INSERT dossiers_dossier" → 1 …"""
    tally: Counter[str] = Counter()
    for sql in sqls:
        m = re.match(r'\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', sql, re.I)
        if m:
            tally[f"{m[1].split()[0].upper()} {m[2]}"] += 1
    return tally


def prepare_database(n_citizens: int) -> tuple[list[dict[str, Any]], list[Agency], list[Procedure], int, Counter[str]]:
    if connection.vendor != "postgresql":
        sys.exit("bench_online_submission needs DATABASE_URL pointing at a PostgreSQL database")
    call_command("setup", verbosity=0)
    call_command("import", "agencies", str(AGENCIES_CSV), verbosity=0)
    before = Dossier.objects.count()
    communes = list(Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE).order_by("code")[:20])
    procedures = []
    for p in (Procedure.objects.filter(level="commune", is_active=True, online_level__in=cs.ONLINE_LEVELS)
              .prefetch_related("components").order_by("code")):
        orders = {c.order for c in p.components.all()}
        required = {c.order for c in p.components.all() if c.is_required}
        if set(COMPONENTS) <= orders and required <= set(COMPONENTS):
            procedures.append(p)
    if not procedures:
        sys.exit("no commune-level online procedure with components 1–3 and no other required")
    run = uuid.uuid4().hex[:6]
    rng = random.Random(7)
    citizens = []
    for i in range(n_citizens + 1):
        user = get_user_model().objects.create_user(username=f"cd-bench-{run}-{i}")
        born = rng.randrange(1950, 2005)
        citizen = Citizen.objects.create(
            user=user, full_name=f"{rng.choice(SURNAMES)} Văn {rng.choice(GIVEN)}",
            id_number=f"025{rng.randrange(2)}{born % 100:02d}{rng.randrange(10**6):06d}",
            phone=f"081{int(run, 16) % 1000:03d}{i:04d}", street="Khu 3, phường Việt Trì",
            sources={"full_name": FieldSource.DECLARED, "id_number": FieldSource.DECLARED},
        )
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        citizens.append({"citizen": citizen.pk, "user": user.pk, "name": citizen.full_name,
                         "id_number": citizen.id_number, "phone": citizen.phone,
                         "session": client.cookies[settings.SESSION_COOKIE_NAME].value, "client": client})
    # The probe: one submission in process, its writes tallied (the last citizen, not used after).
    probe = citizens.pop()
    files = {f"file_{n}": SimpleUploadedFile(f"giay-to-{n}.pdf", scan(f"probe {run} {n}"), "application/pdf")
             for n in COMPONENTS}
    with CaptureQueriesContext(connection) as queries:
        answer = probe["client"].post("/api/v1/citizen/dossiers", {
            "procedure_code": procedures[0].code, "agency_code": communes[0].code, "summary": "Nộp trực tuyến", **files,
        }, HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    if answer.status_code != 201:
        sys.exit(f"the probe submission failed: {answer.status_code} {answer.content[:300]!r}")
    for c in citizens:
        del c["client"]
    return citizens, communes, procedures, before, _table_tally([q["sql"] for q in queries.captured_queries])


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _wait(start_at: float) -> None:
    while clock.time() < start_at:
        clock.sleep(0.001)


def api_client(port: int, citizens: list[dict[str, Any]], communes: list[str], procedures: list[str],
               start_at: float, seconds: float, seed: int, out: Any) -> None:
    """One client process: submissions on one keep-alive connection, citizen after citizen."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    ok = failed = n = 0
    latencies: list[float] = []
    errors: dict[str, int] = {}
    _wait(start_at)
    end = start_at + seconds
    while clock.time() < end:
        who = citizens[n % len(citizens)]
        n += 1
        body, content_type = multipart(
            {"procedure_code": rng.choice(procedures), "agency_code": rng.choice(communes), "summary": "Nộp trực tuyến"},
            {f"file_{c}": (f"giay-to-{c}.pdf", scan(f"api {seed} {n} {c}")) for c in COMPONENTS},
        )
        headers = {
            "Content-Type": content_type, "X-CSRFToken": CSRF, "Idempotency-Key": uuid.uuid4().hex,
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={who['session']}; {settings.CSRF_COOKIE_NAME}={CSRF}",
        }
        t0 = clock.time()
        try:
            conn.request("POST", "/api/v1/citizen/dossiers", body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as exc:
            failed += 1
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        if response.status == 201:
            ok += 1
            latencies.append(clock.time() - t0)
        else:
            failed += 1
            key = f"{response.status} {payload[:160]!r}"
            errors[key] = errors.get(key, 0) + 1
    conn.close()
    out.put((ok, failed, latencies, errors))


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree(pid: int) -> list[int]:
    """The process and its descendants (gunicorn's master and workers), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


class RssSampler(threading.Thread):
    """Samples the server's total RSS (master + workers) and its largest worker's, every `every` s."""

    def __init__(self, pid: int, every: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.samples: list[tuple[float, int, int]] = []  # (time, total KiB, largest process KiB)
        self.halt = threading.Event()

    def sample(self) -> None:
        sizes = [_rss_kib(p) for p in _tree(self.pid)]
        self.samples.append((clock.time(), sum(sizes), max(sizes, default=0)))

    def run(self) -> None:
        while not self.halt.is_set():
            self.sample()
            self.halt.wait(self.every)


def run_api(*, citizens: list[dict[str, Any]], communes: list[str], procedures: list[str], clients: int, workers: int,
            seconds: float, seed: int) -> dict[str, Any]:
    server = Server(workers, live_counters=True)
    try:
        sampler = RssSampler(server.process.pid)
        sampler.sample()  # after the warm-up, before the load
        idle = sampler.samples[0]
        queue: Any = mp.Queue()
        start_at = clock.time() + 1.0
        procs = [
            mp.Process(target=api_client, args=(server.port, citizens[i::clients], communes, procedures, start_at,
                                                 seconds, seed + i, queue))
            for i in range(clients)
        ]
        for p in procs:
            p.start()
        sampler.start()
        results = [queue.get() for _ in procs]
        sampler.halt.set()
        sampler.join()
        for p in procs:
            p.join()
    finally:
        server.stop()
    loaded = [s for s in sampler.samples[1:] if start_at <= s[0] <= start_at + seconds]
    latencies = sorted(lat for r in results for lat in r[2])
    errors: dict[str, int] = {}
    for r in results:
        for k, v in r[3].items():
            errors[k] = errors.get(k, 0) + v
    ok = sum(r[0] for r in results)
    third = max(1, len(loaded) // 3)
    return {
        "rate": ok / seconds, "ok": ok, "failed": sum(r[1] for r in results), "errors": errors,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p95_ms": 1000 * latencies[int(len(latencies) * 0.95)] if latencies else float("nan"),
        "rss_idle_mib": idle[1] / 1024,
        "rss_first_third_mib": statistics.median(s[1] for s in loaded[:third]) / 1024 if loaded else float("nan"),
        "rss_last_third_mib": statistics.median(s[1] for s in loaded[-third:]) / 1024 if loaded else float("nan"),
        "rss_max_mib": max((s[1] for s in loaded), default=0) / 1024,
        "rss_worker_max_mib": max((s[2] for s in loaded), default=0) / 1024,
        "rss_samples": len(loaded),
    }


# --- the baseline ---------------------------------------------------------------------------

SQL_DOCUMENT = """INSERT INTO citizens_document (citizen_id, origin, document_type, name, number, issuer, issued_on,
  expires_on, filename, file, sha256, size, content_type, result_of_id, created_at, deleted_at)
  VALUES (%s, 'uploaded', '', %s, '', '', NULL, NULL, %s, %s, %s, %s, 'application/pdf', NULL, now(), NULL) RETURNING id"""
SQL_AUDIT = """INSERT INTO audit_auditentry (at, actor_id, api_key_id, action, object_type, object_id, data)
  VALUES (now(), %s, NULL, %s, %s, %s, %s)"""
SQL_DOSSIER = """INSERT INTO dossiers_dossier (code, procedure_id, receiving_agency_id, handling_agency_id, channel,
  status, applicant_type, applicant_id_number, applicant_name, applicant_name_search, applicant_birth_date,
  applicant_address, applicant_phone, applicant_email, representative_name, representative_id_number, summary,
  submitted_at, received_at, due_at, legal_due_at, finished_at, returned_at, paused_at, paused_seconds,
  marked_overdue, current_step_id, current_handler_id, step_due_at, extended, extension_reason, stop_reason,
  components_digitised, result_kind, result_number, fee_due, fee_paid, fee_paid_online, rating, rated_at,
  complained, applicant_account_id, applicant_verified, documents_required, documents_reused, result_in_store,
  result_delivery, result_delivery_address, imported, version, created_at, updated_at)
  VALUES (%s, %s, %s, %s, 2, 1, 'citizen', %s, %s, lower(%s), NULL, 'Khu 3, phường Việt Trì', %s, '', '', '',
  'Nộp trực tuyến', now(), NULL, NULL, NULL, NULL, NULL, NULL, 0, false, NULL, NULL, NULL, false, '', '', false,
  '', '', 0, false, false, '', NULL, false, %s, false, true, false, false, 'electronic', '', false, 1, now(), now())
  RETURNING id"""
SQL_ATTACHMENT = """INSERT INTO dossiers_attachment (dossier_id, kind, name, filename, file, sha256, size,
  content_type, digitised, reused, component_number, uploaded_at, uploaded_by_id)
  VALUES (%s, 'component', %s, %s, %s, %s, %s, 'application/pdf', true, false, %s, now(), %s) RETURNING id"""


def baseline_statements() -> Counter[str]:
    """The baseline's writes per submission, tallied like the product's probe."""
    return _table_tally(
        ["DELETE FROM idempotency_idempotentrequest", "INSERT INTO idempotency_idempotentrequest"]
        + [SQL_DOCUMENT, SQL_AUDIT] * len(COMPONENTS)
        + ["INSERT INTO dossiers_dossiersequence", SQL_DOSSIER] + [SQL_ATTACHMENT, SQL_AUDIT] * len(COMPONENTS)
        + ["UPDATE dossiers_dossier", "INSERT INTO dossiers_dossierevent", SQL_AUDIT,
           "INSERT INTO citizens_documentuse", "DELETE FROM citizens_draft",
           "UPDATE idempotency_idempotentrequest", "UPDATE django_session"])


def baseline_client(dsn: dict[str, Any], media: str, citizens: list[dict[str, Any]], communes: list[tuple[int, str]],
                    procedures: list[tuple[int, list[str]]], start_at: float, seconds: float, seed: int,
                    out: Any) -> None:
    import psycopg

    rng = random.Random(seed)
    conn = psycopg.connect(**dsn, autocommit=True)
    ok = n = 0
    latencies: list[float] = []
    _wait(start_at)
    end = start_at + seconds
    while clock.time() < end:
        who = citizens[n % len(citizens)]
        n += 1
        agency_id, agency_code = rng.choice(communes)
        procedure_id, names = rng.choice(procedures)
        contents = [scan(f"base {seed} {n} {c}") for c in COMPONENTS]
        t0 = clock.time()
        stored = []
        for content in contents:
            sha = hashlib.sha256(content).hexdigest()
            path = Path(media, "dossiers", sha)
            with open(path, "wb") as fh:
                fh.write(content)
            stored.append((sha, f"dossiers/{sha}", len(content)))
        key, owner, uid = uuid.uuid4().hex, f"user:{who['user']}", who["user"]
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("DELETE FROM idempotency_idempotentrequest WHERE expires_at <= now() AND key = %s AND owner = %s",
                        (key, owner))
            cur.execute("""INSERT INTO idempotency_idempotentrequest (owner, key, operation, fingerprint, status,
                content_type, body, created_at, expires_at) VALUES (%s, %s, 'POST /api/v1/citizen/dossiers', '', 0,
                '', ''::bytea, now(), now() + interval '1 day') RETURNING id""", (owner, key))
            idem = cur.fetchone()[0]
            documents = []
            for (sha, name, size), component in zip(stored, names, strict=True):
                cur.execute(SQL_DOCUMENT, (who["citizen"], component, "giay-to.pdf", name, sha, size))
                documents.append(cur.fetchone()[0])
                cur.execute(SQL_AUDIT, (uid, "citizen.document_stored", "document", str(documents[-1]),
                                        json.dumps({"sha256": sha, "type": "", "origin": "uploaded"})))
            cur.execute("""INSERT INTO dossiers_dossiersequence (agency_id, day, last) VALUES (%s, current_date, 1)
                ON CONFLICT (agency_id, day) DO UPDATE SET last = dossiers_dossiersequence.last + 1 RETURNING last""",
                        (agency_id,))
            code = f"B{agency_code}-{datetime.now(UTC):%y%m%d}-{cur.fetchone()[0]:04d}"
            cur.execute(SQL_DOSSIER, (code, procedure_id, agency_id, agency_id, who["id_number"], who["name"],
                                      who["name"], who["phone"], uid))
            dossier = cur.fetchone()[0]
            attachments = []
            for number, ((sha, name, size), component) in enumerate(zip(stored, names, strict=True), 1):
                cur.execute(SQL_ATTACHMENT, (dossier, component, "giay-to.pdf", name, sha, size, number, uid))
                attachments.append(cur.fetchone()[0])
                cur.execute(SQL_AUDIT, (uid, "dossier.attachment_added", "dossier", code, json.dumps(
                    {"sha256": sha, "size": size, "type": "application/pdf", "name": component})))
            cur.execute("UPDATE dossiers_dossier SET components_digitised = true WHERE id = %s", (dossier,))
            cur.execute("""INSERT INTO dossiers_dossierevent (dossier_id, at, actor_id, actor_name, action,
                from_status, to_status, from_agency_id, to_agency_id, from_step, to_step, due_before, due_after, note)
                VALUES (%s, now(), %s, %s, 'submit', NULL, 1, NULL, %s, '', '', NULL, NULL, '')""",
                        (dossier, uid, who["name"], agency_id))
            cur.execute(SQL_AUDIT, (uid, "dossier.submit", "dossier", code, json.dumps(
                {"from_status": None, "to_status": 1, "note": "", "reused": 0, "verified": False})))
            cur.execute("""INSERT INTO citizens_documentuse (document_id, dossier_id, attachment_id, reused, at)
                SELECT d, %s, a, false, now() FROM unnest(%s::bigint[], %s::bigint[]) AS u(d, a)""",
                        (dossier, documents, attachments))
            cur.execute("DELETE FROM citizens_draft WHERE citizen_id = %s AND procedure_id = %s",
                        (who["citizen"], procedure_id))
            cur.execute("""UPDATE idempotency_idempotentrequest SET fingerprint = %s, status = 201,
                content_type = 'application/json; charset=utf-8', body = %s WHERE id = %s""",
                        (stored[0][0], json.dumps({"code": code, "status": 1, "form": None}).encode(), idem))
        with conn.cursor() as cur:  # the session, saved after the response, in its own transaction
            cur.execute("UPDATE django_session SET expire_date = expire_date WHERE session_key = %s",
                        (who["session"],))
        ok += 1
        latencies.append(clock.time() - t0)
    conn.close()
    out.put((ok, 0, latencies, {}))


def run_baseline(*, citizens: list[dict[str, Any]], communes: list[Agency], procedures: list[Procedure],
                 clients: int, seconds: float, seed: int) -> dict[str, Any]:
    s = connection.settings_dict
    dsn = {"dbname": s["NAME"], "host": s.get("HOST") or "127.0.0.1", "port": s.get("PORT") or 5432,
           "user": s.get("USER") or "postgres", "password": s.get("PASSWORD") or None}
    media = tempfile.mkdtemp(prefix="bench-online-", dir=str(Path(settings.MEDIA_ROOT).parent))
    Path(media, "dossiers").mkdir()
    comms = [(a.pk, a.code) for a in communes]
    procs_ = [(p.pk, [c.name[:500] for c in sorted(p.components.all(), key=lambda c: c.order)][:len(COMPONENTS)])
              for p in procedures]
    try:
        queue: Any = mp.Queue()
        start_at = clock.time() + 1.0
        procs = [mp.Process(target=baseline_client, args=(dsn, media, citizens[i::clients], comms, procs_, start_at,
                                                          seconds, seed + i, queue)) for i in range(clients)]
        for p in procs:
            p.start()
        results = [queue.get() for _ in procs]
        for p in procs:
            p.join()
    finally:
        shutil.rmtree(media, ignore_errors=True)
    latencies = sorted(lat for r in results for lat in r[2])
    ok = sum(r[0] for r in results)
    return {"rate": ok / seconds, "ok": ok, "failed": 0, "errors": {},
            "p50_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
            "p95_ms": 1000 * latencies[int(len(latencies) * 0.95)] if latencies else float("nan")}


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()

    dirty = git("status", "--porcelain", "--untracked-files=no")
    return git("rev-parse", "--short", "HEAD") + (" (+ uncommitted changes)" if dirty else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--citizens", type=int, default=200)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    t0 = clock.monotonic()
    citizens, communes, procedures, before, product_writes = prepare_database(args.citizens)
    if product_writes != baseline_statements():
        sys.exit(f"the baseline no longer writes what the product writes:\n product  {sorted(product_writes.items())}"
                 f"\n baseline {sorted(baseline_statements().items())}")
    print(f"database {connection.settings_dict['NAME']} ({before} dossiers before), commit {_commit()}, "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; set-up {clock.monotonic() - t0:.1f} s: {len(citizens)} citizens "
          f"signed in, {len(procedures)} procedures ({', '.join(p.code for p in procedures)}), {len(communes)} "
          f"communes; {len(COMPONENTS)} files of {FILE_BYTES:,} bytes per submission; "
          f"{sum(product_writes.values())} write statements per submission (product = baseline)", flush=True)
    commune_codes, proc_codes = [a.code for a in communes], [p.code for p in procedures]
    connection.close()
    runs: dict[str, list[dict[str, Any]]] = {"api": [], "baseline": []}
    for repeat in range(args.repeats):
        for label in runs:
            load = os.getloadavg()[0]
            seed = args.seed * 1000 + repeat * 10
            if label == "baseline":
                result = run_baseline(citizens=citizens, communes=communes, procedures=procedures,
                                      clients=args.clients, seconds=args.seconds, seed=seed)
            else:
                result = run_api(citizens=citizens, communes=commune_codes, procedures=proc_codes,
                                 clients=args.clients, workers=args.workers, seconds=args.seconds, seed=seed)
            connection.close()
            runs[label].append(result)
            rss = (f"; server RSS idle {result['rss_idle_mib']:.0f} MiB, loaded first third "
                   f"{result['rss_first_third_mib']:.0f} / last third {result['rss_last_third_mib']:.0f} / max "
                   f"{result['rss_max_mib']:.0f} MiB, largest process {result['rss_worker_max_mib']:.0f} MiB "
                   f"({result['rss_samples']} samples)") if "rss_max_mib" in result else ""
            print(f"run {repeat + 1} {label:8}: {result['rate']:6.1f} /s ({result['ok']} ok, {result['failed']} failed"
                  f", p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms{rss}), "
                  f"load {load:.2f} → {os.getloadavg()[0]:.2f}"
                  + (f" errors {result['errors']}" if result.get("errors") else ""), flush=True)
    print()
    print(f"clients {args.clients}, server workers {args.workers} × 4 threads, {args.seconds} s per run, "
          f"{args.repeats} runs each, {os.cpu_count()} CPUs")
    median = {}
    for label, results in runs.items():
        median[label] = statistics.median(r["rate"] for r in results)
        print(f"median {label:8}: {median[label]:6.1f} /s, p50 latency {statistics.median(r['p50_ms'] for r in results):.0f} ms, "
              f"{median[label] * len(COMPONENTS) * FILE_BYTES / 2**20:.1f} MiB/s of files")
    print(f"ratio api / baseline: {median['api'] / median['baseline']:.3f}")
    connection.connect()
    print(f"dossiers now: {Dossier.objects.count()}")


if __name__ == "__main__":
    main()
