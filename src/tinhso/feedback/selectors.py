"""Reads of reports, always scoped; and the petition counts the Decision 766 index uses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from tinhso.agencies.principals import Principal
from tinhso.agencies.scoping import visible_agencies
from tinhso.core.errors import NotFound
from tinhso.feedback.models import OPEN_REPORT_STATUSES, Classification, Report, ReportStatus


def reports_visible(principal: Principal | None) -> QuerySet[Report]:
    if principal is None:
        return Report.objects.none()
    if principal.is_superuser:
        return Report.objects.all()
    return Report.objects.filter(agency__in=visible_agencies(principal).values("pk"))


def report_get(*, principal: Principal | None, report_id: int) -> Report:
    report = reports_visible(principal).select_related("category", "agency", "commune").filter(pk=report_id).first()
    if report is None:
        raise NotFound("Không tìm thấy phản ánh.")
    return report


def reports_public() -> QuerySet[Report]:
    """What anyone may see: public reports (rejected ones included, with their reason)."""
    return Report.objects.filter(is_public=True).select_related("category", "agency", "commune")


def late_q(now: datetime) -> Q:
    return Q(answered_at__isnull=False, answered_at__gt=F("due_at")) | Q(status__in=OPEN_REPORT_STATUSES, due_at__lt=now)


def petition_counts(agency_ids: list[int], start: datetime, end: datetime, now: datetime) -> dict[int, dict[str, int]]:
    """Per agency, for reports received in [start, end) (rejected ones do not count):
    total, on_time (answered by the deadline, or open and not yet past it), satisfied (closed and
    not unhappy: the reporter said satisfied, or did not answer within the window), and the two
    classifications."""
    rows = (
        Report.objects.filter(agency_id__in=agency_ids, received_at__gte=start, received_at__lt=end)
        .exclude(status=ReportStatus.REJECTED)
        .values("agency_id")
        .annotate(
            total=Count("id"),
            late=Count("id", filter=late_q(now)),
            satisfied=Count("id", filter=Q(status=ReportStatus.CLOSED) & ~Q(satisfied=False)),
            procedures=Count("id", filter=Q(category__classification=Classification.PROCEDURES)),
            staff=Count("id", filter=Q(category__classification=Classification.STAFF)),
        )
        .order_by()
    )
    out: dict[int, dict[str, Any]] = {}
    for r in rows:
        out[r["agency_id"]] = {
            "total": r["total"], "on_time": r["total"] - r["late"], "satisfied": r["satisfied"],
            "procedures": r["procedures"], "staff": r["staff"],
        }
    return out
