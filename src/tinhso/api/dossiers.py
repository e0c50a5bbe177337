"""The dossier JSON API, mounted at `/api/v1/dossiers`: receipt, reading, the workflow actions,
attachments and history.

Thin by design: each endpoint parses its input, calls one service (`tinhso.dossiers.services`) or
one selector (`tinhso.dossiers.selectors`, always scoped to the caller) and renders the result.
Every failure answers the one error shape of `tinhso.api.api`: 401 without a session or key,
403 when the caller's role may not take the action, 404 for a dossier outside the caller's scope,
409 for a move the dossier's state does not allow or a stale `version`, 422 for bad input with the
field named by its path in the request.

Channels are the national portal's codes: 1 counter, 2 online, 3 postal. Actions are named in
the paths as in `allowed_actions`: accept, request-supplement, supplement-received, refuse,
forward, transfer, extend, stop, approve, sign, finish, return, withdraw, rate, request-payment.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status as Answer

from tinhso.agencies.models import Agency
from tinhso.agencies.principals import Principal
from tinhso.agencies.scoping import may_see_personal_data
from tinhso.api.api import ERRORS
from tinhso.api.auth import AUTH, principal_of
from tinhso.api.idempotency import PARAMETER as IDEMPOTENCY_PARAMETER
from tinhso.api.idempotency import answer_once
from tinhso.api.schemas import (
    AcceptIn,
    ApplicantIn,
    AttachmentOut,
    DossierActionOut,
    DossierListQuery,
    DossierOut,
    DossierPage,
    DossierReceiveIn,
    DossierSubmitIn,
    EventOut,
    ExtendIn,
    NoteIn,
    RateIn,
    ReasonIn,
    RequestSupplementIn,
    SignIn,
    TransferIn,
)
from tinhso.catalogue.models import Procedure
from tinhso.core.boundary import INT64_MAX
from tinhso.core.codes import dossier_code_candidates, mask_id_number, mask_name, mask_phone
from tinhso.core.errors import InvalidInput, NotFound, PermissionDenied
from tinhso.dossiers import selectors, services
from tinhso.dossiers.components import ComponentReceipt
from tinhso.dossiers.models import Attachment, AttachmentKind, Channel, Dossier, DossierEvent, Status
from tinhso.dossiers.transitions import Action

router = Router(tags=["dossiers"], auth=AUTH)

DossierCode = Annotated[str, Path(max_length=64, description="A dossier code, e.g. H44.100-260315-0007.")]
AttachmentId = Annotated[int, Path(ge=1, le=INT64_MAX, description="The attachment's id.")]


def _as_printed(code: str) -> str:
    """A code as printed on form 01 when it can be read only one way (`h44.100-260315-0007`,
    spaces, other dashes, dashes left out: `core.codes.dossier_code_candidates`), else as given."""
    candidates = dossier_code_candidates(code)
    return candidates[0] if len(candidates) == 1 else code


# Transition-table actions by the name they have in the paths.
ACTION_PATHS: dict[Action, str] = {
    Action.RECEIVE: "accept",
    Action.REQUEST_SUPPLEMENT: "request-supplement",
    Action.SUPPLEMENT_RECEIVED: "supplement-received",
    Action.REFUSE: "refuse",
    Action.FORWARD: "forward",
    Action.TRANSFER: "transfer",
    Action.EXTEND: "extend",
    Action.STOP: "stop",
    Action.APPROVE: "approve",
    Action.SIGN: "sign",
    Action.FINISH: "finish",
    Action.RETURN: "return",
    Action.WITHDRAW: "withdraw",
    Action.RATE: "rate",
    Action.REQUEST_PAYMENT: "request-payment",
}

# The services name applicant fields after the model; the API names them by their path in the body.
APPLICANT_FIELDS = {
    "applicant_type": "applicant.type",
    "applicant_name": "applicant.name",
    "applicant_id_number": "applicant.id_number",
    "applicant_phone": "applicant.phone",
    "applicant_birth_date": "applicant.birth_date",
    "representative_id_number": "applicant.representative_id_number",
}


# --- rendering -------------------------------------------------------------------------------


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value is not None else None


def _aware(value: datetime | None) -> datetime | None:
    """A moment from the client; without an offset it is read in Asia/Ho_Chi_Minh."""
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value)


def _ref(obj: Agency | Procedure) -> dict[str, str]:
    return {"code": obj.code, "name": obj.name}


def _status(code: int | None) -> dict[str, Any] | None:
    return None if code is None else {"code": int(code), "label": str(Status(code).label)}


def _channel(code: int) -> dict[str, Any]:
    return {"code": int(code), "label": str(Channel(code).label)}


def _sees_personal_data(principal: Principal, dossier: Dossier) -> bool:
    return may_see_personal_data(principal, {dossier.receiving_agency_id, dossier.handling_agency_id})


def _applicant(dossier: Dossier, full: bool) -> dict[str, Any]:
    if full:
        return {
            "type": dossier.applicant_type,
            "name": dossier.applicant_name,
            "id_number": dossier.applicant_id_number,
            "birth_date": dossier.applicant_birth_date,
            "address": dossier.applicant_address,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
            "representative_name": dossier.representative_name,
            "representative_id_number": dossier.representative_id_number,
            "masked": False,
        }
    return {
        "type": dossier.applicant_type,
        "name": mask_name(dossier.applicant_name),
        "id_number": mask_id_number(dossier.applicant_id_number),
        "birth_date": None,
        "address": None,
        "phone": mask_phone(dossier.applicant_phone),
        "email": None,
        "representative_name": mask_name(dossier.representative_name),
        "representative_id_number": mask_id_number(dossier.representative_id_number),
        "masked": True,
    }


def render_dossier(principal: Principal, dossier: Dossier) -> dict[str, Any]:
    step = dossier.current_step
    return {
        "code": dossier.code,
        "procedure": _ref(dossier.procedure),
        "receiving_agency": _ref(dossier.receiving_agency),
        "handling_agency": _ref(dossier.handling_agency),
        "channel": _channel(dossier.channel),
        "status": _status(dossier.status),
        "applicant": _applicant(dossier, _sees_personal_data(principal, dossier)),
        "summary": dossier.summary,
        "submitted_at": _local(dossier.submitted_at),
        "received_at": _local(dossier.received_at),
        "due_at": _local(dossier.due_at),
        "legal_due_at": _local(dossier.legal_due_at),
        "finished_at": _local(dossier.finished_at),
        "returned_at": _local(dossier.returned_at),
        "current_step": {"name": step.name, "kind": step.kind, "role": step.role} if step is not None else None,
        "step_due_at": _local(dossier.step_due_at),
        "paused": dossier.is_paused,
        "extended": dossier.extended,
        "fees": {"due": dossier.fee_due, "paid": dossier.fee_paid, "paid_online": dossier.fee_paid_online},
        "rating": dossier.rating or None,
        "complained": dossier.complained,
        "components_digitised": dossier.components_digitised,
        "result_kind": dossier.result_kind or None,
        "result_number": dossier.result_number or None,
        "overdue": dossier.is_overdue(),
        "version": dossier.version,
        # The counter's payment (fee_paid) is a button of the workspace, with no path here.
        "allowed_actions": [ACTION_PATHS[a] for a in selectors.dossier_allowed_actions(principal, dossier)
                            if a in ACTION_PATHS],
    }


def render_event(event: DossierEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "at": _local(event.at),
        "actor_name": event.actor_name,
        "action": event.action,
        "from_status": _status(event.from_status),
        "to_status": _status(event.to_status),
        "from_agency": event.from_agency.code if event.from_agency is not None else None,
        "to_agency": event.to_agency.code if event.to_agency is not None else None,
        "from_step": event.from_step,
        "to_step": event.to_step,
        "due_before": _local(event.due_before),
        "due_after": _local(event.due_after),
        "note": event.note,
    }


def render_result(principal: Principal, result: services.ActionResult) -> dict[str, Any]:
    return {**render_dossier(principal, result.dossier), "form": result.form, "event": render_event(result.event)}


def render_summary(principal: Principal, dossier: Dossier, full: bool) -> dict[str, Any]:
    return {
        "code": dossier.code,
        "procedure": _ref(dossier.procedure),
        "receiving_agency": _ref(dossier.receiving_agency),
        "handling_agency": _ref(dossier.handling_agency),
        "channel": _channel(dossier.channel),
        "status": _status(dossier.status),
        "applicant_name": dossier.applicant_name if full else mask_name(dossier.applicant_name),
        "received_at": _local(dossier.received_at),
        "due_at": _local(dossier.due_at),
        "finished_at": _local(dossier.finished_at),
        "overdue": dossier.is_overdue(),
        "version": dossier.version,
    }


def render_attachment(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "filename": attachment.filename,
        "sha256": attachment.sha256,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "digitised": attachment.digitised,
        "kind": attachment.kind,
        "uploaded_at": _local(attachment.uploaded_at),
    }


# --- receipt ---------------------------------------------------------------------------------


def _procedure(code: DossierCode) -> Procedure:
    procedure = Procedure.objects.filter(code=code).first()
    if procedure is None:
        raise InvalidInput(
            _("Không có thủ tục %(code)s.") % {"code": code}, fields={"procedure_code": _("Không có trong danh mục.")}
        )
    return procedure


def _agency(code: DossierCode, field_name: str) -> Agency:
    agency = Agency.objects.select_related("unit__parent").filter(code=code, is_active=True).first()
    if agency is None:
        raise InvalidInput(_("Không có cơ quan %(code)s.") % {"code": code}, fields={field_name: _("Không có cơ quan này.")})
    return agency


def _applicant_in(data: ApplicantIn) -> services.Applicant:
    return services.Applicant(
        type=data.type,
        name=data.name,
        id_number=data.id_number.strip(),
        birth_date=data.birth_date,
        address=data.address,
        phone=data.phone.strip(),
        email=data.email,
        representative_name=data.representative_name,
        representative_id_number=data.representative_id_number.strip(),
    )


def _intake(call: Callable[[], services.ActionResult]) -> services.ActionResult:
    """Run a receipt service, naming the applicant's invalid fields by their path in the body."""
    try:
        return call()
    except InvalidInput as exc:
        exc.fields = {APPLICANT_FIELDS.get(k, k): v for k, v in exc.fields.items()}
        raise


