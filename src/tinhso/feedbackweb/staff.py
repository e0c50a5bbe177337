"""Officers' feedback pages: the reports of my agencies, a report with its history and the actions
my role allows, the hotline operator's screen, and the leaders' overview (with CSV export and the
small panel the operations centre loads).

Every read is scoped through `tinhso.feedback.selectors.reports_visible` (out of scope → 404);
the actions offered are computed from `REPORT_TRANSITIONS` and the roles I hold at the report's
agency, and every change goes through `tinhso.feedback.services` with the version the page showed.

The reporter's name, phone and e-mail are shown in full only to those with business with the
report (`may_see_personal_data` at its agency); others (viewers) read them masked, and an
anonymous reporter as "Ẩn danh". History lines name the reporter's own steps by role, never by
name. Photos of a report that is not public are refused (403) to those without business with it;
a public report's photos are public anyway. CSV cells cannot be formulas (`core.spreadsheet`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.agencies.models import Agency, Role
from tinhso.agencies.principals import Principal
from tinhso.agencies.scoping import may_see_personal_data, roles_at, visible_agency_ids
from tinhso.core.codes import mask_name, mask_phone
from tinhso.core.errors import ApplicationError, Conflict, NotFound
from tinhso.core.exports import Column, Export, csv_response
from tinhso.feedback import services as fs
from tinhso.feedback.models import (
    OPEN_REPORT_STATUSES,
    Category,
    Report,
    ReportChannel,
    ReportEvent,
    ReportStatus,
)
from tinhso.feedback.selectors import late_q, petition_counts, reports_visible
from tinhso.feedback.transitions import REPORT_TRANSITIONS, ReportAction
from tinhso.feedbackweb import forms as ff
from tinhso.feedbackweb.common import (
    ACTION_LABELS,
    EVENT_LABELS,
    add_service_errors,
    normalise_phone,
    page_context,
)
from tinhso.indicators.periods import current_period, parse_period, period_label
from tinhso.workcalendar.selectors import calendar_for_agency
from tinhso.workspace.actions import run_page_action
from tinhso.workspace.views import _header

PAGE_SIZE = 50
DUE_SOON_WORKING_SECONDS = 8 * 3600
SESSION_HOTLINE_LAST = "feedback_hotline_last"
# The actions an officer takes from the report page, in the order they are offered.
OFFICER_ACTIONS: tuple[ReportAction, ...] = (
    ReportAction.START, ReportAction.ANSWER, ReportAction.NOTE, ReportAction.TRANSFER, ReportAction.REJECT,
    ReportAction.CLOSE,
)
ACTION_FORMS: dict[ReportAction, type] = {
    ReportAction.START: ff.VersionForm,
    ReportAction.ANSWER: ff.AnswerForm,
    ReportAction.NOTE: ff.NoteForm,
    ReportAction.TRANSFER: ff.TransferForm,
    ReportAction.REJECT: ff.RejectForm,
    ReportAction.CLOSE: ff.VersionForm,
}
DESTRUCTIVE = frozenset({ReportAction.REJECT})


# --- helpers ------------------------------------------------------------------------------


def _principal(request: HttpRequest) -> Principal | None:
    if not hasattr(request, "_tinhso_principal"):
        request._tinhso_principal = Principal.for_user(request.user)  # type: ignore[attr-defined]
    return request._tinhso_principal  # type: ignore[attr-defined]


def _staff(request: HttpRequest) -> Principal:
    principal = _principal(request)
    if principal is None or not (principal.roles or principal.is_superuser):
        raise DjangoPermissionDenied(_("Tài khoản chưa được gán vai trò ở cơ quan nào."))
    return principal


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, template, {**_header(_principal(request)), **context}, status=status)


def _report_agency(report: Report) -> Agency | None:
    return report.agency or report.category.agency


def allowed_actions(principal: Principal, report: Report) -> list[ReportAction]:
    """The officer actions the transition table lets me take on this report now."""
    agency = _report_agency(report)
    if agency is None:
        return []
    roles = roles_at(principal, agency)
    return [a for a in OFFICER_ACTIONS
            if report.status in REPORT_TRANSITIONS[a].sources and roles & REPORT_TRANSITIONS[a].roles]


def due_marks(report: Report, now: datetime) -> dict[str, bool]:
    """Overdue (red) and due within one working day (amber) for an open report."""
    if not report.is_open:
        return {"overdue": False, "due_soon": False}
    if now > report.due_at:
        return {"overdue": True, "due_soon": False}
    if report.agency is None:
        return {"overdue": False, "due_soon": (report.due_at - now).total_seconds() <= 24 * 3600}
    seconds = calendar_for_agency(report.agency).working_seconds_between(now, report.due_at)
    return {"overdue": False, "due_soon": seconds <= DUE_SOON_WORKING_SECONDS}


def _get(principal: Principal, report_id: int) -> Report:
    report = reports_visible(principal).select_related("category", "agency", "commune", "handler").filter(
        pk=report_id).first()
    if report is None:
        raise Http404(_("Không tìm thấy phản ánh."))
    return report


def _actor_label(event: ReportEvent, report: Report) -> str:
    """Who took a step, as the history shows it. The reporter's own steps are named by role:
    the service records them so, and lines written before it did (naming the reporter) are
    shown the same way."""
    if event.actor_id is None and report.reporter_name and event.actor_name.strip() == report.reporter_name.strip():
        return _("Người phản ánh")
    return event.actor_name


def _open_first(qs: QuerySet[Report]) -> QuerySet[Report]:
    return qs.annotate(
        open_rank=Case(When(status__in=OPEN_REPORT_STATUSES, then=Value(0)), default=Value(1),
                       output_field=IntegerField())
    ).order_by("open_rank", "due_at", "pk")


def _personal(principal: Principal, report: Report) -> bool:
    """Whether I have business with the report (an officer of its agency, or above it)."""
    return may_see_personal_data(principal, {report.agency_id} if report.agency_id else set())


def _reporter(principal: Principal, report: Report) -> dict[str, str]:
    personal = _personal(principal, report)
    if personal:
        name = report.reporter_name
    elif report.anonymous:
        name = _("Ẩn danh") if report.reporter_name else ""
    else:
        name = mask_name(report.reporter_name)
    return {
        "name": name,
        "phone": report.reporter_phone if personal else mask_phone(report.reporter_phone),
        "email": report.reporter_email if personal else ("***" if report.reporter_email else ""),
        "personal": "1" if personal else "",
    }


# --- the officer's list and report page -------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Reports of my agencies: open ones first, soonest deadline first."""
    principal = _staff(request)
    filters = ff.OfficerFilterForm(request.GET or None)
    qs = reports_visible(principal).select_related("category", "agency", "commune")
    status = ""
    if filters.is_valid():
        data = filters.cleaned_data
        status = data["status"]
        if data["category"]:
            qs = qs.filter(category=data["category"])
        if data["commune"]:
            qs = qs.filter(commune=data["commune"])
        q = data["q"].strip()
        if q:
            code = q.upper().removeprefix("PA")
            match = Q(description__icontains=q) | Q(reporter_phone=normalise_phone(q))
            if code.isdigit():
                match |= Q(pk=int(code))
            qs = qs.filter(match)
    if status == "":
        qs = qs.filter(status__in=OPEN_REPORT_STATUSES)
    elif status != "all":
        qs = qs.filter(status=status)
    page = Paginator(_open_first(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [{"r": r, "category": ff.category_label(r.category), **due_marks(r, now)} for r in page.object_list]
    return _render(request, "feedbackweb/inbox.html", {"filters": filters, "rows": rows, **page_context(request, page)})


def _action_form(action: ReportAction, report: Report, data: Any = None) -> Any:
    kwargs: dict[str, Any] = {"initial": {"version": report.version}, "prefix": action.value}
    if action == ReportAction.TRANSFER:
        kwargs["exclude_agency_id"] = report.agency_id
    cls = ACTION_FORMS[action]
    return cls(data, **kwargs) if data is not None else cls(**kwargs)


@login_required
@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    principal = _staff(request)
    report = _get(principal, report_id)
    events = list(ReportEvent.objects.filter(report=report).select_related("to_agency", "from_agency"))
    for e in events:
        e.label = EVENT_LABELS.get(e.action, e.action)  # type: ignore[attr-defined]
        e.status_label = ReportStatus(e.to_status).label if e.to_status in ReportStatus.values else e.to_status  # type: ignore[attr-defined]
        e.actor_label = _actor_label(e, report)  # type: ignore[attr-defined]
    actions = [
        {"action": a, "label": ACTION_LABELS[a], "form": _action_form(a, report), "destructive": a in DESTRUCTIVE}
        for a in allowed_actions(principal, report)
    ]
    photos = list(report.photos.all()) if _may_see_photos(principal, report) else []
    return _render(request, "feedbackweb/report.html", {
        "r": report, "category": ff.category_label(report.category), "reporter": _reporter(principal, report),
        "events": events, "actions": actions, "photos": photos,
        "photo_url_name": "feedbackweb:photo", **due_marks(report, timezone.now()),
    })


def _call(action: ReportAction, principal: Principal, report_id: int, data: dict[str, Any]) -> Report:
    v = data["version"]
    calls: dict[ReportAction, Callable[[], Report]] = {
        ReportAction.START: lambda: fs.report_start(principal=principal, report_id=report_id, expected_version=v),
        ReportAction.ANSWER: lambda: fs.report_answer(principal=principal, report_id=report_id, answer=data["answer"],
                                                      expected_version=v),
        ReportAction.NOTE: lambda: fs.report_note(principal=principal, report_id=report_id, note=data["note"]),
        ReportAction.TRANSFER: lambda: fs.report_transfer(principal=principal, report_id=report_id,
                                                          to_agency=data["to_agency"], reason=data["reason"],
                                                          expected_version=v),
        ReportAction.REJECT: lambda: fs.report_reject(principal=principal, report_id=report_id, reason=data["reason"],
                                                      note=data["note"], expected_version=v),
        ReportAction.CLOSE: lambda: fs.report_close(principal=principal, report_id=report_id),
    }
    return calls[action]()


@login_required
@require_POST
def report_action(request: HttpRequest, report_id: int, action: str) -> HttpResponse:
    """One action with the version shown on the page; the outcome comes back as a message."""
    principal = _staff(request)
    try:
        act = ReportAction(action)
    except ValueError:
        raise Http404(_("Không có thao tác này.")) from None
    if act not in ACTION_FORMS:
        raise Http404(_("Không có thao tác này."))
    report = _get(principal, report_id)
    back = redirect("feedbackweb:report", report_id=report.pk)
    form = _action_form(act, report, request.POST)
    done = run_page_action(
        request, form=form, label=str(ACTION_LABELS[act]),
        call=lambda data: _call(act, principal, report.pk, data),
        stale_message=_("Người khác vừa thao tác trên phản ánh này trước bạn. Trang đã được tải lại; "
                        "hãy xem lại trước khi thao tác."),
        not_found_message=_("Không tìm thấy phản ánh."),
    )
    if done and not reports_visible(principal).filter(pk=report.pk).exists():  # transferred out of my scope
        return redirect("feedbackweb:inbox")
    return back
    try:
        _call(act, principal, report.pk, form.cleaned_data)
    except Conflict as exc:
        if exc.code == "stale_version":
            messages.error(request, _("Người khác vừa thao tác trên phản ánh này trước bạn. Trang đã được tải lại; "
                                      "hãy xem lại trước khi thao tác."))
        else:
            messages.error(request, exc.message)
    except NotFound:
        raise Http404(_("Không tìm thấy phản ánh.")) from None
    except ApplicationError as exc:
        details = "; ".join(str(v) for v in (exc.fields or {}).values() if str(v) != exc.message)
        messages.error(request, f"{exc.message} {details}".strip())
    else:
        messages.success(request, _("Đã thực hiện “%(action)s”.") % {"action": ACTION_LABELS[act]})
        if not reports_visible(principal).filter(pk=report.pk).exists():  # transferred out of my scope
            return redirect("feedbackweb:inbox")
    return back


def _may_see_photos(principal: Principal, report: Report) -> bool:
    """A report's photos may show people, plates, homes: for those with business with it, and
    for anyone when the report is public (the public page shows them)."""
    return report.is_public or _personal(principal, report)


@login_required
@require_GET
def photo(request: HttpRequest, report_id: int, photo_id: int) -> FileResponse:
    """A photo of a report I may see; 403 for a report that is not public when I have no
    business with it (a viewer)."""
    from tinhso.feedbackweb.public import photo_response

    principal = _staff(request)
    report = _get(principal, report_id)
    if not _may_see_photos(principal, report):
        raise DjangoPermissionDenied(_("Ảnh của phản ánh không công khai chỉ dành cho người xử lý."))
    found = report.photos.filter(pk=photo_id).first()
    if found is None:
        raise Http404(_("Không tìm thấy ảnh."))
    return photo_response(found)


# --- hotline --------------------------------------------------------------------------------


def _operator(request: HttpRequest) -> Principal:
    principal = _staff(request)
    if not (principal.is_superuser or any(role == Role.RECEPTION for _a, role in principal.roles)):
        raise DjangoPermissionDenied(_("Chỉ cán bộ tiếp nhận mới dùng màn hình tổng đài."))
    return principal


def _caller_history(principal: Principal, phone: str) -> list[dict[str, Any]]:
    phone = normalise_phone(phone)
    if len(phone) < 9:
        return []
    reports = reports_visible(principal).filter(reporter_phone=phone).select_related("category").order_by(
        "-received_at")[:20]
    return [{"r": r, "category": ff.category_label(r.category)} for r in reports]


@login_required
@require_http_methods(["GET", "POST"])
def hotline(request: HttpRequest) -> HttpResponse:
    """The operator files the caller's report (channel hotline; the operator vouches for the
    caller, so no code is sent), reads the code back, and starts the next call."""
    principal = _operator(request)
    status = 200
    if request.method == "POST":
        form = ff.HotlineForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = fs.report_submit(principal=principal, data=fs.NewReport(
                    category_code=data["category"].code, description=data["description"],
                    channel=ReportChannel.HOTLINE, commune_code=data["commune"].code if data["commune"] else "",
                    address=data["address"], reporter_name=data["caller_name"],
                    reporter_phone=normalise_phone(data["caller_phone"]), anonymous=data["anonymous"],
                    is_public=data["is_public"],
                ))
            except ApplicationError as exc:
                exc.fields = {("caller_phone" if k == "phone" else k): v for k, v in (exc.fields or {}).items()}
                add_service_errors(form, exc)
            else:
                request.session[SESSION_HOTLINE_LAST] = report.pk
                return redirect(f"{reverse('feedbackweb:hotline')}?xong=1")
        status = 422
        phone = request.POST.get("caller_phone", "")
    else:
        form = ff.HotlineForm()
        phone = ""
    just_filed = None
    if request.GET.get("xong") == "1":
        just_filed = Report.objects.select_related("agency").filter(pk=request.session.get(SESSION_HOTLINE_LAST) or 0).first()
        phone = just_filed.reporter_phone if just_filed else ""
    return _render(request, "feedbackweb/hotline.html", {
        "form": form, "just_filed": just_filed, "history": _caller_history(principal, phone), "history_phone": phone,
    }, status=status)


@login_required
@require_GET
def hotline_history(request: HttpRequest) -> HttpResponse:
    """htmx fragment: the caller's earlier reports that I may see."""
    principal = _operator(request)
    phone = request.GET.get("caller_phone", "")
    # The number is echoed as typed only to those who take calls (a role other than viewer
    # somewhere); a viewer reads it masked, like every phone they see.
    shown = phone if may_see_personal_data(principal, set(visible_agency_ids(principal))) else mask_phone(phone)
    return _render(request, "feedbackweb/_caller_history.html", {
        "history": _caller_history(principal, phone), "history_phone": shown})


# --- the leaders' overview ------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[Any, str]:
    key = request.GET.get("period", "").strip()
    if key:
        try:
            return parse_period(key), ""
        except ValueError:
            return current_period("month", timezone.localdate()), _("Kỳ không hợp lệ: dùng 2026-03, 2026-Q1 hoặc 2026.")
    return current_period("month", timezone.localdate()), ""


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def overview_data(principal: Principal, period: Any, now: datetime) -> dict[str, Any]:
    """Open reports by category and by agency, the period's on-time and satisfaction rates, the
    oldest open reports — all within what the principal may see."""
    visible = reports_visible(principal)
    open_qs = visible.filter(status__in=OPEN_REPORT_STATUSES)
    overdue = Q(due_at__lt=now)
    names = {c.pk: ff.category_label(c) for c in Category.objects.all()}
    by_category = [
        {"name": names.get(row["category_id"], "?"), "open": row["open"], "overdue": row["overdue"]}
        for row in open_qs.values("category_id").annotate(open=Count("id"), overdue=Count("id", filter=overdue))
        .order_by("-open", "category_id")
    ]
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=open_qs.values("agency_id"))}
    by_agency = [
        {"name": agencies[row["agency_id"]].name if row["agency_id"] in agencies else _("Chưa phân công"),
         "code": agencies[row["agency_id"]].code if row["agency_id"] in agencies else "",
         "open": row["open"], "overdue": row["overdue"]}
        for row in open_qs.values("agency_id").annotate(open=Count("id"), overdue=Count("id", filter=overdue))
        .order_by("-open", "agency_id")
    ]
    agency_ids = sorted(visible_agency_ids(principal)) if not principal.is_superuser else list(
        Agency.objects.values_list("pk", flat=True))
    counts = petition_counts(agency_ids, period.start, period.end, now)
    total = sum(c["total"] for c in counts.values())
    on_time = sum(c["on_time"] for c in counts.values())
    satisfied = sum(c["satisfied"] for c in counts.values())
    in_period = visible.filter(received_at__gte=period.start, received_at__lt=period.end)
    late_now = in_period.exclude(status="rejected").filter(late_q(now)).count()
    oldest = list(open_qs.select_related("category", "agency").order_by("received_at", "pk")[:10])
    return {
        "by_category": by_category,
        "by_agency": by_agency,
        "open_total": sum(r["open"] for r in by_category),
        "overdue_total": sum(r["overdue"] for r in by_category),
        "period_total": total,
        "period_on_time": on_time,
        "period_late": late_now,
        "period_satisfied": satisfied,
        "on_time_pct": _pct(on_time, total),
        "satisfied_pct": _pct(satisfied, total),
        "oldest": [{"r": r, "category": ff.category_label(r.category)} for r in oldest],
    }


