"""Writes to agencies, staff roles and API keys (each with its audit entry)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from tinhso.agencies.models import Agency, AgencyKind, ApiKey, StaffRole
from tinhso.agencies.principals import Principal
from tinhso.audit.services import audit_record
from tinhso.core.boundary import BoundaryError, parse_json, text_problem
from tinhso.core.codes import is_agency_code
from tinhso.core.errors import InvalidInput
from tinhso.units.models import AdministrativeUnit

AGENCY_FIELDS = ("code", "name", "kind", "unit_code", "parent_code")
_CODE_MAX = Agency._meta.get_field("code").max_length or 40
# The longest value each field may hold (its column's length; a unit code is at most 5 digits).
AGENCY_FIELD_MAX = {
    "code": _CODE_MAX, "name": Agency._meta.get_field("name").max_length or 255,
    "kind": Agency._meta.get_field("kind").max_length or 20, "unit_code": 10, "parent_code": _CODE_MAX,
}
PATH_MAX = Agency._meta.get_field("path").max_length or 400
# An agency line is about 150 characters; a longer one than this is refused unread.
AGENCY_LINE_MAX = 1 << 16
# Bytes that are not UTF-8, as `errors="surrogateescape"` decodes them.
_UNDECODED = re.compile("[\udc80-\udcff]")
NOT_UTF8 = "not UTF-8 text"


@dataclass
class LineError:
    line: int
    message: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: int = 0
    errors: list[LineError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "rejected": self.rejected,
            "errors": [{"line": e.line, "message": e.message} for e in self.errors],
        }


def read_agency_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, row, error) for each line of a CSV or JSON Lines file. Bytes that are not
    UTF-8 do not stop the reading: they make their line's error."""
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        yield from parse_agency_rows(fh, jsonl=path.suffix.lower() in {".jsonl", ".ndjson", ".json"})


