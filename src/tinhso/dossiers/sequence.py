"""Dossier codes: `{agency code}-{yyMMdd}-{NNNN}`, one sequence per receiving agency per day.

The next number comes from one atomic upsert, so parallel receipts at one agency never share a
number (PostgreSQL and SQLite both support `INSERT … ON CONFLICT … DO UPDATE … RETURNING`).
"""

from __future__ import annotations

from datetime import date

from django.db import connection

from tinhso.core.codes import dossier_code
from tinhso.dossiers.models import DossierSequence

_TABLE = DossierSequence._meta.db_table


def next_sequence(agency_id: int, day: date) -> int:
    sql = (
        f"INSERT INTO {_TABLE} (agency_id, day, last) VALUES (%s, %s, 1) "
        f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {_TABLE}.last + 1 RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [agency_id, day])
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def next_dossier_code(agency_id: int, agency_code: str, day: date) -> str:
    return dossier_code(agency_code, day, next_sequence(agency_id, day))
