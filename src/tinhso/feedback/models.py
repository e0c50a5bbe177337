"""Categories (with deadline and classification), routing rules, reports, their history and photos."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core.appendonly import AppendOnlyModel


class Classification(models.TextChoices):
    """The two classifications the national index tracks (and neither)."""

    PROCEDURES = "procedures", _("Thủ tục hành chính, quy định")
    STAFF = "staff", _("Hành vi, thái độ cán bộ")
    NONE = "none", _("Khác")


class DeadlineUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    CALENDAR_DAYS = "calendar_days", _("ngày")


class Category(models.Model):
    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("cơ quan chịu trách nhiệm (mặc định)"),
    )
    deadline_amount = models.PositiveSmallIntegerField(_("thời hạn xử lý"), default=10)
    deadline_unit = models.CharField(_("đơn vị"), max_length=20, choices=DeadlineUnit.choices,
                                     default=DeadlineUnit.WORKING_DAYS)
    classification = models.CharField(_("phân loại"), max_length=12, choices=Classification.choices,
                                      default=Classification.NONE)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("lĩnh vực phản ánh")
        verbose_name_plural = _("lĩnh vực phản ánh")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Which agency handles a report of a category (or any) in a commune (or anywhere).
    The most specific matching rule wins: category and commune, then commune, then category."""

    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="rules")
    commune = models.ForeignKey("units.AdministrativeUnit", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+", limit_choices_to={"level": "commune"})
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("quy tắc phân công")
        verbose_name_plural = _("quy tắc phân công")
        constraints = [models.UniqueConstraint(fields=["category", "commune"], name="routing_rule_unique")]

    def __str__(self) -> str:
        return f"{self.category or '*'} @ {self.commune or '*'} → {self.agency}"


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận")
    ASSIGNED = "assigned", _("Đã phân công")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    ANSWERED = "answered", _("Đã trả lời")
    CLOSED = "closed", _("Đã đóng")
    REJECTED = "rejected", _("Từ chối")
    REOPENED = "reopened", _("Mở lại")


OPEN_REPORT_STATUSES = (ReportStatus.RECEIVED, ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS, ReportStatus.REOPENED)


class ReportChannel(models.TextChoices):
    WEB = "web", _("Cổng thông tin")
    OPEN311 = "open311", _("Ứng dụng (Open311)")
    HOTLINE = "hotline", _("Đường dây nóng")
    COUNTER = "counter", _("Trực tiếp")


class RejectReason(models.TextChoices):
    DUPLICATE = "duplicate", _("Trùng lặp")
    OUT_OF_SCOPE = "out_of_scope", _("Không thuộc thẩm quyền")
    INVALID = "invalid", _("Không đủ thông tin, không hợp lệ")


def _token() -> str:
    return secrets.token_urlsafe(18)


class Report(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="reports")
    description = models.TextField(_("nội dung"))
    latitude = models.DecimalField(_("vĩ độ"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("kinh độ"), max_digits=9, decimal_places=6, null=True, blank=True)
    commune = models.ForeignKey("units.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("xã/phường"))
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    channel = models.CharField(_("kênh"), max_length=10, choices=ReportChannel.choices)
    reporter_name = models.CharField(_("người phản ánh"), max_length=200, blank=True)
    reporter_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    reporter_email = models.EmailField(_("thư điện tử"), blank=True)
    phone_verified = models.BooleanField(default=False)
    anonymous = models.BooleanField(_("ẩn danh với công chúng"), default=False)
    is_public = models.BooleanField(_("công khai"), default=True)
    status = models.CharField(_("trạng thái"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.RECEIVED)
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="reports", verbose_name=_("cơ quan xử lý"))
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(_("ngày tiếp nhận"))
    due_at = models.DateTimeField(_("hạn xử lý"))
    answered_at = models.DateTimeField(_("ngày trả lời"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ngày đóng"), null=True, blank=True)
    public_answer = models.TextField(_("trả lời công khai"), blank=True)
    reject_reason = models.CharField(max_length=15, choices=RejectReason.choices, blank=True)
    # The reporter's satisfaction with the answer (None: not asked or not answered yet).
    satisfied = models.BooleanField(_("hài lòng"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    warned_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Open311 `token` (before an id is known) and the secret of the satisfaction link.
    token = models.CharField(max_length=32, unique=True, default=_token)
    survey_token = models.CharField(max_length=32, unique=True, default=_token)
    api_key = models.ForeignKey("agencies.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Open311: the answers to the category's service-definition attributes, and a link the client
    # sent (`media_url`, kept as text and never fetched).
    attributes = models.JSONField(default=dict, blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("phản ánh")
        verbose_name_plural = _("phản ánh")
        indexes = [
            models.Index(fields=["agency", "received_at"], name="report_agency_received"),
            models.Index(fields=["agency", "due_at"], name="report_open_due",
                         condition=Q(status__in=["received", "assigned", "in_progress", "reopened"])),
            models.Index(fields=["received_at"], name="report_received"),
            models.Index(fields=["category", "received_at"], name="report_category_received"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"PA{self.pk:07d}" if self.pk else "PA-new"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REPORT_STATUSES


class ReportEvent(AppendOnlyModel):
    """One line of a report's history; private notes are events that the public never sees."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    from_agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    is_public = models.BooleanField(default=False)

    class Meta:
        ordering = ["report", "at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.action}"


def photo_path(instance: Photo, filename: str) -> str:
    return f"feedback/{instance.sha256[:2]}/{instance.sha256}"


class Photo(models.Model):
    """A photo of a report, stored with its location metadata (EXIF) removed."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path, max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=50)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.report_id}/{self.sha256[:8]}"


class PhoneVerification(models.Model):
    """A one-time code sent to a phone before a web report is accepted."""

    phone = models.CharField(max_length=20, db_index=True)
    code_digest = models.CharField(max_length=64)
    # Set by the service from its `now` (rate limits count codes by it), not by the database.
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã xác minh điện thoại")
        verbose_name_plural = _("mã xác minh điện thoại")
        indexes = [models.Index(fields=["client_ip", "created_at"], name="phoneverif_ip_created")]

    def __str__(self) -> str:
        return f"{self.phone} {self.created_at:%Y-%m-%d %H:%M}"


class SmsMessage(models.Model):
    """Every SMS the platform sends, whatever the backend (the console backend only records it)."""

    phone = models.CharField(max_length=20)
    body = models.TextField()
    backend = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tin nhắn SMS")
        verbose_name_plural = _("tin nhắn SMS")

    def __str__(self) -> str:
        return f"{self.phone}: {self.body[:40]}"
