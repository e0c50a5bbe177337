"""Reads of reports, always scoped; and the petition counts the Decision 766 index uses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet

from tinhso.agencies.models import SUBTREE_SQL, subtree_pattern
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


_REPORT = Report._meta.db_table
_CATEGORY = Report._meta.get_field("category").related_model._meta.db_table  # type: ignore[union-attr]
_OPEN = ", ".join(f"'{s}'" for s in OPEN_REPORT_STATUSES)
# `petition_counts` as one fixed SQL statement over an agency subtree (the index reads it on
# every request; building the ORM query cost more than running it). A test keeps the two equal.
_PETITIONS_UNDER = f"""
SELECT r.agency_id,
    COUNT(*),
    SUM(CASE WHEN (r.answered_at IS NOT NULL AND r.answered_at > r.due_at)
              OR (r.status IN ({_OPEN}) AND r.due_at < %s) THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.status = '{ReportStatus.CLOSED}' AND (r.satisfied IS NULL OR r.satisfied) THEN 1 ELSE 0 END),
    SUM(CASE WHEN c.classification = '{Classification.PROCEDURES}' THEN 1 ELSE 0 END),
    SUM(CASE WHEN c.classification = '{Classification.STAFF}' THEN 1 ELSE 0 END)
FROM {_REPORT} r JOIN {_CATEGORY} c ON c.id = r.category_id
WHERE r.received_at >= %s AND r.received_at < %s AND r.status <> '{ReportStatus.REJECTED}'
  AND r.agency_id IN ({SUBTREE_SQL})
GROUP BY r.agency_id
"""


def petition_counts_under(path: str, start: datetime, end: datetime, now: datetime) -> dict[int, dict[str, int]]:
    """`petition_counts` for the agencies whose path starts with `path` (a subtree)."""
    with connection.cursor() as cursor:
        cursor.execute(_PETITIONS_UNDER, [now, start, end, subtree_pattern(path)])
        rows = cursor.fetchall()
    return {
        aid: {"total": total, "on_time": total - int(late or 0), "satisfied": int(satisfied or 0),
              "procedures": int(procedures or 0), "staff": int(staff or 0)}
        for aid, total, late, satisfied, procedures, staff in rows
    }

