"""Staff sign-in in the audit log: every sign-in, sign-out and lockout (django-axes) is recorded.

Wrong passwords themselves are counted by django-axes (its access attempts); a lockout is one
audit entry per (username, address) and cool-off period, however many tries follow it.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils import timezone

from tinhso.agencies.principals import Principal
from tinhso.audit.models import AuditEntry
from tinhso.audit.services import audit_record
from tinhso.core.clients import client_address


def _address(request: Any) -> str | None:
    return client_address(request) if request is not None else None


@receiver(user_logged_in)
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(principal=Principal.for_user(user), action="auth.login", object_type="user", object_id=user.pk,
                 data={"username": user.get_username(), "address": _address(request)})


@receiver(user_logged_out)
def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(principal=Principal.for_user(user), action="auth.logout", object_type="user",
                     object_id=user.pk, data={"username": user.get_username(), "address": _address(request)})


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any, username: str | None, ip_address: str | None, **kwargs: Any) -> None:
    name = (username or "")[:64]
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    if AuditEntry.objects.filter(action="auth.locked_out", object_type="user", object_id=name, at__gte=since,
                                 data__address=ip_address).exists():
        return
    audit_record(principal=None, action="auth.locked_out", object_type="user", object_id=name,
                 data={"address": ip_address, "failures": settings.AXES_FAILURE_LIMIT,
                       "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)})
