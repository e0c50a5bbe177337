"""The citizen's space under /cong-dan/: what is expected of me now, online submission generated
from the procedure's components (with drafts), my dossiers with their public history, answering a
supplement request, results and forms to download, my documents and my profile.

Views are thin: every read and write goes through `tinhso.citizens.services` (and the profile
through `tinhso.citizens.accounts`), which act only on the signed-in citizen's own data — another
citizen's dossier or document is a 404, as if it did not exist. Uploads are handed over as
`NewFile(filename, file=<the spooled upload>)` so they stream to storage, never read whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from tinhso.catalogue.models import Component, Procedure
from tinhso.citizens import services
from tinhso.citizens.models import Citizen, Document, DocumentOrigin, FieldSource
from tinhso.citizens.services import NewFile
from tinhso.citizens.timeline import EVENT_TEXT, PUBLIC_NOTES
from tinhso.citizenweb import forms as cf
from tinhso.citizenweb.guards import citizen_required, current_citizen, safe_next
from tinhso.core.errors import ApplicationError, Conflict, InvalidInput, NotFound
from tinhso.core.money import money_text
from tinhso.dossiers.forms.data import fmt_amount
from tinhso.dossiers.models import Channel, Dossier, DossierEvent, ResultDelivery, Status
from tinhso.payments.selectors import dossier_payment, form_payment
from tinhso.workspace.tracking import notice_of, public_view

PAGE_SIZE = 20
# Statuses from which the applicant may withdraw (dossiers.transitions: WITHDRAW).
WITHDRAWABLE = (Status.REGISTERED, Status.RECEIVED, Status.IN_PROGRESS, Status.SUPPLEMENT_REQUESTED)
CLOSED = (Status.RETURNED, Status.REFUSED, Status.WITHDRAWN, Status.STOPPED)
# The forms a citizen may download, and the history line that makes each apply.
FORM_EVENTS = {"01": "receive", "02": "request_supplement", "03": "refuse", "04": "extend", "05": "stop"}
FORM_TITLES: dict[str, Any] = {
    "01": gettext_lazy("Giấy tiếp nhận hồ sơ và hẹn trả kết quả (mẫu 01)"),
    "02": gettext_lazy("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02)"),
    "03": gettext_lazy("Phiếu từ chối tiếp nhận hồ sơ (mẫu 03)"),
    "04": gettext_lazy("Văn bản xin lỗi và hẹn lại ngày trả kết quả (mẫu 04)"),
    "05": gettext_lazy("Thông báo dừng giải quyết hồ sơ (mẫu 05)"),
}
EXPECTED_TEXT: dict[str, Any] = {
    "supplement": gettext_lazy("Cần bổ sung giấy tờ"),
    "payment": gettext_lazy("Cần nộp phí, lệ phí"),
    "rate": gettext_lazy("Mời đánh giá mức độ hài lòng"),
    "collect": gettext_lazy("Kết quả đã sẵn sàng để nhận"),
}
PROFILE_LABELS: dict[str, Any] = {
    "full_name": gettext_lazy("Họ và tên"),
    "id_number": gettext_lazy("Số định danh / mã số thuế"),
    "birth_date": gettext_lazy("Ngày sinh"),
    "commune": gettext_lazy("Xã, phường thường trú"),
    "street": gettext_lazy("Số nhà, đường, thôn"),
    "phone": gettext_lazy("Điện thoại"),
    "email": gettext_lazy("Thư điện tử"),
}


def _me(request: HttpRequest) -> Citizen:
    citizen = current_citizen(request)
    if citizen is None:  # the guard let no one else in
        raise Http404
    return citizen


def _dossier(citizen: Citizen, code: str) -> Dossier:
    try:
        return services.dossier_of(citizen, code)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _document(citizen: Citizen, document_id: Any) -> Document:
    try:
        return services.document_of(citizen, document_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _local(at: datetime | None) -> datetime | None:
    return timezone.localtime(at) if at else None


# --- home ------------------------------------------------------------------------------------------


def _my_reports(citizen: Citizen) -> list[Any]:
    """Feedback reports filed from the citizen's phone: code, category, status and date only."""
    if not citizen.phone:
        return []
    from tinhso.feedback.models import Report

    return list(Report.objects.filter(reporter_phone=citizen.phone, phone_verified=True).select_related("category")
                .order_by("-received_at", "-pk")[:10])


