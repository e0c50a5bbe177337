"""Audit entries: who (a person or an API key) did what to which object, when, from where."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.core.appendonly import AppendOnlyModel


class AuditEntry(AppendOnlyModel):
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    api_key = models.ForeignKey(
        "agencies.ApiKey", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("hành động"), max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("bản ghi kiểm toán")
        verbose_name_plural = _("nhật ký kiểm toán")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"
