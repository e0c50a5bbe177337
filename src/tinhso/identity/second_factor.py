"""The staff second factor: who must have one, enrolment, and the check of a 6-digit code.

Policy: `TINHSO_STAFF_OTP_REQUIRED_ROLES` lists the roles (`agencies.Role` values, plus
`superuser`) whose holders must confirm each sign-in with a code from an authenticator app
(TOTP, RFC 6238, through django-otp's `TOTPDevice`). Holding such a role at any agency is enough.
Such a person with no confirmed device is sent to enrol before anything else; one with a device
enters the code after the password. The session then carries the verified device (django-otp's
`OTPMiddleware`) and `middleware.SecondFactorMiddleware` lets them through — the workspace, the
admin and the API's session authentication alike.

Every check goes through `second_factor_check`: it refuses while the throttles
(`STAFF_OTP_PER_USER`, `STAFF_OTP_PER_ADDRESS` in `tinhso.throttling`) are used up, counts each
wrong code against both, and writes one audit entry per outcome (`auth.second_factor`,
`auth.second_factor_failed`, `auth.second_factor_enrolled`, `auth.second_factor_throttled`).
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from tinhso.agencies.models import StaffRole
from tinhso.agencies.principals import Principal
from tinhso.audit.services import audit_record
from tinhso.core.errors import ApplicationError, InvalidInput
from tinhso.throttling.services import rule, throttle_exceeded, throttle_hit

SUPERUSER = "superuser"
DEVICE_NAME = "Ứng dụng xác thực"
_CODE_RE = re.compile(r"^[0-9]{6}\Z")


def second_factor_required(user: Any) -> bool:
    """True when `user` holds a role (or is a superuser) listed in `TINHSO_STAFF_OTP_REQUIRED_ROLES`."""
    required = set(settings.TINHSO_STAFF_OTP_REQUIRED_ROLES)
    if not required or user is None or not user.is_authenticated:
        return False
    if SUPERUSER in required and user.is_superuser:
        return True
    return StaffRole.objects.filter(user=user, role__in=required).exists()


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def is_verified(user: Any) -> bool:
    """The session's sign-in was confirmed with a device (set by django-otp's middleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def second_factor_pending(user: Any) -> bool:
    """Signed in with a password, but the role's second factor is still missing."""
    return not is_verified(user) and second_factor_required(user)  # the session flag first: no query once verified


def enrolment_device(*, user: Any) -> TOTPDevice:
    """The unconfirmed device the person is enrolling (a fresh secret the first time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def _refuse_when_throttled(user: Any, address: str | None) -> None:
    for name, key in (("STAFF_OTP_PER_USER", str(user.pk)), ("STAFF_OTP_PER_ADDRESS", address)):
        if not key:
            continue
        blocked = throttle_exceeded(rule(name), key)
        if blocked is not None:
            audit_record(principal=Principal.for_user(user), action="auth.second_factor_throttled",
                         object_type="user", object_id=user.pk, data={"address": address, "rule": name})
            raise ApplicationError(
                _("Nhập sai mã xác thực quá nhiều lần. Vui lòng thử lại sau %(minutes)s phút.")
                % {"minutes": blocked.retry_minutes},
                code="rate_limited", status=429,
            )


def second_factor_check(*, user: Any, code: str, address: str | None, enrolling: bool = False) -> TOTPDevice:
    """The device that accepts `code` for `user` (enrolling: the new device, now confirmed).

    Raises `InvalidInput` (field `code`) for a wrong or malformed code, `ApplicationError(429)`
    once the throttles are used up. The caller marks the session verified (`django_otp.login`).
    """
    _refuse_when_throttled(user, address)
    code = "".join((code or "").split())
    device = (
        TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
        if enrolling else confirmed_device(user)
    )
    principal = Principal.for_user(user)
    with transaction.atomic():
        ok = device is not None and bool(_CODE_RE.match(code)) and device.verify_token(code)
        if not ok:
            throttle_hit(rule("STAFF_OTP_PER_USER"), str(user.pk))
            if address:
                throttle_hit(rule("STAFF_OTP_PER_ADDRESS"), address)
            audit_record(principal=principal, action="auth.second_factor_failed", object_type="user",
                         object_id=user.pk, data={"address": address, "enrolling": enrolling})
    if not ok:
        message = _("Mã xác thực không đúng hoặc đã hết hạn: nhập 6 chữ số đang hiện trong ứng dụng.")
        raise InvalidInput(message, fields={"code": message})
    assert device is not None
    with transaction.atomic():
        if enrolling:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            audit_record(principal=principal, action="auth.second_factor_enrolled", object_type="user",
                         object_id=user.pk, data={"address": address, "device": device.pk})
        else:
            audit_record(principal=principal, action="auth.second_factor", object_type="user",
                         object_id=user.pk, data={"address": address, "device": device.pk})
    return device
