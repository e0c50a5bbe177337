"""Import of historical dossiers from JSON Lines: `tinhso import dossiers FILE` and the API.

One JSON object per line::

    {"code": "H44.100-240105-0001", "procedure_code": "1.000894", "agency_code": "H44.100",
     "channel": "counter", "applicant_type": "citizen",
     "received_at": "2024-01-05T08:12:00+07:00", "due_at": "2024-01-08T08:12:00+07:00",
     "finished_at": "2024-01-06T15:00:00+07:00", "returned_at": null, "status": 9,
     "fee_due": 0, "fee_paid_online": false, "components_digitised": true,
     "result_electronic": true, "rating": "satisfied", "complained": false}

Every field must be present; only `finished_at`, `returned_at` and `rating` may be null.
Timestamps are ISO 8601 with a UTC offset (naive ones are refused). The import is idempotent by
`code`: a second import of the same code updates the dossier, never duplicates it. A code that
belongs to a dossier handled in tinhso itself (not imported) is refused, never overwritten.

Bad lines are reported with their line number and reason; good lines are kept. Memory stays
constant whatever the file size: lines are read as a stream and written in batches of
`BATCH_SIZE`, each batch in its own transaction — procedure and agency codes resolve from
dictionaries loaded once, the batch's existing codes come from one query, new dossiers go in
with one `COPY` on PostgreSQL (one `bulk_create` elsewhere) and existing ones are updated with
one `UPDATE … FROM` a temporary table filled by `COPY` (one `bulk_update` elsewhere). A code
repeated within a batch closes the batch, so the later line updates what the earlier created.

Writes: one audit entry per batch (action `dossiers.import`, with counts and the first and last
code), not one per dossier, and no history row (`DossierEvent`) per dossier — either would
double the rows written by an import of millions of historical dossiers. An imported dossier is
marked `imported=True`; its applicant is unknown and shown as `IMPORTED_APPLICANT_NAME`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from tinhso.agencies.models import Agency, Role
from tinhso.agencies.principals import Principal
from tinhso.agencies.scoping import roles_at, visible_agencies
from tinhso.agencies.services import ImportReport, LineError
from tinhso.audit.services import audit_record
from tinhso.catalogue.models import Procedure
from tinhso.dossiers.models import OPEN_STATUSES, ApplicantType, Channel, Dossier, Rating, ResultKind
from tinhso.dossiers.signals import SNAPSHOT_FIELDS, dossiers_bulk_changing

# Lines per transaction: 5,000 rows are ~10 MB in memory; fewer means more commits (each a
# disk flush) and more look-ups, which costs ~15 % of the import rate at 2,000 (bench/README.md).
BATCH_SIZE = 5_000
# The report lists at most this many bad lines (the count of rejected lines stays exact), so
# a file of a million bad lines cannot fill the memory.
MAX_REPORTED_ERRORS = 1_000
# On PostgreSQL an import that wrote at least this many dossiers ends with ANALYZE.
ANALYZE_AFTER = 10_000
IMPORTED_APPLICANT_NAME = "(dữ liệu nhập)"
# Whoever holds one of these roles at an agency may import that agency's dossiers. API keys
# hold every role in their agency's subtree; a viewer may not import.
IMPORT_ROLES = frozenset({Role.ADMINISTRATOR, Role.RECEPTION})

FIELDS = (
    "code", "procedure_code", "agency_code", "channel", "applicant_type", "received_at", "due_at",
    "finished_at", "returned_at", "status", "fee_due", "fee_paid_online", "components_digitised",
    "result_electronic", "rating", "complained",
)
FIELD_SET = frozenset(FIELDS)
NULLABLE = frozenset({"finished_at", "returned_at", "rating"})
CHANNELS = {"counter": Channel.COUNTER.value, "online": Channel.ONLINE.value, "postal": Channel.POSTAL.value}
APPLICANT_TYPES = frozenset(ApplicantType.values)
RATINGS = frozenset(Rating.values)
CODE_MAX = Dossier._meta.get_field("code").max_length or 64

# Fields a re-import overwrites (the applicant and anything done in tinhso itself stay).
UPDATE_FIELDS = (
    "procedure_id", "receiving_agency_id", "handling_agency_id", "channel", "status", "applicant_type",
    "submitted_at", "received_at", "due_at", "legal_due_at", "finished_at", "returned_at",
    "components_digitised", "result_kind", "fee_due", "fee_paid", "fee_paid_online", "rating", "rated_at",
    "complained", "marked_overdue", "imported", "updated_at",
)


@dataclass
class DossierImportReport(ImportReport):
    """The import report (`as_dict()` → created, updated, rejected, errors) plus how many
    non-blank lines were read and how many of them were not JSON at all."""

    lines: int = 0
    unreadable: int = 0

    def reject(self, line: int, message: str, *, unreadable: bool = False) -> None:
        self.rejected += 1
        if unreadable:
            self.unreadable += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(LineError(line, message))


class _BadLine(Exception):
    pass


@dataclass
class _Context:
    procedures: dict[str, int]
    agencies: dict[str, int]
    # None: every agency (the command line, a superuser); otherwise the agency ids where the
    # principal may import.
    allowed: set[int] | None
    now: datetime


def dossiers_import_file(*, path: Path, principal: Principal | None, progress: bool = False) -> DossierImportReport:
    """Import a JSON Lines file (see the module docstring); `principal=None` is the command line."""
    with path.open("rb") as fh:
        return dossiers_import_stream(fh, principal=principal, progress=progress)


def dossiers_import_stream(
    lines: Iterable[bytes | str], *, principal: Principal | None, progress: bool = False
) -> DossierImportReport:
    """Import JSON Lines from any iterable of lines (a file, an HTTP request body), batch by batch.

    `principal=None` means the system (the command line): every agency. Anyone else imports only
    into agencies of their scope where they hold the administrator or reception role."""
    report = DossierImportReport()
    ctx = _Context(
        procedures=dict(Procedure.objects.values_list("code", "pk")),
        agencies=dict(Agency.objects.values_list("code", "pk")),
        allowed=_allowed_agency_ids(principal),
        now=timezone.now(),
    )
    with tqdm(desc="dossiers", unit=" lines", file=sys.stderr, disable=not progress, mininterval=0.5) as bar:
        batch: dict[str, tuple[int, dict[str, Any]]] = {}
        read = 0
        for number, text in _numbered(lines):
            read += 1
            report.lines += 1
            try:
                obj = json.loads(text)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                message = f"not valid JSON: {exc.msg}" if isinstance(exc, json.JSONDecodeError) else "not UTF-8 text"
                report.reject(number, message, unreadable=True)
                continue
            if not isinstance(obj, dict):
                report.reject(number, "not a JSON object", unreadable=True)
                continue
            try:
                values = _dossier_values(obj, ctx)
            except _BadLine as exc:
                report.reject(number, str(exc))
                continue
            code = values["code"]
            if code in batch:  # the same code again: write what came before, so this line updates it
                _write_batch(batch, ctx, principal, report)
                batch = {}
            batch[code] = (number, values)
            if len(batch) >= BATCH_SIZE:
                _write_batch(batch, ctx, principal, report)
                batch = {}
                bar.update(read)
                read = 0
        if batch:
            _write_batch(batch, ctx, principal, report)
        bar.update(read)
    if connection.vendor == "postgresql" and report.created + report.updated >= ANALYZE_AFTER:
        # Fresh planner statistics: right after a million-row import, stale ones made the inbox
        # query read every open dossier of the agency (9.8 ms instead of 0.35 ms, bench/README.md).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {_quote(Dossier._meta.db_table)}")
    report.errors.sort(key=lambda e: e.line)
    return report


def _allowed_agency_ids(principal: Principal | None) -> set[int] | None:
    if principal is None or principal.is_superuser:
        return None
    return {a.pk for a in visible_agencies(principal) if roles_at(principal, a) & IMPORT_ROLES}


def _numbered(lines: Iterable[bytes | str]) -> Iterator[tuple[int, str | bytes]]:
    """(line number, text) of each non-blank line; a UTF-8 byte-order mark on line 1 is dropped."""
    for number, raw in enumerate(lines, start=1):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf") if isinstance(raw, bytes) else raw.removeprefix("\ufeff")
        if raw.strip():
            yield number, raw


def _timestamp(obj: dict[str, Any], name: str) -> datetime | None:
    value = obj[name]
    if value is None:
        if name in NULLABLE:
            return None
        raise _BadLine(f"{name} is null")
    if not isinstance(value, str):
        raise _BadLine(f"{name} is not an ISO 8601 timestamp")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _BadLine(f"{name} {value!r} is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _BadLine(f"{name} {value!r} has no UTC offset (naive timestamps are refused)")
    return moment


def _flag(obj: dict[str, Any], name: str) -> bool:
    value = obj[name]
    if not isinstance(value, bool):
        raise _BadLine(f"{name} must be true or false, not {value!r}")
    return value


def _dossier_values(obj: dict[str, Any], ctx: _Context) -> dict[str, Any]:
    """The Dossier field values for one line, or `_BadLine` with the reason."""
    if not obj.keys() >= FIELD_SET:
        raise _BadLine(f"missing field(s): {', '.join(f for f in FIELDS if f not in obj)}")
    code = obj["code"]
    if not isinstance(code, str) or not code.strip():
        raise _BadLine("code is empty")
    code = code.strip()
    if len(code) > CODE_MAX:
        raise _BadLine(f"code is longer than {CODE_MAX} characters")
    procedure_id = ctx.procedures.get(obj["procedure_code"]) if isinstance(obj["procedure_code"], str) else None
    if procedure_id is None:
        raise _BadLine(f"unknown procedure_code {obj['procedure_code']!r}")
    agency_id = ctx.agencies.get(obj["agency_code"]) if isinstance(obj["agency_code"], str) else None
    if agency_id is None:
        raise _BadLine(f"unknown agency_code {obj['agency_code']!r}")
    if ctx.allowed is not None and agency_id not in ctx.allowed:
        raise _BadLine(f"agency {obj['agency_code']} is outside your scope")
    channel = CHANNELS.get(obj["channel"]) if isinstance(obj["channel"], str) else None
    if channel is None:
        raise _BadLine(f"channel {obj['channel']!r} is not one of {', '.join(CHANNELS)}")
    applicant_type = obj["applicant_type"]
    if applicant_type not in APPLICANT_TYPES:
        raise _BadLine(f"applicant_type {applicant_type!r} is not one of {', '.join(sorted(APPLICANT_TYPES))}")
    status = obj["status"]
    if type(status) is not int or not 1 <= status <= 10:
        raise _BadLine(f"status {status!r} is not an integer from 1 to 10")
    rating = obj["rating"]
    if rating is not None and rating not in RATINGS:
        raise _BadLine(f"rating {rating!r} is not one of {', '.join(sorted(RATINGS))} or null")
    fee_due = obj["fee_due"]
    if type(fee_due) is not int or fee_due < 0:
        raise _BadLine(f"fee_due {fee_due!r} is not a whole number of đồng ≥ 0")
    fee_paid_online = _flag(obj, "fee_paid_online")
    components_digitised = _flag(obj, "components_digitised")
    result_electronic = _flag(obj, "result_electronic")
    complained = _flag(obj, "complained")
    received_at = _timestamp(obj, "received_at")
    due_at = _timestamp(obj, "due_at")
    finished_at = _timestamp(obj, "finished_at")
    returned_at = _timestamp(obj, "returned_at")
    if received_at is None or due_at is None:  # not reachable: both refuse null
        raise _BadLine("received_at and due_at are required")
    if due_at < received_at:
        raise _BadLine("due_at is before received_at")
    if finished_at is not None and finished_at < received_at:
        raise _BadLine("finished_at is before received_at")
    if returned_at is not None:
        if finished_at is not None and returned_at < finished_at:
            raise _BadLine("returned_at is before finished_at")
        if returned_at < received_at:
            raise _BadLine("returned_at is before received_at")
    return {
        "code": code,
        "procedure_id": procedure_id,
        "receiving_agency_id": agency_id,
        "handling_agency_id": agency_id,
        "channel": channel,
        "status": status,
        "applicant_type": applicant_type,
        "applicant_name": IMPORTED_APPLICANT_NAME,
        "submitted_at": received_at,
        "received_at": received_at,
        "due_at": due_at,
        "legal_due_at": due_at,
        "finished_at": finished_at,
        "returned_at": returned_at,
        "components_digitised": components_digitised,
        "result_kind": ResultKind.ELECTRONIC.value if result_electronic else ResultKind.PAPER.value,
        "fee_due": fee_due,
        "fee_paid": fee_due == 0 or fee_paid_online or finished_at is not None,
        "fee_paid_online": fee_paid_online,
        "rating": rating or "",
        "rated_at": (returned_at or finished_at) if rating else None,
        "complained": complained,
        "marked_overdue": status in OPEN_STATUSES and due_at < ctx.now,
        "imported": True,
        "updated_at": ctx.now,
    }


def _write_batch(
    batch: dict[str, tuple[int, dict[str, Any]]], ctx: _Context, principal: Principal | None, report: DossierImportReport
) -> None:
    """Create or update one batch in one transaction, with one audit entry."""
    with transaction.atomic():
        existing = {
            row["code"]: row
            for row in Dossier.objects.select_for_update()
            .filter(code__in=list(batch))
            .values("code", "pk", "imported", "handling_agency_id", *SNAPSHOT_FIELDS)
        }
        # (before, after) field snapshots for the listeners that keep derived data (index counters).
        pairs: list[tuple[dict[str, Any] | None, dict[str, Any]]] = []
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        for code, (number, values) in batch.items():
            found = existing.get(code)
            if found is None:
                new.append(values)
                pairs.append((None, {f: values[f] for f in SNAPSHOT_FIELDS}))
                continue
            pk, imported, agency_id = found["pk"], found["imported"], found["handling_agency_id"]
            if not imported:
                report.reject(number, f"dossier {code} was received in tinhso, not imported; it is not overwritten")
            elif ctx.allowed is not None and agency_id not in ctx.allowed:
                report.reject(number, f"dossier {code} belongs to an agency outside your scope")
            else:
                changed.append({"id": pk, **values})
                pairs.append(({f: found[f] for f in SNAPSHOT_FIELDS}, {f: values[f] for f in SNAPSHOT_FIELDS}))
        if new:
            _insert(new, ctx.now)
        if changed:
            _update(changed)
        dossiers_bulk_changing.send(sender=Dossier, pairs=pairs)
        report.created += len(new)
        report.updated += len(changed)
        codes = list(batch)
        audit_record(
            principal=principal, action="dossiers.import", object_type="dossier", object_id="*",
            data={"created": len(new), "updated": len(changed), "first_code": codes[0], "last_code": codes[-1],
                  "first_line": batch[codes[0]][0], "last_line": batch[codes[-1]][0]},
        )


def _insert(rows: list[dict[str, Any]], now: datetime) -> None:
    """Insert new dossiers: `COPY` on PostgreSQL (the fastest way in), `bulk_create` elsewhere."""
    if connection.vendor != "postgresql":
        Dossier.objects.bulk_create([Dossier(**values) for values in rows], batch_size=500)
        return
    fields = [f for f in Dossier._meta.concrete_fields if not f.primary_key]
    base = {f.attname: f.get_default() for f in fields} | {"created_at": now, "updated_at": now}
    row_of = itemgetter(*base)
    sql = "COPY {} ({}) FROM STDIN".format(_quote(Dossier._meta.db_table), ", ".join(_quote(f.column) for f in fields))
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for values in rows:
            copy.write_row(row_of(base | values))


_UPDATE_TABLE = "tinhso_dossier_import_update"


def _update(rows: list[dict[str, Any]]) -> None:
    """Overwrite the `UPDATE_FIELDS` of existing dossiers (rows carry their `id`).

    On PostgreSQL: `COPY` into a temporary table, then one `UPDATE … FROM` it (Django's
    `bulk_update` builds a CASE per field and managed ~70 rows/s here); elsewhere `bulk_update`."""
    if connection.vendor != "postgresql":
        Dossier.objects.bulk_update([Dossier(**row) for row in rows], list(UPDATE_FIELDS), batch_size=500)
        return
    columns: list[str] = [Dossier._meta.get_field(name).column for name in UPDATE_FIELDS]  # type: ignore[union-attr,misc]
    table, tmp = _quote(Dossier._meta.db_table), _quote(_UPDATE_TABLE)
    row_of = itemgetter("id", *UPDATE_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {tmp} AS SELECT id, {', '.join(map(_quote, columns))} "
            f"FROM {table} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {tmp}")
        with cursor.copy(f"COPY {tmp} (id, {', '.join(map(_quote, columns))}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row_of(row))
        assignments = ", ".join(f"{_quote(c)} = t.{_quote(c)}" for c in columns)
        cursor.execute(f"UPDATE {table} AS d SET {assignments} FROM {tmp} AS t WHERE d.id = t.id")


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)
