"""History and audit cannot be rewritten even with plain SQL: on PostgreSQL a trigger refuses
UPDATE and DELETE of the audit log, the dossier history and the report history, naming the
table, and the row stays as it was. (SQLite has the ORM's guard only, tested with the models.)"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from tests.factories import citizen
from tinhso.audit.models import AuditEntry
from tinhso.audit.services import audit_record
from tinhso.dossiers import services as dossier_services
from tinhso.dossiers.models import Channel, DossierEvent
from tinhso.feedback.models import ReportEvent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only triggers are PostgreSQL's"),
]


def _refused(sql: str, params: list[object], table: str) -> None:
    with pytest.raises(DatabaseError, match=f"{table} is append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def _row(table: str, pk: int) -> tuple[object, ...]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])
        row = cursor.fetchone()
    assert row is not None
    return row


def _assert_append_only(table: str, pk: int, column: str, value: object) -> None:
    before = _row(table, pk)
    _refused(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk], table)
    _refused(f"DELETE FROM {table} WHERE id = %s", [pk], table)
    assert _row(table, pk) == before


def test_the_audit_log_refuses_update_and_delete(world):
    entry = audit_record(principal=world.reception, action="test.write", object_type="thing", object_id=1,
                         data={"n": 1})
    _assert_append_only(AuditEntry._meta.db_table, entry.pk, "action", "forged")
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.write"


def test_the_dossier_history_refuses_update_and_delete(world):
    dossier = dossier_services.dossier_receive(principal=world.reception, agency=world.commune,
                                               procedure=world.procedure, applicant=citizen(),
                                               channel=Channel.COUNTER).dossier
    event = DossierEvent.objects.filter(dossier=dossier).first()
    assert event is not None
    _assert_append_only(DossierEvent._meta.db_table, event.pk, "note", "sửa lịch sử")


def test_the_report_history_refuses_update_and_delete(world):
    from tests.feedback.conftest import file_report
    from tinhso.feedback.defaults import load_default_categories

    load_default_categories()
    report = file_report()
    event = ReportEvent.objects.filter(report=report).first()
    assert event is not None
    _assert_append_only(ReportEvent._meta.db_table, event.pk, "note", "sửa lịch sử")


def test_inserting_still_works_and_other_tables_are_untouched(world):
    """The triggers are on the append-only tables alone: new rows go in, ordinary rows change."""
    audit_record(principal=None, action="test.write", object_type="thing", object_id=2)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE agencies_agency SET name = %s WHERE id = %s", ["UBND phường Việt Trì (mới)", world.commune.pk])
    world.commune.refresh_from_db()
    assert world.commune.name == "UBND phường Việt Trì (mới)"