def _expected(citizen: Citizen) -> list[dict[str, Any]]:
    waiting = services.dossiers_of(citizen).filter(
        status__in=(Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED, Status.PROCESSED, Status.RETURNED)
    )[:50]
    rows = []
    for d in waiting:
        what = services.expected_now(d)
        if what:
            rows.append({"d": d, "what": what, "text": EXPECTED_TEXT.get(what, what)})
    return rows


@require_GET
@citizen_required
def home(request: HttpRequest) -> HttpResponse:
    citizen = _me(request)
    dossiers = list(services.dossiers_of(citizen)[:5])
    for d in dossiers:
        d.expected_text = EXPECTED_TEXT.get(services.expected_now(d), "")  # type: ignore[attr-defined]
    return render(request, "citizenweb/space/home.html", {
        "expected": _expected(citizen),
        "dossiers": dossiers,
        "drafts": list(services.drafts_of(citizen)[:10]),
        "document_count": services.documents_of(citizen).count(),
        "reports": _my_reports(citizen),
        "missing": services.profile_missing(citizen),
    })


# --- submission ----------------------------------------------------------------------------------


@dataclass
class ComponentBlock:
    """One component of the generated form, with the documents offered for it."""

    component: Component
    documents: list[Document]
    matching: set[int]
    picked: str = ""
    error: str = ""
    accept: str = ""
    types: str = ""
    key: str = ""


