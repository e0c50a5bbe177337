"""The NinjaAPI instance, the one error shape, and the public endpoints (health, units, calendar).

Every error answers `{"error": {"code", "message", "fields"}}`: application errors from the
services, validation errors from the schemas (422, with field messages), 401 for a missing or
bad key, 404 for anything outside the caller's scope.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from tinhso.api.boundary import InputSchema, IsoDateTime, limit_field, offset_field
from tinhso.core.errors import ApplicationError
from tinhso.monitoring.health import health_report
from tinhso.units.models import AdministrativeUnit, UnitLevel
from tinhso.workcalendar.calendar import ProcessingUnit
from tinhso.workcalendar.selectors import calendar_for_province

api = NinjaAPI(
    title="tinhso API",
    version="1",
    description="Tỉnh số — one-stop-shop dossiers, units, calendar. Errors: "
    '`{"error": {"code", "message", "fields"}}`.',
    urls_namespace="api",
)


def error_response(request: HttpRequest, status: int, code: str, message: str, fields: dict[str, Any] | None = None) -> HttpResponse:
    return api.create_response(request, {"error": {"code": code, "message": message, "fields": fields or {}}}, status=status)


def boundary_response(request: HttpRequest, status: int, code: str, message: str, fields: dict[str, str]) -> HttpResponse:
    """A request the transport boundary refused (`tinhso.core.middleware`), in the one error shape."""
    return error_response(request, status, code, message, fields)


@api.exception_handler(ApplicationError)
def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message, exc.fields)


# Field messages of the common Pydantic errors, by their `type`, in the request's language; other
# types (the boundary's own messages among them) keep Pydantic's text.
_FIELD_MESSAGES: dict[str, Any] = {
    "missing": gettext_lazy("Bắt buộc phải có."),
    "extra_forbidden": gettext_lazy("Trường này không được nhận."),
    "string_type": gettext_lazy("Phải là một chuỗi ký tự."),
    "string_too_short": gettext_lazy("Phải có ít nhất %(min_length)s ký tự."),
    "string_too_long": gettext_lazy("Chỉ được có tối đa %(max_length)s ký tự."),
    "string_pattern_mismatch": gettext_lazy("Không đúng định dạng."),
    "int_parsing": gettext_lazy("Phải là một số nguyên."),
    "int_type": gettext_lazy("Phải là một số nguyên."),
    "float_parsing": gettext_lazy("Phải là một số."),
    "float_type": gettext_lazy("Phải là một số."),
    "decimal_parsing": gettext_lazy("Phải là một số."),
    "bool_parsing": gettext_lazy("Phải là true hoặc false."),
    "greater_than": gettext_lazy("Phải lớn hơn %(gt)s."),
    "greater_than_equal": gettext_lazy("Phải lớn hơn hoặc bằng %(ge)s."),
    "less_than": gettext_lazy("Phải nhỏ hơn %(lt)s."),
    "less_than_equal": gettext_lazy("Phải nhỏ hơn hoặc bằng %(le)s."),
    "enum": gettext_lazy("Phải là một trong: %(expected)s."),
    "literal_error": gettext_lazy("Phải là một trong: %(expected)s."),
    "date_from_datetime_parsing": gettext_lazy("Phải là một ngày (YYYY-MM-DD)."),
    "date_parsing": gettext_lazy("Phải là một ngày (YYYY-MM-DD)."),
    "datetime_parsing": gettext_lazy("Phải là một thời điểm ISO 8601, ví dụ 2026-03-02T08:00:00+07:00."),
    "datetime_from_date_parsing": gettext_lazy("Phải là một thời điểm ISO 8601, ví dụ 2026-03-02T08:00:00+07:00."),
    "uuid_parsing": gettext_lazy("Phải là một UUID."),
    "json_invalid": gettext_lazy("Không phải JSON hợp lệ."),
    "model_attributes_type": gettext_lazy("Phải là một đối tượng JSON."),
    "dict_type": gettext_lazy("Phải là một đối tượng JSON."),
    "list_type": gettext_lazy("Phải là một danh sách."),
}


def field_message(err: dict[str, Any]) -> str:
    """One Pydantic error's message in the request's language (Pydantic's own text otherwise)."""
    template = _FIELD_MESSAGES.get(str(err.get("type", "")))
    if template is None:
        return str(err.get("msg", "invalid"))
    ctx = {k: str(v) for k, v in (err.get("ctx") or {}).items()}
    if "expected" in ctx:  # Pydantic's "'a', 'b' or 'c'"
        word = _("hoặc")
        ctx["expected"] = ctx["expected"].replace(" or ", f" {word} ")
    try:
        return str(template) % ctx if "%(" in str(template) else str(template)
    except (KeyError, ValueError, TypeError):
        return str(err.get("msg", "invalid"))


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for err in exc.errors:
        # Leading parts name the source and the parameter ("body", "payload"); the last part is
        # always the field, even when the field is itself called `file`.
        loc = [str(p) for p in err.get("loc", [])]
        while len(loc) > 1 and loc[0] in ("body", "query", "path", "form", "payload", "file"):
            loc = loc[1:]
        fields[".".join(loc) or "request"] = field_message(err)
    return error_response(request, 422, "invalid", _("Yêu cầu có trường không hợp lệ."), fields)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthenticated", _("Hãy đăng nhập hoặc gửi Authorization: Bearer <khoá API>."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 409: "conflict"}
    return error_response(request, exc.status_code, code.get(exc.status_code, "error"), _http_message(exc))


def _http_message(exc: HttpError) -> str:
    """Django Ninja's own English texts for an HttpError, in the request's language."""
    known = {
        "Cannot parse request body": _("Không đọc được nội dung yêu cầu."),
        "Not Found": _("Không tìm thấy."),
        "Forbidden": _("Không có quyền."),
        "Method not allowed": _("Phương thức này không được hỗ trợ."),
        "Unauthorized": _("Hãy đăng nhập hoặc gửi Authorization: Bearer <khoá API>."),
    }
    text = str(exc)
    return known.get(text, text)


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, Any]