IDEMPOTENT = {"parameters": [IDEMPOTENCY_PARAMETER]}


@router.post("", response={201: DossierActionOut, **ERRORS}, summary="Receive a dossier (form 01)",
             openapi_extra=IDEMPOTENT)
def dossier_receive(request: HttpRequest, payload: DossierReceiveIn) -> Any:
    """A complete dossier received at the counter, by post or online: the code is issued and the
    clock starts. `channel` is 1 counter, 2 online, 3 postal. Needs the reception role at the
    agency. `components` lists what was handed in, by number: a missing required component is 422
    on `components`, reported with every other bad field at once. Unknown procedure or agency: 422 naming `procedure_code` / `agency_code`. Send an
    `Idempotency-Key` to retry safely: a retry with the same key and body answers the first
    answer again and receives nothing new."""
    principal = principal_of(request)

    def receive() -> dict[str, Any]:
        if payload.fee_paid_online:
            raise InvalidInput(
                _("Phí nộp trực tuyến chỉ được ghi nhận khi ngân hàng xác nhận giao dịch (đối soát), không khai khi tiếp nhận."),
                fields={"fee_paid_online": _("Phải là false: thanh toán trực tuyến được ghi nhận qua đối soát ngân hàng.")},
                code="paid_online_by_reconciliation",
            )
        procedure = _procedure(payload.procedure_code)
        agency = _agency(payload.agency_code, "agency_code")
        result = _intake(
            lambda: services.dossier_receive(
                principal=principal,
                procedure=procedure,
                agency=agency,
                channel=payload.channel,
                applicant=_applicant_in(payload.applicant),
                summary=payload.summary,
                fee_paid=payload.fee_paid,
                components=[ComponentReceipt(c.number, c.quantity, c.copy_form, c.medium) for c in payload.components],
            )
        )
        return render_result(principal, result)

    return answer_once(request, principal, schema=DossierActionOut, status=201, compute=receive)


