"""Admin for the index's entered inputs and the province's own indicator sets.

Indicator definitions are validated on save (`sets.indicator_errors`): an expression naming an
unknown column, or a metric code that is no Decision 766 metric, is refused with a message that
names it. Entered values record who entered them; every add, change and delete is audited
(`AuditedAdmin`), with the entered numbers old → new.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tinhso.audit.admin_mixins import AuditedAdmin
from tinhso.indicators import formulas
from tinhso.indicators.models import Indicator, IndicatorInput, IndicatorSet, IndicatorValue
from tinhso.indicators.periods import parse_period
from tinhso.indicators.sets import VARIABLES, indicator_errors

KIND_CHOICES = [
    ("ratio", _("Tỷ lệ từ bộ đếm hồ sơ")),
    ("metric", _("Chỉ số thành phần Quyết định 766")),
    ("input", _("Nhập theo kỳ")),
]


class IndicatorForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("loại"), choices=KIND_CHOICES, initial="ratio")
    metric_code = forms.ChoiceField(
        label=_("mã chỉ số 766"),
        required=False,
        choices=[("", "—"), *((m.code, f"{m.code} — {m.name_vi}") for m in formulas.METRICS)],
    )

    class Meta:
        model = Indicator
        fields = ["code", "name", "order", "kind", "numerator", "denominator", "metric_code", "applies_to", "target",
                  "direction", "warning"]
        help_texts = {
            "numerator": _("Các cột nối bằng + hoặc -: %(columns)s") % {"columns": ", ".join(VARIABLES)},
            "denominator": _("Ví dụ: received"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        errors = indicator_errors(
            kind=data.get("kind") or "",
            numerator=data.get("numerator") or "",
            denominator=data.get("denominator") or "",
            metric_code=data.get("metric_code") or "",
        )
        for field, message in errors.items():
            self.add_error(field, message)
        return data


class IndicatorInline(AuditedAdmin, admin.TabularInline):
    model = Indicator
    form = IndicatorForm
    extra = 0


@admin.register(IndicatorSet)
class IndicatorSetAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "is_public"]
    list_filter = ["is_public"]
    search_fields = ["code", "name"]
    inlines = [IndicatorInline]


def _check_period(key: str) -> str:
    try:
        return parse_period(key).key
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from None


class IndicatorInputForm(forms.ModelForm):
    class Meta:
        model = IndicatorInput
        fields = ["agency", "period_key", "metric_code", "numerator", "denominator"]

    def clean_period_key(self) -> str:
        return _check_period(self.cleaned_data["period_key"])

    def clean_metric_code(self) -> str:
        from tinhso.indicators.selectors import INPUT_METRICS

        code = self.cleaned_data["metric_code"]
        if code not in INPUT_METRICS:
            raise forms.ValidationError(_("Chỉ số này do tinhso tự đo hoặc không tồn tại; nhập được: %(codes)s")
                                        % {"codes": ", ".join(INPUT_METRICS)})
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        n, d = data.get("numerator"), data.get("denominator")
        if n is not None and d is not None and n > d:
            self.add_error("numerator", _("Tử số không được lớn hơn mẫu số."))
        return data


class _EnteredByAdmin(AuditedAdmin, admin.ModelAdmin):
    readonly_fields = ["entered_by", "entered_at"]
    raw_id_fields = ["agency"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(IndicatorInput)
class IndicatorInputAdmin(_EnteredByAdmin):
    form = IndicatorInputForm
    list_display = ["agency", "period_key", "metric_code", "numerator", "denominator", "entered_by", "entered_at"]
    list_filter = ["metric_code", "period_key"]
    search_fields = ["agency__code", "agency__name", "metric_code"]


class IndicatorValueForm(forms.ModelForm):
    class Meta:
        model = IndicatorValue
        fields = ["indicator", "agency", "period_key", "value"]

    def clean_period_key(self) -> str:
        return _check_period(self.cleaned_data["period_key"])

    def clean_indicator(self) -> Indicator:
        indicator = self.cleaned_data["indicator"]
        if indicator.kind != "input":
            raise forms.ValidationError(_("Chỉ nhập giá trị cho chỉ số loại «nhập theo kỳ»."))
        return indicator


@admin.register(IndicatorValue)
class IndicatorValueAdmin(_EnteredByAdmin):
    form = IndicatorValueForm
    list_display = ["indicator", "agency", "period_key", "value", "entered_by", "entered_at"]
    list_filter = ["indicator__indicator_set", "period_key"]
    search_fields = ["agency__code", "agency__name", "indicator__code"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "indicator":
            kwargs["queryset"] = Indicator.objects.filter(kind="input").select_related("indicator_set")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
