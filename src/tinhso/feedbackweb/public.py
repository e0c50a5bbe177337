"""Public feedback pages: file a report (with phone verification by one-time code), the list and
map of public reports, a public report's page and photos, and the reporter's own tracking and
satisfaction-survey page (reached through the secret link they were given).

Views are thin: every read goes through `tinhso.feedback.selectors.reports_public` (or the
survey secret), every write through `tinhso.feedback.services` / `tinhso.feedback.verification`.
The public never sees a reporter's phone or e-mail, and sees names only masked.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tinhso.core.clients import client_address
from tinhso.core.codes import mask_name
from tinhso.core.errors import ApplicationError, Conflict, NotFound
from tinhso.feedback import verification
from tinhso.feedback.models import Photo, Report, ReportChannel, ReportEvent, ReportStatus
from tinhso.feedback.selectors import reports_public
from tinhso.feedback.services import NewReport, report_rate, report_submit
from tinhso.feedbackweb import forms as ff
from tinhso.feedbackweb.common import (
    EVENT_LABELS,
    add_service_errors,
    map_points,
    normalise_phone,
    page_context,
)

PUBLIC_PAGE_SIZE = 20
SESSION_VERIFIED_PHONE = "feedback_verified_phone"
SESSION_LAST_REPORT = "feedback_last_report"


def reporter_public_name(report: Report) -> str:
    """What the public reads as the reporter: "Ẩn danh", or the masked name."""
    if report.anonymous or not report.reporter_name:
        return _("Ẩn danh")
    return mask_name(report.reporter_name)


def public_row(report: Report) -> dict[str, Any]:
    return {
        "r": report,
        "category": ff.category_label(report.category),
        "reporter": reporter_public_name(report),
        "place": ", ".join(p for p in (report.address, report.commune.name if report.commune else "") if p),
    }


# --- filing a report ----------------------------------------------------------------------


def _otp_state(request: HttpRequest, phone: str) -> dict[str, Any]:
    verified = request.session.get(SESSION_VERIFIED_PHONE, "")
    return {"phone_verified": bool(phone) and verified == phone, "verified_phone": verified}


def _otp_step(request: HttpRequest, form_data: Any) -> dict[str, Any]:
    """Send a code to the form's phone, or check the code typed: the outcome for the OTP block."""
    phone = normalise_phone(form_data.get("reporter_phone", ""))
    out: dict[str, Any] = {"otp_phone": phone}
    if "otp_check" in form_data:
        code = (form_data.get("otp_code") or "").strip()
        if not phone or not code:
            out["otp_error"] = _("Nhập số điện thoại và mã đã nhận.")
        else:
            try:
                verified = verification.otp_verify(phone=phone, code=code, client_ip=client_address(request))
            except ApplicationError as exc:
                out["otp_error"] = exc.message
                out["otp_rate_limited"] = exc.status == 429
            else:
                if verified:
                    request.session[SESSION_VERIFIED_PHONE] = phone
                    out["otp_message"] = _("Đã xác minh số điện thoại.")
                else:
                    out["otp_error"] = _("Mã không đúng hoặc đã hết hạn.")
        out["otp_sent"] = True
    else:
        try:
            verification.otp_request(phone=phone, client_ip=client_address(request))
        except ApplicationError as exc:
            out["otp_error"] = exc.fields.get("phone") or exc.message if exc.fields else exc.message
            out["otp_rate_limited"] = exc.status == 429
        else:
            out["otp_sent"] = True
            out["otp_message"] = _("Đã gửi mã xác minh tới %(phone)s.") % {"phone": phone}
    return {**out, **_otp_state(request, phone)}


@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    """The public form. The OTP buttons work with htmx (only the OTP block is redrawn) and
    without it (the whole form comes back with every value kept)."""
    status = 200
    otp: dict[str, Any] = {}
    if request.method == "POST":
        form = ff.ReportForm(request.POST, request.FILES)
        if "otp_send" in request.POST or "otp_check" in request.POST:
            otp = _otp_step(request, request.POST)
            if request.headers.get("HX-Request"):  # htmx swaps only a 2xx: the message says it
                return render(request, "feedbackweb/_otp.html", {"form": form, **otp})
            if otp.get("otp_rate_limited"):
                status = 429
        elif form.is_valid():
            data = form.cleaned_data
            phone = normalise_phone(data["reporter_phone"])
            verified = request.session.get(SESSION_VERIFIED_PHONE, "") == phone
            try:
                report = report_submit(data=NewReport(
                    category_code=data["category"].code, description=data["description"],
                    channel=ReportChannel.WEB, latitude=data["latitude"], longitude=data["longitude"],
                    commune_code=data["commune"].code if data["commune"] else "", address=data["address"],
                    reporter_name=data["reporter_name"], reporter_phone=phone,
                    reporter_email=data["reporter_email"], phone_verified=verified,
                    anonymous=data["anonymous"], is_public=data["is_public"],
                    photos=[f.read() for f in data["photos"]],
                ))
            except ApplicationError as exc:
                add_service_errors(form, exc)
            else:
                request.session[SESSION_LAST_REPORT] = report.pk
                return redirect("feedbackweb:submitted")
            status = 422
        else:
            status = 422
        otp = otp or _otp_state(request, normalise_phone(request.POST.get("reporter_phone", "")))
    else:
        form = ff.ReportForm()
    return render(request, "feedbackweb/report_form.html", {
        "form": form, "tiles_url": settings.TINHSO_MAP_TILES_URL, **otp,
    }, status=status)


