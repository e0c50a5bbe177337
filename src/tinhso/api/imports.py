"""`POST /api/v1/dossiers/import`: historical dossiers as JSON Lines, streamed.

The body is the JSON Lines file itself (`Content-Type: application/x-ndjson` or `text/plain`),
or a multipart form with the file in the field `file`. It is read line by line, never whole,
and written batch by batch through `tinhso.dossiers.imports.dossiers_import_stream`.

Who may import what: any authenticated principal, but only dossiers of agencies in its scope
where it holds the administrator or reception role (an API key holds every role in its agency's
subtree); other lines are rejected as outside the caller's scope. The answer is 200 with the
report even when some lines were rejected; an empty body, or one in which not a single line is
a JSON object, is a 400 in the one error shape (nothing was written then).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from tinhso.api.api import ErrorOut
from tinhso.api.auth import AUTH, principal_of
from tinhso.core.errors import ApplicationError
from tinhso.dossiers.imports import dossiers_import_stream

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
    "requestBody": {
        "required": True,
        "content": {
            "application/x-ndjson": {"schema": {"type": "string", "description": "one dossier (JSON object) per line"}},
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}},
                           "required": ["file"]}
            },
        },
    }
}


@router.post("/import", auth=AUTH, response={200: ImportReportOut, 400: ErrorOut, 401: ErrorOut},
             openapi_extra=_BODY_DOC)
def dossiers_import(request: HttpRequest) -> Any:
    """Import historical dossiers (JSON Lines, one dossier per line); idempotent by code."""
    lines: Iterable[bytes]
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise ApplicationError(_("Gửi tệp JSON Lines trong trường `file`."), code="bad_request",
                                   fields={"file": "required"})
        lines = upload
    else:
        lines = iter(request.readline, b"")
    report = dossiers_import_stream(lines, principal=principal_of(request))
    if report.lines == 0:
        raise ApplicationError(_("Nội dung trống: không có dòng nào để nhập."), code="bad_request")
    if report.unreadable == report.lines:
        raise ApplicationError(_("Nội dung không phải JSON Lines: không dòng nào là một đối tượng JSON."),
                               code="bad_request")
    return report.as_dict()
