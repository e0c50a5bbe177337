"""Import of historical dossiers from JSON Lines: `tinhso import dossiers FILE` and the API.

One JSON object per line::

    {"code": "H44.100-240105-0001", "procedure_code": "1.000894", "agency_code": "H44.100",
     "channel": "counter", "applicant_type": "citizen",
     "received_at": "2024-01-05T08:12:00+07:00", "due_at": "2024-01-08T08:12:00+07:00",
     "finished_at": "2024-01-06T15:00:00+07:00", "returned_at": null, "status": 9,
     "fee_due": 0, "fee_paid_online": false, "components_digitised": true,
     "result_electronic": true, "rating": "satisfied", "complained": false}

Every field must be present; only `finished_at`, `returned_at` and `rating` may be null; other
fields are ignored. `fee_paid_online: true` records the fee as paid, not as paid online: only a
transfer reconciled in tinhso (`tinhso.payments`) is "paid online". Timestamps are ISO 8601 with a UTC offset (naive ones are refused). The
import is idempotent by `code`: a second import of the same code updates the dossier, never
duplicates it. A code that belongs to a dossier handled in tinhso itself (not imported) is
refused, never overwritten.

Every value passes the one boundary (`tinhso.core.boundary`) before its line joins a batch: a
line is at most `MAX_LINE_BYTES` long and decoded by `parse_json` (UTF-8, at most
`MAX_JSON_DEPTH` levels, numbers of at most `MAX_NUMBER_DIGITS` digits, no NaN); the code is
one line of text (`text_problem`: no NUL, control character, U+FFFD or lone surrogate, no line
break); every timestamp is an instant tinhso stores (`instant_problem`: offset within ±14:00,
years 1900–2199 in UTC); `fee_due` is a whole number from 0 to `INT64_MAX`; the due moment lies
at most `TINHSO_MAX_DUE_YEARS` years after receipt; receipt, finish and return lie no later than
`FUTURE_SKEW` after the start of the import — history has happened, and one day allows for a
clock or a time zone set wrong by the exporting system, never for a dossier of next week.

Bad lines are reported with their line number and reason (the command line prints
`FILE:LINE: reason`); good lines are kept. Whatever a line holds, it ends as a report entry,
never as an exception. Memory stays constant whatever the file size: lines are read as a
stream (a file through `bounded_lines`, which cuts a line at `MAX_LINE_BYTES`, so even a file
without a line break is read in bounded pieces) and written in batches of `BATCH_SIZE`, each
batch in its own transaction (a savepoint inside the caller's) — procedure and agency codes
resolve from dictionaries loaded once, the batch's existing codes come from one query, new
dossiers go in with one `COPY` on PostgreSQL (one `bulk_create` elsewhere) and existing ones
are updated with one `UPDATE … FROM` a temporary table filled by `COPY` (one `bulk_update`
elsewhere). A code repeated within a batch closes the batch, so the later line updates what the
earlier created.

A batch the database or its driver refuses (`LINE_ERRORS`: a value the validation missed, or
a code another writer took between the look-up and the write) is rolled back and written again
in halves, down to single lines: the good lines are stored, each refused line is reported as
`the database refused this line: <first line of the error>`. The index counters move in each
batch's own transaction (`dossiers_bulk_changing`), so they count exactly the rows written. Any
other database error (connection lost, disk full) is no line's fault and ends the import with
the exception; what was committed before stays, and a rerun of the same file completes it.

Writes: one audit entry per batch (action `dossiers.import`, with counts and the first and last
code), not one per dossier, and no history row (`DossierEvent`) per dossier — either would
double the rows written by an import of millions of historical dossiers. An imported dossier is
marked `imported=True`; its applicant is unknown and shown as `IMPORTED_APPLICANT_NAME`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone

from tinhso.agencies.models import Agency, Role
from tinhso.agencies.principals import Principal
from tinhso.agencies.scoping import roles_at, visible_agencies
from tinhso.agencies.services import ImportReport, LineError
from tinhso.audit.services import audit_record
from tinhso.catalogue.models import Procedure
from tinhso.core.boundary import INT64_MAX, BoundaryError, instant_problem, parse_json, text_problem
from tinhso.core.progress import progress_bar
from tinhso.core.text import search_key
from tinhso.dossiers.models import OPEN_STATUSES, ApplicantType, Channel, Dossier, Rating, ResultKind
from tinhso.dossiers.services import latest_due_moment
from tinhso.dossiers.signals import SNAPSHOT_FIELDS, dossiers_bulk_changing

# Lines per transaction: 5,000 rows are ~10 MB in memory; fewer means more commits (each a
# disk flush) and more look-ups, which costs ~15 % of the import rate at 2,000 (bench/README.md).
BATCH_SIZE = 5_000
# The report lists at most this many bad lines (the count of rejected lines stays exact), so
# a file of a million bad lines cannot fill the memory.
MAX_REPORTED_ERRORS = 1_000
# On PostgreSQL an import that wrote at least this many dossiers ends with ANALYZE.
ANALYZE_AFTER = 10_000
# A line (with its line break) longer than this is refused without being decoded: a dossier
# line is about 500 bytes, so this leaves room for any extra fields an export may carry, and a
# file's lines are read at most this long (`bounded_lines`).
MAX_LINE_BYTES = 1 << 20
# Receipt, finish and return may lie at most this far after the moment the import started.
FUTURE_SKEW = timedelta(days=1)
# What a single line can make the database (or its driver: an int SQLite cannot bind, a
# lone surrogate psycopg cannot encode) refuse; the batch is then retried in halves.
LINE_ERRORS = (DataError, IntegrityError, OverflowError, UnicodeEncodeError)
IMPORTED_APPLICANT_NAME = "(dữ liệu nhập)"
IMPORTED_APPLICANT_NAME_SEARCH = search_key(IMPORTED_APPLICANT_NAME)
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
# Longest quotation of a value in a message (a line may hold a megabyte in one field).
SHOWN_MAX = 60

# Fields a re-import overwrites (the applicant and anything done in tinhso itself stay).
UPDATE_FIELDS = (
    "procedure_id", "receiving_agency_id", "handling_agency_id", "channel", "status", "applicant_type",
    "submitted_at", "received_at", "due_at", "legal_due_at", "finished_at", "returned_at",
    "components_digitised", "result_kind", "fee_due", "fee_paid", "fee_paid_online", "rating", "rated_at",
    "complained", "marked_overdue", "certified_copy", "imported", "updated_at",
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
    # Procedures that issue electronic certified copies (`Procedure.certified_copy`).
    certified_copy_procedures: frozenset[int] = frozenset()
    # The latest receipt, finish or return a line may hold (`FUTURE_SKEW` after `now`).
    latest_past: datetime = field(init=False)
    # A due moment at most this long after receipt is within `TINHSO_MAX_DUE_YEARS` whatever the
    # dates (N years hold at least 365 × N days); only a longer one is checked to the day.
    surely_within_due_years: timedelta = field(init=False)

    def __post_init__(self) -> None:
        self.latest_past = self.now + FUTURE_SKEW
        self.surely_within_due_years = timedelta(days=365 * settings.TINHSO_MAX_DUE_YEARS)


# A line of the batch being collected: (code, line number, Dossier field values).
_Item = tuple[str, int, dict[str, Any]]


@dataclass
class _Written:
    """What one batch wrote, applied to the report only once its transaction committed."""

    created: int
    updated: int
    refused: list[tuple[int, str]]


def dossiers_import_file(*, path: Path, principal: Principal | None, progress: bool = False) -> DossierImportReport:
    """Import a JSON Lines file (see the module docstring); `principal=None` is the command line."""
    with path.open("rb") as fh:
        return dossiers_import_stream(bounded_lines(fh), principal=principal, progress=progress)


class Readable(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


def bounded_lines(fh: Readable) -> Iterator[bytes]:
    """The lines of a binary stream (a file, an upload, an HTTP request), each at most
    `MAX_LINE_BYTES` + 1 bytes: of a longer line only that much is kept (enough for
    `dossiers_import_stream` to refuse it) and the rest is read in pieces and dropped, so a
    body without a line break cannot fill the memory."""
    while raw := fh.readline(MAX_LINE_BYTES + 1):
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while (rest := fh.readline(1 << 16)) and not rest.endswith(b"\n"):
                pass
        yield raw


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
        certified_copy_procedures=frozenset(Procedure.objects.filter(certified_copy=True).values_list("pk", flat=True)),
    )
    with progress_bar(desc="dossiers", unit=" lines", file=sys.stderr, disable=not progress, mininterval=0.5) as bar:
        batch: dict[str, _Item] = {}
        read = 0
        for number, text in _numbered(lines):
            read += 1
            report.lines += 1
            if len(text) > MAX_LINE_BYTES:
                report.reject(number, f"the line is longer than {MAX_LINE_BYTES:,} bytes", unreadable=True)
                continue
            try:
                obj = parse_json(text)
            except BoundaryError as exc:
                report.reject(number, str(exc), unreadable=True)
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
                _write(list(batch.values()), ctx, principal, report)
                batch = {}
            batch[code] = (code, number, values)
            if len(batch) >= BATCH_SIZE:
                _write(list(batch.values()), ctx, principal, report)
                batch = {}
                bar.update(read)
                read = 0
        if batch:
            _write(list(batch.values()), ctx, principal, report)
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
    """(line number, text) of each line that is not blank (one too long to be a line counts as
    not blank, whatever it holds); a UTF-8 byte-order mark on line 1 is dropped."""
    for number, raw in enumerate(lines, start=1):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf") if isinstance(raw, bytes) else raw.removeprefix("\ufeff")
        if len(raw) > MAX_LINE_BYTES or raw.strip():
            yield number, raw


def _shown(value: Any) -> str:
    """`value` quoted in a message: its `repr` (control characters and lone surrogates escaped),
    cut to `SHOWN_MAX` characters."""
    text = repr(value)
    return text if len(text) <= SHOWN_MAX else text[: SHOWN_MAX - 1] + "…"


def _timestamp(obj: dict[str, Any], name: str, ctx: _Context, *, past: bool = False) -> datetime | None:
    """The instant in field `name` (None where the field may be null); `past`: no later than
    `FUTURE_SKEW` after the start of the import."""
    value = obj[name]
    if value is None:
        if name in NULLABLE:
            return None
        raise _BadLine(f"{name} is null")
    if not isinstance(value, str):
        raise _BadLine(f"{name} {_shown(value)} is not an ISO 8601 timestamp")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _BadLine(f"{name} {_shown(value)} is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _BadLine(f"{name} {_shown(value)} has no UTC offset (naive timestamps are refused)")
    problem = instant_problem(moment)
    if problem is not None:
        raise _BadLine(f"{name} {_shown(value)}: {problem}")
    if past and moment > ctx.latest_past:
        raise _BadLine(f"{name} {_shown(value)} lies in the future (more than {FUTURE_SKEW.days} day after now)")
    return moment


def _flag(obj: dict[str, Any], name: str) -> bool:
    value = obj[name]
    if not isinstance(value, bool):
        raise _BadLine(f"{name} must be true or false, not {_shown(value)}")
    return value


def _dossier_values(obj: dict[str, Any], ctx: _Context) -> dict[str, Any]:
    """The Dossier field values for one line, or `_BadLine` with the reason."""
    if not obj.keys() >= FIELD_SET:
        raise _BadLine(f"missing field(s): {', '.join(f for f in FIELDS if f not in obj)}")
    code = obj["code"]
    if not isinstance(code, str):
        raise _BadLine(f"code must be text, not {_shown(code)}")
    problem = text_problem(code, multiline=False)
    if problem is not None:
        raise _BadLine(f"code {problem}")
    code = code.strip()
    if not code:
        raise _BadLine("code is empty")
    if len(code) > CODE_MAX:
        raise _BadLine(f"code is longer than {CODE_MAX} characters")
    procedure_id = ctx.procedures.get(obj["procedure_code"]) if isinstance(obj["procedure_code"], str) else None
    if procedure_id is None:
        raise _BadLine(f"unknown procedure_code {_shown(obj['procedure_code'])}")
    agency_id = ctx.agencies.get(obj["agency_code"]) if isinstance(obj["agency_code"], str) else None
    if agency_id is None:
        raise _BadLine(f"unknown agency_code {_shown(obj['agency_code'])}")
    if ctx.allowed is not None and agency_id not in ctx.allowed:
        raise _BadLine(f"agency {obj['agency_code']} is outside your scope")
    channel = CHANNELS.get(obj["channel"]) if isinstance(obj["channel"], str) else None
    if channel is None:
        raise _BadLine(f"channel {_shown(obj['channel'])} is not one of {', '.join(CHANNELS)}")
    applicant_type = obj["applicant_type"]
    if not isinstance(applicant_type, str) or applicant_type not in APPLICANT_TYPES:
        raise _BadLine(
            f"applicant_type {_shown(applicant_type)} is not one of {', '.join(sorted(APPLICANT_TYPES))}")
    status = obj["status"]
    if type(status) is not int or not 1 <= status <= 10:
        raise _BadLine(f"status {_shown(status)} is not an integer from 1 to 10")
    rating = obj["rating"]
    if rating is not None and (not isinstance(rating, str) or rating not in RATINGS):
        raise _BadLine(f"rating {_shown(rating)} is not one of {', '.join(sorted(RATINGS))} or null")
    fee_due = obj["fee_due"]
    if type(fee_due) is not int or not 0 <= fee_due <= INT64_MAX:
        raise _BadLine(f"fee_due {_shown(fee_due)} is not a whole number of đồng from 0 to {INT64_MAX}")
    fee_paid_online = _flag(obj, "fee_paid_online")
    components_digitised = _flag(obj, "components_digitised")
    result_electronic = _flag(obj, "result_electronic")
    complained = _flag(obj, "complained")
    received_at = _timestamp(obj, "received_at", ctx, past=True)
    due_at = _timestamp(obj, "due_at", ctx)
    finished_at = _timestamp(obj, "finished_at", ctx, past=True)
    returned_at = _timestamp(obj, "returned_at", ctx, past=True)
    if received_at is None or due_at is None:  # not reachable: both refuse null
        raise _BadLine("received_at and due_at are required")
    if due_at < received_at:
        raise _BadLine("due_at is before received_at")
    if due_at - received_at > ctx.surely_within_due_years and due_at > latest_due_moment(received_at):
        raise _BadLine(f"due_at lies more than {settings.TINHSO_MAX_DUE_YEARS} years after received_at")
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
        "applicant_name_search": IMPORTED_APPLICANT_NAME_SEARCH,
        "submitted_at": received_at,
        "received_at": received_at,
        "due_at": due_at,
        "legal_due_at": due_at,
        "finished_at": finished_at,
        "returned_at": returned_at,
        "components_digitised": components_digitised,
        "result_kind": ResultKind.ELECTRONIC.value if result_electronic else ResultKind.PAPER.value,
        "fee_due": fee_due,
        # The previous system's "paid online" is its own tick box, not a transfer a bank
        # confirmed to tinhso: the fee counts as paid, never as paid online (the online-payment
        # metrics count only reconciled payments, `tinhso.payments`).
        "fee_paid": fee_due == 0 or fee_paid_online or finished_at is not None,
        "fee_paid_online": False,
        "rating": rating or "",
        "rated_at": (returned_at or finished_at) if rating else None,
        "complained": complained,
        "marked_overdue": status in OPEN_STATUSES and due_at < ctx.now,
        # What only an online submission in tinhso knows (the applicant's account, data from the
        # identity provider, reused documents, a result in the store): never said by an import.
        "applicant_verified": False,
        "documents_required": False,
        "documents_reused": False,
        "result_in_store": False,
        # An electronic result the old system reports is no electronic original here: only a
        # signature tinhso issued and validated makes one (ORIGINAL_RESULT_AVAILABLE).
        "result_original": False,
        "certified_copy": procedure_id in ctx.certified_copy_procedures,
        "imported": True,
        "updated_at": ctx.now,
    }


def _write(
    items: list[_Item], ctx: _Context, principal: Principal | None, report: DossierImportReport
) -> None:
    """Write a batch; if the database refuses it (`LINE_ERRORS`), write it again in halves,
    down to single lines, and report each line refused on its own. Each attempt is its own
    transaction, rolled back whole when refused, so the report and the counters count only
    what was committed."""
    pending = [items]
    while pending:
        part = pending.pop()
        try:
            written = _write_batch(part, ctx, principal)
        except LINE_ERRORS as exc:
            if len(part) == 1:
                report.reject(part[0][1], f"the database refused this line: {_first_line(exc)}")
            else:
                middle = len(part) // 2
                pending += [part[middle:], part[:middle]]  # the first half is written first
            continue
        report.created += written.created
        report.updated += written.updated
        for number, message in written.refused:
            report.reject(number, message)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    text = lines[0].strip() if lines else type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def _write_batch(items: list[_Item], ctx: _Context, principal: Principal | None) -> _Written:
    """Create or update one batch in one transaction (a savepoint inside the caller's), with one
    audit entry. The driver's errors come out as Django's (`DataError`, `IntegrityError`…)."""
    refused: list[tuple[int, str]] = []
    with connection.wrap_database_errors, transaction.atomic():
        existing = {
            row["code"]: row
            for row in Dossier.objects.select_for_update()
            .filter(code__in=[code for code, _number, _values in items])
            .values("code", "pk", "imported", "handling_agency_id", *SNAPSHOT_FIELDS)
        }
        # (before, after) field snapshots for the listeners that keep derived data (index counters).
        pairs: list[tuple[dict[str, Any] | None, dict[str, Any]]] = []
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        for code, number, values in items:
            found = existing.get(code)
            if found is None:
                new.append(values)
                pairs.append((None, {f: values[f] for f in SNAPSHOT_FIELDS}))
                continue
            pk, imported, agency_id = found["pk"], found["imported"], found["handling_agency_id"]
            if not imported:
                refused.append((number, f"dossier {code} was received in tinhso, not imported; it is not overwritten"))
            elif ctx.allowed is not None and agency_id not in ctx.allowed:
                refused.append((number, f"dossier {code} belongs to an agency outside your scope"))
            else:
                changed.append({"id": pk, **values})
                pairs.append(({f: found[f] for f in SNAPSHOT_FIELDS}, {f: values[f] for f in SNAPSHOT_FIELDS}))
        if new:
            _insert(new, ctx.now)
        if changed:
            _update(changed)
        dossiers_bulk_changing.send(sender=Dossier, pairs=pairs)
        first, last = items[0], items[-1]
        audit_record(
            principal=principal, action="dossiers.import", object_type="dossier", object_id="*",
            data={"created": len(new), "updated": len(changed), "first_code": first[0], "last_code": last[0],
                  "first_line": first[1], "last_line": last[1]},
        )
    return _Written(created=len(new), updated=len(changed), refused=refused)

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