class ErrorOut(Schema):
    error: ErrorBody


# The error answers an endpoint may give, declared once for the OpenAPI document. 413: a body over
# the size limit (tinhso.core.middleware); 414: a request line longer than the server reads (the
# answer of gunicorn or the proxy, without a body); 429: a throttle (tinhso.throttling).
PUBLIC_ERRORS: dict[int, Any] = {400: ErrorOut, 413: ErrorOut, 414: None, 422: ErrorOut}
ERRORS: dict[int, Any] = {**PUBLIC_ERRORS, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut}


class HealthCheckOut(Schema):
    ok: bool
    detail: str
    data: dict[str, Any]


class HealthOut(Schema):
    status: str
    checks: dict[str, HealthCheckOut]


@api.get("/health", response={200: HealthOut, 503: ErrorOut, **PUBLIC_ERRORS}, tags=["public"], auth=None)
def health(request: HttpRequest) -> Any:
    """The database, the queue and the worker's heartbeat; 503 names each part that failed in `fields`."""
    report = health_report()
    if not report.ok:
        failures = report.failures()
        return Status(503, {"error": {
            "code": "unhealthy", "message": _("Không hoạt động bình thường: %(parts)s.") % {"parts": ", ".join(sorted(failures))},
            "fields": failures,
        }})
    checks = {name: {"ok": c.ok, "detail": c.detail, "data": c.data} for name, c in report.checks.items()}
    return {"status": "ok", "checks": checks}


class UnitOut(Schema):
    code: str
    name: str
    type: str
    parent_code: str | None


class UnitPage(Schema):
    count: int
    items: list[UnitOut]


class UnitQuery(InputSchema):
    level: UnitLevel | None = None
    province: str | None = Field(None, max_length=2, description="A province's GSO code (two digits).")
    limit: int = limit_field(100, 1000)
    offset: int = offset_field()


