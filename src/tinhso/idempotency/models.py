"""The answers given to requests that carried an `Idempotency-Key`, kept for a retention period."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotentRequest(models.Model):
    """One client's key and the first answer it got. `owner` names the client (an API key or a
    signed-in person); the same key from another client is another record."""

    owner = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    operation = models.CharField(max_length=200)
    # SHA-256 of the operation and the request's content (see `services.fingerprint_*`).
    fingerprint = models.CharField(max_length=64, blank=True)
    status = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("yêu cầu có khoá lặp lại")
        verbose_name_plural = _("yêu cầu có khoá lặp lại")
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotent_request_unique")]

    def __str__(self) -> str:
        return f"{self.owner} {self.key} → {self.status}"
