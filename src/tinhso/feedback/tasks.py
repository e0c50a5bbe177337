"""Background work of the feedback domain, run by huey (`tinhso worker`).

Queued tasks: `send_sms(message_id)` and `send_email(...)`, enqueued after commit so a request
never waits for a gateway. Periodic tasks, every minute:

- `warn_before_deadline`: open reports due within one working day (the agency's calendar) and
  not yet warned → a history line and an e-mail to the handler (else the agency's heads);
- `escalate_overdue`: open reports past due and not yet escalated → a history line and an
  e-mail to the heads and leaders of the agency;
- `close_unrated_answers`: answered reports whose survey window (`TINHSO_FEEDBACK_REOPEN_DAYS`)
  has ended → closed by the system.

Each is idempotent: the mark (`warned_at`, `escalated_at`, the status) is set under a row lock
by the service, and only the run that set it sends the e-mail. Each accepts `now` so tests (and
`call_local`) can freeze time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tinhso.agencies.models import Role
from tinhso.core.errors import Conflict
from tinhso.feedback.models import OPEN_REPORT_STATUSES, Report, ReportStatus
from tinhso.feedback.services import report_close, report_escalate, report_mark_warned
from tinhso.feedback.sms import sms_deliver
from tinhso.workcalendar.selectors import calendar_for_agency, calendar_for_province

logger = logging.getLogger(__name__)

# One working day can span a long holiday (Tết: up to nine days off in a row); reports due
# further away than this are certainly more than a working day out.
WARN_LOOKAHEAD = timedelta(days=16)
LEADER_ROLES = (Role.HEAD, Role.LEADER)
EVERY_MINUTE = crontab(minute="*")


@db_task()
def send_sms(message_id: int) -> bool:
    """Deliver one recorded `SmsMessage` (see `tinhso.feedback.sms`)."""
    return sms_deliver(message_id)


@db_task()
def send_email(subject: str, body: str, recipients: list[str]) -> int:
    """Send one e-mail through Django's EMAIL_BACKEND; the count of messages sent."""
    return _mail(subject, body, recipients)


def _mail(subject: str, body: str, recipients: Iterable[str]) -> int:
    to = sorted({r for r in recipients if r})
    if not to:
        return 0
    try:
        return send_mail(subject, body, None, to)
    except Exception:  # a mail server down must not undo the mark; the history has it
        logger.exception("e-mail %r to %s failed", subject, to)
        return 0


def agency_leader_emails(agency_id: int | None) -> list[str]:
    """E-mail addresses of the active heads and leaders of an agency."""
    if agency_id is None:
        return []
    users = get_user_model().objects.filter(
        is_active=True, staff_roles__agency_id=agency_id, staff_roles__role__in=LEADER_ROLES
    ).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def _calendar(report: Report) -> Any:
    return calendar_for_agency(report.agency) if report.agency is not None else calendar_for_province(
        settings.TINHSO_PROVINCE)


def _describe(report: Report) -> str:
    due = timezone.localtime(report.due_at)
    return _("%(code)s — %(category)s\nHạn xử lý: %(due)s\n\n%(description)s") % {
        "code": report.code, "category": report.category.name, "due": f"{due:%H:%M %d/%m/%Y}",
        "description": report.description[:1000],
    }


def warn_before_deadline_run(now: datetime | None = None) -> int:
    """Warn about open reports due within one working day; the number warned."""
    now = now or timezone.now()
    candidates = (
        Report.objects.filter(status__in=OPEN_REPORT_STATUSES, warned_at__isnull=True, due_at__gt=now,
                              due_at__lte=now + WARN_LOOKAHEAD)
        .select_related("agency__unit__parent", "category", "handler")
        .order_by("due_at")
    )
    warned = 0
    for report in candidates.iterator(chunk_size=500):
        calendar = _calendar(report)
        if calendar.working_seconds_between(now, report.due_at) > calendar.office_hours.seconds_per_day:
            continue
        if report_mark_warned(report.pk, now) is None:
            continue  # another run got there first, or it was answered meanwhile
        warned += 1
        handler_email = report.handler.email if report.handler is not None and report.handler.is_active else ""
        recipients = [handler_email] if handler_email else agency_leader_emails(report.agency_id)
        with translation.override(settings.LANGUAGE_CODE):
            _mail(_("[Nhắc hạn] Phản ánh %(code)s sắp đến hạn xử lý") % {"code": report.code},
                  _("Phản ánh sau còn dưới một ngày làm việc đến hạn xử lý:\n\n") + _describe(report), recipients)
    return warned


def escalate_overdue_run(now: datetime | None = None) -> int:
    """Escalate open reports past their deadline to the agency's heads and leaders; the number."""
    now = now or timezone.now()
    candidates = (
        Report.objects.filter(status__in=OPEN_REPORT_STATUSES, escalated_at__isnull=True, due_at__lt=now)
        .select_related("category").order_by("due_at")
    )
    escalated = 0
    for report in candidates.iterator(chunk_size=500):
        if report_escalate(report.pk, now) is None:
            continue
        escalated += 1
        with translation.override(settings.LANGUAGE_CODE):
            _mail(_("[Quá hạn] Phản ánh %(code)s đã quá hạn xử lý") % {"code": report.code},
                  _("Phản ánh sau đã quá hạn xử lý và cần lãnh đạo chỉ đạo:\n\n") + _describe(report),
                  agency_leader_emails(report.agency_id))
    return escalated


def close_unrated_answers_run(now: datetime | None = None) -> int:
    """Close answered reports whose survey window has ended without an answer; the number."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TINHSO_FEEDBACK_REOPEN_DAYS)
    ids = list(Report.objects.filter(status=ReportStatus.ANSWERED, answered_at__lte=cutoff)
               .order_by("answered_at").values_list("pk", flat=True))
    closed = 0
    for report_id in ids:
        try:
            report_close(report_id=report_id, at=now)
        except Conflict:
            continue  # rated or closed meanwhile
        closed += 1
    return closed


# The periodic tasks: huey calls them with no argument; `call_local(now=…)` runs them inline.

@db_periodic_task(EVERY_MINUTE)
def warn_before_deadline(now: datetime | None = None) -> int:
    return warn_before_deadline_run(now)


@db_periodic_task(EVERY_MINUTE)
def escalate_overdue(now: datetime | None = None) -> int:
    return escalate_overdue_run(now)


@db_periodic_task(EVERY_MINUTE)
def close_unrated_answers(now: datetime | None = None) -> int:
    return close_unrated_answers_run(now)