@require_GET
def submitted(request: HttpRequest) -> HttpResponse:
    """The success page: the code, the deadline and the reporter's tracking link."""
    report = Report.objects.select_related("category", "agency").filter(
        pk=request.session.get(SESSION_LAST_REPORT) or 0
    ).first()
    if report is None:
        return redirect("feedbackweb:new")
    return render(request, "feedbackweb/submitted.html", {
        "r": report, "category": ff.category_label(report.category),
        "tracking_url": request.build_absolute_uri(reverse("feedbackweb:survey", args=[report.survey_token])),
    })


# --- the public list and report page --------------------------------------------------------


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    """Public reports, newest first, filtered by category, status and commune."""
    filters = ff.PublicFilterForm(request.GET or None)
    qs = reports_public().order_by("-received_at", "-pk")
    if filters.is_valid():
        data = filters.cleaned_data
        if data["category"]:
            qs = qs.filter(category=data["category"])
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["commune"]:
            qs = qs.filter(commune=data["commune"])
    page = Paginator(qs, PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [public_row(r) for r in page.object_list]
    tiles = settings.TINHSO_MAP_TILES_URL
    return render(request, "feedbackweb/public_list.html", {
        "filters": filters, "rows": rows, **page_context(request, page), "tiles_url": tiles,
        "points": map_points(rows, lambda r: reverse("feedbackweb:public_report", args=[r.pk])) if tiles else [],
    })


def _public_report(report_id: int) -> Report:
    report = reports_public().filter(pk=report_id).first()
    if report is None:
        raise Http404(_("Không tìm thấy phản ánh."))
    return report


def _public_events(report: Report) -> list[ReportEvent]:
    events = list(ReportEvent.objects.filter(report=report, is_public=True).order_by("at", "pk"))
    for e in events:
        e.label = EVENT_LABELS.get(e.action, e.action)  # type: ignore[attr-defined]
    return events


@require_GET
def public_report(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _public_report(report_id)
    row = public_row(report)
    tiles = settings.TINHSO_MAP_TILES_URL
    return render(request, "feedbackweb/public_report.html", {
        **row, "events": _public_events(report), "photos": list(report.photos.all()),
        "photo_url_name": "feedbackweb:public_photo", "tiles_url": tiles,
        "points": map_points([row], lambda r: reverse("feedbackweb:public_report", args=[r.pk])) if tiles else [],
    })


def photo_response(photo: Photo) -> FileResponse:
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def public_photo(request: HttpRequest, report_id: int, photo_id: int) -> FileResponse:
    photo = Photo.objects.filter(report=_public_report(report_id), pk=photo_id).first()
    if photo is None:
        raise Http404(_("Không tìm thấy ảnh."))
    return photo_response(photo)


# --- the reporter's tracking page and survey ---------------------------------------------


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, survey_token: str) -> HttpResponse:
    """The reporter's page (its secret link was given when filing and sent with the answer):
    the report's progress and, once answered, "did the answer satisfy you?"."""
    report = Report.objects.select_related("category", "commune").filter(survey_token=survey_token).first()
    if report is None:
        raise Http404(_("Liên kết khảo sát không hợp lệ."))
    askable = report.status in (ReportStatus.ANSWERED, ReportStatus.CLOSED) and report.satisfied is None
    form = ff.SurveyForm(request.POST or None) if askable else None
    status = 200
    if request.method == "POST":
        if form is None:
            messages.error(request, _("Phản ánh này hiện không chờ đánh giá."))
            status = 409
        elif form.is_valid():
            try:
                report_rate(survey_token=survey_token, satisfied=form.cleaned_data["satisfied"],
                            comment=form.cleaned_data["comment"])
            except Conflict as exc:
                messages.error(request, exc.message)
                status = 409
            except NotFound:
                raise Http404(_("Liên kết khảo sát không hợp lệ.")) from None
            else:
                messages.success(request, _("Cảm ơn bạn đã trả lời."))
                return redirect("feedbackweb:survey", survey_token=survey_token)
        else:
            status = 422
        report.refresh_from_db()
        if status == 409:
            form = None
    return render(request, "feedbackweb/survey.html", {
        **public_row(report), "form": form, "events": _public_events(report),
    }, status=status)
