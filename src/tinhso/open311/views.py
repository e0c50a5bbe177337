"""The Open311 GeoReport v2 endpoints: parse the query or form, call one feedback service or
selector, render JSON or XML.

Decisions (see also `bench/README.md` and the module docstrings):
- `api_key` (form field or query parameter) is needed only to create a request; missing or
  invalid → 403, as the spec's POST errors say ("api_key was not provided or is invalid").
- Reports from an Open311 client skip the phone OTP (`phone_verified=True`): the client holds an
  API key issued to an agency, which answers for its users.
- `address_id` is the commune (xã/phường) code of the national unit list; `address_string` is
  free text; `lat`/`long` are WGS-84 and must lie in Vietnam.
- Reporter: `last_name first_name` (Vietnamese order), `phone`, `email`; never shown back.
  `device_id` and `account_id` are accepted and not stored; `account_id` in the answer is null.
- `media_url` is stored as text and never fetched; photos are uploaded as multipart `media`.
- Names and notices are Vietnamese; `?locale=en` (or the browser language, via Django's
  LocaleMiddleware) switches to English.
- One jurisdiction: `jurisdiction_id` is ignored.
- `POST requests` takes an `Idempotency-Key` header (`tinhso.idempotency`): a client that
  retries with the same key and the same form gets the first answer again, and no second report.
- Listing shows public reports only, newest first, at most 1,000, over at most 90 days
  (default: the last 90 days).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from tinhso.agencies.models import Agency, AgencyKind, ApiKey
from tinhso.agencies.principals import api_key_check
from tinhso.core.clients import client_address
from tinhso.core.errors import ApplicationError, InvalidInput
from tinhso.feedback.models import (
    Category,
    Photo,
    RejectReason,
    Report,
    ReportChannel,
    ReportEvent,
    ReportStatus,
)
from tinhso.feedback.selectors import reports_public
from tinhso.feedback.services import NewReport, report_submit
from tinhso.idempotency import services as idempotency
from tinhso.open311 import render
from tinhso.open311.attributes import (
    KEYWORDS,
    NO,
    YES,
    attribute_definition,
    attributes_for,
    clean_attributes,
)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's behaviour last changed (Service Discovery `changeset`).
CHANGESET = "2026-03-01T00:00:00+07:00"
MAX_RESULTS = 1000
MAX_SPAN = timedelta(days=90)
CLOSED_STATUSES = (ReportStatus.CLOSED, ReportStatus.REJECTED)
ATTRIBUTE_FIELD = re.compile(r"^attribute\[([A-Za-z0-9_.-]{1,60})\](\[\])?$")
# Names the feedback service uses for its fields → the Open311 parameter a client sent.
FIELD_NAMES = {"commune": "address_id", "location": "lat/long, address_string, address_id"}


def open311(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Unknown format → 404 in JSON; the language of names and messages from `?locale=` or the
    request; CSRF-exempt (machine clients authenticate with `api_key`)."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        if fmt not in render.FORMATS:
            return render.errors("json", 404, [_("Định dạng không hỗ trợ: dùng .json hoặc .xml.")])
        locale = request.GET.get("locale", "")[:2].lower()
        language = locale if locale in ("vi", "en") else getattr(request, "LANGUAGE_CODE", "vi")
        with translation.override(language):
            return view(request, *args, fmt=fmt, **kwargs)

    return wrapper


def _english() -> bool:
    return (translation.get_language() or "vi").startswith("en")


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": "json"})).removesuffix("services.json")


# --- discovery and services -------------------------------------------------------------------


@open311
@require_GET
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    province = Agency.objects.filter(kind=AgencyKind.PROVINCE_COMMITTEE, unit__code=settings.TINHSO_PROVINCE).first()
    payload = {
        "changeset": CHANGESET,
        "contact": _("%(agency)s — bộ phận quản trị hệ thống phản ánh, kiến nghị")
        % {"agency": province.name if province else _("Ủy ban nhân dân tỉnh")},
        "key_service": _("Khoá API (api_key) do quản trị hệ thống cấp cho từng cơ quan, ứng dụng; "
                         "chỉ cần khi gửi phản ánh."),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": _base_url(request).rstrip("/"),
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["application/json", "text/xml"],
        }],
    }
    return render.respond(fmt, payload, root="discovery")


def _service_item(category: Category) -> dict[str, Any]:
    name = category.name_en if _english() and category.name_en else category.name
    return {
        "service_code": category.code,
        "service_name": name,
        "description": category.description or None,
        "metadata": bool(attributes_for(category.code)),
        "type": "realtime",
        "keywords": KEYWORDS.get(category.code),
        "group": str(category.get_classification_display()),
    }


@open311
@require_GET
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    items = [_service_item(c) for c in Category.objects.filter(is_active=True)]
    return render.respond(fmt, items, root="services", item="service")


@open311
@require_GET
def service_definition(request: HttpRequest, service_code: str, fmt: str) -> HttpResponse:
    category = Category.objects.filter(code=service_code, is_active=True).first()
    if category is None:
        return render.errors(fmt, 404, [_("service_code không tồn tại: %(code)s") % {"code": service_code}])
    attributes = [attribute_definition(a, n) for n, a in enumerate(attributes_for(category.code), start=1)]
    return render.respond(fmt, {"service_code": category.code, "attributes": attributes}, root="service_definition")


# --- requests ---------------------------------------------------------------------------------


def _photo_url(request: HttpRequest, photo: Photo) -> str:
    return request.build_absolute_uri(reverse("open311:photo", kwargs={"photo_id": photo.pk, "digest": photo.sha256}))


def _status(status: str) -> str:
    return "closed" if status in CLOSED_STATUSES else "open"


def _status_notes(report: Report) -> str | None:
    if report.status == ReportStatus.REJECTED:
        notes = [e.note for e in report.public_events if e.action == "reject"]  # type: ignore[attr-defined]
        reason = str(RejectReason(report.reject_reason).label) if report.reject_reason else _("Từ chối")
        return f"{reason}: {notes[-1]}" if notes else reason
    return report.public_answer or None


def _service_notice(report: Report) -> str:
    unit = report.category.get_deadline_unit_display()
    return _("Thời hạn xử lý %(n)s %(unit)s kể từ khi tiếp nhận.") % {"n": report.category.deadline_amount, "unit": unit}


def _request_item(request: HttpRequest, report: Report) -> dict[str, Any]:
    category = report.category
    photos = list(report.photos.all())
    closed = report.status in CLOSED_STATUSES
    return {
        "service_request_id": str(report.pk),
        "status": _status(report.status),
        "status_notes": _status_notes(report),
        "service_name": category.name_en if _english() and category.name_en else category.name,
        "service_code": category.code,
        "description": report.description,
        "agency_responsible": report.agency.name if report.agency else None,
        "service_notice": _service_notice(report),
        "requested_datetime": render.w3c(report.received_at),
        "updated_datetime": render.w3c(report.closed_at if closed and report.closed_at else report.updated_at),
        "expected_datetime": render.w3c(report.due_at),
        "address": report.address or (report.commune.name if report.commune else None),
        "address_id": report.commune.code if report.commune else None,
        "zipcode": None,
        "lat": float(report.latitude) if report.latitude is not None else None,
        "long": float(report.longitude) if report.longitude is not None else None,
        "media_url": _photo_url(request, photos[0]) if photos else (report.media_url or None),
    }


def _listed() -> QuerySet[Report]:
    return reports_public().prefetch_related(
        Prefetch("photos", queryset=Photo.objects.order_by("id")),
        Prefetch("events", queryset=ReportEvent.objects.filter(is_public=True).order_by("at", "id"),
                 to_attr="public_events"),
    )


def _date_window(request: HttpRequest, fmt: str) -> tuple[Any, Any, HttpResponse | None]:
    """`start_date`/`end_date` (W3C-DTF with zone), defaulting to a 90-day window."""
    bounds = {}
    problems = []
    for name in ("start_date", "end_date"):
        text = request.GET.get(name, "").strip()
        if text:
            parsed = render.parse_w3c(text)
            if parsed is None:
                problems.append(_("%(name)s phải theo W3C-DTF có múi giờ, ví dụ 2026-03-01T00:00:00+07:00.")
                                % {"name": name})
            bounds[name] = parsed
    if problems:
        return None, None, render.errors(fmt, 400, problems)
    start, end = bounds.get("start_date"), bounds.get("end_date")
    if start is None:
        start = (end or timezone.now()) - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if start > end:
        return None, None, render.errors(fmt, 400, [_("start_date phải trước end_date.")])
    if end - start > MAX_SPAN:
        return None, None, render.errors(fmt, 400, [_("Khoảng thời gian tối đa 90 ngày.")])
    return start, end, None


def _search(request: HttpRequest, fmt: str) -> HttpResponse:
    reports = _listed()
    ids_text = request.GET.get("service_request_id", "").strip()
    if ids_text:
        ids = [part.strip() for part in ids_text.split(",") if part.strip()]
        if not all(part.isdigit() and len(part) < 12 for part in ids):
            return render.errors(fmt, 400, [_("service_request_id phải là các số, cách nhau bằng dấu phẩy.")])
        reports = reports.filter(pk__in=[int(part) for part in ids])  # overrides the other filters
    else:
        codes = [c.strip() for c in request.GET.get("service_code", "").split(",") if c.strip()]
        if codes:
            reports = reports.filter(category__code__in=codes)
        statuses = {s.strip().lower() for s in request.GET.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            return render.errors(fmt, 400, [_("status chỉ nhận open, closed.")])
        if statuses == {"open"}:
            reports = reports.exclude(status__in=CLOSED_STATUSES)
        elif statuses == {"closed"}:
            reports = reports.filter(status__in=CLOSED_STATUSES)
        start, end, problem = _date_window(request, fmt)
        if problem is not None:
            return problem
        reports = reports.filter(received_at__gte=start, received_at__lte=end)
    items = [_request_item(request, r) for r in reports.order_by("-received_at", "-id")[:MAX_RESULTS]]
    return render.respond(fmt, items, root="service_requests", item="request")


def _describe(fields: dict[str, Any]) -> list[str]:
    return [f"{FIELD_NAMES.get(name, name)}: {message}" for name, message in fields.items()]


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    """POST requests: check the key, then file the report at most once per `Idempotency-Key`."""
    secret = request.POST.get("api_key") or request.GET.get("api_key", "")
    try:
        key = api_key_check(secret, client_address=client_address(request)) if secret else None
    except ApplicationError as exc:
        return render.errors(fmt, exc.status, [exc.message])
    if key is None:
        return render.errors(fmt, 403, ["api_key: " + _("không hợp lệ hoặc chưa được cung cấp.")])
    try:
        idempotency_key = idempotency.request_key(request)
    except idempotency.KeyProblem as exc:
        return render.errors(fmt, 400, [f"{idempotency.HEADER}: {exc.message}"])
    operation = f"POST open311 requests.{fmt}"
    return idempotency.idempotent(
        key=idempotency_key, owner=f"api_key:{key.pk}", operation=operation,
        fingerprint=lambda: idempotency.fingerprint_form(operation, request),
        handle=lambda: _file_report(request, fmt, key),
        reused=lambda: render.errors(fmt, 422, [
            f"{idempotency.HEADER}: " + _("khoá này đã được dùng cho một yêu cầu khác; hãy dùng khoá mới.")]),
    )


def _file_report(request: HttpRequest, fmt: str, key: ApiKey) -> HttpResponse:
    form = request.POST
    problems: dict[str, str] = {}
    service_code = form.get("service_code", "").strip()
    if not service_code:
        problems["service_code"] = _("Bắt buộc.")
    elif not Category.objects.filter(code=service_code, is_active=True).exists():
        problems["service_code"] = _("Lĩnh vực không tồn tại.")
    posted: dict[str, list[str]] = {}
    for name in form:
        match = ATTRIBUTE_FIELD.match(name)
        if match:
            posted.setdefault(match[1], []).extend(form.getlist(name))
        elif name.startswith("attribute"):
            problems[name] = _("Tên thuộc tính phải có dạng attribute[mã].")
    attributes: dict[str, Any] = {}
    if "service_code" not in problems:
        attributes, attribute_problems = clean_attributes(service_code, posted)
        problems.update(attribute_problems)
    email = form.get("email", "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems["email"] = _("Địa chỉ thư điện tử không hợp lệ.")
    media_url = form.get("media_url", "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
            if len(media_url) > 500:
                raise ValidationError("too long")
        except ValidationError:
            problems["media_url"] = _("Phải là một địa chỉ http(s) hợp lệ, tối đa 500 ký tự.")
    uploads = request.FILES.getlist("media")
    if any((f.size or 0) > settings.TINHSO_FEEDBACK_MAX_PHOTO_BYTES for f in uploads):
        problems["media"] = _("Ảnh quá lớn (tối đa %(mb)s MB).") % {"mb": settings.TINHSO_FEEDBACK_MAX_PHOTO_BYTES // 2**20}
    if problems:
        return render.errors(fmt, 400, _describe(problems))
    name = " ".join(part for part in (form.get("last_name", "").strip(), form.get("first_name", "").strip()) if part)
    data = NewReport(
        category_code=service_code, description=form.get("description", ""), channel=ReportChannel.OPEN311,
        latitude=form.get("lat", "").strip() or None, longitude=form.get("long", "").strip() or None,
        commune_code=form.get("address_id", "").strip(), address=form.get("address_string", ""),
        reporter_name=name, reporter_phone=form.get("phone", ""), reporter_email=email,
        phone_verified=True,  # the client holds an API key: no OTP
        anonymous=attributes.get("anonymous") == YES, is_public=attributes.get("is_public") != NO,
        photos=[f.read() for f in uploads], attributes=attributes, media_url=media_url,
    )
    try:
        report = report_submit(data=data, principal=None, api_key=key)
    except InvalidInput as exc:
        return render.errors(fmt, 400, _describe(exc.fields) or [exc.message])
    notice = _("Đã tiếp nhận phản ánh %(code)s. %(deadline)s") % {"code": report.code, "deadline": _service_notice(report)}
    payload = [{"service_request_id": str(report.pk), "service_notice": notice, "account_id": None}]
    return render.respond(fmt, payload, root="service_requests", item="request")


@open311
@require_http_methods(["GET", "HEAD", "POST"])
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    return _search(request, fmt)


@open311
@require_GET
def request_detail(request: HttpRequest, service_request_id: str, fmt: str) -> HttpResponse:
    report = _listed().filter(pk=int(service_request_id)).first() if service_request_id.isdigit() and len(
        service_request_id) < 12 else None
    if report is None:
        return render.errors(fmt, 404, [_("Không tìm thấy service_request_id %(id)s.") % {"id": service_request_id}])
    return render.respond(fmt, [_request_item(request, report)], root="service_requests", item="request")


@open311
@require_GET
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    report = Report.objects.filter(token=token).only("pk", "token").first() if len(token) <= 32 else None
    if report is None:
        return render.errors(fmt, 404, [_("Không tìm thấy token.")])
    payload = [{"service_request_id": str(report.pk), "token": report.token}]
    return render.respond(fmt, payload, root="service_requests", item="request")


@open311
@require_GET
def request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    """The `servicerequestupdates` extension (FixMyStreet): public events of public reports —
    answers and rejections — in a date window."""
    start, end, problem = _date_window(request, fmt)
    if problem is not None:
        return problem
    events = (
        ReportEvent.objects.filter(is_public=True, report__is_public=True, at__gte=start, at__lte=end)
        .select_related("report").order_by("at", "id")[:MAX_RESULTS]
    )
    items = [{
        "update_id": str(e.pk),
        "service_request_id": str(e.report_id),
        "status": _status(e.to_status),
        "updated_datetime": render.w3c(e.at),
        "description": e.note,
        "media_url": None,
    } for e in events]
    return render.respond(fmt, items, root="service_request_updates", item="request_update")


@require_GET
def photo(request: HttpRequest, photo_id: int, digest: str) -> FileResponse:
    """A public report's photo (stored without its EXIF); the digest in the address keeps the
    others from being enumerated."""
    item = get_object_or_404(Photo.objects.select_related("report"), pk=photo_id, sha256=digest)
    if not item.report.is_public:
        raise Http404
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response