@api.get("/units", response={200: UnitPage, **PUBLIC_ERRORS}, tags=["public"], auth=None)
def units(request: HttpRequest, query: Query[UnitQuery]) -> Any:
    """Current administrative units; `province` (GSO code) lists that province's communes."""
    qs = AdministrativeUnit.objects.filter(valid_to__isnull=True).select_related("parent").order_by("code")
    if query.level:
        qs = qs.filter(level=query.level)
    if query.province:
        if not AdministrativeUnit.objects.filter(code=query.province, level=UnitLevel.PROVINCE, valid_to__isnull=True).exists():
            raise ApplicationError(
                _("Không có tỉnh %(code)r.") % {"code": query.province}, code="invalid", status=422,
                fields={"province": _("Không phải mã GSO của một tỉnh.")},
            )
        qs = qs.filter(parent__code=query.province)
    total = qs.count()
    items = [
        {"code": u.code, "name": u.name, "type": u.type, "parent_code": u.parent.code if u.parent else None}
        for u in qs[query.offset : query.offset + query.limit]
    ]
    return {"count": total, "items": items}


class DueOut(Schema):
    start: datetime
    due: datetime


class DueQuery(InputSchema):
    start: IsoDateTime = Field(description="With a UTC offset, e.g. 2026-03-02T08:00:00+07:00.")
    amount: float = Field(gt=0, le=3650, allow_inf_nan=False, description="The legal time, 0 < amount ≤ 3650.")
    unit: ProcessingUnit
    province: str | None = Field(None, max_length=2)


@api.get("/calendar/due", response={200: DueOut, **PUBLIC_ERRORS}, tags=["public"], auth=None)
def calendar_due(request: HttpRequest, query: Query[DueQuery]) -> Any:
    """The due moment of a dossier received at `start` with a legal time of `amount` `unit`."""
    if query.start.tzinfo is None:
        raise ApplicationError(_("start phải có độ lệch UTC."), code="invalid", status=422,
                               fields={"start": _("Phải có độ lệch UTC, ví dụ +07:00.")})
    if not 0 < query.amount <= 3650:
        raise ApplicationError(_("amount phải > 0 và ≤ 3650."), code="invalid", status=422, fields={"amount": "0 < amount ≤ 3650"})
    if query.province and not AdministrativeUnit.objects.filter(code=query.province, level=UnitLevel.PROVINCE).exists():
        raise ApplicationError(_("Không có tỉnh %(code)r.") % {"code": query.province}, code="invalid", status=422,
                               fields={"province": _("Không phải mã GSO của một tỉnh.")})
    calendar = calendar_for_province(query.province)
    due = calendar.due(query.start, Decimal(str(query.amount)), query.unit)
    return {"start": query.start, "due": due}


def _register_routers() -> None:
    from tinhso.api.citizen import router as citizen_router
    from tinhso.api.dossiers import router as dossiers_router
    from tinhso.api.imports import router as imports_router
    from tinhso.api.indicator_sets import router as indicator_sets_router
    from tinhso.api.indicators import router as indicators_router
    from tinhso.api.payments import dossier_router as dossier_payments_router
    from tinhso.api.payments import router as payments_router
    from tinhso.api.procedures import router as procedures_router
    from tinhso.api.verify import router as verify_router

    # The import router comes first: `/dossiers/import` must not be read as a dossier code.
    api.add_router("/dossiers", imports_router)
    api.add_router("/dossiers", dossiers_router)
    api.add_router("/dossiers", dossier_payments_router)
    api.add_router("/payments", payments_router)
    api.add_router("/indicators", indicators_router)
    api.add_router("/indicators", indicator_sets_router)
    api.add_router("/procedures", procedures_router)
    api.add_router("/citizen", citizen_router)
    api.add_router("/verify", verify_router)


_register_routers()
