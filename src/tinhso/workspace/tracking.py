"""What the public tracking page (tra cứu hồ sơ) shows of a dossier, and how it finds one.

A citizen sees the dossier's status and, when the dossier waits on them or was turned away, the
content of the notice they were given on paper: what is missing and why (form 02) with the
paused clock, the reason of a refusal (form 03), the apology and the new appointment of an
extension (form 04), the reason a dossier was stopped (form 05) or withdrawn. Nothing personal
beyond the masked name: no ID number, no phone, no officer's name.

Codes are found however they are typed (`core.codes.dossier_code_candidates`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from tinhso.core.codes import dossier_code_candidates, mask_name
from tinhso.dossiers.forms.data import supplement_documents
from tinhso.dossiers.models import Dossier, DossierEvent, Status

CLOSED_WITHOUT_RESULT = (Status.REFUSED, Status.WITHDRAWN, Status.STOPPED)


def find_public_dossier(text: str) -> Dossier | None:
    """The dossier `text` names, however it was typed; None if none or more than one match."""
    candidates = dossier_code_candidates(text)
    if not candidates:
        return None
    found = list(Dossier.objects.select_related("procedure", "receiving_agency", "handling_agency")
                 .filter(code__in=candidates)[:2])
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class Notice:
    """The notice the citizen was given: its form, what to do or why, and its dates."""

    form: str  # "02" … "05", or "withdrawn"
    at: datetime
    reason: str
    documents: tuple[str, ...] = ()
    paused_since: datetime | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    agency: str = ""


def _last_event(d: Dossier, action: str) -> DossierEvent | None:
    return d.events.filter(action=action).order_by("-at", "-id").first()


def notice_of(d: Dossier) -> Notice | None:
    """The notice that explains the dossier's present state, if its state has one."""
    local = timezone.localtime
    if d.status == Status.SUPPLEMENT_REQUESTED:
        event = _last_event(d, "request_supplement")
        if event is None:
            return None
        return Notice("02", local(event.at), event.note, tuple(supplement_documents(d, event)),
                      paused_since=local(d.paused_at) if d.paused_at else None, agency=d.receiving_agency.name)
    actions = {Status.REFUSED: ("03", "refuse"), Status.STOPPED: ("05", "stop"), Status.WITHDRAWN: ("withdrawn", "withdraw")}
    if d.status in actions:
        form, action = actions[Status(d.status)]
        event = _last_event(d, action)
        reason = event.note if event is not None else d.stop_reason
        at = event.at if event is not None else d.updated_at
        return Notice(form, local(at), reason or d.stop_reason, agency=d.handling_agency.name)
    if d.extended and d.is_open:
        event = _last_event(d, "extend")
        if event is None:
            return None
        return Notice("04", local(event.at), event.note or d.extension_reason,
                      due_before=local(event.due_before) if event.due_before else None,
                      due_after=local(d.due_at) if d.due_at else None,
                      agency=(event.to_agency or d.handling_agency).name)
    return None


def public_view(d: Dossier) -> dict[str, Any]:
    """The dossier as the public page shows it (masked name, no identifiers)."""
    finished = d.finished_at or d.returned_at
    notice = notice_of(d)
    paused = d.is_paused and d.is_open
    on_time: bool | None
    if d.due_at is None or d.status in CLOSED_WITHOUT_RESULT or paused:
        on_time = None
    else:
        on_time = not d.is_overdue()
    return {
        "code": d.code,
        "status": d.get_status_display(),
        "status_value": d.status,
        "procedure": d.procedure.name,
        "agency": d.receiving_agency.name,
        "received_at": d.received_at,
        # a paused clock has no appointment yet, a closed dossier none at all
        "due_at": None if paused or d.status in CLOSED_WITHOUT_RESULT else d.due_at,
        "paused": paused,
        "paused_since": timezone.localtime(d.paused_at) if paused and d.paused_at else None,
        "finished_at": finished if d.status not in CLOSED_WITHOUT_RESULT else None,
        "applicant": mask_name(d.applicant_name),
        "on_time": on_time,
        "notice": notice,
        "rateable": d.status == Status.RETURNED and not d.rating,
        "rated": bool(d.rating),
        "rating": d.get_rating_display() if d.rating else "",
        "version": d.version,
    }
