"""`POST /api/v1/dossiers/import`: historical dossiers as JSON Lines, streamed.

The body is the JSON Lines file itself (`Content-Type: application/x-ndjson` or `text/plain`),
or a multipart form with the file in the field `file`. It is read line by line, never whole,
and written batch by batch through `tinhso.dossiers.imports.dossiers_import_stream`.

Who may import what: any authenticated principal, but only dossiers of agencies in its scope
where it holds the administrator or reception role (an API key holds every role in its agency's
subtree); other lines are rejected as outside the caller's scope. The answer is 200 with the
report even when some lines were rejected; an empty body, or one in which not a single line is
a JSON object, is a 422 in the one error shape (nothing was written then); a multipart form
without its `file` is a 400.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from tinhso.api.api import ERRORS, error_response
from tinhso.api.auth import AUTH, principal_of
from tinhso.api.idempotency import operation_of, owner_of, rendered, reused
from tinhso.core.errors import ApplicationError, InvalidInput
from tinhso.dossiers.imports import bounded_lines, dossiers_import_stream
from tinhso.idempotency import services as idempotency

router = Router(tags=["import"])


class LineErrorOut(Schema):
    line: int
    message: str


class ImportReportOut(Schema):
    created: int
    updated: int
    rejected: int
    errors: list[LineErrorOut]


_BODY_DOC = {
    "parameters": [idempotency.OPENAPI_PARAMETER],
    "requestBody": {
        "required": True,
        "content": {
            "application/x-ndjson": {"schema": {"type": "string", "format": "binary",
                                                "description": "one dossier (JSON object) per line"}},
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}},
                           "required": ["file"]}
            },
        },
    }
}


@router.post("/import", auth=AUTH, response={200: ImportReportOut, **ERRORS},
             openapi_extra=_BODY_DOC)
def dossiers_import(request: HttpRequest) -> Any:
    """Import historical dossiers (JSON Lines, one dossier per line); idempotent by code. With an
    `Idempotency-Key` the whole import is one transaction (all lines or none) and a retry with the
    same key and body answers the first report again without importing anything."""
    principal = principal_of(request)
    lines: Iterable[bytes]
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise ApplicationError(_("Gửi tệp JSON Lines trong trường `file`."), code="bad_request",
                                   fields={"file": "required"})
        lines = bounded_lines(upload)
    else:
        lines = bounded_lines(request)
    try:
        key = idempotency.request_key(request)
    except idempotency.KeyProblem as exc:
        return error_response(request, exc.status, exc.code, exc.message, {"Idempotency-Key": exc.message})
    operation = operation_of(request)
    body = idempotency.StreamFingerprint(operation, lines)

    def run() -> HttpResponse:
        report = dossiers_import_stream(body.lines(), principal=principal)
        if report.lines == 0:
            raise InvalidInput(_("Nội dung trống: không có dòng nào để nhập."), fields={"file": _("Trống.")})
        if report.unreadable == report.lines:
            raise InvalidInput(_("Nội dung không phải JSON Lines: không dòng nào là một đối tượng JSON."),
                               fields={"file": _("Không phải JSON Lines.")})
        return rendered(request, ImportReportOut, 200, report.as_dict())

    return idempotency.idempotent(
        key=key, owner=owner_of(principal), operation=operation, fingerprint=body.digest, handle=run,
        reused=reused(request),
    )
