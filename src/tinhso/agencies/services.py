"""Writes to agencies, staff roles and API keys (each with its audit entry)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from tinhso.agencies.models import Agency, AgencyKind, ApiKey, StaffRole
from tinhso.agencies.principals import Principal
from tinhso.audit.services import audit_record
from tinhso.core.codes import is_agency_code
from tinhso.core.errors import InvalidInput
from tinhso.units.models import AdministrativeUnit

AGENCY_FIELDS = ("code", "name", "kind", "unit_code", "parent_code")


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
    """(line number, row, error) for each line of a CSV or JSON Lines file."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        yield from parse_agency_rows(fh, jsonl=path.suffix.lower() in {".jsonl", ".ndjson", ".json"})


def parse_agency_rows(fh: io.TextIOBase | Any, *, jsonl: bool) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    if jsonl:
        for n, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                yield n, None, f"not valid JSON: {exc.msg}"
                continue
            if not isinstance(obj, dict):
                yield n, None, "not a JSON object"
                continue
            yield n, obj, None
        return
    reader = csv.DictReader(fh)
    missing = [f for f in AGENCY_FIELDS if f not in (reader.fieldnames or [])]
    if missing:
        yield 1, None, f"header misses the column(s): {', '.join(missing)}"
        return
    for row in reader:
        yield reader.line_num, row, None


def agencies_import(*, rows: Iterable[tuple[int, dict[str, Any] | None, str | None]], principal: Principal | None) -> ImportReport:
    """Create or update agencies by code. Parents may come later in the file than their children:
    rows are validated first, then written parent-first, in one transaction. Bad lines are
    reported with their number and skipped; the good ones are kept."""
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
            for code, (_line, row) in list(pending.items()):
                parent_code = str(row.get("parent_code") or "").strip()
                if parent_code and parent_code in pending and parent_code != code:
                    continue
                if parent_code and _reaches(parent_of, parent_code, code):  # a cycle through existing agencies
                    report.errors.append(LineError(line, f"agency {code!r} is part of a parent cycle"))
                    del pending[code]
                    progressed = True
                    continue
                parent = done.get(parent_code) if parent_code else None
                agency = done.get(code)
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
