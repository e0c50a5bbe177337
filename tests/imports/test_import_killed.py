"""A killed import loses nothing and doubles nothing: `tinhso import dossiers FILE` of 30,000
lines, killed with SIGKILL after some batches were committed, then run again to the end, leaves
every line's dossier exactly once, and the live index counters equal a rebuild's.

PostgreSQL only: that is where a kill in the middle of a `COPY` proves something about the
transaction of each batch (SQLite serialises the writer on the file).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from typing import Any

import pytest
from django.db import connection

from tests.imports.conftest import ScratchDatabase, jsonl, realistic_lines
from tinhso.dossiers.imports import BATCH_SIZE
from tinhso.indicators.contributions import COLUMNS
from tinhso.indicators.models import AgencyMonthCounter, DossierCounter

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="killing an import mid-COPY needs PostgreSQL"),
]

LINES = 30_000


def _count(db: ScratchDatabase) -> int:
    return db.sql("SELECT count(*) FROM dossiers_dossier")[0][0]


def _counters(db: ScratchDatabase) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """The non-zero rows of the counter table and of its (agency, month) roll-up (without the
    roll-up's version, which a rebuild renews)."""
    columns = ", ".join(COLUMNS)
    nonzero = " OR ".join(f"{c} <> 0" for c in COLUMNS)
    counters = db.sql(f"SELECT agency_id, procedure_id, month, {columns} FROM {DossierCounter._meta.db_table} "
                      f"WHERE {nonzero}")
    rollup = db.sql(f"SELECT agency_id, month, {columns} FROM {AgencyMonthCounter._meta.db_table} WHERE {nonzero}")
    return set(counters), set(rollup)


def test_an_import_killed_mid_file_completes_on_rerun(scratch_database: ScratchDatabase, tmp_path):
    """Killed once at least one batch of 5,000 was committed: the database holds whole batches
    only; the rerun creates the rest and updates the committed ones, every code exactly once,
    and a rebuild of the counters leaves them as the import kept them live. Under 60 s."""
    db = scratch_database
    lines = list(realistic_lines(LINES, prefix="K"))
    codes = {obj["code"] for obj in lines}
    assert len(codes) == LINES
    path = tmp_path / "history.jsonl"
    path.write_text(jsonl(*lines), encoding="utf-8")

    started = time.monotonic()
    process = db.popen("import", "dossiers", str(path), "--verbosity", "0",
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while (seen := _count(db)) < BATCH_SIZE and process.poll() is None and time.monotonic() - started < 60:
            time.sleep(0.02)
        assert process.poll() is None, f"the import ended before it could be killed (exit {process.returncode})"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
        assert process.stderr is not None
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    committed = _count(db)
    assert BATCH_SIZE <= seen <= committed < LINES  # killed mid-file, after at least one batch
    assert committed % BATCH_SIZE == 0  # whole batches only: the one being written was rolled back

    rerun = db.run("import", "dossiers", str(path), "--verbosity", "0", "--json", timeout=120)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert json.loads(rerun.stdout) == {"created": LINES - committed, "updated": committed, "rejected": 0, "errors": []}
    assert db.sql("SELECT count(*), count(DISTINCT code) FROM dossiers_dossier") == [(LINES, LINES)]
    assert {code for (code,) in db.sql("SELECT code FROM dossiers_dossier")} == codes

    live = _counters(db)
    assert live[0] and live[1]
    rebuilt = db.run("indicators", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _counters(db) == live
    assert time.monotonic() - started < 60
