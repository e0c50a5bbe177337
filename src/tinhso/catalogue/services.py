"""Loading the catalogue from CSV (the national portal's columns) or JSON Lines; default workflows.

Every procedure a load creates or changes gets its audit entry (`procedure.create` with its
fields, `procedure.update` with the fields that moved, old → new), and the load one of its own
(`catalogue.load`, the counts), all in the load's transaction.

Components (thành phần hồ sơ) come as the CSV's `required_documents_vi` (semicolon-separated) or
a JSON list of names or of `{"name", "requirement", "notes"}`; each gets its requirement from
`catalogue.components.requirement_of` unless the row states one. A reload that keeps a
component's name keeps its requirement, so a correction made in the admin survives."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction

from tinhso.agencies.models import Role
from tinhso.agencies.principals import Principal
from tinhso.audit.changes import audit_value, public_fields, snapshot
from tinhso.audit.services import audit_record
from tinhso.catalogue.components import copies_of, document_type_of, issues_certified_copies, requirement_of
from tinhso.catalogue.models import (
    Component,
    OnlineLevel,
    Procedure,
    ProcedureLevel,
    ProcessingUnitChoice,
    Requirement,
    StepKind,
    WorkflowStep,
)
from tinhso.catalogue.search import name_search_of
from tinhso.core.errors import InvalidInput

# The default workflow after receipt, as shares of the legal time (Decree 118's steps 4–7).
DEFAULT_WORKFLOW: list[tuple[StepKind, str, str, Decimal]] = [
    (StepKind.APPRAISE, "Thẩm định hồ sơ", Role.SPECIALIST, Decimal("0.55")),
    (StepKind.REVIEW, "Lãnh đạo phòng xem xét", Role.HEAD, Decimal("0.10")),
    (StepKind.APPROVE, "Lãnh đạo phê duyệt", Role.LEADER, Decimal("0.10")),
    (StepKind.SIGN, "Ký kết quả", Role.LEADER, Decimal("0.10")),
    (StepKind.ISSUE, "Phát hành, chuyển trả kết quả", Role.RECORDS_CLERK, Decimal("0.15")),
]


def _decimal(value: str, field: str, line: int) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise InvalidInput(f"line {line}: {field} is not a number: {value!r}", fields={field: "not a number"}) from None


def _row_to_fields(row: dict[str, Any], line: int) -> dict[str, Any]:
    code = (row.get("code") or "").strip()
    if not code:
        raise InvalidInput(f"line {line}: code is missing", fields={"code": "required"})
    unit = (row.get("processing_unit") or "").strip()
    if unit not in ProcessingUnitChoice.values:
        raise InvalidInput(f"line {line}: processing_unit {unit!r} is not one of {ProcessingUnitChoice.values}")
    level = (row.get("level") or "").strip()
    if level not in ProcedureLevel.values:
        raise InvalidInput(f"line {line}: level {level!r} is not province or commune")
    online = (row.get("online_level") or "").strip() or OnlineLevel.PARTIAL
    if online not in OnlineLevel.values:
        raise InvalidInput(f"line {line}: online_level {online!r} is not full, partial or none")
    fee = str(row.get("fee_vnd") or "").strip()
    online_amount = str(row.get("online_processing_days") or "").strip()
    return {
        "name": (row.get("name_vi") or row.get("name") or "").strip(),
        "name_en": (row.get("name_en") or "").strip(),
        "field": (row.get("field_vi") or row.get("field") or "").strip(),
        "level": level,
        "online_level": online,
        "processing_amount": _decimal(str(row.get("processing_days") or "1"), "processing_days", line),
        "processing_unit": unit,
        "online_processing_amount": _decimal(online_amount, "online_processing_days", line) if online_amount else None,
        "fee_vnd": int(_decimal(fee, "fee_vnd", line)) if fee else 0,
        "result_document": (row.get("result_vi") or row.get("result_document") or "").strip(),
        "legal_basis": (row.get("legal_basis") or "").strip(),
        "supplement_clock": (row.get("supplement_clock") or "pause").strip(),
        "source": (row.get("source") or "").strip(),
        "notes": (row.get("notes") or "").strip(),
    }


def _row_components(row: dict[str, Any], line: int) -> list[dict[str, str]]:
    """The row's components as `{"name", "requirement", "notes"}`; a requirement the row does not
    state is "" (derived, or kept from the component of the same name)."""
    docs = row.get("required_documents_vi") or row.get("required_documents") or row.get("components") or []
    if isinstance(docs, str):
        docs = split_documents(docs)
    if not isinstance(docs, list):
        raise InvalidInput(f"line {line}: required_documents is not a list", fields={"required_documents": "not a list"})
    components: list[dict[str, str]] = []
    for n, item in enumerate(docs, start=1):
        if isinstance(item, dict):
            name, requirement, notes = (str(item.get(k) or "").strip() for k in ("name", "requirement", "notes"))
        else:
            name, requirement, notes = str(item).strip(), "", ""
        if not name:
            raise InvalidInput(f"line {line}: component {n} has no name", fields={f"required_documents.{n}": "required"})
        if requirement and requirement not in Requirement.values:
            raise InvalidInput(
                f"line {line}: component {n} requirement {requirement!r} is not one of {Requirement.values}",
                fields={f"required_documents.{n}.requirement": "unknown"},
            )
        components.append({"name": name[:1000], "requirement": requirement, "notes": notes[:1000]})
    return components


def components_sync(*, procedure: Procedure, components: list[dict[str, str]]) -> dict[str, Any] | None:
    """Make the procedure's components the given list; returns the change (old → new names and
    requirements) or None when nothing moved. A component whose name stays keeps its requirement
    unless the list states one, and its document type, copies and file types (as an administrator
    set them); a new one gets `requirement_of`, `document_type_of` and `copies_of` of its text."""
    existing = list(procedure.components.order_by("order"))
    kept = {c.name: c for c in existing}
    wanted = []
    for i, c in enumerate(components, start=1):
        before = kept.get(c["name"])  # its requirement, document type, copies and file types stay
        wanted.append(Component(
            procedure=procedure,
            order=i,
            name=c["name"],
            notes=c["notes"],
            requirement=c["requirement"] or (before.requirement if before else requirement_of(c["name"], c["notes"]).value),
            document_type=before.document_type if before else document_type_of(c["name"], c["notes"]),
            copies=before.copies if before else copies_of(c["name"], c["notes"]),
            **({"file_types": before.file_types} if before else {}),
        ))

    def shape(items: list[Component]) -> list[list[str]]:
        return [[c.name, c.requirement, c.notes] for c in items]

    if shape(existing) == shape(wanted):
        return None
    procedure.components.all().delete()
    Component.objects.bulk_create(wanted)
    return {"from": shape(existing), "to": shape(wanted)}


def split_documents(text: str) -> list[str]:
    """Split the catalogue's document list on semicolons that are not inside parentheses:
    "Tờ khai (hai bên khai chung; hoặc mẫu điện tử); Giấy tờ tuỳ thân" is two documents."""
    items: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        if ch == ";" and depth == 0:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    items.append("".join(current).strip())
    return [item for item in items if item]


def read_procedure_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    if path.suffix in {".jsonl", ".ndjson", ".json"}:
        with path.open(encoding="utf-8") as fh:
            for n, text in enumerate(fh, start=1):
                if text.strip():
                    try:
                        yield n, json.loads(text)
                    except json.JSONDecodeError as exc:
                        raise InvalidInput(f"line {n}: not valid JSON ({exc.msg})") from None
    else:
        with path.open(encoding="utf-8", newline="") as fh:
            for n, row in enumerate(csv.DictReader(fh), start=2):
                yield n, row


@transaction.atomic
def catalogue_load(*, rows: Iterable[tuple[int, dict[str, Any]]], principal: Principal | None = None) -> dict[str, int]:
    """Create or update procedures by code; give new procedures the default workflow.

    All or nothing: a bad row raises `InvalidInput` naming its line and nothing is written.
    """
    created = updated = unchanged = 0
    for line, row in rows:
        fields = _row_to_fields(row, line)
        components = _row_components(row, line)
        procedure = Procedure.objects.filter(code=row["code"].strip()).first()
        if procedure is None:
            procedure = Procedure.objects.create(code=row["code"].strip(), **fields,
                                                 certified_copy=issues_certified_copies(fields.get("name", "")))
            components_sync(procedure=procedure, components=components)
            audit_record(principal=principal, action="procedure.create", object_type="procedure", object_id=procedure.pk,
                         data={"code": procedure.code, "fields": public_fields(snapshot(procedure)),
                               "components": [[c.name, c.requirement] for c in procedure.components.order_by("order")]})
            created += 1
        else:
            changes = {k: {"from": audit_value(getattr(procedure, k)), "to": audit_value(v)}
                       for k, v in fields.items() if getattr(procedure, k) != v}
            moved = components_sync(procedure=procedure, components=components)
            if moved is not None:
                changes["components"] = moved
            if changes:
                for k, v in fields.items():
                    setattr(procedure, k, v)
                procedure.save()
                audit_record(principal=principal, action="procedure.update", object_type="procedure",
                             object_id=procedure.pk, data={"code": procedure.code, "changes": changes})
                updated += 1
            else:
                unchanged += 1
                if procedure.name_search != name_search_of(name=procedure.name, name_en=procedure.name_en,
                                                           code=procedure.code):
                    # Stale after a write that bypassed `save()` (a queryset `update`): refolded.
                    procedure.save(update_fields=["name_search"])
        if not procedure.steps.exists():
            workflow_set_default(procedure=procedure)
    if created or updated:
        audit_record(principal=principal, action="catalogue.load", object_type="procedure", object_id="*",
                     data={"created": created, "updated": updated, "unchanged": unchanged})
    return {"created": created, "updated": updated, "unchanged": unchanged}


def workflow_set_default(*, procedure: Procedure) -> list[WorkflowStep]:
    total = procedure.budget_hours
    return WorkflowStep.objects.bulk_create(
        [
            WorkflowStep(
                procedure=procedure,
                order=i,
                name=name,
                kind=kind,
                role=role,
                budget_hours=(total * share).quantize(Decimal("0.01")),
            )
            for i, (kind, name, role, share) in enumerate(DEFAULT_WORKFLOW, start=1)
        ]
    )


def sample_catalogue_path() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "procedures-sample.csv"
