"""Counters behind the index, the inputs the province fills, and its own indicator sets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinhso.indicators.contributions import COLUMNS


class CounterColumns(models.Model):
    """The count columns (`contributions.COLUMNS`) both counter tables carry."""

    received = models.IntegerField(default=0)
    online = models.IntegerField(default=0)
    finished = models.IntegerField(default=0)
    finished_late = models.IntegerField(default=0)
    overdue_open = models.IntegerField(default=0)
    with_fee = models.IntegerField(default=0)
    paid_online = models.IntegerField(default=0)
    digitised = models.IntegerField(default=0)
    result_electronic = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    unsatisfied = models.IntegerField(default=0)
    complained = models.IntegerField(default=0)
    dissatisfied = models.IntegerField(default=0)
    # Added later (issue 11): a database default too, so a raw insert naming only the older
    # columns (bench loaders) still works.
    documents_required = models.IntegerField(default=0, db_default=0)
    documents_reused = models.IntegerField(default=0, db_default=0)
    result_in_store = models.IntegerField(default=0, db_default=0)
    applicant_verified = models.IntegerField(default=0, db_default=0)
    # Added with the signed results (issue 12).
    result_original = models.IntegerField(default=0, db_default=0)
    certified_copies = models.IntegerField(default=0, db_default=0)
    certified_copies_original = models.IntegerField(default=0, db_default=0)

    class Meta:
        abstract = True

    def values(self) -> dict[str, int]:
        return {c: getattr(self, c) for c in COLUMNS}


class DossierCounter(CounterColumns):
    """Counts of dossiers per receiving agency, procedure and month of receipt, kept live."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey("catalogue.Procedure", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()

    class Meta:
        verbose_name = _("bộ đếm hồ sơ")
        verbose_name_plural = _("bộ đếm hồ sơ")
        constraints = [models.UniqueConstraint(fields=["agency", "procedure", "month"], name="dossier_counter_key")]
        indexes = [models.Index(fields=["month", "agency"], name="dossier_counter_month")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.procedure_id}/{self.month:%Y-%m}"


class AgencyMonthCounter(CounterColumns):
    """The same counts per (receiving agency, month), summed over procedures, with a `version`
    bumped by every change: what a read of the index scans (a province's quarter is ~500 rows
    instead of ~12,000), and how a process knows which (agency, month) its cached
    procedure-level counts are stale for. Moved in the same statements as `DossierCounter`;
    rebuilt from it."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    version = models.BigIntegerField(default=1)

    class Meta:
        verbose_name = _("bộ đếm hồ sơ theo cơ quan")
        verbose_name_plural = _("bộ đếm hồ sơ theo cơ quan")
        constraints = [models.UniqueConstraint(fields=["agency", "month"], name="agency_month_counter_key")]
        indexes = [models.Index(fields=["month", "agency"], name="agency_month_counter_month")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.month:%Y-%m} v{self.version}"


class IndicatorInput(models.Model):
    """A metric the province enters because tinhso cannot know its inputs (yet): publication on
    the national database, certified copies, population-data use, petitions…"""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    period_key = models.CharField(_("kỳ"), max_length=10, help_text="2026-08, 2026-Q3 or 2026")
    metric_code = models.CharField(_("mã chỉ tiêu"), max_length=60)
    numerator = models.PositiveIntegerField(_("tử số"))
    denominator = models.PositiveIntegerField(_("mẫu số"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("số liệu nhập")
        verbose_name_plural = _("số liệu nhập")
        constraints = [
            models.UniqueConstraint(fields=["agency", "period_key", "metric_code"], name="indicator_input_key")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.period_key} {self.metric_code} {self.numerator}/{self.denominator}"


class Direction(models.TextChoices):
    HIGHER = "higher", _("Càng cao càng tốt")
    LOWER = "lower", _("Càng thấp càng tốt")


class AgencyScope(models.TextChoices):
    ALL = "all", _("Mọi cơ quan")
    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")


class IndicatorSet(models.Model):
    """A province's own set of indicators (DTI pillars, targets of its resolutions)."""

    code = models.SlugField(_("mã"), unique=True)
    name = models.CharField(_("tên"), max_length=255)
    description = models.TextField(_("mô tả"), blank=True)
    is_public = models.BooleanField(_("công khai"), default=False)

    class Meta:
        verbose_name = _("bộ chỉ số")
        verbose_name_plural = _("bộ chỉ số")

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """One indicator: a ratio of counter expressions (or a 766 metric, or entered values), with a
    target, a direction and thresholds."""

    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("mã"))
    name = models.CharField(_("tên"), max_length=255)
    order = models.PositiveSmallIntegerField(default=0)
    # "ratio": 100 × numerator / denominator over counter columns, e.g. "received - finished_late" / "received";
    # "metric": the ratio of a Decision 766 metric (metric_code); "input": values entered per period.
    kind = models.CharField(max_length=10, default="ratio")
    numerator = models.CharField(_("tử số"), max_length=200, blank=True)
    denominator = models.CharField(_("mẫu số"), max_length=200, blank=True)
    metric_code = models.CharField(max_length=60, blank=True)
    applies_to = models.CharField(max_length=10, choices=AgencyScope.choices, default=AgencyScope.ALL)
    target = models.DecimalField(_("mục tiêu (%)"), max_digits=7, decimal_places=2)
    direction = models.CharField(max_length=6, choices=Direction.choices, default=Direction.HIGHER)
    # Below target but at or above `warning` (for "higher") is amber; below `warning` is red.
    warning = models.DecimalField(_("ngưỡng cảnh báo (%)"), max_digits=7, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("chỉ số")
        verbose_name_plural = _("chỉ số")
        ordering = ["indicator_set", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["indicator_set", "code"], name="indicator_code_unique")]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    """A value entered for an `input` indicator, per agency and period."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    period_key = models.CharField(max_length=10)
    value = models.DecimalField(max_digits=9, decimal_places=2)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["indicator", "agency", "period_key"], name="indicator_value_key")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.agency_id} {self.period_key} {self.value}"
