"""Procedures and their workflows (ordered steps, each with a role, an agency and a budget)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.catalogue.components import DOCUMENT_TYPES, DocumentKind, RequirementKind
from tinhso.workcalendar.calendar import ProcessingUnit


class ProcedureLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")


class OnlineLevel(models.TextChoices):
    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    NONE = "none", _("Không trực tuyến")


class ProcessingUnitChoice(models.TextChoices):
    WORKING_DAYS = ProcessingUnit.WORKING_DAYS.value, _("ngày làm việc")
    CALENDAR_DAYS = ProcessingUnit.CALENDAR_DAYS.value, _("ngày")
    WORKING_HOURS = ProcessingUnit.WORKING_HOURS.value, _("giờ làm việc")
    SAME_DAY = ProcessingUnit.SAME_DAY.value, _("trong ngày")


class SupplementClock(models.TextChoices):
    PAUSE = "pause", _("Tạm dừng, cộng thời gian chờ")
    RESTART = "restart", _("Tính lại từ đầu")


class FeeTiming(models.TextChoices):
    """When the procedure's fee (phí, lệ phí) is due: with the dossier at receipt, or before the
    result is returned — the dossier then waits in status 6 (yêu cầu thanh toán) until paid."""

    AT_RECEIPT = "at_receipt", _("Khi nộp hồ sơ")
    BEFORE_RESULT = "before_result", _("Trước khi trả kết quả")


class ProcedureManager(models.Manager["Procedure"]):
    """Keeps `name_search` folded on the bulk paths too (`save()` does it for one procedure)."""

    def bulk_create(self, objs: Iterable[Procedure], *args: Any, **kwargs: Any) -> list[Procedure]:
        objs = list(objs)
        for obj in objs:
            obj.fill_name_search()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Iterable[Procedure], fields: Iterable[str], batch_size: int | None = None) -> int:
        chosen, columns = list(objs), list(fields)
        if {"name", "name_en", "code"} & set(columns):
            for obj in chosen:
                obj.fill_name_search()
            if "name_search" not in columns:
                columns.append("name_search")
        return super().bulk_update(chosen, columns, batch_size=batch_size)


class Procedure(models.Model):
    code = models.CharField(_("mã thủ tục"), max_length=20, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=500, blank=True)
    field = models.CharField(_("lĩnh vực"), max_length=200, blank=True)
    level = models.CharField(_("cấp thực hiện"), max_length=10, choices=ProcedureLevel.choices)
    online_level = models.CharField(
        _("mức trực tuyến"), max_length=10, choices=OnlineLevel.choices, default=OnlineLevel.PARTIAL
    )
    processing_amount = models.DecimalField(_("thời hạn giải quyết"), max_digits=7, decimal_places=2)
    processing_unit = models.CharField(_("đơn vị thời hạn"), max_length=20, choices=ProcessingUnitChoice.choices)
    online_processing_amount = models.DecimalField(
        _("thời hạn khi nộp trực tuyến"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    fee_vnd = models.PositiveBigIntegerField(_("phí, lệ phí (đồng)"), default=0)
    fee_timing = models.CharField(
        _("thời điểm nộp phí"), max_length=15, choices=FeeTiming.choices, default=FeeTiming.AT_RECEIPT
    )
    result_document = models.CharField(_("kết quả"), max_length=500, blank=True)
    # Chứng thực bản sao điện tử từ bản chính: the officer scans the paper original and the result
    # is a signed electronic copy (ELECTRONIC_CERTIFIED_COPY counts these dossiers). Set on load
    # from the name (`components.issues_certified_copies`), editable in the admin.
    certified_copy = models.BooleanField(_("chứng thực bản sao điện tử"), default=False, db_default=False)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    supplement_clock = models.CharField(
        _("khi yêu cầu bổ sung"), max_length=10, choices=SupplementClock.choices, default=SupplementClock.PAUSE
    )
    source = models.TextField(_("nguồn"), blank=True)
    notes = models.TextField(_("ghi chú"), blank=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    # Name, English name and code folded into words for the citizen's search
    # (`tinhso.catalogue.search`: no diacritics, đ → d, lower case, no punctuation); set on save.
    name_search = models.CharField(max_length=1100, blank=True, default="", editable=False)

    objects = ProcedureManager()

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]
        indexes = [
            # Serves prefix matches (`startswith`) on PostgreSQL; a word inside the name is a
            # `LIKE '%…%'`, a scan of a table of a few thousand rows (bench_catalogue_search.py).
            models.Index(fields=["name_search"], name="procedure_name_search", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_name_search()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "name_en", "code"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "name_search"}
        super().save(*args, **kwargs)

    def fill_name_search(self) -> None:
        from tinhso.catalogue.search import name_search_of

        self.name_search = name_search_of(name=self.name, name_en=self.name_en, code=self.code)

    def processing_time_for(self, channel: int) -> Decimal:
        """The legal time for a channel: the shorter online time applies to online dossiers."""
        from tinhso.dossiers.models import Channel

        if channel == Channel.ONLINE and self.online_processing_amount is not None:
            return self.online_processing_amount
        return self.processing_amount

    @property
    def budget_hours(self) -> Decimal:
        """The whole time as working hours, for splitting over the workflow steps."""
        if self.processing_unit == ProcessingUnit.WORKING_HOURS:
            return self.processing_amount
        if self.processing_unit == ProcessingUnit.SAME_DAY:
            return Decimal(8)
        return self.processing_amount * 8


class Requirement(models.TextChoices):
    """Whether a component must be handed in (`catalogue.components.requirement_of` reads it)."""

    REQUIRED = RequirementKind.REQUIRED.value, _("Bắt buộc")
    CONDITIONAL = RequirementKind.CONDITIONAL.value, _("Theo trường hợp (nếu có)")
    OPTIONAL = RequirementKind.OPTIONAL.value, _("Không bắt buộc")


_LABELS: dict[str, Any] = dict(DOCUMENT_TYPES)


class DocumentType(models.TextChoices):
    """The kinds of document a component may be (`catalogue.components.document_type_of` reads
    them from its text); the same codes and labels as `catalogue.components.DOCUMENT_TYPES`, the