@router.post("/submit", response={201: DossierActionOut, **ERRORS}, summary="Register an online dossier",
             openapi_extra=IDEMPOTENT)
def dossier_submit(request: HttpRequest, payload: DossierSubmitIn) -> Any:
    """An online registration (status 1, channel 2): it waits for a reception officer to check it
    and `accept` it (or ask for a supplement, or refuse it). `Idempotency-Key` as for receipts."""
    principal = principal_of(request)

    def submit() -> dict[str, Any]:
        procedure = _procedure(payload.procedure_code)
        agency = _agency(payload.agency_code, "agency_code")
        result = _intake(
            lambda: services.dossier_submit(
                principal=principal,
                procedure=procedure,
                agency=agency,
                applicant=_applicant_in(payload.applicant),
                summary=payload.summary,
            )
        )
        return render_result(principal, result)

    return answer_once(request, principal, schema=DossierActionOut, status=201, compute=submit)


# --- reading ---------------------------------------------------------------------------------


@router.get("", response={200: DossierPage, **ERRORS}, summary="List dossiers")
def dossier_list(request: HttpRequest, query: Query[DossierListQuery]) -> Any:
    """The dossiers in the caller's scope, soonest due first, with filters and `limit`/`offset`."""
    principal = principal_of(request)
    filters = selectors.DossierFilters(
        agency=query.agency,
        status=query.status,
        procedure=query.procedure,
        channel=query.channel,
        received_from=_aware(query.received_from),
        received_to=_aware(query.received_to),
        due_before=_aware(query.due_before),
        overdue=query.overdue,
        q=query.q,
    )
    qs = selectors.dossier_list(principal=principal, filters=filters)
    page = list(qs[query.offset : query.offset + query.limit])
    # A short, non-empty page (or an empty first page) is the end of the list: its count is known
    # without a second scan. Otherwise a plain COUNT over the same scoped, filtered query.
    if len(page) < query.limit and (page or query.offset == 0):
        count = query.offset + len(page)
    else:
        count = qs.count()
    # The personal-data rule asks per pair of agencies; a page holds few distinct pairs.
    sees: dict[tuple[int, int], bool] = {}
    items = []
    for d in page:
        pair = (d.receiving_agency_id, d.handling_agency_id)
        if pair not in sees:
            sees[pair] = _sees_personal_data(principal, d)
        items.append(render_summary(principal, d, sees[pair]))
    return {"count": count, "items": items}


