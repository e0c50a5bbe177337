"""What an administrator edits: office hours per province and overrides of the holiday table."""

from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class OverrideKind(models.TextChoices):
    DAY_OFF = "day_off", _("Ngày nghỉ")
    WORKING_DAY = "working_day", _("Ngày làm việc (làm bù)")


class CalendarOverride(models.Model):
    """An announced day off or make-up working day that the `holidays` package does not know."""

    date = models.DateField(_("ngày"))
    kind = models.CharField(_("loại"), max_length=12, choices=OverrideKind.choices)
    province = models.ForeignKey(
        "units.AdministrativeUnit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("tỉnh (để trống: cả nước)"),
        limit_choices_to={"level": "province"},
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("ngày nghỉ/làm bù")
        verbose_name_plural = _("ngày nghỉ/làm bù")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["date", "province"], name="calendar_override_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class OfficeHours(models.Model):
    """Office hours of one province (default 07:00–11:30 and 13:30–17:00, Monday–Friday)."""

    province = models.OneToOneField(
        "units.AdministrativeUnit", on_delete=models.CASCADE, related_name="+", limit_choices_to={"level": "province"}
    )
    morning_start = models.TimeField(_("sáng từ"), default=time(7, 0))
    morning_end = models.TimeField(_("sáng đến"), default=time(11, 30))
    afternoon_start = models.TimeField(_("chiều từ"), default=time(13, 30))
    afternoon_end = models.TimeField(_("chiều đến"), default=time(17, 0))
    same_day_cutoff = models.TimeField(_("giờ chuyển sang ngày hôm sau"), default=time(15, 0))

    class Meta:
        verbose_name = _("giờ làm việc")
        verbose_name_plural = _("giờ làm việc")

    def __str__(self) -> str:
        return f"{self.province}: {self.morning_start:%H:%M}–{self.morning_end:%H:%M}, {self.afternoon_start:%H:%M}–{self.afternoon_end:%H:%M}"

    def clean(self) -> None:
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise ValidationError(_("Giờ làm việc phải tăng dần: sáng từ < sáng đến ≤ chiều từ < chiều đến."))