vocabulary of `citizens.Document.document_type`."""

    CCCD = DocumentKind.CCCD.value, _LABELS[DocumentKind.CCCD]
    GIAY_KHAI_SINH = DocumentKind.GIAY_KHAI_SINH.value, _LABELS[DocumentKind.GIAY_KHAI_SINH]
    CHUNG_SINH = DocumentKind.CHUNG_SINH.value, _LABELS[DocumentKind.CHUNG_SINH]
    CU_TRU = DocumentKind.CU_TRU.value, _LABELS[DocumentKind.CU_TRU]
    KET_HON = DocumentKind.KET_HON.value, _LABELS[DocumentKind.KET_HON]
    TINH_TRANG_HON_NHAN = DocumentKind.TINH_TRANG_HON_NHAN.value, _LABELS[DocumentKind.TINH_TRANG_HON_NHAN]
    HO_CHIEU = DocumentKind.HO_CHIEU.value, _LABELS[DocumentKind.HO_CHIEU]
    GIAY_PHEP_LAI_XE = DocumentKind.GIAY_PHEP_LAI_XE.value, _LABELS[DocumentKind.GIAY_PHEP_LAI_XE]


class Component(models.Model):
    """One component of a procedure's dossier (thành phần hồ sơ), in the catalogue's order.

    Only `required` components block a receipt; conditional and optional ones are ticked when
    the applicant hands them in. The requirement is derived from the name on load and may be
    corrected in the admin (a later load keeps the correction: it only sets new components).
    The document type and the number of copies are derived and kept the same way
    (`catalogue.components.document_type_of`, `copies_of`)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="components")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên giấy tờ"), max_length=1000)
    requirement = models.CharField(
        _("yêu cầu"), max_length=12, choices=Requirement.choices, default=Requirement.REQUIRED
    )
    notes = models.CharField(_("ghi chú"), max_length=1000, blank=True)
    # The kind of document it is (e.g. "cccd", "giay_khai_sinh"), so a document of the citizen's
    # store can be offered for it; empty when the catalogue's text names no known kind.
    document_type = models.CharField(_("loại giấy tờ"), max_length=50, blank=True, choices=DocumentType.choices)
    copies = models.PositiveSmallIntegerField(_("số bản"), default=1)
    # Accepted file types for an online submission, comma-separated extensions.
    file_types = models.CharField(_("loại tệp chấp nhận"), max_length=100, default="pdf,jpg,png")

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["procedure", "order"]
        constraints = [models.UniqueConstraint(fields=["procedure", "order"], name="component_order_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_required(self) -> bool:
        return self.requirement == Requirement.REQUIRED


class StepKind(models.TextChoices):
    RECEIVE = "receive", _("Tiếp nhận")
    APPRAISE = "appraise", _("Thẩm định")
    REVIEW = "review", _("Xem xét")
    CONSULT = "consult", _("Lấy ý kiến liên thông")
    APPROVE = "approve", _("Phê duyệt")
    SIGN = "sign", _("Ký")
    ISSUE = "issue", _("Phát hành, trả kết quả")


class WorkflowStep(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("bước"), max_length=200)
    kind = models.CharField(_("loại bước"), max_length=10, choices=StepKind.choices)
    role = models.CharField(_("vai trò thực hiện"), max_length=20)
    # Null: the agency that holds the dossier; set: another agency (inter-agency procedure).
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan")
    )
    budget_hours = models.DecimalField(_("thời gian (giờ làm việc)"), max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = _("bước quy trình")
        verbose_name_plural = _("quy trình")
        ordering = ["procedure", "order"]
        constraints = [models.UniqueConstraint(fields=["procedure", "order"], name="workflow_step_order_unique")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"
