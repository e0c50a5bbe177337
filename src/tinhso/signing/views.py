"""Public pages: `/xac-thuc/` (upload a PDF, read the verdict in plain words) and
`/xac-thuc/<uuid>/` (what tinhso issued under that id — the QR code's target)."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from tinhso.core.clients import client_address
from tinhso.core.errors import ApplicationError
from tinhso.signing.selectors import issued_summary, verify_upload


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {}
    status = 200
    if request.method == "POST":
        try:
            context["result"] = verify_upload(request.FILES.get("file"), address=client_address(request))
        except ApplicationError as exc:
            context["error"] = exc.message
            context["field_errors"] = exc.fields
            status = exc.status
    return render(request, "signing/verify.html", context, status=status)


def issued(request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    try:
        summary = issued_summary(document_id)
    except ApplicationError as exc:
        return render(request, "signing/issued.html", {"error": exc.message}, status=exc.status)
    return render(request, "signing/issued.html", {"document": summary})
