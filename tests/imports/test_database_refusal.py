"""A batch the database refuses is narrowed to its lines: rolled back, written again in halves
down to single lines, the good lines stored, each refused line reported with its number, and the
index counters counting exactly the rows written (equal to a rebuild).

To reach the database with a value the validation would have caught, `_dossier_values` is
wrapped so that lines whose code starts with `BAD` carry a negative `fee_due` (the column's
CHECK constraint refuses it, on PostgreSQL and SQLite alike), a lone surrogate in the code (the
drivers cannot encode it) or, on PostgreSQL, a NUL in the code. A real refusal the validation cannot see — a code another writer commits between the
batch's look-up and its write — is made with a second connection.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import OperationalError, connection, connections, transaction

from tests.imports.conftest import jsonl, line
from tinhso.audit.models import AuditEntry
from tinhso.dossiers import imports
from tinhso.dossiers.imports import dossiers_import_stream
from tinhso.dossiers.models import Channel, Dossier
from tinhso.indicators.services import (
    counters_from_dossiers,
    counters_live,
    counters_rebuild,
    rollup_live,
    rollup_of,
)

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL refuses NUL; SQLite stores it")


# Characters the validation refuses in a code: PostgreSQL refuses NUL, and the drivers of both
# databases cannot encode a lone surrogate.
CHARACTERS = {"NUL": "\x00", "SURROGATE": "\ud800"}


def _let_through(monkeypatch: pytest.MonkeyPatch, *, field: str, value: Any) -> None:
    """Lines whose code starts with BAD pass validation and carry `value` in `field`."""
    valid = imports._dossier_values

    def values(obj: dict[str, Any], ctx: Any) -> dict[str, Any]:
        out = valid(obj, ctx)
        if out["code"].startswith("BAD"):
            out[field] = out["code"] + CHARACTERS[value] if value in CHARACTERS else value
        return out

    monkeypatch.setattr(imports, "_dossier_values", values)


def _assert_counters_exact() -> None:
    """The live counters equal a recount, and a rebuild (`tinhso indicators rebuild`) leaves them
    as they were."""
    live, rollup = counters_live(), rollup_live()
    assert live == counters_from_dossiers()
    assert rollup == rollup_of(live)
    counters_rebuild()
    assert counters_live() == live
    assert rollup_live() == rollup


def _lines(codes: list[str]) -> list[bytes]:
    return [jsonl(line(code, fee_due=1000 * (i + 1), status=4 if i % 3 else 10,
                       finished_at=None if i % 3 else "2024-01-06T15:00:00+07:00",
                       returned_at=None if i % 3 else "2024-01-07T09:00:00+07:00")).encode()
            for i, code in enumerate(codes)]


@pytest.mark.parametrize(
    ("field", "value"),
    [("fee_due", -1), ("code", "SURROGATE"), pytest.param("code", "NUL", marks=postgres_only)],
)
def test_refused_lines_are_reported_and_the_rest_of_the_batch_stored(world, monkeypatch, field, value):
    """Twelve lines in one batch, lines 4 and 11 refused by the database: the ten others are
    stored, the two reported as `the database refused this line: …` with their numbers, and the
    counters count only the ten."""
    _let_through(monkeypatch, field=field, value=value)
    codes = [f"D-{i}" for i in range(1, 13)]
    codes[3], codes[10] = "BAD-4", "BAD-11"
    report = dossiers_import_stream(_lines(codes), principal=None)
    assert (report.created, report.updated, report.rejected) == (10, 0, 2)
    assert [e.line for e in report.errors] == [4, 11]
    for error in report.errors:
        assert error.message.startswith("the database refused this line: "), error.message
        assert "\n" not in error.message
    assert all({"fee_due": "fee_due", "SURROGATE": "surrogates not allowed", "NUL": "NUL"}[
        field if field == "fee_due" else value] in e.message for e in report.errors), report.errors
    assert set(Dossier.objects.values_list("code", flat=True)) == {c for c in codes if not c.startswith("BAD")}
    _assert_counters_exact()
    audited = sum(e.data["created"] for e in AuditEntry.objects.filter(action="dossiers.import"))
    assert audited == 10  # the audit entries of the batches written, none of the rolled back


def test_refused_updates_leave_the_stored_dossiers_as_they_were(world, monkeypatch):
    """A re-import whose batch mixes updates and new lines, one update refused: the other
    updates and the new dossier are written, the refused dossier keeps its earlier values, and
    the counters follow exactly."""
    codes = ["U-1", "BAD-2", "U-3", "U-4"]
    assert dossiers_import_stream(_lines(codes), principal=None).created == 4
    _let_through(monkeypatch, field="fee_due", value=-1)
    again = [jsonl(line(code, fee_due=7, status=9, returned_at=None)).encode() for code in codes] + _lines(["U-5"])
    report = dossiers_import_stream(again, principal=None)
    assert (report.created, report.updated, report.rejected) == (1, 3, 1)
    assert report.errors[0].line == 2 and report.errors[0].message.startswith("the database refused this line: ")
    fees = dict(Dossier.objects.values_list("code", "fee_due"))
    assert fees == {"U-1": 7, "BAD-2": 2000, "U-3": 7, "U-4": 7, "U-5": 1000}
    _assert_counters_exact()


def test_many_refused_lines_across_batches(world, monkeypatch):
    """Batches of 8 over 40 lines, every fifth refused: 32 stored, 8 reported, each once."""
    monkeypatch.setattr(imports, "BATCH_SIZE", 8)
    _let_through(monkeypatch, field="fee_due", value=-5)
    codes = [f"BAD-{i}" if i % 5 == 0 else f"M-{i}" for i in range(1, 41)]
    report = dossiers_import_stream(_lines(codes), principal=None)
    assert (report.created, report.rejected) == (32, 8)
    assert [e.line for e in report.errors] == [5, 10, 15, 20, 25, 30, 35, 40]
    assert Dossier.objects.count() == 32
    _assert_counters_exact()


def test_inside_the_callers_transaction_each_batch_is_a_savepoint(world, monkeypatch):
    """Called inside a transaction (the API's import with an `Idempotency-Key`), a refused
    batch rolls back to its savepoint: the caller's transaction goes on and commits the rest."""
    _let_through(monkeypatch, field="fee_due", value=-1)
    with transaction.atomic():
        report = dossiers_import_stream(_lines(["A-1", "BAD-2", "A-3"]), principal=None)
        assert Dossier.objects.count() == 2
    assert (report.created, report.rejected) == (2, 1)
    assert set(Dossier.objects.values_list("code", flat=True)) == {"A-1", "A-3"}
    _assert_counters_exact()


def test_a_database_in_trouble_is_not_blamed_on_lines(world, monkeypatch):
    """An error no line causes (the connection lost, the disk full: `OperationalError`) is not
    bisected into line errors: the import raises (the command exits 1), the batches committed
    before it stay, and the counters still count exactly those."""
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    insert = imports._insert
    calls = 0

    def failing_insert(rows: list[dict[str, Any]], now: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OperationalError("server closed the connection unexpectedly")
        insert(rows, now)

    monkeypatch.setattr(imports, "_insert", failing_insert)
    with pytest.raises(OperationalError):
        dossiers_import_stream(_lines(["K-1", "K-2", "K-3", "K-4"]), principal=None)
    assert set(Dossier.objects.values_list("code", flat=True)) == {"K-1", "K-2"}
    _assert_counters_exact()


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_code_taken_by_another_writer_mid_batch(world, monkeypatch):
    """Another connection commits a dossier received in tinhso under one of the batch's codes
    after the batch looked its codes up: the batch's write breaks the unique constraint, is
    rolled back and written again in halves; the half holding that code now finds the live
    dossier and refuses to overwrite it, every other line is stored."""
    insert = imports._insert
    taken = "H-3"

    def insert_after_a_rival(rows: list[dict[str, Any]], now: Any) -> None:
        if not Dossier.objects.filter(code=taken).exists() and any(r["code"] == taken for r in rows):
            thread = threading.Thread(target=_rival_receipt, args=(world, taken))
            thread.start()
            thread.join()
        insert(rows, now)

    monkeypatch.setattr(imports, "_insert", insert_after_a_rival)
    report = dossiers_import_stream(_lines([f"H-{i}" for i in range(1, 9)]), principal=None)
    assert (report.created, report.rejected) == (7, 1)
    assert report.errors[0].line == 3 and "was received in tinhso, not imported" in report.errors[0].message
    rival = Dossier.objects.get(code=taken)
    assert not rival.imported and rival.applicant_name == "Người nộp trước"
    assert Dossier.objects.filter(imported=True).count() == 7
    assert AuditEntry.objects.filter(action="dossiers.import").count() == 2  # the two halves; the whole was refused
    assert counters_live() == counters_from_dossiers()


def _rival_receipt(world, code: str) -> None:
    """A dossier under `code`, committed on this thread's own connection."""
    try:
        Dossier.objects.create(
            code=code, procedure=world.procedure, receiving_agency=world.commune, handling_agency=world.commune,
            channel=Channel.COUNTER, applicant_type="citizen", applicant_name="Người nộp trước",
        )
    finally:
        connections.close_all()
