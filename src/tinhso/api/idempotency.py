"""`Idempotency-Key` on the API's creating endpoints (see `tinhso.idempotency.services`).

`answer_once` renders an endpoint's answer exactly as Django Ninja would (validated through the
response schema, the API's JSON renderer), so the stored first answer and its replays are the
same bytes a client without a key gets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema

from tinhso.agencies.principals import Principal
from tinhso.api.api import api, error_response
from tinhso.idempotency import services as idempotency
from tinhso.idempotency.services import KeyProblem

# The header, for `openapi_extra={"parameters": [...]}` of the endpoints that take it.
PARAMETER = idempotency.OPENAPI_PARAMETER


def owner_of(principal: Principal) -> str:
    """Whose key space a request's key belongs to: its API key, or the signed-in person."""
    if principal.api_key is not None:
        return f"api_key:{principal.api_key.pk}"
    return f"user:{getattr(principal.user, 'pk', '')}"


def operation_of(request: HttpRequest) -> str:
    return f"{request.method} {request.path_info}"


def reused(request: HttpRequest) -> Callable[[], HttpResponse]:
    return lambda: error_response(
        request, 422, "idempotency_key_reused",
        _("Idempotency-Key này đã được dùng cho một yêu cầu khác; hãy dùng khoá mới cho yêu cầu mới."),
        {"Idempotency-Key": _("đã được dùng cho một yêu cầu khác")},
    )


def rendered(request: HttpRequest, schema: type[Schema], status: int, data: Any) -> HttpResponse:
    """`data` validated through `schema` and rendered as Ninja renders an endpoint's answer."""
    body = schema.model_validate(data).model_dump()
    return api.create_response(request, body, status=status)


def answer_once(
    request: HttpRequest, principal: Principal, *, schema: type[Schema], status: int, compute: Callable[[], Any]
) -> HttpResponse:
    """Run `compute()` (one service call) at most once per Idempotency-Key and answer its result
    with `status`; without a key, simply once."""
    try:
        key = idempotency.request_key(request)
    except KeyProblem as exc:
        return error_response(request, exc.status, exc.code, exc.message, {"Idempotency-Key": exc.message})
    operation = operation_of(request)
    return idempotency.idempotent(
        key=key, owner=owner_of(principal), operation=operation,
        fingerprint=lambda: idempotency.fingerprint_json(operation, request.body),
        handle=lambda: rendered(request, schema, status, compute()),
        reused=reused(request),
    )
