"""Administrative units and their successions."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

REFORM_DATE = date(2025, 7, 1)


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Tỉnh/thành phố")
    COMMUNE = "commune", _("Xã/phường/đặc khu")
    DISTRICT = "district", _("Huyện (trước 1/7/2025)")


class UnitType(models.TextChoices):
    PROVINCE = "tinh", _("Tỉnh")
    CENTRAL_CITY = "thanh_pho_trung_uong", _("Thành phố trực thuộc trung ương")
    COMMUNE = "xa", _("Xã")
    WARD = "phuong", _("Phường")
    SPECIAL_ZONE = "dac_khu", _("Đặc khu")
    DISTRICT = "huyen", _("Huyện")
    TOWN = "thi_tran", _("Thị trấn")
    OTHER = "khac", _("Khác")


class AdministrativeUnit(models.Model):
    code = models.CharField(_("mã GSO"), max_length=5)
    name = models.CharField(_("tên"), max_length=200)
    level = models.CharField(_("cấp"), max_length=10, choices=UnitLevel.choices)
    type = models.CharField(_("loại"), max_length=30, choices=UnitType.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("thuộc")
    )
    valid_from = models.DateField(_("hiệu lực từ"), default=REFORM_DATE)
    valid_to = models.DateField(_("hết hiệu lực"), null=True, blank=True)

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["code"]
        constraints = [
            # A merged province may reuse an old code: codes are unique among the current units,
            # and per validity start among all.
            models.UniqueConstraint(fields=["code"], condition=Q(valid_to__isnull=True), name="unit_code_current_unique"),
            models.UniqueConstraint(fields=["code", "valid_from"], name="unit_code_valid_from_unique"),
        ]
        indexes = [models.Index(fields=["level", "parent"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


class UnitSuccession(models.Model):
    """An old unit became (part of) a new unit on `effective_on`."""

    old_unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="successors")
    new_unit = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="predecessors")
    effective_on = models.DateField(default=REFORM_DATE)

    class Meta:
        verbose_name = _("sắp xếp đơn vị")
        verbose_name_plural = _("sắp xếp đơn vị")
        constraints = [models.UniqueConstraint(fields=["old_unit", "new_unit"], name="unit_succession_unique")]

    def __str__(self) -> str:
        return f"{self.old_unit} → {self.new_unit}"
