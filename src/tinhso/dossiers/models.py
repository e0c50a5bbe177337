"""Dossiers, their append-only history, attachments and the per-agency daily code sequence.

Designed for ten million dossiers a year: every list the product shows (an agency's inbox by due
moment, the register by receipt date, the overdue list) has its index.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tinhso.core.appendonly import AppendOnlyModel


class Status(models.IntegerChoices):
    """The national portal's status codes (TrangThaiHoSo)."""

    REGISTERED = 1, _("Mới đăng ký")
    RECEIVED = 2, _("Đã tiếp nhận")
    REFUSED = 3, _("Không tiếp nhận")
    IN_PROGRESS = 4, _("Đang xử lý")
    SUPPLEMENT_REQUESTED = 5, _("Yêu cầu bổ sung")
    PAYMENT_REQUESTED = 6, _("Yêu cầu thanh toán")
    WITHDRAWN = 7, _("Công dân rút hồ sơ")
    STOPPED = 8, _("Dừng xử lý")
    PROCESSED = 9, _("Đã xử lý xong")
    RETURNED = 10, _("Đã trả kết quả")


OPEN_STATUSES = (Status.REGISTERED, Status.RECEIVED, Status.IN_PROGRESS, Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED)
FINISHED_STATUSES = (Status.PROCESSED, Status.RETURNED)


class Channel(models.IntegerChoices):
    COUNTER = 1, _("Trực tiếp")
    ONLINE = 2, _("Trực tuyến")
    POSTAL = 3, _("Bưu chính")


