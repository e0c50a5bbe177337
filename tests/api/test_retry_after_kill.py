"""Retries are safe: four API clients receive 1,000 dossiers while `tinhso serve` is killed with
SIGKILL and restarted twice under them; every client retries each receipt with its
`Idempotency-Key` until it gets an answer. Every dossier exists exactly once: none lost (each
client holds a 201 for each of its receipts), none duplicated (1,000 rows, one per key).

PostgreSQL only: that is where a kill in the middle of transactions and parallel retries of one
key prove something (SQLite serialises every writer on the file).
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.db import connection

from tests.live import LiveSite

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="killing a server mid-transaction needs PostgreSQL"),
]

CLIENTS = 4
PER_CLIENT = 250


def _receipt(n: int) -> dict:
    return {
        "procedure_code": "1.000894", "agency_code": "H44.100", "channel": 1,
        "applicant": {"type": "citizen", "name": f"Người nộp {n}", "id_number": f"{25095000000 + n:012d}"},
        # The sample marriage registration's required components: the form and the ID papers.
        "components": [{"number": 1}, {"number": 2}],
    }


@pytest.fixture
def site(tmp_path: Path):
    live = LiveSite.create(tmp_path)
    try:
        yield live
    finally:
        live.destroy()


def test_retried_receipts_survive_kills_without_loss_or_duplicates(site: LiveSite) -> None:
    key = site.api_key()
    site.start(workers=2)
    answers: dict[str, str] = {}  # idempotency key → dossier code
    replays = 0
    failures: list[str] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        nonlocal replays
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {key}"
        for i in range(PER_CLIENT):
            n = index * PER_CLIENT + i
            idem = str(uuid.uuid4())
            deadline = time.monotonic() + 120
            while True:
                try:
                    response = session.post(f"{site.url}/api/v1/dossiers", json=_receipt(n),
                                            headers={"Idempotency-Key": idem}, timeout=10)
                except requests.RequestException:
                    response = None
                if response is not None and response.status_code == 201:
                    with lock:
                        answers[idem] = response.json()["code"]
                        replays += response.headers.get("Idempotent-Replayed") == "true"
                    break
                if response is not None and response.status_code < 500:
                    with lock:
                        failures.append(f"{response.status_code} {response.text[:200]}")
                    return
                if time.monotonic() > deadline:
                    with lock:
                        failures.append(f"receipt {n}: no answer within 120 s")
                    return
                time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for kill_at in (CLIENTS * PER_CLIENT // 4, CLIENTS * PER_CLIENT // 2):
        while len(answers) < kill_at and any(t.is_alive() for t in threads):
            time.sleep(0.02)
        site.kill()
        time.sleep(0.5)
        site.start(workers=2)
    for t in threads:
        t.join(timeout=300)

    assert not failures, failures[:5]
    assert len(answers) == CLIENTS * PER_CLIENT
    codes = list(answers.values())
    assert len(set(codes)) == len(codes), "two keys were answered with the same dossier"
    [(rows, distinct_names)] = site.sql("SELECT count(*), count(DISTINCT applicant_name) FROM dossiers_dossier")
    assert rows == CLIENTS * PER_CLIENT, f"{rows} dossiers for {CLIENTS * PER_CLIENT} receipts"
    assert distinct_names == rows
    [(stored,)] = site.sql("SELECT count(*) FROM idempotency_idempotentrequest")
    assert stored == CLIENTS * PER_CLIENT
    print(f"\n{rows} dossiers, {replays} answers replayed after a lost response")
