"""Counters of attempts per (scope, key, fixed time window), shared by every process."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ThrottleCount(models.Model):
    # What is counted ("rating.dossier", "otp.phone"…) and for whom: a keyed digest of the
    # dossier code, phone or address, never the value itself.
    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("lượt thử")
        verbose_name_plural = _("lượt thử")
        constraints = [models.UniqueConstraint(fields=["scope", "key", "window_start"], name="throttle_count_unique")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]} {self.window_start:%Y-%m-%d %H:%M} {self.count}"
