"""The last sign of life of each background process (the worker), one row per name."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """When a process (`worker`) last said it was alive; written every minute, read by the health check."""

    name = models.CharField(_("tiến trình"), max_length=40, primary_key=True)
    beat_at = models.DateTimeField(_("lần cuối hoạt động"))
    host = models.CharField(_("máy"), max_length=255, blank=True, default="")
    pid = models.PositiveIntegerField(_("mã tiến trình"), null=True, blank=True)

    class Meta:
        verbose_name = _("nhịp hoạt động")
        verbose_name_plural = _("nhịp hoạt động")

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at.isoformat()}"