@router.get("/{code}", response={200: DossierOut, **ERRORS}, summary="A dossier")
def dossier_detail(request: HttpRequest, code: DossierCode) -> Any:
    """The dossier with its dates (+07:00), current step, fees and the actions the caller may
    take now. Personal data is masked for callers without business with it (viewers)."""
    principal = principal_of(request)
    return render_dossier(principal, selectors.dossier_get(principal=principal, code=_as_printed(code)))


@router.get("/{code}/history", response={200: list[EventOut], **ERRORS}, summary="A dossier's history (form 06)")
def dossier_history(request: HttpRequest, code: DossierCode) -> Any:
    principal = principal_of(request)
    return [render_event(e) for e in selectors.dossier_events(principal=principal, code=_as_printed(code))]


# --- actions ---------------------------------------------------------------------------------


def _action_route(action: Action, summary: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return router.post(
        f"/{{code}}/{ACTION_PATHS[action]}", response={200: DossierActionOut, **ERRORS}, summary=summary
    )


@_action_route(Action.RECEIVE, "Accept a registered dossier (form 01)")
def dossier_accept(request: HttpRequest, code: DossierCode, payload: AcceptIn) -> Any:
    """Receive a registered (status 1) dossier after checking it: the clock starts."""
    principal = principal_of(request)
    result = services.dossier_accept(principal=principal, code=code, expected_version=payload.version)
    return render_result(principal, result)


@_action_route(Action.REQUEST_SUPPLEMENT, "Request a supplement (form 02)")
def dossier_request_supplement(request: HttpRequest, code: DossierCode, payload: RequestSupplementIn) -> Any:
    """Once received, the clock pauses until the supplement arrives."""
    principal = principal_of(request)
    result = services.dossier_request_supplement(
        principal=principal, code=code, reason=payload.reason, documents=payload.documents,
        expected_version=payload.version,
    )
    return render_result(principal, result)


@_action_route(Action.SUPPLEMENT_RECEIVED, "The supplement arrived")
def dossier_supplement_received(request: HttpRequest, code: DossierCode, payload: NoteIn) -> Any:
    """The clock resumes; the due moment moves by the paused working time."""
    principal = principal_of(request)
    result = services.dossier_supplement_received(
        principal=principal, code=code, note=payload.note, expected_version=payload.version
    )
    return render_result(principal, result)


@_action_route(Action.REQUEST_PAYMENT, "Ask for the fee before the result (status 6)")
def dossier_request_payment(request: HttpRequest, code: DossierCode, payload: NoteIn) -> Any:
    """Only for a procedure whose fee is due before the result; the bank's confirmation of the
    transfer (reconciliation, `/payments/bank-transactions`) moves it back to processing."""
    principal = principal_of(request)
    result = services.dossier_request_payment(
        principal=principal, code=code, note=payload.note, expected_version=payload.version
    )
    return render_result(principal, result)


@_action_route(Action.REFUSE, "Refuse the dossier (form 03)")
def dossier_refuse(request: HttpRequest, code: DossierCode, payload: ReasonIn) -> Any:
    principal = principal_of(request)
    result = services.dossier_refuse(principal=principal, code=code, reason=payload.reason, expected_version=payload.version)
    return render_result(principal, result)


@_action_route(Action.FORWARD, "Forward to the next step")
def dossier_forward(request: HttpRequest, code: DossierCode, payload: NoteIn) -> Any:
    """The current (appraise, review or consult) step is done; the next step takes over."""
    principal = principal_of(request)
    result = services.dossier_forward(principal=principal, code=code, note=payload.note, expected_version=payload.version)
    return render_result(principal, result)


@_action_route(Action.TRANSFER, "Transfer to another agency")
def dossier_transfer(request: HttpRequest, code: DossierCode, payload: TransferIn) -> Any:
    principal = principal_of(request)
    to_agency = _agency(payload.to_agency, "to_agency")
    result = services.dossier_transfer(
        principal=principal, code=code, to_agency=to_agency, reason=payload.reason, expected_version=payload.version
    )
    return render_result(principal, result)


@_action_route(Action.EXTEND, "Extend once, with an apology (form 04)")
def dossier_extend(request: HttpRequest, code: DossierCode, payload: ExtendIn) -> Any:
    principal = principal_of(request)
    new_due_at = _aware(payload.new_due_at)
    assert new_due_at is not None
    result = services.dossier_extend(
        principal=principal, code=code, new_due_at=new_due_at, reason=payload.reason, expected_version=payload.version
    )
    return render_result(principal, result)


@_action_route(Action.STOP, "Stop processing (form 05)")
def dossier_stop(request: HttpRequest, code: DossierCode, payload: ReasonIn) -> Any:
    principal = principal_of(request)
    result = services.dossier_stop(principal=principal, code=code, reason=payload.reason, expected_version=payload.version)
    return render_result(principal, result)


@_action_route(Action.APPROVE, "Approve (approval step)")
def dossier_approve(request: HttpRequest, code: DossierCode, payload: NoteIn) -> Any:
    principal = principal_of(request)
    result = services.dossier_approve(principal=principal, code=code, note=payload.note, expected_version=payload.version)
    return render_result(principal, result)


@_action_route(Action.SIGN, "Sign the result (signing step)")
def dossier_sign(request: HttpRequest, code: DossierCode, payload: SignIn) -> Any:
    principal = principal_of(request)
    result = services.dossier_sign(
        principal=principal, code=code, note=payload.note, result_number=payload.result_number,
        result_kind=payload.result_kind, expected_version=payload.version,
    )
    return render_result(principal, result)


@_action_route(Action.FINISH, "Issue the result: processing finished")
def dossier_finish(request: HttpRequest, code: DossierCode, payload: NoteIn) -> Any:
    """An electronic result (`result_kind` electronic at signing) needs its file first:
    `POST /{code}/attachments` with `kind=result`; without it the answer is 422 on `result`."""
    principal = principal_of(request)
    result = services.dossier_finish(principal=principal, code=code, note=payload.note, expected_version=payload.version)
    return render_result(principal, result)


@_action_route(Action.RETURN, "Hand the result to the applicant")
def dossier_return(request: HttpRequest, code: DossierCode, payload: NoteIn) -> Any:
    principal = principal_of(request)
    result = services.dossier_return(principal=principal, code=code, note=payload.note, expected_version=payload.version)
    return render_result(principal, result)


@_action_route(Action.WITHDRAW, "The applicant withdraws the dossier")
def dossier_withdraw(request: HttpRequest, code: DossierCode, payload: ReasonIn) -> Any:
    principal = principal_of(request)
    result = services.dossier_withdraw(principal=principal, code=code, reason=payload.reason, expected_version=payload.version)
    return render_result(principal, result)


@_action_route(Action.RATE, "Record the applicant's satisfaction")
def dossier_rate(request: HttpRequest, code: DossierCode, payload: RateIn) -> Any:
    """Once, after the result was returned."""
    principal = principal_of(request)
    result = services.dossier_rate(
        principal=principal, code=code, rating=payload.rating, comment=payload.comment, complained=payload.complained,
        expected_version=payload.version,
    )
    return render_result(principal, result)


# --- attachments -----------------------------------------------------------------------------


@router.post("/{code}/attachments", response={201: AttachmentOut, **ERRORS}, summary="Attach a file")
def attachment_add(
    request: HttpRequest,
    code: DossierCode,
    file: File[UploadedFile],
    name: Annotated[str, Form(max_length=500)] = "",
    digitised: Form[Literal["true", "false"]] = "true",
    kind: Form[Literal["component", "supplement", "result"]] = "component",
) -> Any:
    """Multipart upload. The type is read from the bytes, not the name: PDF, JPEG, PNG, TIFF or
    ZIP, up to the size limit; anything else is 422 on `file`."""
    principal = principal_of(request)
    limit = settings.TINHSO_MAX_ATTACHMENT_BYTES
    if file.size is not None and file.size > limit:
        raise InvalidInput(
            _("Tệp quá lớn (tối đa %(max)s MB).") % {"max": limit // (1024 * 1024)}, fields={"file": _("Tệp quá lớn.")}
        )
    upload = services.Upload(
        name=name.strip() or (file.name or ""),
        filename=file.name or "",
        content=file.read(),
        digitised=digitised == "true",
        kind=AttachmentKind(kind),
    )
    attachment = services.dossier_add_attachment(principal=principal, code=code, upload=upload)
    return Answer(201, render_attachment(attachment))


def _dossier_with_files(principal: Principal, code: str) -> Dossier:
    """The dossier, if the caller may see it (else 404) and its files (else 403: a viewer)."""
    dossier = selectors.dossier_get(principal=principal, code=code)
    if not _sees_personal_data(principal, dossier):
        raise PermissionDenied(_("Tệp đính kèm chứa thông tin cá nhân: chỉ người xử lý hồ sơ được xem và tải."),
                               code="personal_data")
    return dossier


@router.get("/{code}/attachments", response={200: list[AttachmentOut], **ERRORS}, summary="A dossier's files")
def attachment_list(request: HttpRequest, code: DossierCode) -> Any:
    """The dossier's files (name, type, size, digest). Files carry personal data: a caller who
    may see the dossier but not its personal data (a viewer) gets 403."""
    dossier = _dossier_with_files(principal_of(request), code)
    return [render_attachment(a) for a in dossier.attachments.order_by("id")]


@router.get(
    "/{code}/attachments/{attachment_id}",
    response={**ERRORS},
    summary="Download a file",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file's bytes, with its content type and file name.",
                "content": {kind: {"schema": {"type": "string", "format": "binary"}}
                            for kind in settings.TINHSO_ATTACHMENT_TYPES},
            }
        }
    },
)
def attachment_download(request: HttpRequest, code: DossierCode, attachment_id: AttachmentId) -> Any:
    """The file's bytes. Files carry personal data: a caller who may see the dossier but not its
    personal data (a viewer) gets 403."""
    dossier = _dossier_with_files(principal_of(request), code)
    attachment = dossier.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound(_("Không tìm thấy tệp."))
    return FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=True,
        filename=attachment.filename or attachment.sha256,
    )
