"""Pages of the officer workspace (inbox, counter, dossier page and its actions) and the public
tracking page.

Views are thin: they parse the request, find the caller's principal, call one selector or one
service and render. Every dossier is read through `tinhso.dossiers.selectors` (scoped to the
caller; out of scope is 404) and every change goes through `tinhso.dossiers.services`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.agencies.models import Agency, Role
from tinhso.agencies.principals import Principal
from tinhso.agencies.scoping import may_see_personal_data
from tinhso.audit.services import audit_record
from tinhso.catalogue.models import Procedure
from tinhso.core.clients import client_address
from tinhso.core.codes import mask_id_number, mask_name, mask_phone
from tinhso.core.errors import ApplicationError, Conflict, NotFound
from tinhso.core.money import grouped
from tinhso.dossiers import selectors, services
from tinhso.dossiers.models import Channel, Dossier, Status
from tinhso.dossiers.transitions import Action
from tinhso.payments.selectors import dossier_payment, dossier_transactions
from tinhso.throttling.services import rule, throttle_exceeded, throttle_hit
from tinhso.workcalendar.selectors import calendar_for_agency
from tinhso.workspace import forms as wf
from tinhso.workspace import session_timeout
from tinhso.workspace import tracking as tracking_page
from tinhso.workspace.actions import run_page_action

PAGE_SIZE = 50
DUE_SOON_WORKING_SECONDS = 8 * 3600

ACTION_LABELS: dict[Action, Any] = {
    Action.RECEIVE: gettext_lazy("Tiếp nhận hồ sơ"),
    Action.REQUEST_SUPPLEMENT: gettext_lazy("Yêu cầu bổ sung"),
    Action.REFUSE: gettext_lazy("Từ chối"),
    Action.SUPPLEMENT_RECEIVED: gettext_lazy("Đã nhận bổ sung"),
    Action.FORWARD: gettext_lazy("Chuyển bước tiếp"),
    Action.TRANSFER: gettext_lazy("Chuyển cơ quan khác"),
    Action.EXTEND: gettext_lazy("Gia hạn"),
    Action.STOP: gettext_lazy("Dừng xử lý"),
    Action.APPROVE: gettext_lazy("Phê duyệt"),
    Action.SIGN: gettext_lazy("Ký"),
    Action.FINISH: gettext_lazy("Hoàn thành xử lý"),
    Action.RETURN: gettext_lazy("Trả kết quả"),
    Action.WITHDRAW: gettext_lazy("Rút hồ sơ"),
    Action.RATE: gettext_lazy("Ghi nhận đánh giá"),
    Action.REQUEST_PAYMENT: gettext_lazy("Yêu cầu thanh toán phí"),
    Action.FEE_PAID: gettext_lazy("Ghi nhận đã nộp phí tại quầy"),
}
EVENT_LABELS: dict[str, Any] = {
    **{a.value: label for a, label in ACTION_LABELS.items()},
    Action.SUBMIT.value: gettext_lazy("Nộp trực tuyến"),
    Action.RATE.value: gettext_lazy("Đánh giá"),
    Action.FEE_PAID.value: gettext_lazy("Đã nộp phí, lệ phí"),
}
DESTRUCTIVE_ACTIONS = frozenset({Action.REFUSE, Action.STOP, Action.WITHDRAW})

FORM_TITLES: dict[str, Any] = {
    "01": gettext_lazy("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    "02": gettext_lazy("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "03": gettext_lazy("Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    "04": gettext_lazy("Văn bản xin lỗi và đề nghị gia hạn"),
    "05": gettext_lazy("Thông báo dừng giải quyết hồ sơ"),
    "06": gettext_lazy("Phiếu kiểm soát quá trình giải quyết hồ sơ"),
}


# --- helpers -------------------------------------------------------------------------------


def _principal(request: HttpRequest) -> Principal | None:
    """The signed-in person as a principal, computed once per request."""
    if not hasattr(request, "_tinhso_principal"):
        request._tinhso_principal = Principal.for_user(request.user)  # type: ignore[attr-defined]
    return request._tinhso_principal  # type: ignore[attr-defined]


def _staff(request: HttpRequest) -> Principal:
    principal = _principal(request)
    if principal is None or not (principal.roles or principal.is_superuser):
        raise DjangoPermissionDenied(_("Tài khoản chưa được gán vai trò ở cơ quan nào."))
    return principal


def _reception_agencies(principal: Principal) -> QuerySet[Agency]:
    if principal.is_superuser:
        return Agency.objects.filter(is_active=True)
    ids = [agency.pk for agency, role in principal.roles if role == Role.RECEPTION]
    return Agency.objects.filter(pk__in=ids, is_active=True)


def _header(principal: Principal | None) -> dict[str, Any]:
    """What the page header shows about the signed-in person: name and agencies with roles."""
    if principal is None:
        return {}
    seats: dict[str, list[str]] = {}
    for agency, role in principal.roles:
        seats.setdefault(agency.name, []).append(str(Role(role).label) if role in Role.values else role)
    return {
        "header_name": principal.display_name,
        "header_seats": [{"agency": a, "roles": ", ".join(r)} for a, r in seats.items()],
        "may_receive": principal.is_superuser or any(r == Role.RECEPTION for _, r in principal.roles),
    }


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, template, {**_header(_principal(request)), **context}, status=status)


def _may_see_personal(principal: Principal | None, dossier: Dossier) -> bool:
    return may_see_personal_data(principal, {dossier.handling_agency_id, dossier.receiving_agency_id})


def _due_marks(dossier: Dossier, now: datetime) -> dict[str, bool]:
    """Overdue (red) and due within one working day (amber) for an open, running dossier."""
    if dossier.due_at is None or dossier.is_paused or not dossier.is_open:
        return {"overdue": False, "due_soon": False}
    if now > dossier.due_at:
        return {"overdue": True, "due_soon": False}
    calendar = calendar_for_agency(dossier.handling_agency)
    return {"overdue": False, "due_soon": calendar.working_seconds_between(now, dossier.due_at) <= DUE_SOON_WORKING_SECONDS}


def _get_dossier(principal: Principal | None, code: str) -> Dossier:
    try:
        return selectors.dossier_get(principal=principal, code=code)
    except NotFound:
        raise Http404(_("Không tìm thấy hồ sơ.")) from None


# --- home, sign-in -------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    """Staff go to their inbox; everyone else to the public tracking page."""
    principal = _principal(request)
    if principal is not None and (principal.roles or principal.is_superuser):
        return redirect("workspace:inbox")
    return redirect("workspace:tracking")


class SignInView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from tinhso.identity.staff_sso import staff_sso_enabled

        # Shown because the session ended without activity (tinhso.workspace.session_timeout);
        # the single sign-on button when the province's directory is configured (tinhso.identity).
        return {**super().get_context_data(**kwargs), "session_expired": session_timeout.was_expired(self.request),
                "staff_sso": staff_sso_enabled()}


def signin_locked_out(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """The sign-in page when django-axes has locked this username at this address (429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/login.html", {
        "locked_out": _("Đăng nhập sai quá %(n)s lần. Tài khoản này tạm khoá đăng nhập từ địa chỉ của bạn trong "
                        "%(minutes)s phút; hãy thử lại sau hoặc liên hệ quản trị hệ thống.")
        % {"n": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
        "next": request.POST.get("next", "") if request.method == "POST" else "",
    }, status=429)