def _csv(rows: list[dict[str, Any]], header: list[str], keys: list[str], filename: str) -> HttpResponse:
    """A CSV download through `core.exports` (no cell a formula)."""
    return csv_response(Export(name=filename.removesuffix(".csv"), columns=[Column(h, key=k) for h, k in zip(header, keys, strict=True)],
                               rows=([row[k] for k in keys] for row in rows)))


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    principal = _staff(request)
    period, period_error = _period(request)
    data = overview_data(principal, period, timezone.now())
    table = request.GET.get("csv", "")
    if table == "category":
        return _csv(data["by_category"], [_("Lĩnh vực"), _("Đang mở"), _("Quá hạn")], ["name", "open", "overdue"],
                    "phan-anh-theo-linh-vuc.csv")
    if table == "agency":
        return _csv(data["by_agency"], [_("Cơ quan"), _("Mã"), _("Đang mở"), _("Quá hạn")],
                    ["name", "code", "open", "overdue"], "phan-anh-theo-co-quan.csv")
    if period_error:
        messages.error(request, period_error)
    chart = {
        "categories": [r["name"] for r in data["by_category"]],
        "open": [r["open"] for r in data["by_category"]],
        "overdue": [r["overdue"] for r in data["by_category"]],
        "labels": {"open": _("Đang mở"), "overdue": _("Quá hạn")},
    }
    return _render(request, "feedbackweb/overview.html", {
        **data, "period": period, "chart": chart, "query": f"period={period.key}",
    })


@login_required
@require_GET
def ops_panel(request: HttpRequest) -> HttpResponse:
    """htmx fragment for the operations centre: open and overdue reports, and the rates of the
    period the dashboard shows (`?period=`, the same one as the rest of its page)."""
    principal = _staff(request)
    period, _error = _period(request)
    data = overview_data(principal, period, timezone.now())
    return render(request, "feedbackweb/_ops_panel_body.html", {
        **data, "period": period, "period_label": period_label(period, get_language() or "vi"),
    })
