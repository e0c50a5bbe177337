"""The NinjaAPI instance, the one error shape, and the public endpoints (health, units, calendar).

Every error answers `{"error": {"code", "message", "fields"}}`: application errors from the
services, validation errors from the schemas (422, with field messages), 401 for a missing or
bad key, 404 for anything outside the caller's scope.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from tinhso.api.boundary import InputSchema, IsoDateTime, limit_field, offset_field
from tinhso.core.errors import ApplicationError
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


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for err in exc.errors:
        # Leading parts name the source and the parameter ("body", "payload"); the last part is
        # always the field, even when the field is itself called `file`.
        loc = [str(p) for p in err.get("loc", [])]
        while len(loc) > 1 and loc[0] in ("body", "query", "path", "form", "payload", "file"):
            loc = loc[1:]
        fields[".".join(loc) or "request"] = str(err.get("msg", "invalid"))
    return error_response(request, 422, "invalid", "The request has invalid fields.", fields)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthenticated", "Sign in or send Authorization: Bearer <API key>.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 409: "conflict"}
    return error_response(request, exc.status_code, code.get(exc.status_code, "error"), str(exc))


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


class HealthOut(Schema):
    status: str


@api.get("/health", response={200: HealthOut, 503: ErrorOut, **PUBLIC_ERRORS}, tags=["public"], auth=None)
def health(request: HttpRequest) -> Any:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # the database does not answer
        return 503, {"error": {"code": "database_unavailable", "message": str(exc), "fields": {}}}
    return {"status": "ok"}


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
                f"Unknown province {query.province!r}", code="invalid", status=422, fields={"province": "unknown GSO code"}
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
        raise ApplicationError("start needs a UTC offset", code="invalid", status=422, fields={"start": "needs an offset, e.g. +07:00"})
    if not 0 < query.amount <= 3650:
        raise ApplicationError("amount must be > 0 and ≤ 3650", code="invalid", status=422, fields={"amount": "0 < amount ≤ 3650"})
    if query.province and not AdministrativeUnit.objects.filter(code=query.province, level=UnitLevel.PROVINCE).exists():
        raise ApplicationError("unknown province", code="invalid", status=422, fields={"province": "unknown GSO code"})
    calendar = calendar_for_province(query.province)
    due = calendar.due(query.start, Decimal(str(query.amount)), query.unit)
    return {"start": query.start, "due": due}


def _register_routers() -> None:
    from tinhso.api.dossiers import router as dossiers_router
    from tinhso.api.imports import router as imports_router
    from tinhso.api.indicator_sets import router as indicator_sets_router
    from tinhso.api.indicators import router as indicators_router

    # The import router comes first: `/dossiers/import` must not be read as a dossier code.
    api.add_router("/dossiers", imports_router)
    api.add_router("/dossiers", dossiers_router)
    api.add_router("/indicators", indicators_router)
    api.add_router("/indicators", indicator_sets_router)


_register_routers()