# --- inbox ---------------------------------------------------------------------------------


# The inbox's two tabs: what waits for my move (the default), and every open dossier of my agencies.
INBOX_MINE = "cho-toi"
INBOX_ALL = "tat-ca"


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """My dossiers: by default those waiting for my move ("Chờ tôi xử lý"), the other tab every
    open dossier of my agencies, soonest due first; a search (code, ID number or the applicant's
    name, with or without diacritics) looks through every dossier I may see."""
    principal = _staff(request)
    # Someone who handles no dossier (a viewer, an administrator) waits for nothing: all of them.
    handles = principal.is_superuser or any(role in services.HANDLING_ROLES for _, role in principal.roles)
    tab = request.GET.get("xem") if request.GET.get("xem") in (INBOX_MINE, INBOX_ALL) else None
    tab = tab or (INBOX_MINE if handles else INBOX_ALL)
    status_choices = [(int(s), str(Status(s).label)) for s in Status]
    filters = wf.InboxFilterForm(request.GET or None, status_choices=status_choices)
    status: int | None = None
    q = ""
    if filters.is_valid():
        status = filters.cleaned_data["status"]
        q = filters.cleaned_data["q"].strip()
    if q:
        qs = selectors.dossier_list(principal=principal, filters=selectors.DossierFilters(q=q, status=status))
        qs = qs.select_related("handling_agency__unit__parent", "receiving_agency")
    else:
        qs = selectors.inbox(principal=principal) if tab == INBOX_ALL else selectors.waiting_for(principal=principal)
        if status is not None:
            qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = []
    for d in selectors.attach_agencies(list(page.object_list)) if not q else page.object_list:
        personal = _may_see_personal(principal, d)
        rows.append({
            "d": d,
            "applicant": d.applicant_name if personal else mask_name(d.applicant_name),
            **_due_marks(d, now),
        })
    query = request.GET.copy()
    query.pop("page", None)
    return _render(request, "workspace/inbox.html", {
        "filters": filters, "page": page, "rows": rows, "searching": bool(q), "query": query.urlencode(),
        "tab": tab, "tab_mine": INBOX_MINE, "tab_all": INBOX_ALL,
    })


