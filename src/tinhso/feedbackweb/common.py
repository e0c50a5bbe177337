"""Helpers shared by the public and the officer feedback pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.paginator import Page
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from tinhso.core.errors import ApplicationError
from tinhso.core.phones import phone_number
from tinhso.feedback.models import Report
from tinhso.feedback.transitions import ReportAction
from tinhso.feedbackweb.forms import SERVICE_FIELDS

ACTION_LABELS: dict[str, Any] = {
    ReportAction.SUBMIT: gettext_lazy("Tiếp nhận phản ánh"),
    ReportAction.ASSIGN: gettext_lazy("Phân công"),
    ReportAction.TRANSFER: gettext_lazy("Chuyển cơ quan khác"),
    ReportAction.START: gettext_lazy("Bắt đầu xử lý"),
    ReportAction.ANSWER: gettext_lazy("Trả lời"),
    ReportAction.REJECT: gettext_lazy("Từ chối"),
    ReportAction.RATE: gettext_lazy("Đánh giá của người phản ánh"),
    ReportAction.REOPEN: gettext_lazy("Mở lại"),
    ReportAction.CLOSE: gettext_lazy("Đóng phản ánh"),
    ReportAction.NOTE: gettext_lazy("Ghi chú nội bộ"),
}
EVENT_LABELS: dict[str, Any] = {str(a): label for a, label in ACTION_LABELS.items()}


def normalise_phone(value: str) -> str:
    """A mobile number in its national form (`0912345678` from `+84 912 345 678`), as the OTP
    was sent to it, so the session's verified phone and the form's phone compare equal however
    the citizen typed them; a landline in its stored form (`tinhso.core.phones`); anything else
    as typed, for the service to refuse with its field message."""
    return phone_number(value) or (value or "").strip()


def add_service_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Put a service's per-field errors next to the form's fields; the rest above the form."""
    placed = False
    for key, message in (exc.fields or {}).items():
        name = SERVICE_FIELDS.get(key, key)
        if name in form.fields:
            form.add_error(name, str(message))
            placed = True
        else:
            form.add_error(None, str(message))
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def page_context(request: HttpRequest, page: Page) -> dict[str, Any]:
    """The page and the current query without `page`, for the pager's links."""
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": page, "query": query.urlencode()}


def map_points(rows: list[dict[str, Any]], url: Callable[[Report], str]) -> list[dict[str, Any]]:
    """Markers for the reports that have coordinates (for the Leaflet map, through json_script)."""
    return [
        {"lat": float(row["r"].latitude), "lng": float(row["r"].longitude), "code": row["r"].code,
         "title": str(row["category"]), "status": row["r"].get_status_display(), "url": url(row["r"])}
        for row in rows
        if row["r"].latitude is not None and row["r"].longitude is not None
    ]