class ApplicantType(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    BUSINESS = "business", _("Tổ chức, doanh nghiệp")


class Rating(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Rất hài lòng")
    SATISFIED = "satisfied", _("Hài lòng")
    UNSATISFIED = "unsatisfied", _("Không hài lòng")


class ResultKind(models.TextChoices):
    ELECTRONIC = "electronic", _("Bản điện tử")
    PAPER = "paper", _("Bản giấy")


class ResultDelivery(models.TextChoices):
    ELECTRONIC = "electronic", _("Nhận bản điện tử")
    POST = "post", _("Qua bưu chính")
    COUNTER = "counter", _("Tại bộ phận một cửa")


class Dossier(models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=64, unique=True)
    procedure = models.ForeignKey("catalogue.Procedure", on_delete=models.PROTECT, related_name="dossiers")
    receiving_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="received_dossiers", verbose_name=_("nơi tiếp nhận")
    )
    handling_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="handled_dossiers", verbose_name=_("cơ quan xử lý")
    )
    channel = models.PositiveSmallIntegerField(_("hình thức nộp"), choices=Channel.choices)
    status = models.PositiveSmallIntegerField(_("trạng thái"), choices=Status.choices, default=Status.REGISTERED)

    applicant_type = models.CharField(_("đối tượng"), max_length=10, choices=ApplicantType.choices)
    applicant_id_number = models.CharField(_("số định danh / mã số thuế"), max_length=14, blank=True)
    applicant_name = models.CharField(_("chủ hồ sơ"), max_length=255)
    # `applicant_name` folded for search (`tinhso.core.text.search_key`: no diacritics, đ → d,
    # lower case), written beside it by whatever writes the name (the receipt, the import).
    applicant_name_search = models.CharField(max_length=255, blank=True, default="", editable=False)
    applicant_birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    applicant_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    representative_name = models.CharField(_("người được uỷ quyền"), max_length=255, blank=True)
    representative_id_number = models.CharField(_("số định danh người được uỷ quyền"), max_length=12, blank=True)
    summary = models.CharField(_("trích yếu"), max_length=1000, blank=True)

    submitted_at = models.DateTimeField(_("ngày nộp"), null=True, blank=True)
    received_at = models.DateTimeField(_("ngày tiếp nhận"), null=True, blank=True)
    due_at = models.DateTimeField(_("ngày hẹn trả"), null=True, blank=True)
    legal_due_at = models.DateTimeField(_("hạn theo quy định"), null=True, blank=True)
    finished_at = models.DateTimeField(_("ngày xử lý xong"), null=True, blank=True)
    returned_at = models.DateTimeField(_("ngày trả kết quả"), null=True, blank=True)
    paused_at = models.DateTimeField(_("tạm dừng từ"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)
    # Open, not paused, and seen past its due moment: set by every change (the one door) and by
    # the worker's every-minute sweep (`services.dossiers_mark_overdue`), cleared when the dossier
    # pauses, gets a later due moment or closes. The index counts marked dossiers from its
    # counters and only the few not marked yet live (`indicators.selectors.open_overdue`).
    marked_overdue = models.BooleanField(_("đã quá hạn"), default=False)

    current_step = models.ForeignKey(
        "catalogue.WorkflowStep", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    current_handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    step_due_at = models.DateTimeField(null=True, blank=True)

    extended = models.BooleanField(_("đã gia hạn"), default=False)
    extension_reason = models.TextField(_("lý do gia hạn"), blank=True)
    stop_reason = models.TextField(_("lý do"), blank=True)

    components_digitised = models.BooleanField(_("thành phần đã số hoá"), default=False)
    result_kind = models.CharField(_("hình thức kết quả"), max_length=10, choices=ResultKind.choices, blank=True)
    result_number = models.CharField(_("số văn bản kết quả"), max_length=100, blank=True)

    fee_due = models.PositiveBigIntegerField(_("phí, lệ phí phải nộp"), default=0)
    fee_paid = models.BooleanField(_("đã nộp phí"), default=False)
    fee_paid_online = models.BooleanField(_("nộp phí trực tuyến"), default=False)

    rating = models.CharField(_("đánh giá"), max_length=20, choices=Rating.choices, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    complained = models.BooleanField(_("có khiếu nại"), default=False)

    # The online applicant's account (a citizen signed in to the portal; None at the counter).
    # `agencies.principals.Principal.for_applicant` acts only on dossiers whose account it is.
    applicant_account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="applied_dossiers"
    )
    # "Declare once" evidence the index counts (indicators.contributions):
    # the applicant's data came from the identity provider, not typed in;
    applicant_verified = models.BooleanField(_("dữ liệu người nộp từ định danh"), default=False)
    # the procedure asks for documents (components) — the d of REUSED_DIGITIZED_DATA;
    documents_required = models.BooleanField(default=False)
    # at least one component was a document reused from the applicant's store;
    documents_reused = models.BooleanField(_("tái sử dụng giấy tờ đã số hoá"), default=False)
    # the electronic result was delivered into the applicant's document store.
    result_in_store = models.BooleanField(_("kết quả đã vào kho dữ liệu"), default=False)
    # Signed-results evidence (issue 12): the result is an electronic original — a PDF signed by
    # tinhso (`tinhso.signing`) whose signature validated when it was issued (and after the seal);
    result_original = models.BooleanField(_("kết quả là bản gốc điện tử"), default=False, db_default=False)
    # the procedure issues electronic certified copies from originals (copied from the catalogue
    # at receipt, like `documents_required`): the d of ELECTRONIC_CERTIFIED_COPY.
    certified_copy = models.BooleanField(default=False, db_default=False)
    # How the applicant wants the result: electronic (in their store), by post, at the counter.
    result_delivery = models.CharField(_("nhận kết quả"), max_length=10, choices=ResultDelivery.choices, blank=True)
    result_delivery_address = models.CharField(_("địa chỉ nhận kết quả"), max_length=500, blank=True)

    imported = models.BooleanField(default=False)
    # Bumped by every action: a client that sends the version it saw gets 409 when it is stale.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            # The inbox: open dossiers of an agency by due moment.
            models.Index(fields=["handling_agency", "due_at"], name="dossier_inbox_open", condition=Q(status__in=[1, 2, 4, 5, 6])),
            models.Index(fields=["handling_agency", "status", "due_at"], name="dossier_handling_status_due"),
            # Open dossiers past due but not marked yet (the sweep's work and the index's live
            # part): tiny, since the sweep marks them every minute. Covering on PostgreSQL.
            models.Index(
                fields=["due_at"],
                name="dossier_overdue_pending",
                include=["receiving_agency", "received_at", "rating", "complained"],
                condition=Q(status__in=[1, 2, 4, 5, 6], marked_overdue=False, paused_at__isnull=True),
            ),
            # The register (form 07) and period reports.
            models.Index(fields=["receiving_agency", "received_at"], name="dossier_register"),
            models.Index(fields=["received_at"], name="dossier_received"),
            models.Index(fields=["applicant_id_number"], name="dossier_applicant_id"),
            # Officers find a dossier by the start of the applicant's name (a prefix LIKE: the
            # pattern operator class makes it indexable on PostgreSQL whatever the collation).
            models.Index(
                fields=["applicant_name_search"], name="dossier_applicant_name", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["procedure", "received_at"], name="dossier_procedure_received"),
            models.Index(fields=["applicant_account", "-submitted_at"], name="dossier_account"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    def is_overdue(self, at: Any = None) -> bool:
        at = at or timezone.now()
        if self.due_at is None or self.status in (Status.REFUSED, Status.WITHDRAWN, Status.STOPPED):
            return False
        if self.finished_at is not None:
            return self.finished_at > self.due_at
        return not self.is_paused and at > self.due_at


class DossierEvent(AppendOnlyModel):
    """One line of a dossier's history (form 06): appended, never edited."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("người thực hiện"), max_length=255, blank=True)
    action = models.CharField(_("thao tác"), max_length=30)
    from_status = models.PositiveSmallIntegerField(null=True, blank=True, choices=Status.choices)
    to_status = models.PositiveSmallIntegerField(choices=Status.choices)
    from_agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_step = models.CharField(max_length=200, blank=True)
    to_step = models.CharField(max_length=200, blank=True)
    due_before = models.DateTimeField(null=True, blank=True)
    due_after = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("lịch sử xử lý")
        verbose_name_plural = _("lịch sử xử lý")
        ordering = ["dossier", "at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.action} {self.at:%Y-%m-%d %H:%M}"



class AttachmentKind(models.TextChoices):
    COMPONENT = "component", _("Thành phần hồ sơ")
    SUPPLEMENT = "supplement", _("Bổ sung")
    RESULT = "result", _("Kết quả")


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"dossiers/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=10, choices=AttachmentKind.choices, default=AttachmentKind.COMPONENT)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    digitised = models.BooleanField(_("đã số hoá"), default=False)
    # Reused from the applicant's document store: the file is the stored one, not a new upload.
    reused = models.BooleanField(_("tái sử dụng"), default=False)
    # The catalogue component (its number) this file answers, when the applicant said.
    component_number = models.PositiveSmallIntegerField(null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["dossier", "id"]

    def __str__(self) -> str:
        return self.name


class CopyForm(models.TextChoices):
    """The form in which a paper was handed in, as form 01's columns name it."""

    ORIGINAL = "original", _("Bản chính")
    CERTIFIED_COPY = "certified_copy", _("Bản sao có chứng thực")
    COPY = "copy", _("Bản sao")


class Medium(models.TextChoices):
    PAPER = "paper", _("Bản giấy")
    ELECTRONIC = "electronic", _("Bản điện tử")


class ReceivedComponent(models.Model):
    """What the applicant actually handed in for one component: how many, in which form (original,
    certified copy, copy), on paper or electronically. Written by the receipt (`dossier_receive`)
    and listed by form 01. The name and requirement are copied from the catalogue at receipt, so
    the receipt keeps saying what it said when the catalogue changes later."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="received_components")
    component = models.ForeignKey(
        "catalogue.Component", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên giấy tờ"), max_length=1000)
    requirement = models.CharField(_("yêu cầu"), max_length=12)
    quantity = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    copy_form = models.CharField(_("loại bản"), max_length=16, choices=CopyForm.choices, default=CopyForm.ORIGINAL)
    medium = models.CharField(_("hình thức"), max_length=10, choices=Medium.choices, default=Medium.PAPER)

    class Meta:
        verbose_name = _("thành phần đã nhận")
        verbose_name_plural = _("thành phần đã nhận")
        ordering = ["dossier", "order"]
        constraints = [models.UniqueConstraint(fields=["dossier", "order"], name="received_component_order_unique")]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"


class DossierSequence(models.Model):
    """The last sequence number handed out per receiving agency per day."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="dossier_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.last}"
