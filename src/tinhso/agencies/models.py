"""Agencies with their QCVN 102:2016 codes, staff roles within agencies, and API keys."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    PROVINCE_COMMITTEE = "province_committee", _("UBND tỉnh")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    SERVICE_CENTRE = "service_centre", _("Trung tâm Phục vụ hành chính công")
    COMMUNE_COMMITTEE = "commune_committee", _("UBND xã/phường")
    OTHER = "other", _("Khác")


class Agency(models.Model):
    code = models.CharField(_("mã định danh"), max_length=40, unique=True)
    name = models.CharField(_("tên cơ quan"), max_length=255)
    kind = models.CharField(_("loại"), max_length=20, choices=AgencyKind.choices)
    unit = models.ForeignKey(
        "units.AdministrativeUnit", on_delete=models.PROTECT, related_name="agencies", verbose_name=_("đơn vị hành chính")
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("cơ quan cấp trên")
    )
    # Materialised path of codes ("H44/H44.03/"): the subtree of an agency is one indexed
    # prefix query, however deep the tree.
    path = models.CharField(max_length=400, db_index=True, editable=False)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def compute_path(self) -> str:
        return (self.parent.path if self.parent else "") + self.code + "/"


# Raw SQL over an agency subtree: `WHERE {column} IN ({SUBTREE_SQL})` with the parameter
# `subtree_pattern(root.path)` (for the few hot reads written in SQL rather than the ORM).
SUBTREE_SQL = f"SELECT id FROM {Agency._meta.db_table} WHERE path LIKE %s ESCAPE '\\'"


def subtree_pattern(path: str) -> str:
    """The LIKE pattern of the agencies whose path starts with `path`."""
    return path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class Role(models.TextChoices):
    RECEPTION = "reception", _("Cán bộ tiếp nhận")
    SPECIALIST = "specialist", _("Chuyên viên xử lý")
    HEAD = "head", _("Lãnh đạo phòng")
    LEADER = "leader", _("Lãnh đạo ký duyệt")
    RECORDS_CLERK = "records_clerk", _("Văn thư")
    ADMINISTRATOR = "administrator", _("Quản trị")
    VIEWER = "viewer", _("Theo dõi")


# Roles that see the agencies under their own, not only their own.
SUBTREE_ROLES = frozenset({Role.LEADER, Role.ADMINISTRATOR, Role.VIEWER})


class StaffRole(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("vai trò cán bộ")
        verbose_name_plural = _("vai trò cán bộ")
        constraints = [models.UniqueConstraint(fields=["user", "agency", "role"], name="staff_role_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.agency.code}"


class ApiKey(models.Model):
    """A machine client's key, scoped to an agency and the agencies under it.

    Only a SHA-256 digest is stored; the key itself is shown once, when created.
    """

    name = models.CharField(_("tên"), max_length=100)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="api_keys")
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("khoá API")
        verbose_name_plural = _("khoá API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_secret() -> tuple[str, str]:
        """Returns (prefix, key); the key is `ts_<prefix>_<random>`."""
        prefix = secrets.token_hex(4)
        return prefix, f"ts_{prefix}_{secrets.token_urlsafe(32)}"