# --- counter -------------------------------------------------------------------------------


def _procedure_info(procedure: Procedure | None, agency: Agency | None, channel: int) -> dict[str, Any]:
    """Documents, fee, legal time and the appointment if the dossier were received now."""
    if procedure is None:
        return {"procedure": None}
    info: dict[str, Any] = {
        "procedure": procedure, "fee": grouped(procedure.fee_vnd),
    }
    info["amount"] = procedure.processing_time_for(channel)
    if agency is not None:
        info["appointment"] = calendar_for_agency(agency).due(
            timezone.now(), procedure.processing_time_for(channel), procedure.processing_unit
        )
    return info


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def counter_procedure(request: HttpRequest) -> HttpResponse:
    """htmx fragment: the chosen procedure's documents (as checkboxes), fee and appointment."""
    principal = _staff(request)
    agencies = _reception_agencies(principal)
    agency = agencies.filter(pk=_int_or_none(request.GET.get("agency")) or 0).first() or (
        agencies.first() if agencies.count() == 1 else None
    )
    code = request.GET.get("procedure", "")
    procedure = Procedure.objects.filter(is_active=True, code=code).first() if code else None
    channel = _int_or_none(request.GET.get("channel")) or Channel.COUNTER
    form = wf.CounterForm(agencies=agencies, initial={"procedure": procedure.code if procedure else ""})
    return _render(request, "workspace/_procedure_info.html", {
        **_procedure_info(procedure, agency, channel), "form": form, "components": form.component_rows(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def counter(request: HttpRequest) -> HttpResponse:
    """The counter screen: receive a complete dossier; on success go to its page (form 01)."""
    principal = _staff(request)
    agencies = _reception_agencies(principal)
    if not agencies.exists():
        raise DjangoPermissionDenied(_("Chỉ cán bộ tiếp nhận mới dùng màn hình này."))
    if request.method == "POST":
        form = wf.CounterForm(request.POST, request.FILES, agencies=agencies)
        if form.is_valid():
            data = form.cleaned_data
            uploads = [services.Upload(name=f.name, filename=f.name, content=f.read()) for f in data["attachments"]]
            try:
                result = services.dossier_receive(
                    principal=principal,
                    procedure=data["procedure"],
                    agency=data["agency"],
                    channel=data["channel"],
                    applicant=form.applicant(),
                    summary=data["summary"],
                    uploads=uploads,
                    fee_paid=data["fee_paid"],
                    components=form.receipts(),
                )
            except ApplicationError as exc:
                form.add_service_errors(exc.fields, exc.message)
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s.") % {"code": result.dossier.code})
                return redirect(f"{reverse('workspace:dossier', kwargs={'code': result.dossier.code})}?received=1")
        status = 422
    else:
        form = wf.CounterForm(agencies=agencies, initial={"procedure": request.GET.get("procedure", "")})
        status = 200
    procedure = form.selected_procedure()
    agency = None
    if agencies.count() == 1:
        agency = agencies.first()
    elif form.is_bound:
        agency = agencies.filter(pk=_int_or_none(form.data.get("agency")) or 0).first()
    channel = _int_or_none(form.data.get("channel")) if form.is_bound else None
    info = _procedure_info(procedure, agency, channel or Channel.COUNTER)
    return _render(request, "workspace/counter.html", {"form": form, **info, "components": form.component_rows()},
                   status=status)


# --- the dossier page and its actions --------------------------------------------------------


def _form_links(dossier: Dossier, actions_done: set[str]) -> list[dict[str, Any]]:
    """The printable forms that apply to the dossier now."""
    wanted: list[str] = []
    if dossier.received_at is not None:
        wanted.append("01")
    if "request_supplement" in actions_done:
        wanted.append("02")
    if dossier.status == Status.REFUSED or "refuse" in actions_done:
        wanted.append("03")
    if dossier.extended:
        wanted.append("04")
    if dossier.status == Status.STOPPED:
        wanted.append("05")
    wanted.append("06")
    return [
        {
            "number": n,
            "title": FORM_TITLES[n],
            "html": reverse("workspace:form_html", kwargs={"code": dossier.code, "form": n}),
            "pdf": reverse("workspace:form_pdf", kwargs={"code": dossier.code, "form": n}),
        }
        for n in wanted
    ]


def _action_form(
    action: Action, dossier: Dossier, data: Any = None, files: Any = None, prefill: dict[str, Any] | None = None
) -> Any:
    initial = {"version": dossier.version, **(prefill or {})}
    if action == Action.FEE_PAID:
        initial.setdefault("amount", dossier.fee_due)
    kwargs: dict[str, Any] = {"initial": initial, "prefix": action.value}
    if action == Action.TRANSFER:
        kwargs["exclude_agency_id"] = dossier.handling_agency_id
    cls = ACTION_FORMS[action]
    return cls(data, files, **kwargs) if data is not None else cls(**kwargs)


ACTION_FORMS: dict[Action, type] = {
    Action.RECEIVE: wf.NoteForm,
    Action.REQUEST_SUPPLEMENT: wf.SupplementRequestForm,
    Action.REFUSE: wf.ReasonForm,
    Action.SUPPLEMENT_RECEIVED: wf.SupplementReceivedForm,
    Action.FORWARD: wf.NoteForm,
    Action.TRANSFER: wf.TransferForm,
    Action.EXTEND: wf.ExtendForm,
    Action.STOP: wf.ReasonForm,
    Action.APPROVE: wf.NoteForm,
    Action.SIGN: wf.SignForm,
    Action.FINISH: wf.FinishForm,
    Action.RETURN: wf.NoteForm,
    Action.WITHDRAW: wf.ReasonForm,
    Action.RATE: wf.RatingForm,
    Action.REQUEST_PAYMENT: wf.NoteForm,
    Action.FEE_PAID: wf.CounterPaymentForm,
}


def _uploads(files: list[Any]) -> list[services.Upload]:
    return [services.Upload(name=f.name, filename=f.name, content=f.read()) for f in files]


def _call_service(action: Action, principal: Principal, code: str, data: dict[str, Any]) -> services.ActionResult:
    """The one service behind each action, with the fields its form collected."""
    common = {"principal": principal, "code": code, "expected_version": data["version"]}
    calls: dict[Action, Callable[[], services.ActionResult]] = {
        Action.RECEIVE: lambda: services.dossier_accept(**common),
        Action.REQUEST_SUPPLEMENT: lambda: services.dossier_request_supplement(
            **common, reason=data["reason"], documents=data["documents"]),
        Action.REFUSE: lambda: services.dossier_refuse(**common, reason=data["reason"]),
        Action.SUPPLEMENT_RECEIVED: lambda: services.dossier_supplement_received(
            **common, note=data["note"], uploads=_uploads(data["attachments"])),
        Action.FORWARD: lambda: services.dossier_forward(**common, note=data["note"]),
        Action.TRANSFER: lambda: services.dossier_transfer(**common, to_agency=data["to_agency"], reason=data["reason"]),
        Action.EXTEND: lambda: services.dossier_extend(**common, new_due_at=data["new_due_at"], reason=data["reason"]),
        Action.STOP: lambda: services.dossier_stop(**common, reason=data["reason"]),
        Action.APPROVE: lambda: services.dossier_approve(**common, note=data["note"]),
        Action.SIGN: lambda: services.dossier_sign(
            **common, note=data["note"], result_number=data["result_number"], result_kind=data["result_kind"]),
        Action.FINISH: lambda: services.dossier_finish(
            **common, note=data["note"], result=_uploads([data["result"]])[0] if data["result"] else None),
        Action.RETURN: lambda: services.dossier_return(**common, note=data["note"]),
        Action.WITHDRAW: lambda: services.dossier_withdraw(**common, reason=data["reason"]),
        Action.RATE: lambda: services.dossier_rate(**common, rating=data["rating"], comment=data["comment"]),
        Action.REQUEST_PAYMENT: lambda: services.dossier_request_payment(**common, note=data["note"]),
        # Paid at the counter (cash or card): never "paid online", which only the bank's word sets.
        Action.FEE_PAID: lambda: services.dossier_fee_paid(
            **common, amount=data["amount"], reconciled=False, method=data["method"], reference=data["reference"],
            note=data["note"]),
    }
    return calls[action]()


# A refused typed due moment: the proposal (and the reason typed) pre-fill the form next time.
PROPOSAL_SESSION_KEY = "tinhso_due_proposal"


def _call_keeping_proposal(
    request: HttpRequest, act: Action, principal: Principal, code: str, data: dict[str, Any]
) -> services.ActionResult:
    try:
        return _call_service(act, principal, code, data)
    except services.DueMomentRefused as exc:
        request.session[PROPOSAL_SESSION_KEY] = {
            "code": code, "action": act.value, "at": exc.proposal.isoformat(), "reason": data.get("reason", ""),
        }
        raise


def _take_proposal(request: HttpRequest, code: str) -> tuple[Action | None, dict[str, Any]]:
    """The action whose form the last refused due moment should pre-fill, and its values."""
    kept = request.session.pop(PROPOSAL_SESSION_KEY, None)
    if not isinstance(kept, dict) or kept.get("code") != code:
        return None, {}
    try:
        at = timezone.localtime(datetime.fromisoformat(kept["at"]))
        return Action(kept["action"]), {"new_due_at": at, "reason": str(kept.get("reason", ""))}
    except (KeyError, TypeError, ValueError):
        return None, {}


@login_required
@require_GET
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A dossier: its fields, attachments, history, printable forms and the actions I may take."""
    principal = _staff(request)
    d = _get_dossier(principal, code)
    personal = _may_see_personal(principal, d)
    events = list(selectors.dossier_events(principal=principal, code=code))
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)  # type: ignore[attr-defined]
    proposed, prefill = _take_proposal(request, d.code)
    actions = [
        {"action": a, "label": ACTION_LABELS[a], "form": _action_form(a, d, prefill=prefill if a == proposed else None),
         "destructive": a in DESTRUCTIVE_ACTIONS, "open": a == proposed}
        for a in selectors.dossier_allowed_actions(principal, d)
    ]
    birth = d.applicant_birth_date.strftime("%d/%m/%Y") if d.applicant_birth_date else ""
    applicant = {
        "name": d.applicant_name if personal else mask_name(d.applicant_name),
        "id_number": d.applicant_id_number if personal else mask_id_number(d.applicant_id_number),
        "birth_date": birth if personal else ("**/**/****" if birth else ""),
        "address": d.applicant_address if personal else ("***" if d.applicant_address else ""),
        "phone": d.applicant_phone if personal else mask_phone(d.applicant_phone),
        "email": d.applicant_email if personal else ("***" if d.applicant_email else ""),
        "representative_name": d.representative_name if personal else mask_name(d.representative_name),
        "representative_id_number": d.representative_id_number if personal else mask_id_number(d.representative_id_number),
    }
    return _render(request, "workspace/dossier.html", {
        "d": d,
        "applicant": applicant,
        "personal": personal,
        "attachments": d.attachments.all(),
        "events": events,
        "actions": actions,
        "forms": _form_links(d, {e.action for e in events}),
        "just_received": request.GET.get("received") == "1",
        "fee": grouped(d.fee_due),
        "payment": dossier_payment(d) if d.fee_due > 0 else None,
        "transactions": list(dossier_transactions(d)) if d.fee_due > 0 and personal else [],
        **_due_marks(d, timezone.now()),
    })


@login_required
@require_POST
def dossier_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Take one action on a dossier with the version shown on the page; errors become messages."""
    principal = _staff(request)
    try:
        act = Action(action)
    except ValueError:
        raise Http404(_("Không có thao tác này.")) from None
    if act not in ACTION_FORMS:
        raise Http404(_("Không có thao tác này."))
    d = _get_dossier(principal, code)
    back = redirect("workspace:dossier", code=d.code)
    form = _action_form(act, d, request.POST, request.FILES)
    run_page_action(
        request, form=form, label=str(ACTION_LABELS[act]),
        call=lambda data: _call_keeping_proposal(request, act, principal, d.code, data),
        stale_message=_("Người khác vừa thao tác trên hồ sơ này trước bạn. Trang đã được tải lại; "
                        "hãy xem lại trước khi thao tác."),
        not_found_message=_("Không tìm thấy hồ sơ."),
    )
    return back
    try:
        _call_service(act, principal, d.code, form.cleaned_data)
    except Conflict as exc:
        if exc.code == "stale_version":
            messages.error(request, _("Người khác vừa thao tác trên hồ sơ này trước bạn. Trang đã được tải lại; "
                                      "hãy xem lại trước khi thao tác."))
        else:
            messages.error(request, exc.message)
    except NotFound:
        raise Http404(_("Không tìm thấy hồ sơ.")) from None
    except ApplicationError as exc:
        details = "; ".join(f"{v}" for v in exc.fields.values())
        messages.error(request, f"{exc.message} {details}".strip())
    else:
        messages.success(request, _("Đã thực hiện “%(action)s”.") % {"action": ACTION_LABELS[act]})
    return back


@login_required
@require_GET
def attachment_download(request: HttpRequest, code: str, pk: int) -> FileResponse:
    """A dossier's file, for those who act on the dossier. Files carry personal data (scans of
    ID cards, signed forms), so whoever may see the dossier but not its personal data — a
    viewer — gets 403 (the dossier's existence is no secret to them)."""
    principal = _staff(request)
    d = _get_dossier(principal, code)
    if not _may_see_personal(principal, d):
        raise DjangoPermissionDenied(_("Tệp đính kèm chứa thông tin cá nhân: chỉ người xử lý hồ sơ được tải."))
    attachment = d.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404(_("Không tìm thấy tệp."))
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.filename, content_type=attachment.content_type
    )


# --- public tracking -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def tracking(request: HttpRequest) -> HttpResponse:
    """Public: a dossier's status by its code (typed, or from the QR code on form 01), and the
    satisfaction rating once the result has been returned."""
    rating_form: wf.PublicRatingForm | None = None
    status = 200
    if request.method == "POST":
        # The last four digits are a secret: wrong guesses are counted per dossier and per client
        # address (tinhso.throttling), and each leaves an audit row.
        code = request.POST.get("code", "").strip()
        d = tracking_page.find_public_dossier(code)
        if d is None:
            raise Http404(_("Không tìm thấy hồ sơ."))
        rating_form = wf.PublicRatingForm(request.POST)
        address = client_address(request)
        blocked = throttle_exceeded(rule("RATING_PER_DOSSIER"), d.code) or (
            throttle_exceeded(rule("RATING_PER_ADDRESS"), address) if address else None)
        if blocked is not None:
            rating_form.add_error(None, _("Đã nhập sai bốn chữ số quá nhiều lần. Vui lòng thử lại sau %(minutes)s phút.")
                                  % {"minutes": blocked.retry_minutes})
            status = 429
        elif rating_form.is_valid():
            expected = d.applicant_id_number[-4:]
            given = rating_form.cleaned_data["last4"]
            if len(expected) != 4 or not hmac.compare_digest(expected, given):
                throttle_hit(rule("RATING_PER_DOSSIER"), d.code)
                if address:
                    throttle_hit(rule("RATING_PER_ADDRESS"), address)
                audit_record(principal=None, action="dossier.rating_check_failed", object_type="dossier",
                             object_id=d.code, data={"address": address})
                rating_form.add_error("last4", _("Bốn chữ số cuối không khớp với hồ sơ."))
            else:
                try:
                    services.dossier_rate(
                        principal=None, code=d.code, rating=rating_form.cleaned_data["rating"],
                        comment=rating_form.cleaned_data["comment"],
                    )
                except ApplicationError as exc:
                    rating_form.add_error(None, exc.message)
                else:
                    messages.success(request, _("Cảm ơn bạn đã đánh giá."))
                    return redirect(f"{reverse('workspace:tracking')}?code={d.code}")
        status = status if blocked is not None else 422
        d.refresh_from_db()
    else:
        code = request.GET.get("code", "").strip()
        d = tracking_page.find_public_dossier(code)
        if d is not None and d.status == Status.RETURNED and not d.rating:
            rating_form = wf.PublicRatingForm(initial={"code": d.code})
    return _render(request, "workspace/tracking.html", {
        "code": d.code if d is not None else code,
        "found": tracking_page.public_view(d) if d is not None else None,
        "payment": dossier_payment(d) if d is not None and d.fee_due > 0 else None,
        "not_found": bool(code) and d is None,
        "rating_form": rating_form,
    }, status=status)
