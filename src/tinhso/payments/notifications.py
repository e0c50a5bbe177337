"""Telling the applicant about the fee: a receiver of `dossiers.signals.dossier_changed` (sent
after commit), through the channels the feedback room already runs — `feedback.sms.sms_send`
(recorded, delivered by huey) and the `feedback.tasks.send_email` task.

- `request_payment` (status 6): the amount and the tracking link, where the VietQR code and the
  payment notice are;
- `fee_paid`: the payment was received, with the receipt's link.

An applicant without a phone able to receive SMS or without an e-mail address gets what they
can; a failing channel never breaks the action (logged).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from tinhso.core.errors import InvalidInput
from tinhso.dossiers.forms.data import fmt_money, tracking_url
from tinhso.dossiers.models import Dossier

logger = logging.getLogger(__name__)


def _phone(dossier: Dossier) -> str | None:
    from tinhso.feedback.verification import normalise_phone

    if not dossier.applicant_phone:
        return None
    try:
        return normalise_phone(dossier.applicant_phone)
    except InvalidInput:
        return None


def _messages(dossier: Dossier, action: str) -> tuple[str, str, str] | None:
    base = settings.TINHSO_PUBLIC_BASE_URL
    link = tracking_url(dossier.code, base)
    values = {"code": dossier.code, "amount": fmt_money(dossier.fee_due), "url": link,
              "receipt": f"{base.rstrip('/')}/api/v1/dossiers/{dossier.code}/payment/receipt.pdf"}
    if action == "request_payment":
        sms = _("Hồ sơ %(code)s: vui lòng nộp phí, lệ phí %(amount)s. Quét mã VietQR tại %(url)s") % values
        subject = _("Thông báo nộp phí, lệ phí hồ sơ %(code)s") % values
        body = _("Kính gửi ông/bà,\n\nĐể tiếp tục giải quyết hồ sơ %(code)s, vui lòng nộp phí, lệ phí %(amount)s.\n"
                 "Mã VietQR và thông báo nộp phí có tại %(url)s (nội dung chuyển khoản: mã hồ sơ).\n") % values
        return sms, subject, body
    if action == "fee_paid":
        sms = _("Hồ sơ %(code)s: đã nhận phí, lệ phí %(amount)s. Biên lai: %(receipt)s") % values
        subject = _("Đã nhận phí, lệ phí hồ sơ %(code)s") % values
        body = _("Kính gửi ông/bà,\n\nĐã nhận đủ phí, lệ phí %(amount)s của hồ sơ %(code)s.\n"
                 "Biên lai điện tử: %(receipt)s\nTheo dõi hồ sơ: %(url)s\n") % values
        return sms, subject, body
    return None


def notify_applicant(dossier: Dossier, action: str) -> None:
    from tinhso.feedback.sms import sms_send
    from tinhso.feedback.tasks import send_email

    with translation.override(settings.LANGUAGE_CODE):
        texts = _messages(dossier, action)
    if texts is None:
        return
    sms, subject, body = texts
    phone = _phone(dossier)
    if phone is not None:
        sms_send(phone=phone, body=sms)
    if dossier.applicant_email:
        try:
            send_email(subject, body, [dossier.applicant_email])
        except Exception:  # the queue is down: the payment stands, log it
            logger.exception("dossier %s: could not queue the %s e-mail", dossier.code, action)


def on_dossier_changed(sender: Any, *, dossier_id: int, action: str, **kwargs: Any) -> None:
    if action not in ("request_payment", "fee_paid"):
        return
    dossier = Dossier.objects.filter(pk=dossier_id, fee_due__gt=0).first()
    if dossier is None:
        return
    try:
        notify_applicant(dossier, action)
    except Exception:  # a notification must never break the action that caused it
        logger.exception("dossier %s: notification for %s failed", dossier.code, action)


def connect() -> None:
    from tinhso.dossiers.signals import dossier_changed

    dossier_changed.connect(on_dossier_changed, dispatch_uid="tinhso.payments.notify_applicant")
