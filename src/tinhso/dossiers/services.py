"""The one door for every change to a dossier.

Each action is one function `dossier_<action>(*, principal, code, …)`. All of them go through
`_act`, which locks the dossier row, checks the caller's role and the dossier's status against
the transition table, applies the change, appends the history row, writes the audit entry and
sends `dossier_changed` after commit. Two people acting on one dossier at once: the second waits
for the lock, then finds the status moved on and gets `Conflict` (HTTP 409).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import filetype
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.agencies.models import Agency, Role
from tinhso.agencies.principals import Principal
from tinhso.agencies.scoping import roles_at, visible_agencies
from tinhso.audit.services import audit_record
from tinhso.catalogue.models import FeeTiming, Procedure, WorkflowStep
from tinhso.core.codes import is_citizen_id, is_tax_code, normalise_tax_code
from tinhso.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tinhso.core.phones import phone_number
from tinhso.core.text import search_key
from tinhso.dossiers.components import ComponentReceipt, receipt_errors
from tinhso.dossiers.models import (
    OPEN_STATUSES,
    ApplicantType,
    Attachment,
    AttachmentKind,
    Channel,
    CopyForm,
    Dossier,
    DossierEvent,
    Medium,
    Rating,
    ReceivedComponent,
    ResultDelivery,
    ResultKind,
    Status,
)
from tinhso.dossiers.sequence import next_dossier_code
from tinhso.dossiers.signals import SNAPSHOT_FIELDS, dossier_changed, dossier_changing, dossiers_bulk_changing
from tinhso.dossiers.signals import snapshot as field_snapshot
from tinhso.dossiers.transitions import APPLICANT, BANK, Action, move_for
from tinhso.workcalendar.calendar import WorkingCalendar
from tinhso.workcalendar.selectors import calendar_for_agency

# Roles that handle a dossier's files (viewers and administrators watch, they do not handle).
HANDLING_ROLES = frozenset({Role.RECEPTION, Role.SPECIALIST, Role.HEAD, Role.LEADER, Role.RECORDS_CLERK})


@dataclass
class Applicant:
    type: str
    name: str
    id_number: str = ""
    birth_date: date | None = None
    address: str = ""
    phone: str = ""
    email: str = ""
    representative_name: str = ""
    representative_id_number: str = ""

    def validate(self) -> None:
        errors: dict[str, str] = {}
        if self.type not in ApplicantType.values:
            errors["applicant_type"] = _("Phải là citizen hoặc business.")
        if not self.name.strip():
            errors["applicant_name"] = _("Bắt buộc.")
        if self.type == ApplicantType.CITIZEN and not is_citizen_id(self.id_number):
            errors["applicant_id_number"] = _("Số định danh cá nhân phải gồm 12 chữ số.")
        if self.type == ApplicantType.BUSINESS:
            if not is_tax_code(self.id_number):
                errors["applicant_id_number"] = _(
                    "Mã số thuế không đúng: phải gồm 10 hoặc 13 chữ số và chữ số kiểm tra (thứ mười) phải khớp.")
            else:
                self.id_number = normalise_tax_code(self.id_number)
        if self.representative_id_number and not is_citizen_id(self.representative_id_number):
            errors["representative_id_number"] = _("Số định danh cá nhân phải gồm 12 chữ số.")
        if self.birth_date is not None and not date(1900, 1, 1) <= self.birth_date <= timezone.localdate():
            errors["applicant_birth_date"] = _("Ngày sinh phải từ năm 1900 đến hôm nay.")
        if self.phone:
            phone = phone_number(self.phone)
            if phone is None:
                errors["applicant_phone"] = _("Số điện thoại không hợp lệ (ví dụ 0912 345 678 hoặc +84 912 345 678).")
            else:
                self.phone = phone
        if errors:
            raise InvalidInput(_("Thông tin người nộp không hợp lệ."), fields=errors)


@dataclass(frozen=True)
class StoredFile:
    """A file already in storage (a document of the applicant's store): reused, not copied."""

    name: str  # the storage name
    sha256: str
    size: int
    content_type: str
    # Picked from the store (a reuse) — False for a file put in the store for this very dossier.
    reused: bool = True


@dataclass
class Upload:
    """A file handed in. Its bytes come one of three ways: `content` (small, in memory), `file`
    (a Django `File`, e.g. an upload spooled to disk: streamed to storage in chunks, never read
    whole), or `stored` (a file already stored: the attachment points at it, marked reused)."""

    name: str
    filename: str
    content: bytes = b""
    digitised: bool = True
    kind: str = AttachmentKind.COMPONENT
    file: File | None = None
    stored: StoredFile | None = None
    component: int | None = None  # the catalogue component number it answers


@dataclass
class ActionResult:
    dossier: Dossier
    event: DossierEvent
    form: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# --- helpers -------------------------------------------------------------------------------


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _roles_for(principal: Principal | None, dossier: Dossier) -> set[str]:
    if principal is None or principal.applicant:
        return {APPLICANT}
    # At the receiving agency only the counter's role counts: once the dossier is handled
    # elsewhere (transferred), the receiving agency's specialists and leaders no longer act on it.
    at_counter = roles_at(principal, dossier.receiving_agency) & {Role.RECEPTION}
    return roles_at(principal, dossier.handling_agency) | at_counter


def _check_role(action: Action, roles: set[str], step: WorkflowStep | None = None) -> None:
    move = move_for(action)
    allowed = roles & move.roles
    if not allowed:
        raise PermissionDenied(_("Vai trò của bạn không được thực hiện thao tác này với hồ sơ."), code="role_not_allowed")
    if step is not None and move.step_kinds is not None and step.role not in allowed:
        # The caller may take this action, but the dossier is at another role's step — e.g. a
        # second specialist's "forward" that waited for the lock while the first one moved it on.
        raise Conflict(_("Hồ sơ không ở bước của bạn."), code="wrong_step")


def _check_status(action: Action, dossier: Dossier) -> None:
    move = move_for(action)
    if Status(dossier.status) not in move.sources:
        raise Conflict(
            _("Không thể thực hiện “%(action)s” khi hồ sơ đang ở trạng thái “%(status)s”.")
            % {"action": action.value, "status": Status(dossier.status).label},
            code="invalid_transition",
        )
    if move.step_kinds is not None:
        step = dossier.current_step
        if step is None or step.kind not in move.step_kinds:
            raise Conflict(
                _("Hồ sơ không ở bước cho phép thao tác “%(action)s”.") % {"action": action.value},
                code="wrong_step",
            )


def _step_due(dossier: Dossier, step: WorkflowStep | None, start: datetime) -> datetime | None:
    if step is None:
        return None
    calendar = calendar_for_agency(dossier.handling_agency)
    return calendar.add_working_seconds(calendar.clock_start(start), int(step.budget_hours * 3600))


def _enter_step(dossier: Dossier, step: WorkflowStep | None, at: datetime) -> None:
    dossier.current_step = step
    dossier.current_handler = None
    if step is not None and step.agency is not None:
        dossier.handling_agency = step.agency
    dossier.step_due_at = _step_due(dossier, step, at)


def _next_step(dossier: Dossier) -> WorkflowStep | None:
    if dossier.current_step is None:
        return dossier.procedure.steps.order_by("order").first()
    return dossier.procedure.steps.filter(order__gt=dossier.current_step.order).order_by("order").first()


def _append_event(
    *,
    dossier: Dossier,
    principal: Principal | None,
    action: Action,
    before: dict[str, Any],
    at: datetime,
    note: str,
    actor_name: str | None = None,
) -> DossierEvent:
    return DossierEvent.objects.create(
        dossier=dossier,
        at=at,
        actor=principal.user if principal is not None else None,  # type: ignore[misc]
        actor_name=actor_name or (principal.display_name if principal is not None else _("Người nộp hồ sơ")),
        action=action.value,
        from_status=before["status"],
        to_status=dossier.status,
        from_agency_id=before["agency_id"],
        to_agency_id=dossier.handling_agency_id,
        from_step=before["step"],
        to_step=dossier.current_step.name if dossier.current_step else "",
        due_before=before["due_at"],
        due_after=dossier.due_at,
        note=note,
    )


def _snapshot(dossier: Dossier | None) -> dict[str, Any]:
    if dossier is None:
        return {"status": None, "agency_id": None, "step": "", "due_at": None, "fields": None}
    return {
        "status": dossier.status,
        "agency_id": dossier.handling_agency_id,
        "step": dossier.current_step.name if dossier.current_step else "",
        "due_at": dossier.due_at,
        "fields": field_snapshot(dossier),
    }


def _finish_change(
    *,
    dossier: Dossier,
    principal: Principal | None,
    action: Action,
    before: dict[str, Any],
    at: datetime,
    note: str,
    data: dict[str, Any] | None = None,
    actor_name: str | None = None,
) -> ActionResult:
    event = _append_event(
        dossier=dossier, principal=principal, action=action, before=before, at=at, note=note, actor_name=actor_name
    )
    audit_record(
        principal=principal,
        action=f"dossier.{action.value}",
        object_type="dossier",
        object_id=dossier.code,
        data={"from_status": before["status"], "to_status": dossier.status, "note": note, **(data or {})},
    )
    # Derived data (the index counters) is written in this same transaction.
    dossier_changing.send(sender=Dossier, before=before["fields"], after=field_snapshot(dossier))
    payload = {
        "dossier_id": dossier.pk,
        "code": dossier.code,
        "action": action.value,
        "from_status": before["status"],
        "to_status": dossier.status,
        "at": at,
    }
    transaction.on_commit(lambda: dossier_changed.send(sender=Dossier, **payload))
    return ActionResult(dossier=dossier, event=event, form=move_for(action).form)


def _locked(principal: Principal | None, code: str) -> Dossier:
    """The dossier row, locked for this transaction, if the caller may see it (else 404)."""
    qs = Dossier.objects.select_for_update(of=("self",)).select_related(
        "procedure", "current_step", "handling_agency__unit__parent", "receiving_agency__unit__parent"
    )
    try:
        dossier = qs.get(code=code)
    except Dossier.DoesNotExist:
        raise NotFound(_("Không tìm thấy hồ sơ %(code)s.") % {"code": code}) from None
    if principal is not None and principal.applicant:
        if dossier.applicant_account_id != principal.user.pk:
            raise NotFound(_("Không tìm thấy hồ sơ %(code)s.") % {"code": code})
    elif principal is not None and not principal.is_superuser:
        visible = visible_agencies(principal).filter(pk__in=[dossier.handling_agency_id, dossier.receiving_agency_id])
        if not visible.exists():
            raise NotFound(_("Không tìm thấy hồ sơ %(code)s.") % {"code": code})
    return dossier


def _act(
    *,
    principal: Principal | None,
    code: str,
    action: Action,
    change: Callable[[Dossier, datetime], dict[str, Any] | None],
    at: datetime | None = None,
    note: str = "",
    expected_version: int | None = None,
    roles: set[str] | None = None,
    actor_name: str | None = None,
) -> ActionResult:
    """`roles` replaces the caller's roles for a move made on someone else's word (the bank's,
    `transitions.BANK`); `actor_name` names that someone in the history."""
    at = _now(at)
    with transaction.atomic():
        dossier = _locked(principal, code)
        if expected_version is not None and dossier.version != expected_version:
            raise Conflict(
                _("Hồ sơ vừa được người khác cập nhật; vui lòng tải lại."), code="stale_version"
            )
        _check_status(action, dossier)
        _check_role(action, roles if roles is not None else _roles_for(principal, dossier), dossier.current_step)
        before = _snapshot(dossier)
        move = move_for(action)
        data = change(dossier, at) or {}
        if move.target is not None and "status" not in data:
            dossier.status = move.target
        data.pop("status", None)
        dossier.version += 1
        _refresh_overdue_mark(dossier, at)
        dossier.save()
        return _finish_change(
            dossier=dossier, principal=principal, action=action, before=before, at=at, note=note, data=data,
            actor_name=actor_name,
        )


def _refresh_overdue_mark(dossier: Dossier, at: datetime) -> None:
    """Open, not paused and past due at the moment of the change: marked (`Dossier.marked_overdue`).
    A dossier whose due moment passes later is marked by the sweep (`dossiers_mark_overdue`)."""
    dossier.marked_overdue = dossier.is_open and dossier.is_overdue(at)


def latest_due_moment(received_at: datetime) -> datetime:
    """The latest due moment a dossier received at `received_at` may be given:
    `TINHSO_MAX_DUE_YEARS` years later (29 February falls back to 28)."""
    years = settings.TINHSO_MAX_DUE_YEARS
    try:
        return received_at.replace(year=received_at.year + years)
    except ValueError:
        return received_at.replace(year=received_at.year + years, day=28)


class DueMomentRefused(InvalidInput):
    """A typed due moment the working calendar refuses; `proposal` is the next valid instant."""

    def __init__(self, message: str, *, proposal: datetime, field_name: str) -> None:
        super().__init__(message, fields={field_name: message}, code="due_moment_not_working_time")
        self.proposal = proposal


def _moment(t: datetime) -> str:
    return f"{timezone.localtime(t):%H:%M %d/%m/%Y}"


def check_typed_due_moment(
    calendar: WorkingCalendar, typed: datetime, *, current: datetime, field_name: str = "new_due_at"
) -> None:
    """A due moment an officer typed must be an instant the office is open, adding working time to
    the `current` due moment (`WorkingCalendar.next_due_instant`); else `DueMomentRefused`
    naming why and proposing the next valid instant."""
    proposal = calendar.next_due_instant(typed, after=current)
    if proposal == typed:
        return
    if typed <= current or calendar.working_seconds_between(current, typed) == 0:
        why = _("Ngày hẹn mới phải sau ngày hẹn hiện tại (%(current)s).") % {"current": _moment(current)}
    elif not calendar.is_working_day(typed):
        why = _("Ngày hẹn mới rơi vào ngày nghỉ.")
    else:
        why = _("Ngày hẹn mới nằm ngoài giờ làm việc.")
    raise DueMomentRefused(
        _("%(why)s Đề xuất: %(proposal)s.") % {"why": why, "proposal": _moment(proposal)},
        proposal=proposal,
        field_name=field_name,
    )


def _require(value: str, field_name: str) -> str:
    if not value or not value.strip():
        raise InvalidInput(_("Cần ghi rõ lý do."), fields={field_name: _("Bắt buộc.")})
    return value.strip()


# --- receipt -------------------------------------------------------------------------------


def _compute_due(dossier: Dossier, start: datetime) -> datetime:
    procedure = dossier.procedure
    calendar = calendar_for_agency(dossier.receiving_agency)
    return calendar.due(start, procedure.processing_time_for(dossier.channel), procedure.processing_unit)


def _check_intake(principal: Principal | None, agency: Agency, action: Action) -> None:
    roles = {APPLICANT} if principal is None or principal.applicant else roles_at(principal, agency)
    if not roles & move_for(action).roles:
        if principal is not None and not visible_agencies(principal).filter(pk=agency.pk).exists():
            raise NotFound(_("Không tìm thấy cơ quan %(code)s.") % {"code": agency.code})
        raise PermissionDenied(_("Chỉ cán bộ tiếp nhận của cơ quan mới được tiếp nhận hồ sơ."), code="role_not_allowed")


def _new_dossier(
    *, procedure: Procedure, agency: Agency, channel: int, applicant: Applicant, summary: str, at: datetime,
    components: Sequence[ComponentReceipt] | None = None,
) -> Dossier:
    """A dossier not saved yet, once every check of the intake passed. Every problem is reported
    at once: the channel, the procedure, the applicant's fields and the components together."""
    errors: dict[str, Any] = {}
    message = ""
    if channel not in Channel.values:
        message = _("Hình thức nộp không hợp lệ.")
        errors["channel"] = _("Phải là 1, 2 hoặc 3.")
    if not procedure.is_active:
        message = _("Thủ tục không còn áp dụng.")
        errors["procedure_code"] = _("Không còn áp dụng.")
    try:
        applicant.validate()
    except InvalidInput as exc:
        message = message or exc.message
        errors.update(exc.fields)
    if components is not None:
        problems = receipt_errors(list(procedure.components.all()), components)
        message = message or problems.get("components") or (_("Thành phần hồ sơ không hợp lệ.") if problems else "")
        errors.update(problems)
    if errors:
        if len(errors) > 1:
            message = _("Hồ sơ chưa tiếp nhận được: %(count)s chỗ cần sửa.") % {"count": len(errors)}
        raise InvalidInput(message, fields=errors)
    local_day = timezone.localtime(at).date()
    return Dossier(
        code=next_dossier_code(agency.pk, agency.code, local_day),
        procedure=procedure,
        receiving_agency=agency,
        handling_agency=agency,
        channel=channel,
        applicant_type=applicant.type,
        applicant_id_number=applicant.id_number,
        applicant_name=applicant.name.strip(),
        applicant_name_search=search_key(applicant.name),
        applicant_birth_date=applicant.birth_date,
        applicant_address=applicant.address,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        representative_name=applicant.representative_name,
        representative_id_number=applicant.representative_id_number,
        summary=summary or procedure.name,
        submitted_at=at,
        fee_due=procedure.fee_vnd,
    )


def _start_clock(dossier: Dossier, at: datetime) -> None:
    dossier.received_at = at
    dossier.due_at = dossier.legal_due_at = _compute_due(dossier, at)
    _enter_step(dossier, _next_step(dossier), at)


def _store_uploads(dossier: Dossier, uploads: list[Upload], principal: Principal | None) -> list[Attachment]:
    return [attachment_store(dossier=dossier, upload=u, principal=principal) for u in uploads]


def dossier_receive(
    *,
    principal: Principal | None,
    procedure: Procedure,
    agency: Agency,
    channel: int,
    applicant: Applicant,
    summary: str = "",
    uploads: list[Upload] | None = None,
    fee_paid: bool = False,
    components: Sequence[ComponentReceipt] | None = None,
    at: datetime | None = None,
    actor_name: str | None = None,
) -> ActionResult:
    """Receive a complete dossier at `agency` (counter, post, or online already checked): the
    code is issued, the clock starts and form 01 (receipt and appointment) is due.

    `components` is what the applicant handed in (`dossiers.components`): every required
    component of the procedure must be there, or nothing is received (422 naming the missing
    ones, with every other bad field). The faces always pass it; None — "not itemised" — is left
    for callers that replay history, whose form 01 then lists the catalogue's components.

    `fee_paid` says the fee was taken at the counter. A fee paid online is never declared here:
    only the bank's confirmation sets `fee_paid_online` (`dossier_fee_paid`, from `tinhso.payments`)."""
    at = _now(at)
    _check_intake(principal, agency, Action.RECEIVE)
    with transaction.atomic():
        dossier = _new_dossier(
            procedure=procedure, agency=agency, channel=channel, applicant=applicant, summary=summary, at=at,
            components=components,
        )
        dossier.status = Status.RECEIVED
        # The applicant brought documents (on paper, or scanned here): the dossier is in the
        # denominator of REUSED_DIGITIZED_DATA, whose numerator only the document store feeds.
        dossier.documents_required = bool(components) if components is not None else procedure.components.exists()
        dossier.certified_copy = procedure.certified_copy
        dossier.fee_paid = fee_paid
        _start_clock(dossier, at)
        _refresh_overdue_mark(dossier, at)
        dossier.save()
        if uploads:
            _store_uploads(dossier, uploads, principal)
            dossier.components_digitised = all(u.digitised for u in uploads)
            dossier.save(update_fields=["components_digitised"])
        received = _record_components(dossier, components) if components is not None else None
        return _finish_change(
            dossier=dossier,
            principal=principal,
            action=Action.RECEIVE,
            before=_snapshot(None),
            at=at,
            note="",
            data={"components": received} if received is not None else None,
            actor_name=actor_name,
        )


def _record_components(dossier: Dossier, receipts: Sequence[ComponentReceipt]) -> list[list[Any]]:
    """Write what was handed in (already checked by `receipt_errors`), in the catalogue's order;
    returns it as `[number, quantity, copy form, medium]` rows for the audit entry."""
    catalogue = {c.order: c for c in dossier.procedure.components.all()}
    ordered = sorted(receipts, key=lambda r: r.number)
    ReceivedComponent.objects.bulk_create([
        ReceivedComponent(
            dossier=dossier,
            component=catalogue[r.number],
            order=r.number,
            name=catalogue[r.number].name,
            requirement=catalogue[r.number].requirement,
            quantity=r.quantity,
            copy_form=r.copy_form,
            medium=r.medium,
        )
        for r in ordered
    ])
    return [[r.number, r.quantity, r.copy_form, r.medium] for r in ordered]


def dossier_submit(
    *,
    principal: Principal | None,
    procedure: Procedure,
    agency: Agency,
    applicant: Applicant,
    summary: str = "",
    uploads: list[Upload] | None = None,
    at: datetime | None = None,
    applicant_verified: bool = False,
    result_delivery: str = "",
    result_delivery_address: str = "",
) -> ActionResult:
    """Register an online dossier (status 1): it waits for a reception officer to check it.

    Submitted by a citizen (`principal.applicant`), the dossier is theirs (`applicant_account`):
    they follow and act on it in the portal. `applicant_verified` says the applicant's data came
    from the identity provider, not typed in; uploads that are `stored` documents are reuses."""
    at = _now(at)
    if principal is not None:
        _check_intake(principal, agency, Action.SUBMIT)
    if result_delivery and result_delivery not in ResultDelivery.values:
        raise InvalidInput(_("Hình thức nhận kết quả không hợp lệ."), fields={"result_delivery": _("electronic, post hoặc counter.")})
    with transaction.atomic():
        dossier = _new_dossier(
            procedure=procedure, agency=agency, channel=Channel.ONLINE, applicant=applicant, summary=summary, at=at
        )
        dossier.status = Status.REGISTERED
        if principal is not None and principal.applicant:
            dossier.applicant_account = principal.user
        dossier.applicant_verified = applicant_verified
        dossier.documents_required = procedure.components.exists()
        dossier.certified_copy = procedure.certified_copy
        dossier.documents_reused = any(u.stored is not None and u.stored.reused for u in uploads or [])
        dossier.result_delivery = result_delivery
        dossier.result_delivery_address = result_delivery_address[:500]
        dossier.save()
        if uploads:
            _store_uploads(dossier, uploads, principal)
            dossier.components_digitised = all(u.digitised for u in uploads)
            dossier.save(update_fields=["components_digitised"])
        return _finish_change(
            dossier=dossier, principal=principal, action=Action.SUBMIT, before=_snapshot(None), at=at, note="",
            data={"reused": sum(u.stored is not None and u.stored.reused for u in uploads or []),
                  "verified": applicant_verified},
            actor_name=applicant.name if principal is not None and principal.applicant else None,
        )


def dossier_accept(
    *, principal: Principal, code: str, at: datetime | None = None, expected_version: int | None = None
) -> ActionResult:
    """Receive a registered online dossier after checking it: the clock starts (form 01). The
    components the applicant sent electronically (attachments naming their component) become
    the receipt's itemised list, so form 01 says what was handed in."""

    def change(d: Dossier, now: datetime) -> dict[str, Any] | None:
        _start_clock(d, now)
        if d.received_components.exists():
            return None
        numbers = sorted({
            n for n in d.attachments.filter(kind=AttachmentKind.COMPONENT, component_number__isnull=False)
            .values_list("component_number", flat=True) if n is not None
        })
        known = set(d.procedure.components.values_list("order", flat=True))
        receipts = [ComponentReceipt(n, 1, CopyForm.COPY, Medium.ELECTRONIC) for n in numbers if n in known]
        return {"components": _record_components(d, receipts)} if receipts else None

    return _act(principal=principal, code=code, action=Action.RECEIVE, change=change, at=at, expected_version=expected_version)


# --- the turns -----------------------------------------------------------------------------


def dossier_request_supplement(
    *, principal: Principal, code: str, reason: str, documents: list[str] | None = None,
    at: datetime | None = None, expected_version: int | None = None,
) -> ActionResult:
    """Ask for a supplement (form 02). Once received, the clock pauses until it arrives."""
    reason = _require(reason, "reason")

    def change(d: Dossier, now: datetime) -> dict[str, Any]:
        if d.received_at is not None:
            d.paused_at = now
        return {"documents": documents or []}

    return _act(
        principal=principal, code=code, action=Action.REQUEST_SUPPLEMENT, change=change, at=at, note=reason,
        expected_version=expected_version,
    )


def dossier_supplement_received(
    *, principal: Principal, code: str, note: str = "", uploads: list[Upload] | None = None,
    at: datetime | None = None, expected_version: int | None = None,
) -> ActionResult:
    """The supplement arrived: the clock resumes and the due moment moves by the paused working
    time — or, for procedures that restart, the whole legal time starts again."""

    def change(d: Dossier, now: datetime) -> dict[str, Any]:
        if uploads:
            _store_uploads(d, [dataclasses.replace(u, kind=AttachmentKind.SUPPLEMENT) for u in uploads], principal)
            if any(u.stored is not None and u.stored.reused for u in uploads) and not d.documents_reused:
                d.documents_reused = d.documents_required = True  # n never exceeds d
        if d.received_at is None:
            d.status = Status.REGISTERED  # requested at intake: back to the check
            return {"status": d.status}
        calendar = calendar_for_agency(d.receiving_agency)
        paused = calendar.working_seconds_between(d.paused_at, now) if d.paused_at else 0
        if d.procedure.supplement_clock == "restart":
            d.due_at = d.legal_due_at = _compute_due(d, now)
            d.paused_seconds = 0
        elif paused:
            # A pause of no working time (asked and brought back at lunch, overnight, on a day
            # off, or at the same instant) moves nothing: adding zero would snap a 17:00
            # appointment to the next opening.
            d.paused_seconds += paused
            assert d.due_at is not None
            d.due_at = calendar.add_working_seconds(d.due_at, paused)
            if d.legal_due_at is not None:
                d.legal_due_at = calendar.add_working_seconds(d.legal_due_at, paused)
        if d.step_due_at is not None and paused:
            d.step_due_at = calendar.add_working_seconds(d.step_due_at, paused)
        d.paused_at = None
        return {"paused_working_seconds": paused}

    return _act(
        principal=principal, code=code, action=Action.SUPPLEMENT_RECEIVED, change=change, at=at, note=note,
        expected_version=expected_version,
    )


def dossier_refuse(
    *, principal: Principal, code: str, reason: str, at: datetime | None = None, expected_version: int | None = None
) -> ActionResult:
    """Refuse the dossier (form 03) with its reason."""
    reason = _require(reason, "reason")

    def change(d: Dossier, now: datetime) -> None:
        d.stop_reason = reason
        d.paused_at = None
        d.current_step = None
        d.finished_at = None

    return _act(principal=principal, code=code, action=Action.REFUSE, change=change, at=at, note=reason, expected_version=expected_version)


def _advance(principal: Principal, code: str, action: Action, note: str, at: datetime | None, expected_version: int | None) -> ActionResult:
    def change(d: Dossier, now: datetime) -> None:
        _enter_step(d, _next_step(d), now)

    return _act(principal=principal, code=code, action=action, change=change, at=at, note=note, expected_version=expected_version)


def dossier_forward(
    *, principal: Principal, code: str, note: str = "", at: datetime | None = None, expected_version: int | None = None
) -> ActionResult:
    """The current step is done: the next step of the workflow takes over (maybe at another agency)."""
    return _advance(principal, code, Action.FORWARD, note, at, expected_version)


def dossier_approve(
    *, principal: Principal, code: str, note: str = "", at: datetime | None = None, expected_version: int | None = None
) -> ActionResult:
    return _advance(principal, code, Action.APPROVE, note, at, expected_version)


def dossier_sign(
    *, principal: Principal, code: str, note: str = "", result_number: str = "", result_kind: str = ResultKind.ELECTRONIC,
    at: datetime | None = None, expected_version: int | None = None,
) -> ActionResult:
    """The result is signed: its number (số, ký hiệu — "12/QĐ-UBND") is required, and whether it
    is issued electronically or on paper. An electronic result is signed here as PAdES with the
    leader's registered key (`_sign_result`); without a registered key it stays unsigned (it then
    needs its file at `finish` and is no electronic original)."""
    errors: dict[str, str] = {}
    if result_kind not in ResultKind.values:
        errors["result_kind"] = _("electronic hoặc paper.")
    result_number = (result_number or "").strip()
    if not result_number:
        errors["result_number"] = _("Bắt buộc: số, ký hiệu của văn bản kết quả (ví dụ 12/QĐ-UBND).")
    if errors:
        raise InvalidInput(_("Chưa ký được: kiểm tra số, ký hiệu và hình thức của kết quả."), fields=errors)

    def change(d: Dossier, now: datetime) -> dict[str, Any] | None:
        d.result_kind = result_kind
        d.result_number = result_number
        _enter_step(d, _next_step(d), now)
        if result_kind != ResultKind.ELECTRONIC:
            d.result_original = False
            return None
        return _sign_result(d, principal, now)

    return _act(principal=principal, code=code, action=Action.SIGN, change=change, at=at, note=note, expected_version=expected_version)


def _latest_result_pdf(d: Dossier) -> bytes | None:
    attachment = d.attachments.filter(kind=AttachmentKind.RESULT, content_type="application/pdf").order_by("-id").first()
    if attachment is None:
        return None
    with attachment.file.open("rb") as f:
        return bytes(f.read())


def _store_signed_result(d: Dossier, pdf: bytes, principal: Principal | None, name: str) -> None:
    attachment_store(dossier=d, principal=principal, upload=Upload(
        name=name, filename=f"{d.code}-ket-qua.pdf", content=pdf, digitised=True, kind=AttachmentKind.RESULT,
    ))


def _sign_result(d: Dossier, principal: Principal | None, now: datetime) -> dict[str, Any]:
    """The leader's PAdES signature on the electronic result (`tinhso.signing`): the newest result
    PDF the specialist uploaded, else one drawn from the dossier. The signed file becomes the
    newest `result` attachment (what the citizen's store receives), its SHA-256 recorded on the
    `IssuedDocument`. A registered key that cannot be used refuses the sign (409)."""
    from tinhso.signing.services import result_sign

    outcome = result_sign(dossier=d, source_pdf=_latest_result_pdf(d), principal=principal, at=now)
    if outcome.signed is not None:
        _store_signed_result(d, outcome.signed.pdf, principal, outcome.signed.document.document_name)
    # An electronic original only when the signed file validated (ORIGINAL_RESULT_AVAILABLE).
    d.result_original = outcome.signed is not None and outcome.signed.document.verified
    return outcome.as_data()


def _result_signed(d: Dossier) -> bool:
    from tinhso.signing.services import result_signed

    return result_signed(d)


def _seal_result(d: Dossier, principal: Principal | None, now: datetime) -> dict[str, Any]:
    """At issue, the agency's seal as a second signature on the signed result, when it has one."""
    from tinhso.signing.services import result_seal

    pdf = _latest_result_pdf(d)
    sealed = result_seal(dossier=d, pdf=pdf, principal=principal, at=now) if pdf is not None else None
    if sealed is None:
        return {}
    _store_signed_result(d, sealed.pdf, principal, sealed.document.document_name)
    d.result_original = sealed.document.verified  # the sealed file is the one issued
    return {"sealed": True, "sha256": sealed.document.sha256, "verified": sealed.document.verified}


def dossier_transfer(
    *, principal: Principal, code: str, to_agency: Agency, reason: str, at: datetime | None = None,
    expected_version: int | None = None,
) -> ActionResult:
    """Hand the dossier to another agency; its handlers continue the current step there."""
    reason = _require(reason, "reason")

    def change(d: Dossier, now: datetime) -> dict[str, Any]:
        if to_agency.pk == d.handling_agency_id:
            raise InvalidInput(_("Hồ sơ đang ở cơ quan này."), fields={"to_agency": _("Chọn cơ quan khác.")})
        d.handling_agency = to_agency
        d.current_handler = None
        return {"to_agency": to_agency.code}

    return _act(principal=principal, code=code, action=Action.TRANSFER, change=change, at=at, note=reason, expected_version=expected_version)


def dossier_extend(
    *, principal: Principal, code: str, new_due_at: datetime, reason: str, at: datetime | None = None,
    expected_version: int | None = None,
) -> ActionResult:
    """Extend once, with an apology and a new appointment (form 04)."""
    reason = _require(reason, "reason")

    def change(d: Dossier, now: datetime) -> dict[str, Any]:
        if d.extended:
            raise Conflict(_("Hồ sơ đã được gia hạn một lần; không thể gia hạn tiếp."), code="already_extended")
        if d.due_at is None:
            raise Conflict(_("Hồ sơ chưa có ngày hẹn trả; không thể gia hạn."), code="no_due_moment")
        latest = latest_due_moment(d.received_at or now)
        if new_due_at > latest:
            raise InvalidInput(
                _("Ngày hẹn mới không được quá %(years)s năm sau ngày tiếp nhận (muộn nhất %(latest)s).")
                % {"years": settings.TINHSO_MAX_DUE_YEARS, "latest": f"{timezone.localtime(latest):%d/%m/%Y}"},
                fields={"new_due_at": _("Quá xa so với ngày tiếp nhận.")},
            )
        # After the bound above, so the calendar never builds tables for a far-off year.
        check_typed_due_moment(calendar_for_agency(d.receiving_agency), new_due_at, current=d.due_at)
        notice = settings.TINHSO_EXTENSION_MIN_NOTICE_HOURS
        if notice:
            calendar = calendar_for_agency(d.receiving_agency)
            if now > d.due_at or calendar.working_seconds_between(now, d.due_at) < notice * 3600:
                raise Conflict(
                    _("Phiếu xin lỗi phải được lập trước hạn ít nhất %(hours)s giờ làm việc.") % {"hours": notice},
                    code="too_late_to_extend",
                )
        old = d.due_at
        d.due_at = new_due_at
        d.extended = True
        d.extension_reason = reason
        return {"old_due_at": old.isoformat(), "new_due_at": new_due_at.isoformat()}

    return _act(principal=principal, code=code, action=Action.EXTEND, change=change, at=at, note=reason, expected_version=expected_version)


def dossier_stop(
    *, principal: Principal, code: str, reason: str, at: datetime | None = None, expected_version: int | None = None
) -> ActionResult:
    """Stop processing (form 05)."""
    reason = _require(reason, "reason")

    def change(d: Dossier, now: datetime) -> None:
        d.stop_reason = reason
        d.paused_at = None
        d.finished_at = now

    return _act(principal=principal, code=code, action=Action.STOP, change=change, at=at, note=reason, expected_version=expected_version)


def dossier_finish(
    *, principal: Principal, code: str, note: str = "", result: Upload | None = None, at: datetime | None = None,
    expected_version: int | None = None,
) -> ActionResult:
    """The result is issued: processing is finished, on time or late against the due moment.
    An electronic result needs its file: `result` here, or a `result` attachment added before
    (or the one signed at `sign`, which no other file replaces). When the agency has a seal key,
    the seal is added to the signed result as a second signature (`_seal_result`)."""

    def change(d: Dossier, now: datetime) -> dict[str, Any]:
        if (
            result is None
            and d.result_kind == ResultKind.ELECTRONIC
            and not d.attachments.filter(kind=AttachmentKind.RESULT).exists()
        ):
            raise InvalidInput(
                _("Kết quả là bản điện tử: cần tải lên tệp kết quả trước khi hoàn thành."),
                fields={"result": _("Bắt buộc với kết quả bản điện tử.")},
            )
        if result is not None:
            if _result_signed(d):
                raise Conflict(
                    _("Kết quả đã được ký số; không thay bằng tệp khác khi hoàn thành."), code="result_already_signed"
                )
            attachment_store(dossier=d, upload=dataclasses.replace(result, digitised=True, kind=AttachmentKind.RESULT), principal=principal)
            d.result_kind = d.result_kind or ResultKind.ELECTRONIC
        d.finished_at = now
        d.current_step = None
        d.step_due_at = None
        sealed = _seal_result(d, principal, now) if d.result_kind == ResultKind.ELECTRONIC else {}
        return {"late": bool(d.due_at and now > d.due_at), **sealed}

    return _act(principal=principal, code=code, action=Action.FINISH, change=change, at=at, note=note, expected_version=expected_version)


def dossier_return(
    *, principal: Principal, code: str, note: str = "", at: datetime | None = None, expected_version: int | None = None
) -> ActionResult:
    """The result is handed to the applicant."""

    def change(d: Dossier, now: datetime) -> None:
        d.returned_at = now

    return _act(principal=principal, code=code, action=Action.RETURN, change=change, at=at, note=note, expected_version=expected_version)


def dossier_withdraw(
    *, principal: Principal, code: str, reason: str, at: datetime | None = None, expected_version: int | None = None
) -> ActionResult:
    """The applicant withdraws the dossier (recorded by a reception officer)."""
    reason = _require(reason, "reason")

    def change(d: Dossier, now: datetime) -> None:
        d.stop_reason = reason
        d.paused_at = None
        d.current_step = None

    return _act(principal=principal, code=code, action=Action.WITHDRAW, change=change, at=at, note=reason, expected_version=expected_version)


def dossier_rate(
    *, principal: Principal | None, code: str, rating: str, comment: str = "", complained: bool = False,
    at: datetime | None = None, expected_version: int | None = None,
) -> ActionResult:
    """Record the applicant's satisfaction, once, after the result was returned."""
    if rating not in Rating.values:
        raise InvalidInput(_("Mức đánh giá không hợp lệ."), fields={"rating": _("very_satisfied, satisfied hoặc unsatisfied.")})

    def change(d: Dossier, now: datetime) -> dict[str, Any]:
        if d.rating:
            raise Conflict(_("Hồ sơ đã được đánh giá."), code="already_rated")
        d.rating = rating
        d.rated_at = now
        d.complained = d.complained or complained
        return {"rating": rating}

    return _act(principal=principal, code=code, action=Action.RATE, change=change, at=at, note=comment, expected_version=expected_version)


# --- fees ----------------------------------------------------------------------------------


def dossier_request_payment(
    *, principal: Principal, code: str, note: str = "", at: datetime | None = None, expected_version: int | None = None
) -> ActionResult:
    """Ask the applicant to pay the fee before the result (status 6, yêu cầu thanh toán): only
    for a procedure whose fee is due before the result (`Procedure.fee_timing`) and a fee not
    paid yet. The payment notice carries the VietQR code (`tinhso.payments`).

    The clock pauses, as for a supplement request: the time the applicant takes to fulfil a
    financial obligation is not counted in the processing time (Decree 43/2014 art. 61(4) for
    land procedures, the common case of fees due before the result); it resumes on payment
    (`dossier_fee_paid`), the due moments moved by the paused working time."""

    def change(d: Dossier, now: datetime) -> dict[str, Any]:
        if d.procedure.fee_timing != FeeTiming.BEFORE_RESULT:
            raise Conflict(_("Phí của thủ tục này nộp khi nộp hồ sơ, không yêu cầu thanh toán trước khi trả kết quả."),
                           code="fee_not_due_before_result")
        if d.fee_due <= 0 or d.fee_paid:
            raise Conflict(_("Hồ sơ không còn phí, lệ phí phải nộp."), code="nothing_to_pay")
        if d.received_at is not None and d.paused_at is None:
            d.paused_at = now
        return {"fee_due": d.fee_due}

    return _act(principal=principal, code=code, action=Action.REQUEST_PAYMENT, change=change, at=at, note=note,
                expected_version=expected_version)


def _resume_clock(d: Dossier, now: datetime) -> int:
    """End a pause: the due moments (the appointment, the legal one, the step's) move by the
    paused working time, as when a supplement arrives; the working seconds paused."""
    calendar = calendar_for_agency(d.receiving_agency)
    paused = calendar.working_seconds_between(d.paused_at, now) if d.paused_at else 0
    if paused:  # a pause of no working time moves nothing (see `dossier_supplement_received`)
        d.paused_seconds += paused
        for name in ("due_at", "legal_due_at", "step_due_at"):
            moment = getattr(d, name)
            if moment is not None:
                setattr(d, name, calendar.add_working_seconds(moment, paused))
    d.paused_at = None
    return paused


def dossier_fee_paid(
    *, principal: Principal | None, code: str, amount: int, reconciled: bool, reference: str = "",
    note: str = "", method: str = "", at: datetime | None = None, expected_version: int | None = None,
) -> ActionResult:
    """The fee is paid in full (`amount` ≥ the fee due): `fee_paid`, and `fee_paid_online` when
    `reconciled` — the bank confirmed the transfer (`tinhso.payments`: called by reconciliation,
    with `principal` None, or by the officer who assigned an unmatched transfer). Not reconciled,
    it is a payment taken at the counter by a reception officer or records clerk. A dossier waiting
    for the payment (status 6) goes back to processing (4) and its clock resumes. `method` says
    how the counter took it ("cash", "card"; "transfer" when reconciled). History, audit and
    counters as every action; 409 if the fee was already paid."""

    def change(d: Dossier, now: datetime) -> dict[str, Any]:
        if d.fee_paid:
            raise Conflict(_("Phí, lệ phí của hồ sơ đã được nộp."), code="already_paid")
        if d.fee_due <= 0:
            raise Conflict(_("Hồ sơ không có phí, lệ phí phải nộp."), code="nothing_to_pay")
        if amount < d.fee_due:
            raise InvalidInput(
                _("Số tiền %(amount)s đồng chưa đủ phí, lệ phí %(fee)s đồng.") % {"amount": amount, "fee": d.fee_due},
                fields={"amount": _("Chưa đủ phí, lệ phí.")},
            )
        d.fee_paid = True
        d.fee_paid_online = reconciled
        data: dict[str, Any] = {"amount": amount, "reference": reference, "reconciled": reconciled,
                                "method": "transfer" if reconciled else method}
        if d.status == Status.PAYMENT_REQUESTED:
            data["status"] = d.status = Status.IN_PROGRESS
            if d.paused_at is not None:
                data["paused_working_seconds"] = _resume_clock(d, now)
        return data

    return _act(
        principal=principal, code=code, action=Action.FEE_PAID, change=change, at=at, note=note or reference,
        expected_version=expected_version,
        roles={BANK} if reconciled else None,
        actor_name=(_("Ngân hàng (đối soát)") if principal is None else None) if reconciled else None,
    )


# --- attachments ---------------------------------------------------------------------------


_CHUNK = 64 * 1024


def _too_large() -> InvalidInput:
    return InvalidInput(
        _("Tệp quá lớn (tối đa %(max)s MB).") % {"max": settings.TINHSO_MAX_ATTACHMENT_BYTES // (1024 * 1024)},
        fields={"file": _("Tệp quá lớn.")},
    )


def checked_file(upload: Upload) -> StoredFile | None:
    """The size, SHA-256 and type (read from the bytes, not the name) of an upload, checked
    against the limits; streamed in chunks for a `file`. None for a `stored` one (checked when
    it was stored). Raises InvalidInput naming the file field."""
    if upload.stored is not None:
        return None
    digest = hashlib.sha256()
    if upload.file is not None:
        size, head = 0, b""
        upload.file.seek(0)
        for chunk in upload.file.chunks(_CHUNK):
            if len(head) < 8192:
                head += chunk[: 8192 - len(head)]
            size += len(chunk)
            if size > settings.TINHSO_MAX_ATTACHMENT_BYTES:
                raise _too_large()
            digest.update(chunk)
        upload.file.seek(0)
    else:
        size, head = len(upload.content), upload.content[:8192]
        if size > settings.TINHSO_MAX_ATTACHMENT_BYTES:
            raise _too_large()
        digest.update(upload.content)
    if size == 0:
        raise InvalidInput(_("Tệp rỗng."), fields={"file": _("Tệp rỗng.")})
    kind = filetype.guess(head)
    content_type = kind.mime if kind is not None else "application/octet-stream"
    if content_type not in settings.TINHSO_ATTACHMENT_TYPES:
        raise InvalidInput(
            _("Loại tệp không được chấp nhận: %(type)s.") % {"type": content_type},
            fields={"file": _("Chỉ nhận PDF, JPEG, PNG, TIFF hoặc ZIP.")},
        )
    return StoredFile(name="", sha256=digest.hexdigest(), size=size, content_type=content_type)


def file_save(field: Any, upload: Upload, checked: StoredFile) -> None:
    """Write the upload's bytes to `field` (a FileField of an unsaved row) under its digest,
    streamed from `upload.file` when there is one."""
    source = upload.file if upload.file is not None else ContentFile(upload.content)
    source.seek(0)
    field.save(checked.sha256, source, save=False)


def attachment_store(*, dossier: Dossier, upload: Upload, principal: Principal | None) -> Attachment:
    """Store a file with its SHA-256, size and the type read from its bytes (not its name); a
    `stored` file (reused from the applicant's store) is pointed at, not copied."""
    checked = checked_file(upload)
    stored = upload.stored
    meta = stored if stored is not None else checked
    assert meta is not None
    attachment = Attachment(
        dossier=dossier,
        kind=upload.kind,
        name=upload.name or upload.filename,
        filename=upload.filename[:255],
        sha256=meta.sha256,
        size=meta.size,
        content_type=meta.content_type,
        digitised=upload.digitised,
        reused=stored is not None and stored.reused,
        component_number=upload.component,
        uploaded_by=principal.user if principal is not None else None,  # type: ignore[misc]
    )
    if stored is not None:
        attachment.file.name = stored.name
    else:
        assert checked is not None
        file_save(attachment.file, upload, checked)
    attachment.save()
    audit_record(
        principal=principal,
        action="dossier.attachment_added",
        object_type="dossier",
        object_id=dossier.code,
        data={"sha256": meta.sha256, "size": meta.size, "type": meta.content_type, "name": attachment.name,
              "reused": attachment.reused},
    )
    return attachment


def dossier_add_attachment(*, principal: Principal, code: str, upload: Upload) -> Attachment:
    with transaction.atomic():
        dossier = _locked(principal, code)
        if not _roles_for(principal, dossier) & HANDLING_ROLES:
            raise PermissionDenied(_("Bạn không xử lý hồ sơ này."), code="role_not_allowed")
        if not dossier.is_open:
            raise Conflict(_("Hồ sơ đã kết thúc; không thể thêm tệp."), code="closed")
        attachment = attachment_store(dossier=dossier, upload=upload, principal=principal)
        if upload.kind == AttachmentKind.COMPONENT:
            before = field_snapshot(dossier)
            dossier.components_digitised = not dossier.attachments.filter(kind=AttachmentKind.COMPONENT, digitised=False).exists()
            dossier.save(update_fields=["components_digitised", "updated_at"])
            if dossier.components_digitised != before["components_digitised"]:
                dossier_changing.send(sender=Dossier, before=before, after=field_snapshot(dossier))
        return attachment


def dossier_result_stored(*, code: str, principal: Principal | None = None) -> bool:
    """The electronic result was delivered into the applicant's document store (by
    `citizens.results`): recorded on the dossier, counted by the index. False if it already was."""
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update(of=("self",)).get(code=code)
        if dossier.result_in_store:
            return False
        before = field_snapshot(dossier)
        dossier.result_in_store = True
        dossier.save(update_fields=["result_in_store", "updated_at"])
        audit_record(principal=principal, action="dossier.result_stored", object_type="dossier", object_id=code)
        dossier_changing.send(sender=Dossier, before=before, after=field_snapshot(dossier))
        return True


def dossier_choose_result_delivery(*, principal: Principal, code: str, delivery: str, address: str = "") -> Dossier:
    """The applicant says how they want the result (electronic, by post to `address`, at the
    counter) while the dossier is not closed; the officers returning it see the choice."""
    if delivery not in ResultDelivery.values:
        raise InvalidInput(_("Hình thức nhận kết quả không hợp lệ."), fields={"delivery": _("electronic, post hoặc counter.")})
    address = address.strip()
    if delivery == ResultDelivery.POST and not address:
        raise InvalidInput(_("Cần địa chỉ nhận kết quả qua bưu chính."), fields={"address": _("Bắt buộc.")})
    with transaction.atomic():
        dossier = _locked(principal, code)
        if dossier.status in (Status.RETURNED, Status.REFUSED, Status.WITHDRAWN, Status.STOPPED):
            raise Conflict(_("Hồ sơ đã kết thúc; không thể đổi hình thức nhận kết quả."), code="closed")
        old = (dossier.result_delivery, dossier.result_delivery_address)
        dossier.result_delivery = delivery
        dossier.result_delivery_address = address[:500] if delivery == ResultDelivery.POST else ""
        dossier.save(update_fields=["result_delivery", "result_delivery_address", "updated_at"])
        audit_record(principal=principal, action="dossier.result_delivery", object_type="dossier", object_id=code,
                     data={"from": old[0], "to": delivery})
        return dossier


# --- the overdue sweep ---------------------------------------------------------------------

SWEEP_BATCH = 5_000


def dossiers_mark_overdue(*, now: datetime | None = None, batch: int = SWEEP_BATCH) -> int:
    """Mark the open, unpaused dossiers whose due moment has passed (`Dossier.marked_overdue`);
    the worker runs this every minute. Returns how many it marked.

    One transaction per batch: the rows are locked (on PostgreSQL, rows another transaction is
    changing are skipped — that change sets the mark itself), marked, the listeners get the
    (before, after) pairs in the same transaction (the index counters move the dossiers from
    "past due, counted live" to "past due, counted"), and one audit entry records the batch.
    Nothing else about the dossier changes: no history line (the due moment was already on
    it), no new `version` (an officer's open form stays valid)."""
    now = _now(now)
    marked = 0
    pending = Dossier.objects.filter(
        status__in=OPEN_STATUSES, marked_overdue=False, paused_at__isnull=True, due_at__lt=now
    )
    while True:
        with transaction.atomic():
            rows = list(
                pending.select_for_update(skip_locked=True).order_by("due_at").values("id", "code", *SNAPSHOT_FIELDS)[:batch]
            )
            if not rows:
                return marked
            Dossier.objects.filter(pk__in=[r["id"] for r in rows]).update(marked_overdue=True)
            pairs = []
            for row in rows:
                before = {f: row[f] for f in SNAPSHOT_FIELDS}
                pairs.append((before, before | {"marked_overdue": True}))
            dossiers_bulk_changing.send(sender=Dossier, pairs=pairs)
            audit_record(
                principal=None, action="dossiers.marked_overdue", object_type="dossier", object_id="*",
                data={"count": len(rows), "now": now.isoformat(), "first_code": rows[0]["code"],
                      "last_code": rows[-1]["code"]},
            )
        marked += len(rows)
        if len(rows) < batch:
            return marked