def parse_agency_rows(fh: io.TextIOBase | Any, *, jsonl: bool) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, row, error) for each row of a CSV (with a header) or JSON Lines text
    stream; a line that cannot be read is an error, never an exception."""
    if jsonl:
        for n, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            if len(text) > AGENCY_LINE_MAX:
                yield n, None, f"the line is longer than {AGENCY_LINE_MAX:,} characters"
                continue
            if _UNDECODED.search(text):
                yield n, None, NOT_UTF8
                continue
            try:
                obj = parse_json(text)
            except BoundaryError as exc:
                yield n, None, str(exc)
                continue
            if not isinstance(obj, dict):
                yield n, None, "not a JSON object"
                continue
            yield n, obj, None
        return
    lines = _Counted(fh)  # the csv module's own line count lags behind on an error
    reader = csv.DictReader(lines)
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        yield 1, None, f"not valid CSV: {exc}"
        return
    missing = [f for f in AGENCY_FIELDS if f not in fieldnames]
    if missing:
        yield 1, None, f"header misses the column(s): {', '.join(missing)}"
        return
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a field over the csv module's limit: that line only
            yield lines.count, None, f"not valid CSV: {exc}"
            continue
        if any(isinstance(v, str) and _UNDECODED.search(v) for v in row.values()):
            yield lines.count, None, NOT_UTF8
            continue
        yield lines.count, row, None


class _Counted:
    """The lines of a text stream, counting how many were read (the last one's number)."""

    def __init__(self, fh: Iterable[str]) -> None:
        self.lines = iter(fh)
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        text = next(self.lines)
        self.count += 1
        return text


def agencies_import(*, rows: Iterable[tuple[int, dict[str, Any] | None, str | None]], principal: Principal | None) -> ImportReport:
    """Create or update agencies by code. Parents may come later in the file than their children:
    rows are validated first (every field one line of text through the boundary, within its
    column's length; known kind, unit and parent), then written parent-first, in one
    transaction. Bad lines are reported with their number and skipped; the good ones are kept."""
    report = ImportReport()
    good: dict[str, tuple[int, dict[str, Any]]] = {}
    units = {u.code: u for u in AdministrativeUnit.objects.filter(valid_to__isnull=True)}
    for line, row, error in rows:
        if error is not None or row is None:
            report.errors.append(LineError(line, error or "empty"))
            continue
        problem = _agency_problem(row, units)
        if problem:
            report.errors.append(LineError(line, problem))
            continue
        good[str(row["code"]).strip()] = (line, row)
    existing = {a.code: a for a in Agency.objects.all()}
    known = set(existing) | set(good)
    for code, (line, row) in list(good.items()):
        parent_code = str(row.get("parent_code") or "").strip()
        if parent_code and parent_code not in known:
            report.errors.append(LineError(line, f"parent_code {parent_code!r} is not a known agency"))
            del good[code]
    with transaction.atomic():
        done: dict[str, Agency] = dict(existing)
        code_of = {a.pk: a.code for a in existing.values()}
        parent_of = {a.code: code_of.get(a.parent_id) for a in existing.values()}  # type: ignore[arg-type]
        pending = dict(good)
        while pending:
            progressed = False
            for code, (line, row) in list(pending.items()):
                parent_code = str(row.get("parent_code") or "").strip()
                if parent_code and parent_code in pending and parent_code != code:
                    continue
                problem = None
                if parent_code and parent_code not in done:  # its own line was rejected here
                    problem = f"parent_code {parent_code!r} was rejected"
                elif parent_code and _reaches(parent_of, parent_code, code):  # a cycle through existing agencies
                    problem = f"agency {code!r} is part of a parent cycle"
                parent = done.get(parent_code) if parent_code else None
                agency = done.get(code)
                path = (parent.path if parent else "") + code + "/"
                # A moved agency takes its subtree along: its deepest descendant must still fit.
                below = _subtree_depth(agency) if agency is not None and agency.parent_id != getattr(parent, "pk", None) else 0
                if problem is None and len(path) + below > PATH_MAX:
                    problem = f"agency {code!r} sits too deep: its path {path[:40]}… (with the agencies under it) is longer than {PATH_MAX} characters"
                if problem is not None:
                    report.errors.append(LineError(line, problem))
                    del pending[code]
                    progressed = True
                    continue
                fields = {
                    "name": str(row["name"]).strip(),
                    "kind": str(row["kind"]).strip(),
                    "unit": units[str(row["unit_code"]).strip()],
                    "parent": parent,
                }
                if agency is None:
                    agency = Agency(code=code, **fields)
                    report.created += 1
                else:
                    for k, v in fields.items():
                        setattr(agency, k, v)
                    report.updated += 1
                agency.path = agency.compute_path()
                agency.save()
                done[code] = agency
                parent_of[code] = parent_code or None
                del pending[code]
                progressed = True
            if not progressed:  # a cycle among the remaining rows
                for code, (line, _row) in pending.items():
                    report.errors.append(LineError(line, f"agency {code!r} is part of a parent cycle"))
                break
        _refresh_paths()
        audit_record(principal=principal, action="agencies.import", object_type="agency", object_id="*", data={
            "created": report.created, "updated": report.updated, "rejected": len(report.errors)})
    report.errors.sort(key=lambda e: e.line)
    report.rejected = len(report.errors)
    return report


def _subtree_depth(agency: Agency) -> int:
    """How many characters the deepest path under `agency` adds to its own."""
    paths = Agency.objects.filter(path__startswith=agency.path).values_list("path", flat=True)
    return max((len(p) for p in paths), default=len(agency.path)) - len(agency.path)


def _reaches(parent_of: dict[str, str | None], start: str, target: str) -> bool:
    """Whether walking up the parents from `start` reaches `target` (or loops)."""
    seen: set[str] = set()
    node: str | None = start
    while node is not None and node not in seen:
        if node == target:
            return True
        seen.add(node)
        node = parent_of.get(node)
    return node is not None


def _agency_problem(row: dict[str, Any], units: dict[str, AdministrativeUnit]) -> str | None:
    """Why a row may not become an agency, or None. Every field is one line of text that passes
    the boundary (`text_problem`) and fits its column."""
    for f in AGENCY_FIELDS:
        value = row.get(f)
        if value is None:
            continue
        if not isinstance(value, str):
            return f"{f} must be text, not {type(value).__name__}"
        problem = text_problem(value, multiline=False)
        if problem is not None:
            return f"{f} {problem}"
        if len(value.strip()) > AGENCY_FIELD_MAX[f]:
            return f"{f} is longer than {AGENCY_FIELD_MAX[f]} characters"
    for f in ("code", "name", "kind", "unit_code"):
        if not str(row.get(f) or "").strip():
            return f"{f} is missing"
    code = str(row["code"]).strip()
    if not is_agency_code(code):
        return f"code {code!r} is not a QCVN 102:2016 agency code"
    if row["kind"] not in AgencyKind.values:
        return f"kind {row['kind']!r} is not one of {', '.join(AgencyKind.values)}"
    if str(row["unit_code"]).strip() not in units:
        return f"unit_code {row['unit_code']!r} is not a current GSO unit code"
    if str(row.get("parent_code") or "").strip() == code:
        return "an agency cannot be its own parent"
    return None


def _refresh_paths() -> None:
    """Recompute materialised paths top-down (a moved parent moves its subtree)."""
    by_parent: dict[int | None, list[Agency]] = {}
    for a in Agency.objects.all():
        by_parent.setdefault(a.parent_id, []).append(a)
    stack: list[tuple[Agency, str]] = [(a, "") for a in by_parent.get(None, [])]
    changed: list[Agency] = []
    while stack:
        agency, prefix = stack.pop()
        path = prefix + agency.code + "/"
        if agency.path != path:
            agency.path = path
            changed.append(agency)
        stack.extend((child, path) for child in by_parent.get(agency.pk, []))
    Agency.objects.bulk_update(changed, ["path"], batch_size=500)


@transaction.atomic
def apikey_create(*, name: str, agency_code: str, principal: Principal | None = None) -> tuple[ApiKey, str]:
    """Create an API key for a machine client; returns the key object and the secret (shown once)."""
    if not name.strip():
        raise InvalidInput("name is required", fields={"name": "required"})
    agency = Agency.objects.filter(code=agency_code).first()
    if agency is None:
        raise InvalidInput(f"unknown agency code {agency_code!r}", fields={"agency": "unknown agency code"})
    prefix, secret = ApiKey.new_secret()
    key = ApiKey.objects.create(name=name.strip(), agency=agency, prefix=prefix, digest=ApiKey.digest_of(secret))
    audit_record(principal=principal, action="apikey.create", object_type="apikey", object_id=key.pk,
                 data={"name": key.name, "agency": agency.code, "prefix": prefix})
    return key, secret


@transaction.atomic
def apikey_revoke(*, prefix: str, principal: Principal | None = None) -> ApiKey:
    key = ApiKey.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
    if key is None:
        raise InvalidInput(f"no active key with prefix {prefix!r}", fields={"prefix": "unknown"})
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    audit_record(principal=principal, action="apikey.revoke", object_type="apikey", object_id=key.pk, data={"prefix": prefix})
    return key


@transaction.atomic
def staff_role_grant(*, user: Any, agency: Agency, role: str, principal: Principal | None = None) -> StaffRole:
    staff_role, created = StaffRole.objects.get_or_create(user=user, agency=agency, role=role)
    if created:
        audit_record(principal=principal, action="staff.role_grant", object_type="user", object_id=user.pk,
                     data={"agency": agency.code, "role": role})
    return staff_role


@transaction.atomic
def staff_role_revoke(*, user: Any, agency: Agency, role: str, principal: Principal | None = None) -> bool:
    """Take a role at an agency away from a person; False (and no entry) when they did not hold it."""
    deleted, _counts = StaffRole.objects.filter(user=user, agency=agency, role=role).delete()
    if deleted:
        audit_record(principal=principal, action="staff.role_revoke", object_type="user", object_id=user.pk,
                     data={"agency": agency.code, "role": role})
    return bool(deleted)


@transaction.atomic
def staff_role_change(
    *, staff_role_id: int, user: Any, agency: Agency, role: str, principal: Principal | None = None
) -> StaffRole:
    """Change a held role's person, agency or role (the admin's edit of a role row): the old
    one is revoked and the new one granted, each with its entry on its person; nothing happens
    when nothing differs."""
    current = StaffRole.objects.select_for_update(of=("self",)).select_related("user", "agency").get(pk=staff_role_id)
    if (current.user_id, current.agency_id, current.role) == (user.pk, agency.pk, role):
        return current
    staff_role_revoke(user=current.user, agency=current.agency, role=current.role, principal=principal)
    return staff_role_grant(user=user, agency=agency, role=role, principal=principal)
