"""Writes to the counters: apply a change (same transaction as the dossier's), rebuild from scratch."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth

from tinhso.indicators.contributions import COLUMNS, FINISHED_STATUSES, OPEN_STATUSES, Key
from tinhso.indicators.models import AgencyMonthCounter, DossierCounter

_TABLE = DossierCounter._meta.db_table
_UPSERT_HEAD = (
    f"INSERT INTO {_TABLE} (agency_id, procedure_id, month, {', '.join(COLUMNS)}) VALUES "
)
_UPSERT_TAIL = " ON CONFLICT (agency_id, procedure_id, month) DO UPDATE SET " + ", ".join(
    f"{c} = {_TABLE}.{c} + excluded.{c}" for c in COLUMNS
)
_ROW = "(" + ", ".join(["%s"] * (3 + len(COLUMNS))) + ")"
_UPSERT_ONE = _UPSERT_HEAD + _ROW + _UPSERT_TAIL
# The (agency, month) roll-up: the same deltas summed over procedures, and a new version.
_ROLLUP = AgencyMonthCounter._meta.db_table
_ROLLUP_HEAD = f"INSERT INTO {_ROLLUP} (agency_id, month, version, {', '.join(COLUMNS)}) "
_ROLLUP_TAIL = f" ON CONFLICT (agency_id, month) DO UPDATE SET version = {_ROLLUP}.version + 1, " + ", ".join(
    f"{c} = {_ROLLUP}.{c} + excluded.{c}" for c in COLUMNS
)
_ROLLUP_ONE = _ROLLUP_HEAD + "VALUES (" + ", ".join(["%s"] * (3 + len(COLUMNS))) + ")" + _ROLLUP_TAIL


def _new_version() -> int:
    return secrets.randbits(62)


def _rolled_up(params: list[list[Any]]) -> list[tuple[tuple[int, date], list[int]]]:
    """Counter delta rows (agency, procedure, month, *columns) summed per (agency, month), sorted."""
    out: dict[tuple[int, date], list[int]] = {}
    for agency_id, _procedure_id, month, *values in params:
        acc = out.get((agency_id, month))
        if acc is None:
            out[(agency_id, month)] = list(values)
        else:
            for i, v in enumerate(values):
                acc[i] += v
    return sorted(out.items())


def counters_apply(changes: Mapping[Key, Mapping[str, int]]) -> None:
    """Add the changes to the counters and their (agency, month) roll-up, one upsert per row
    (must run inside the dossier's transaction). Many rows (an import batch, a sweep) go as one
    `executemany`, which psycopg pipelines, or on PostgreSQL through a temporary table."""
    if not changes:
        return
    rows = sorted(changes.items())  # a fixed order: concurrent writers lock rows in the same order
    params: list[list[Any]] = [
        [agency_id, procedure_id, month, *(values.get(c, 0) for c in COLUMNS)]
        for (agency_id, procedure_id, month), values in rows
    ]
    # A new roll-up row starts at a random version (never one a process may have cached for a
    # row that a rebuild deleted); every change adds one.
    start = _new_version()
    with connection.cursor() as cursor:
        if len(params) == 1:
            cursor.execute(_UPSERT_ONE, params[0])
            agency_id, _procedure_id, month, *values = params[0]
            cursor.execute(_ROLLUP_ONE, [agency_id, month, start, *values])
        elif connection.vendor == "postgresql" and len(params) > 50:
            # A batch: COPY the changes into a temporary table, then one set-based upsert each.
            columns = ["agency_id", "procedure_id", "month", *COLUMNS]
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS counter_delta AS SELECT {', '.join(columns)} FROM {_TABLE} "
                "WITH NO DATA"
            )
            cursor.execute("TRUNCATE counter_delta")
            with cursor.cursor.copy(f"COPY counter_delta ({', '.join(columns)}) FROM STDIN") as copy:
                for row in params:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {_TABLE} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM counter_delta"
                + _UPSERT_TAIL
            )
            cursor.execute(
                _ROLLUP_HEAD + f"SELECT agency_id, month, %s, {', '.join(f'SUM({c})' for c in COLUMNS)} "
                "FROM counter_delta GROUP BY agency_id, month ORDER BY agency_id, month" + _ROLLUP_TAIL,
                [start],
            )
        else:
            cursor.executemany(_UPSERT_ONE, params)
            cursor.executemany(_ROLLUP_ONE, [[a, m, start, *values] for (a, m), values in _rolled_up(params)])


def _aggregate_queryset() -> Any:
    from tinhso.dossiers.models import Dossier

    finished = Q(status__in=FINISHED_STATUSES)
    late = finished & Q(finished_at__isnull=False, due_at__isnull=False, finished_at__gt=F("due_at"))
    overdue_open = Q(status__in=OPEN_STATUSES, marked_overdue=True)
    electronic = finished & Q(result_kind="electronic")
    return (
        Dossier.objects.filter(received_at__isnull=False)
        .annotate(month=TruncMonth("received_at", tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
        .values("receiving_agency_id", "procedure_id", "month")
        .annotate(
            n_received=Count("id"),
            n_online=Count("id", filter=Q(channel=2)),
            n_finished=Count("id", filter=finished),
            n_finished_late=Count("id", filter=late),
            n_overdue_open=Count("id", filter=overdue_open),
            n_with_fee=Count("id", filter=Q(fee_due__gt=0)),
            n_paid_online=Count("id", filter=Q(fee_paid_online=True)),
            n_digitised=Count("id", filter=Q(components_digitised=True)),
            n_result_electronic=Count("id", filter=electronic),
            n_rated=Count("id", filter=~Q(rating="")),
            n_unsatisfied=Count("id", filter=Q(rating="unsatisfied")),
            n_complained=Count("id", filter=Q(complained=True)),
            n_dissatisfied=Count("id", filter=Q(rating="unsatisfied") | Q(complained=True) | late | overdue_open),
            n_documents_required=Count("id", filter=Q(documents_required=True)),
            n_documents_reused=Count("id", filter=Q(documents_reused=True)),
            n_result_in_store=Count("id", filter=electronic & Q(result_in_store=True)),
            n_applicant_verified=Count("id", filter=Q(applicant_verified=True)),
            n_result_original=Count("id", filter=electronic & Q(result_original=True)),
            n_certified_copies=Count("id", filter=finished & Q(certified_copy=True)),
            n_certified_copies_original=Count("id", filter=electronic & Q(certified_copy=True, result_original=True)),
        )
        .order_by()
    )


def counters_from_dossiers() -> dict[Key, dict[str, int]]:
    """Every counter recomputed from the dossiers (what `counters_rebuild` writes)."""
    out: dict[Key, dict[str, int]] = {}
    for row in _aggregate_queryset().iterator(chunk_size=5000):
        month = row["month"]
        month = month.date() if hasattr(month, "date") else month
        out[(row["receiving_agency_id"], row["procedure_id"], month)] = {c: row[f"n_{c}"] for c in COLUMNS}
    return out


def rollup_live() -> dict[tuple[int, date], dict[str, int]]:
    """The (agency, month) roll-up as stored (non-zero rows)."""
    return {
        (c.agency_id, c.month): c.values()
        for c in AgencyMonthCounter.objects.all()
        if any(c.values().values())
    }


def rollup_of(counters: Mapping[Key, Mapping[str, int]]) -> dict[tuple[int, date], dict[str, int]]:
    """The (agency, month) roll-up the counters imply (what `rollup_live` must equal)."""
    out: dict[tuple[int, date], dict[str, int]] = {}
    for (agency_id, _procedure_id, month), values in counters.items():
        acc = out.setdefault((agency_id, month), dict.fromkeys(COLUMNS, 0))
        for c in COLUMNS:
            acc[c] += values[c]
    return {k: v for k, v in out.items() if any(v.values())}


def counters_live() -> dict[Key, dict[str, int]]:
    return {
        (c.agency_id, c.procedure_id, c.month): c.values()
        for c in DossierCounter.objects.all().iterator(chunk_size=5000)
        if any(c.values().values())
    }


@transaction.atomic
def counters_rebuild() -> int:
    """Recompute every counter from the dossiers. Live writers wait for the rebuild to commit and
    then add their changes on top, so nothing is lost or counted twice."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {_TABLE} IN EXCLUSIVE MODE")
            cursor.execute(f"LOCK TABLE {_ROLLUP} IN EXCLUSIVE MODE")
    DossierCounter.objects.all().delete()
    rows = counters_from_dossiers()
    DossierCounter.objects.bulk_create(
        [DossierCounter(agency_id=a, procedure_id=p, month=m, **values) for (a, p, m), values in rows.items()],
        batch_size=2000,
    )
    # New random versions: every process's cached procedure-level counts go stale.
    version = _new_version()
    AgencyMonthCounter.objects.all().delete()
    AgencyMonthCounter.objects.bulk_create(
        [AgencyMonthCounter(agency_id=a, month=m, version=version, **values) for (a, m), values in rollup_of(rows).items()],
        batch_size=2000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {_TABLE}")
            cursor.execute(f"ANALYZE {_ROLLUP}")
    return len(rows)
