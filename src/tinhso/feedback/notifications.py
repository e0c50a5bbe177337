"""Telling the reporter: receivers of `feedback.signals.report_changed` (sent after commit).

- on `submit`: an SMS with the report's code and its public tracking link;
- on `answer`: an SMS with the satisfaction survey link and, if the reporter left an address,
  an e-mail with the answer and the same link.

Messages are recorded at once and delivered by huey (`send_sms`, `send_email`), so the request
does not wait for a gateway; in immediate mode they go out inline. Links are built on
`TINHSO_PUBLIC_BASE_URL`; the messages are in the site's language (Vietnamese).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tinhso.core.errors import InvalidInput
from tinhso.feedback.models import Report
from tinhso.feedback.signals import report_changed
from tinhso.feedback.sms import sms_send
from tinhso.feedback.verification import normalise_phone

logger = logging.getLogger(__name__)

def public_url(path: str) -> str:
    return settings.TINHSO_PUBLIC_BASE_URL.rstrip("/") + path


def tracking_url(report: Report) -> str:
    """The report's public page, `/phan-anh/<id>/` (tinhso.feedbackweb)."""
    return public_url(reverse("feedbackweb:public_report", args=[report.pk]))


def survey_url(report: Report) -> str:
    """The satisfaction survey, `/phan-anh/khao-sat/<survey_token>/`: the token is its secret."""
    return public_url(reverse("feedbackweb:survey", args=[report.survey_token]))


def _reporter_phone(report: Report) -> str | None:
    if not report.reporter_phone:
        return None
    try:
        return normalise_phone(report.reporter_phone)
    except InvalidInput:
        logger.info("report %s: phone %r cannot receive SMS", report.pk, report.reporter_phone)
        return None


def notify_submitted(report: Report) -> None:
    phone = _reporter_phone(report)
    if phone is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        body = _("Đã tiếp nhận phản ánh %(code)s. Theo dõi kết quả xử lý tại %(url)s") % {
            "code": report.code, "url": tracking_url(report)}
    sms_send(phone=phone, body=body)


def notify_answered(report: Report) -> None:
    from tinhso.feedback.tasks import send_email

    link = survey_url(report)
    with translation.override(settings.LANGUAGE_CODE):
        sms_body = _("Phản ánh %(code)s đã được trả lời. Xem câu trả lời và cho biết bạn có hài lòng không: "
                     "%(url)s") % {"code": report.code, "url": link}
        subject = _("Phản ánh %(code)s đã được trả lời") % {"code": report.code}
        mail_body = _(
            "Kính gửi %(name)s,\n\nCơ quan %(agency)s đã trả lời phản ánh %(code)s của bạn:\n\n%(answer)s\n\n"
            "Xin cho biết bạn có hài lòng với kết quả xử lý không (trong %(days)s ngày): %(url)s\n"
        ) % {
            "name": report.reporter_name or _("ông/bà"), "agency": report.agency.name if report.agency else "",
            "code": report.code, "answer": report.public_answer, "days": settings.TINHSO_FEEDBACK_REOPEN_DAYS,
            "url": link,
        }
    phone = _reporter_phone(report)
    if phone is not None:
        sms_send(phone=phone, body=sms_body)
    if report.reporter_email:
        try:
            send_email(subject, mail_body, [report.reporter_email])
        except Exception:  # the queue is down: the answer is published anyway, log it
            logger.exception("report %s: could not queue the answer e-mail", report.pk)


HANDLERS = {"submit": notify_submitted, "answer": notify_answered}


def on_report_changed(sender: Any, *, report_id: int, action: str, **kwargs: Any) -> None:
    handler = HANDLERS.get(action)
    if handler is None:
        return
    report = Report.objects.select_related("agency").filter(pk=report_id).first()
    if report is None:
        return
    try:
        handler(report)
    except Exception:  # a notification must never break the action that caused it
        logger.exception("report %s: notification for %s failed", report_id, action)


def connect() -> None:
    report_changed.connect(on_report_changed, sender=Report, dispatch_uid="feedback-notifications")
