"""Phone verification by one-time code (OTP) before a web report is accepted.

`otp_request` sends a 6-digit code by SMS, within rate limits per phone and per client address;
`otp_verify` checks it. Only a keyed SHA-256 digest of the code is stored (HMAC with the site's
secret key, salted with the phone), so a copy of the database does not reveal live codes; each
code lives `OTP_TTL` and allows `MAX_ATTEMPTS` guesses.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tinhso.core.errors import ApplicationError, InvalidInput
from tinhso.core.phones import phone_number
from tinhso.feedback.models import PhoneVerification
from tinhso.feedback.sms import sms_send
from tinhso.throttling.services import rule, throttle_hit

OTP_TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 5
CODE_DIGITS = 6

def normalise_phone(value: str) -> str:
    """A Vietnamese mobile number in its national form (`0912345678`), from `0912 345 678`,
    `+84 912 345 678` or `84912345678` (the one rule: `tinhso.core.phones`);
    `InvalidInput(fields={"phone": …})` otherwise."""
    phone = phone_number(value, mobile=True)
    if phone is None:
        message = _("Số điện thoại di động không hợp lệ (10 chữ số, bắt đầu bằng 0, hoặc +84…).")
        raise InvalidInput(message, fields={"phone": message})
    return phone


def _digest(phone: str, code: str) -> str:
    key = hashlib.sha256(f"tinhso.feedback.otp:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _rate_limited(message: str) -> ApplicationError:
    return ApplicationError(message, code="rate_limited", status=429)


def otp_request(
    *, phone: str, client_ip: str | None, now: datetime | None = None, purpose: str = "feedback"
) -> None:
    """Send a new code to `phone`; the SMS says what it is for (`purpose`: "feedback" for a web
    report, "sign_in" for the citizen portal). Either code proves the same thing — that the
    person holds the phone — so one store and one set of limits serve both. Raises `InvalidInput` for a bad number and
    `ApplicationError(status=429, code="rate_limited")` past `TINHSO_OTP_MAX_PER_PHONE` codes per
    phone in 15 minutes or `TINHSO_OTP_MAX_PER_IP` per address in an hour. Each limit is one
    atomic count (`tinhso.throttling`), so it holds under parallel requests."""
    now = now or timezone.now()
    phone = normalise_phone(phone)
    with transaction.atomic():
        if client_ip and not throttle_hit(rule("OTP_PER_ADDRESS"), client_ip, now=now).allowed:
            raise _rate_limited(_("Quá nhiều yêu cầu mã xác minh từ địa chỉ này. Vui lòng thử lại sau một giờ."))
        verdict = throttle_hit(rule("OTP_PER_PHONE"), phone, now=now)
        if not verdict.allowed:
            raise _rate_limited(
                _("Số điện thoại này đã nhận đủ %(n)s mã trong 15 phút. Vui lòng thử lại sau %(minutes)s phút.")
                % {"n": settings.TINHSO_OTP_MAX_PER_PHONE, "minutes": verdict.retry_minutes}
            )
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        PhoneVerification.objects.create(
            phone=phone, code_digest=_digest(phone, code), created_at=now, expires_at=now + OTP_TTL,
            client_ip=client_ip or None,
        )
        with translation.override(settings.LANGUAGE_CODE):
            if purpose == "sign_in":
                text = _("Mã đăng nhập cổng dịch vụ công của bạn là %(code)s, có hiệu lực %(minutes)s phút. "
                         "Không chia sẻ mã này cho người khác.")
            else:
                text = _("Mã xác minh phản ánh của bạn là %(code)s, có hiệu lực %(minutes)s phút. "
                         "Không chia sẻ mã này cho người khác.")
            body = text % {"code": code, "minutes": int(OTP_TTL.total_seconds() // 60)}
        # Recorded now; handed to the gateway only once this transaction has committed.
        sms_send(phone=phone, body=body)


def otp_verify(*, phone: str, code: str, client_ip: str | None = None, now: datetime | None = None) -> bool:
    """True when `code` is the phone's latest code, unexpired, with guesses left; the code is
    then used up. Every call counts as one of the code's `MAX_ATTEMPTS` guesses, and as one of the
    client address's checks (`OTP_CHECKS_PER_ADDRESS`): past that, `ApplicationError(429)`."""
    now = now or timezone.now()
    if client_ip and not throttle_hit(rule("OTP_CHECKS_PER_ADDRESS"), client_ip, now=now).allowed:
        raise _rate_limited(_("Quá nhiều lần nhập mã từ địa chỉ này. Vui lòng thử lại sau một giờ."))
    try:
        phone = normalise_phone(phone)
    except InvalidInput:
        return False
    code = (code or "").strip()
    with transaction.atomic():
        latest = (
            PhoneVerification.objects.select_for_update()
            .filter(phone=phone, created_at__lte=now)
            .order_by("-created_at", "-pk")
            .first()
        )
        if latest is None or latest.verified_at is not None or latest.expires_at <= now:
            return False
        if latest.attempts >= MAX_ATTEMPTS:
            return False
        latest.attempts += 1
        ok = hmac.compare_digest(latest.code_digest, _digest(phone, code))
        if ok:
            latest.verified_at = now
        latest.save(update_fields=["attempts", "verified_at"])
        return ok