@dataclass
class SubmitState:
    agency: str = ""
    summary: str = ""
    result_delivery: str = ResultDelivery.ELECTRONIC
    result_address: str = ""
    picks: dict[int, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _procedure(code: str) -> Procedure:
    try:
        return services.procedure_for_online(code)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _blocks(citizen: Citizen, procedure: Procedure, state: SubmitState) -> list[ComponentBlock]:
    usable_all = services.documents_usable(citizen)
    blocks = []
    for c in procedure.components.all():
        documents = services.documents_usable(citizen, c.document_type) if c.document_type else usable_all
        matching = {d.pk for d in documents if c.document_type and d.document_type == c.document_type}
        extensions = [t.strip().lower().lstrip(".") for t in (c.file_types or "").split(",") if t.strip()]
        blocks.append(ComponentBlock(
            component=c, documents=documents, matching=matching, picked=state.picks.get(c.order, ""),
            error=state.errors.get(f"components.{c.order}", ""), accept=",".join(f".{e}" for e in extensions),
            types=", ".join(e.upper() for e in extensions), key=str(c.order),
        ))
    return blocks


def _applicant_rows(citizen: Citizen) -> list[dict[str, Any]]:
    values = {
        "full_name": citizen.full_name,
        "id_number": citizen.id_number,
        "birth_date": citizen.birth_date.strftime("%d/%m/%Y") if citizen.birth_date else "",
        "commune": citizen.address,
        "phone": citizen.phone,
        "email": citizen.email,
    }
    labels = {**PROFILE_LABELS, "commune": gettext_lazy("Địa chỉ thường trú")}
    return [{"name": n, "label": labels[n], "value": v, "verified": citizen.is_verified(n)} for n, v in values.items()]


def _submit_page(request: HttpRequest, citizen: Citizen, procedure: Procedure, state: SubmitState, *,
                 status: int = 200, draft: Any = None) -> HttpResponse:
    agencies = services.receiving_agencies(procedure)
    if not state.agency and len(agencies) == 1:
        state.agency = agencies[0].code
    top_errors = [m for k, m in state.errors.items() if not k.startswith("components.")]
    return render(request, "citizenweb/space/submit.html", {
        "procedure": procedure,
        "agencies": agencies,
        "blocks": _blocks(citizen, procedure, state),
        "state": state,
        "applicant": _applicant_rows(citizen),
        "missing": services.profile_missing(citizen),
        "address": citizen.address,
        "deliveries": ResultDelivery.choices,
        "draft": draft,
        "top_errors": top_errors,
        "error_count": len(state.errors),
        "max_mb": cf.max_upload_mb(),
        "online_time": fmt_amount(procedure.processing_time_for(Channel.ONLINE)),
        "fee": money_text(procedure.fee_vnd) if procedure.fee_vnd else "",
    }, status=status)


def _posted_state(request: HttpRequest, procedure: Procedure) -> tuple[SubmitState, dict[int, NewFile]]:
    post = request.POST
    state = SubmitState(
        agency=post.get("agency", ""), summary=post.get("summary", ""),
        result_delivery=post.get("result_delivery", "") or ResultDelivery.ELECTRONIC,
        result_address=post.get("result_address", ""),
    )
    files: dict[int, NewFile] = {}
    for c in procedure.components.all():
        pick = post.get(f"pick_{c.order}", "")
        if pick:
            state.picks[c.order] = pick
        upload = request.FILES.get(f"file_{c.order}")
        if upload is not None:
            files[c.order] = NewFile(filename=upload.name or "tep", file=upload)
    return state, files


def _save_draft(request: HttpRequest, citizen: Citizen, procedure: Procedure, state: SubmitState,
                files: dict[int, NewFile]) -> HttpResponse:
    """"Lưu nháp": a new file goes into the store now (so it is not lost) and the draft keeps it
    as the choice for its component; then back to the form, restored from the draft."""
    by_order = {c.order: c for c in procedure.components.all()}
    for order, new in files.items():
        component = by_order[order]
        try:
            document = services.document_store(citizen=citizen, new=NewFile(
                filename=new.filename, file=new.file, name=component.name[:500], document_type=component.document_type,
            ))
        except InvalidInput as exc:
            state.errors[f"components.{order}"] = str(exc.fields.get("file") or exc.message)
        else:
            state.picks[order] = str(document.pk)
    picks: dict[int, Any] = {}
    for order, pick in state.picks.items():
        try:
            services.document_of(citizen, pick)
        except NotFound:
            state.errors[f"components.{order}"] = _("Không tìm thấy giấy tờ đã chọn.")
        else:
            picks[order] = pick
    try:
        services.draft_save(citizen=citizen, procedure_code=procedure.code, agency_code=state.agency, picks=picks,
                            summary=state.summary, result_delivery=state.result_delivery)
    except InvalidInput as exc:
        state.errors.update(exc.fields or {"summary": exc.message})
    if state.errors:
        return _submit_page(request, citizen, procedure, state, status=422)
    messages.success(request, _("Đã lưu nháp. Bạn có thể quay lại nộp tiếp bất cứ lúc nào tại trang Cá nhân."))
    return redirect("citizen:submit", procedure_code=procedure.code)


@require_http_methods(["GET", "POST"])
@citizen_required
def submit(request: HttpRequest, procedure_code: str) -> HttpResponse:
    citizen = _me(request)
    try:
        procedure = _procedure(procedure_code)
    except Conflict as exc:
        return render(request, "citizenweb/space/not_online.html", {"message": exc.message, "code": procedure_code},
                      status=409)
    if request.method == "GET":
        state = SubmitState(result_address=citizen.address)
        draft = services.draft_of(citizen, procedure)
        if draft is not None:
            state.agency = draft.agency.code if draft.agency else ""
            state.summary = draft.summary
            state.result_delivery = draft.result_delivery or ResultDelivery.ELECTRONIC
            state.picks = {int(k): str(v) for k, v in draft.choices.items() if str(k).isdigit()}
        return _submit_page(request, citizen, procedure, state, draft=draft)
    state, files = _posted_state(request, procedure)
    if request.POST.get("action") == "draft":
        return _save_draft(request, citizen, procedure, state, files)
    try:
        result = services.online_submit(
            citizen=citizen, procedure_code=procedure.code, agency_code=state.agency, picks=state.picks, files=files,
            summary=state.summary, result_delivery=state.result_delivery, result_address=state.result_address,
        )
    except InvalidInput as exc:
        state.errors = dict(exc.fields) or {"form": exc.message}
        if files:
            state.errors.setdefault("files", _("Các tệp đã chọn chưa được gửi đi: hãy chọn lại tệp trước khi nộp."))
        return _submit_page(request, citizen, procedure, state, status=422)
    except Conflict as exc:
        state.errors = {"form": exc.message}
        return _submit_page(request, citizen, procedure, state, status=409)
    return redirect("citizen:submitted", code=result.dossier.code)


@require_GET
@citizen_required
def submitted(request: HttpRequest, code: str) -> HttpResponse:
    citizen = _me(request)
    d = _dossier(citizen, code)
    return render(request, "citizenweb/space/submitted.html", {
        "d": d, "online_time": fmt_amount(d.procedure.processing_time_for(Channel.ONLINE)),
        "uses": d.attachments.count(),
    })


# --- my dossiers -----------------------------------------------------------------------------


@require_GET
@citizen_required
def dossiers(request: HttpRequest) -> HttpResponse:
    citizen = _me(request)
    page = Paginator(services.dossiers_of(citizen), PAGE_SIZE).get_page(request.GET.get("page"))
    for d in page.object_list:
        d.expected_text = EXPECTED_TEXT.get(services.expected_now(d), "")
    return render(request, "citizenweb/space/dossiers.html", {"page": page})


def _timeline(d: Dossier) -> list[dict[str, Any]]:
    events: list[DossierEvent] = list(d.events.order_by("at", "id"))
    return [{
        "at": _local(e.at),
        "text": EVENT_TEXT.get(e.action, e.action),
        "status": Status(e.to_status).label if e.to_status in Status.values else "",
        "note": e.note if e.action in PUBLIC_NOTES else "",
    } for e in events]


def _forms(d: Dossier) -> list[dict[str, Any]]:
    actions = set(d.events.values_list("action", flat=True))
    return [{"number": n, "title": FORM_TITLES[n], "url": reverse("citizen:form_pdf", kwargs={"code": d.code, "form": n})}
            for n, action in FORM_EVENTS.items() if action in actions]


def _dossier_page(request: HttpRequest, citizen: Citizen, d: Dossier, *, status: int = 200,
                  rate_form: cf.RateForm | None = None, delivery_form: cf.DeliveryForm | None = None) -> HttpResponse:
    view = public_view(d)
    delivery_form = delivery_form or cf.DeliveryForm(initial={
        "delivery": d.result_delivery or ResultDelivery.ELECTRONIC,
        "address": d.result_delivery_address or citizen.address,
    })
    return render(request, "citizenweb/space/dossier.html", {
        "d": d,
        "view": view,
        "notice": notice_of(d),
        "timeline": _timeline(d),
        "expected": services.expected_now(d),
        "results": services.result_documents(citizen, d),
        "forms": _forms(d),
        "attachments": list(d.attachments.order_by("id")),
        "rate_form": rate_form or cf.RateForm(),
        "delivery_form": delivery_form,
        "may_choose_delivery": d.status not in CLOSED,
        "may_withdraw": d.status in WITHDRAWABLE,
        "payment": dossier_payment(d) if d.fee_due > 0 else None,
    }, status=status)


@require_http_methods(["GET", "POST"])
@citizen_required
def dossier(request: HttpRequest, code: str) -> HttpResponse:
    """The dossier; its POSTs: `action=rate` (after the result was returned) and
    `action=delivery` (how to receive the result)."""
    citizen = _me(request)
    d = _dossier(citizen, code)
    if request.method == "GET":
        return _dossier_page(request, citizen, d)
    action = request.POST.get("action", "")
    try:
        if action == "rate":
            rate = cf.RateForm(request.POST)
            if not rate.is_valid():
                return _dossier_page(request, citizen, d, status=422, rate_form=rate)
            services.dossier_rate(citizen=citizen, code=d.code, rating=rate.cleaned_data["rating"],
                                  comment=rate.cleaned_data["comment"])
            messages.success(request, _("Cảm ơn bạn đã đánh giá."))
        elif action == "delivery":
            delivery = cf.DeliveryForm(request.POST)
            if not delivery.is_valid():
                return _dossier_page(request, citizen, d, status=422, delivery_form=delivery)
            services.result_delivery_choose(citizen=citizen, code=d.code, delivery=delivery.cleaned_data["delivery"],
                                            address=delivery.cleaned_data["address"])
            messages.success(request, _("Đã ghi nhận cách bạn muốn nhận kết quả."))
        else:
            messages.error(request, _("Thao tác không hợp lệ."))
    except NotFound as exc:
        raise Http404(exc.message) from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _dossier_page(request, citizen, services.dossier_of(citizen, code), status=exc.status)
    return redirect("citizen:dossier", code=d.code)


@require_http_methods(["GET", "POST"])
@citizen_required
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    citizen = _me(request)
    d = _dossier(citizen, code)
    form = cf.WithdrawForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.dossier_withdraw(citizen=citizen, code=d.code, reason=form.cleaned_data["reason"])
            except NotFound as exc:
                raise Http404(exc.message) from None
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Hồ sơ %(code)s đã được rút.") % {"code": d.code})
                return redirect("citizen:dossier", code=d.code)
        else:
            status = 422
    return render(request, "citizenweb/space/withdraw.html", {"d": d, "form": form,
                                                              "may_withdraw": d.status in WITHDRAWABLE}, status=status)


@require_http_methods(["GET", "POST"])
@citizen_required
def supplement(request: HttpRequest, code: str) -> HttpResponse:
    """Answer a supplement request: pick from the store or upload, per component, and a note."""
    citizen = _me(request)
    d = _dossier(citizen, code)
    state = SubmitState()
    status = 200
    if request.method == "POST" and d.status == Status.SUPPLEMENT_REQUESTED:
        state, files = _posted_state(request, d.procedure)
        note = request.POST.get("note", "")
        state.summary = note
        try:
            services.supplement_answer(citizen=citizen, code=d.code, picks=state.picks, files=files, note=note)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except ApplicationError as exc:
            state.errors = dict(exc.fields) or {"form": exc.message}
            if "components" in state.errors or not exc.fields:
                state.errors.setdefault("form", exc.message)
            status = exc.status
        else:
            messages.success(request, _("Đã gửi giấy tờ bổ sung. Thời gian giải quyết được tính tiếp từ bây giờ."))
            return redirect("citizen:dossier", code=d.code)
    return render(request, "citizenweb/space/supplement.html", {
        "d": d,
        "notice": notice_of(d),
        "waiting": d.status == Status.SUPPLEMENT_REQUESTED,
        "blocks": _blocks(citizen, d.procedure, state),
        "state": state,
        "top_errors": [m for k, m in state.errors.items() if not k.startswith("components.")],
        "max_mb": cf.max_upload_mb(),
    }, status=status)


def _form_errors(form: Any, exc: ApplicationError) -> None:
    """A service's per-field messages next to the form's fields (the others above the form)."""
    if not exc.fields:
        form.add_error(None, exc.message)
    for name, message in exc.fields.items():
        form.add_error(name if name in form.fields else None, message)


def _download(document: Document) -> FileResponse:
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.filename,
                            content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@citizen_required  # type: ignore[arg-type]  # a FileResponse is not an HttpResponse subclass
def result_file(request: HttpRequest, code: str, document_id: int) -> FileResponse:
    citizen = _me(request)
    d = _dossier(citizen, code)
    for document in services.result_documents(citizen, d):
        if document.pk == document_id:
            return _download(document)
    raise Http404(_("Không tìm thấy kết quả."))


@require_GET
@citizen_required
def form_pdf(request: HttpRequest, code: str, form: str) -> HttpResponse:
    """A form the citizen was issued (01–05), as PDF, with their own data in full."""
    from tinhso.dossiers.forms import build_form
    from tinhso.dossiers.forms.pdf import form_pdf as render_pdf

    citizen = _me(request)
    d = _dossier(citizen, code)
    if form not in FORM_EVENTS:
        raise Http404
    try:
        document = build_form(d, form, personal=True, base_url=request.build_absolute_uri("/"),
                              payment=form_payment(d) if form == "01" else None)
    except ApplicationError as exc:
        raise Http404(exc.message) from None
    response = HttpResponse(render_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- my documents ----------------------------------------------------------------------------


@require_GET
@citizen_required
def documents(request: HttpRequest) -> HttpResponse:
    citizen = _me(request)
    today = timezone.localdate()
    rows = []
    for document in services.documents_of(citizen):
        rows.append({
            "doc": document,
            "type": cf.document_type_label(document.document_type),
            "expired": document.expires_on is not None and document.expires_on < today,
            "uses": services.document_dossiers(document),
            "is_result": document.origin == DocumentOrigin.RESULT,
        })
    return render(request, "citizenweb/space/documents.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@citizen_required
def document_add(request: HttpRequest) -> HttpResponse:
    citizen = _me(request)
    form = cf.DocumentForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            try:
                services.document_store(citizen=citizen, new=NewFile(
                    filename=upload.name or "tep", file=upload, name=data["name"], document_type=data["document_type"],
                    number=data["number"], issuer=data["issuer"], issued_on=data["issued_on"],
                    expires_on=data["expires_on"],
                ))
            except InvalidInput as exc:
                _form_errors(form, exc)
                status = 422
            else:
                messages.success(request, _("Đã lưu giấy tờ vào kho. Lần sau nộp hồ sơ bạn chỉ cần chọn lại."))
                return redirect("citizen:documents")
        else:
            status = 422
    return render(request, "citizenweb/space/document_add.html", {"form": form, "max_mb": cf.max_upload_mb()},
                  status=status)


@require_GET
@citizen_required  # type: ignore[arg-type]
def document_file(request: HttpRequest, document_id: int) -> FileResponse:
    return _download(_document(_me(request), document_id))


@require_http_methods(["GET", "POST"])
@citizen_required
def document_delete(request: HttpRequest, document_id: int) -> HttpResponse:
    citizen = _me(request)
    document = _document(citizen, document_id)
    status = 200
    error = ""
    if request.method == "POST":
        try:
            services.document_delete(citizen=citizen, document_id=document.pk)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except ApplicationError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, _("Đã xoá giấy tờ khỏi kho. Các hồ sơ đã dùng giấy tờ này vẫn giữ bản của mình."))
            return redirect("citizen:documents")
    return render(request, "citizenweb/space/document_delete.html", {
        "doc": document, "uses": services.document_dossiers(document), "error": error,
        "is_result": document.origin == DocumentOrigin.RESULT,
    }, status=status)


@require_http_methods(["GET", "POST"])
@citizen_required
def draft_delete(request: HttpRequest, draft_id: int) -> HttpResponse:
    citizen = _me(request)
    draft = services.drafts_of(citizen).filter(pk=draft_id).first()
    if draft is None:
        raise Http404(_("Không tìm thấy hồ sơ nháp."))
    if request.method == "POST":
        services.draft_delete(citizen=citizen, draft_id=draft.pk)
        messages.success(request, _("Đã xoá hồ sơ nháp."))
        return redirect("citizen:home")
    return render(request, "citizenweb/space/draft_delete.html", {"draft": draft})


# --- my profile ----------------------------------------------------------------------------------


def _profile_rows(citizen: Citizen) -> list[dict[str, Any]]:
    values = {
        "full_name": citizen.full_name,
        "id_number": citizen.id_number,
        "birth_date": citizen.birth_date.strftime("%d/%m/%Y") if citizen.birth_date else "",
        "commune": str(citizen.commune.name) if citizen.commune else "",
        "street": citizen.street,
        "phone": citizen.phone,
        "email": citizen.email,
    }
    return [{"name": n, "label": PROFILE_LABELS[n], "value": v, "verified": citizen.is_verified(n)}
            for n, v in values.items()]


def _locked_fields(citizen: Citizen) -> frozenset[str]:
    """The profile fields the citizen cannot type: those from the identity provider and those
    the accounts service never takes as declared (`accounts.DECLARABLE`)."""
    from tinhso.citizens.accounts import DECLARABLE

    verified = {n for n, source in (citizen.sources or {}).items() if source == FieldSource.IDENTITY_PROVIDER}
    return frozenset(verified | {n for n in PROFILE_LABELS if n not in DECLARABLE})


@require_GET
@citizen_required
def profile(request: HttpRequest) -> HttpResponse:
    citizen = _me(request)
    return render(request, "citizenweb/space/profile.html", {
        "rows": _profile_rows(citizen), "missing": services.profile_missing(citizen),
    })


@require_http_methods(["GET", "POST"])
@citizen_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    """Edit the declared fields; a field from the identity provider (or one never declared, such
    as the citizen ID) is shown, never an input."""
    citizen = _me(request)
    locked = _locked_fields(citizen)
    initial = {
        "full_name": citizen.full_name, "id_number": citizen.id_number, "birth_date": citizen.birth_date,
        "commune": citizen.commune.code if citizen.commune else "", "street": citizen.street,
        "phone": citizen.phone, "email": citizen.email,
    }
    form = cf.ProfileForm(request.POST or None, initial=initial, locked=locked)
    status = 200
    if request.method == "POST":
        refused = sorted(n for n in locked if n in request.POST)
        for name in refused:
            form.add_error(None, _("“%(field)s” lấy từ định danh điện tử, không sửa được.")
                           % {"field": PROFILE_LABELS.get(name, name)})
        if not refused and form.is_valid():
            from tinhso.citizens.accounts import citizen_update_profile

            changed = {n: v for n, v in form.cleaned_data.items() if v != initial.get(n)}
            try:
                citizen_update_profile(citizen, **changed)
            except ApplicationError as exc:
                _form_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Đã lưu thông tin cá nhân. Lần sau nộp hồ sơ không phải khai lại."))
                back = safe_next(request.POST.get("next", ""))
                if back:
                    return redirect(back)
                return redirect("citizen:profile")
        else:
            status = 422
    return render(request, "citizenweb/space/profile_edit.html", {
        "form": form, "locked_rows": [r for r in _profile_rows(citizen) if r["name"] in locked],
    }, status=status)
