"""Django forms of the officer workspace and the public tracking page.

The forms only parse what the browser sends (types, required fields); the rules of the domain
(ID number formats, transitions, roles) are checked by the services, whose `InvalidInput.fields`
the views put back next to the fields.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from tinhso.agencies.models import Agency
from tinhso.catalogue.models import Procedure
from tinhso.dossiers.models import ApplicantType, Channel, Rating, ResultKind


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files under one field name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        single = super().clean
        items = data if isinstance(data, list | tuple) else [data]
        return [single(item, initial) for item in items]


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return f"{obj.name} ({obj.code})"


class ProcedureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Procedure) -> str:
        return f"{obj.code} — {obj.name}"


class CounterForm(forms.Form):
    """The counter screen: a complete dossier received from an applicant."""

    agency = AgencyChoiceField(label=_("Nơi tiếp nhận"), queryset=Agency.objects.none(), empty_label=None)
    procedure = ProcedureChoiceField(
        label=_("Thủ tục hành chính"),
        queryset=Procedure.objects.filter(is_active=True),
        to_field_name="code",
        empty_label=_("— Chọn thủ tục —"),
    )
    channel = forms.TypedChoiceField(
        label=_("Hình thức nộp"),
        choices=[(Channel.COUNTER.value, Channel.COUNTER.label), (Channel.POSTAL.value, Channel.POSTAL.label)],
        coerce=int,
        initial=Channel.COUNTER.value,
    )
    documents = forms.MultipleChoiceField(label=_("Thành phần hồ sơ đã nhận"), required=False)
    applicant_type = forms.ChoiceField(
        label=_("Đối tượng"), choices=ApplicantType.choices, initial=ApplicantType.CITIZEN, widget=forms.RadioSelect
    )
    applicant_name = forms.CharField(label=_("Họ tên / tên tổ chức"), max_length=255, required=False)
    applicant_id_number = forms.CharField(
        label=_("Số định danh cá nhân / mã số thuế"),
        max_length=14,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_birth_date = forms.DateField(
        label=_("Ngày sinh"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=500, required=False)
    applicant_phone = forms.CharField(
        label=_("Điện thoại"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    applicant_email = forms.EmailField(label=_("Thư điện tử"), required=False)
    representative_name = forms.CharField(label=_("Người được uỷ quyền"), max_length=255, required=False)
    representative_id_number = forms.CharField(
        label=_("Số định danh người được uỷ quyền"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    summary = forms.CharField(
        label=_("Trích yếu (để trống: tên thủ tục)"), max_length=1000, required=False,
    )
    fee_paid = forms.BooleanField(label=_("Đã nộp phí, lệ phí"), required=False)
    attachments = MultipleFileField(label=_("Tệp đính kèm (PDF, ảnh; có thể chọn nhiều tệp)"))

    # Service field names → this form's field names.
    SERVICE_FIELDS = {"procedure_code": "procedure", "file": "attachments"}

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = agencies
        if agencies.count() == 1:
            self.fields["agency"].widget = forms.HiddenInput()
            self.fields["agency"].initial = agencies.first().pk
        procedure = self.selected_procedure()
        documents = list(procedure.required_documents) if procedure is not None else []
        cast(forms.ChoiceField, self.fields["documents"]).choices = [(d, d) for d in documents]

    def selected_procedure(self) -> Procedure | None:
        code = self.data.get("procedure") if self.is_bound else self.initial.get("procedure")
        if not code:
            return None
        return Procedure.objects.filter(is_active=True, code=code).first()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        procedure = data.get("procedure")
        if procedure is not None:
            missing = [d for d in procedure.required_documents if d not in (data.get("documents") or [])]
            if missing:
                self.add_error(
                    "documents",
                    _("Hồ sơ chưa đủ thành phần (thiếu: %(missing)s). Hướng dẫn người nộp bổ sung trước khi tiếp nhận.")
                    % {"missing": "; ".join(missing)},
                )
        return data

    def add_service_errors(self, fields: dict[str, Any], message: str) -> None:
        """Put a service's per-field messages next to this form's fields."""
        if not fields:
            self.add_error(None, message)
            return
        for name, text in fields.items():
            target = self.SERVICE_FIELDS.get(name, name)
            self.add_error(target if target in self.fields else None, str(text))


class _ActionForm(forms.Form):
    """Every action form carries the version of the dossier the officer saw."""

    version = forms.IntegerField(widget=forms.HiddenInput(), min_value=1)


class NoteForm(_ActionForm):
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(_ActionForm):
    reason = forms.CharField(label=_("Lý do"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class SupplementRequestForm(ReasonForm):
    documents = forms.CharField(
        label=_("Giấy tờ cần bổ sung (mỗi dòng một giấy tờ)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_documents(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["documents"].splitlines() if line.strip()]


class SupplementReceivedForm(NoteForm):
    attachments = MultipleFileField(label=_("Tệp bổ sung"))


class TransferForm(ReasonForm):
    to_agency = AgencyChoiceField(
        label=_("Chuyển đến cơ quan"), queryset=Agency.objects.filter(is_active=True), empty_label=_("— Chọn cơ quan —")
    )

    def __init__(self, *args: Any, exclude_agency_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if exclude_agency_id is not None:
            cast(forms.ModelChoiceField, self.fields["to_agency"]).queryset = Agency.objects.filter(is_active=True).exclude(pk=exclude_agency_id)


class ExtendForm(ReasonForm):
    new_due_at = forms.DateTimeField(
        label=_("Ngày hẹn trả mới"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class SignForm(NoteForm):
    result_number = forms.CharField(label=_("Số văn bản kết quả"), max_length=100, required=False)
    result_kind = forms.ChoiceField(label=_("Hình thức kết quả"), choices=ResultKind.choices, initial=ResultKind.ELECTRONIC)


class FinishForm(NoteForm):
    result = forms.FileField(label=_("Tệp kết quả (nếu có)"), required=False)


class RatingForm(_ActionForm):
    rating = forms.ChoiceField(label=_("Mức độ hài lòng"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Ý kiến"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class PublicRatingForm(forms.Form):
    """The applicant rates the service; the last four digits of their ID number or tax code prove
    it is them (the code alone is printed on a receipt others may see)."""

    code = forms.CharField(widget=forms.HiddenInput())
    last4 = forms.RegexField(
        label=_("4 số cuối số định danh / mã số thuế của chủ hồ sơ"),
        regex=r"^\d{4}$",
        error_messages={"invalid": _("Nhập đúng 4 chữ số.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "4", "autocomplete": "off"}),
    )
    rating = forms.ChoiceField(label=_("Mức độ hài lòng"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Ý kiến"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class InboxFilterForm(forms.Form):
    status = forms.TypedChoiceField(label=_("Trạng thái"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=_("Mã hồ sơ hoặc số định danh"), required=False, max_length=64)

    def __init__(self, *args: Any, status_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("Tất cả")), *status_choices]
