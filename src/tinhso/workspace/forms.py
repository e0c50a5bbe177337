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
from tinhso.catalogue.models import Component, Procedure
from tinhso.core.errors import InvalidInput
from tinhso.dossiers.components import MAX_QUANTITY, ComponentReceipt, receipt_errors
from tinhso.dossiers.models import ApplicantType, Channel, CopyForm, Medium, Rating, ResultKind
from tinhso.dossiers.services import Applicant


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
    SERVICE_FIELDS = {"procedure_code": "procedure", "file": "attachments", "components": "documents"}
    COMPONENT_FIELDS = ("number", "quantity", "copy_form", "medium")

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = agencies
        if agencies.count() == 1:
            self.fields["agency"].widget = forms.HiddenInput()
            self.fields["agency"].initial = agencies.first().pk
        procedure = self.selected_procedure()
        self.components: list[Component] = list(procedure.components.order_by("order")) if procedure is not None else []
        cast(forms.ChoiceField, self.fields["documents"]).choices = [(str(c.order), c.name) for c in self.components]
        # How each component was handed in: how many, original or copy, paper or electronic.
        for c in self.components:
            self.fields[f"quantity_{c.order}"] = forms.IntegerField(
                label=_("Số lượng"), required=False, initial=1, min_value=1, max_value=MAX_QUANTITY)
            self.fields[f"copy_form_{c.order}"] = forms.ChoiceField(
                label=_("Loại bản"), choices=CopyForm.choices, initial=CopyForm.ORIGINAL, required=False)
            self.fields[f"medium_{c.order}"] = forms.ChoiceField(
                label=_("Hình thức"), choices=Medium.choices, initial=Medium.PAPER, required=False)

    def selected_procedure(self) -> Procedure | None:
        code = self.data.get("procedure") if self.is_bound else self.initial.get("procedure")
        if not code:
            return None
        return Procedure.objects.filter(is_active=True, code=code).first()

    def receipts(self) -> list[ComponentReceipt]:
        """The ticked components with their quantity, form and medium (after `is_valid`)."""
        data = self.cleaned_data
        return [
            ComponentReceipt(
                number=int(n),
                quantity=data.get(f"quantity_{n}") or 1,
                copy_form=data.get(f"copy_form_{n}") or CopyForm.ORIGINAL,
                medium=data.get(f"medium_{n}") or Medium.PAPER,
            )
            for n in data.get("documents") or []
        ]

    def applicant(self) -> Applicant:
        data = self.cleaned_data
        return Applicant(
            type=data.get("applicant_type") or "",
            name=data.get("applicant_name") or "",
            id_number=(data.get("applicant_id_number") or "").strip(),
            birth_date=data.get("applicant_birth_date"),
            address=data.get("applicant_address") or "",
            phone=(data.get("applicant_phone") or "").strip(),
            email=data.get("applicant_email") or "",
            representative_name=data.get("representative_name") or "",
            representative_id_number=(data.get("representative_id_number") or "").strip(),
        )

    def clean(self) -> dict[str, Any]:
        """Besides the fields' own checks, ask the domain's rules now — the applicant's fields and
        the components (`dossiers.components.receipt_errors`) — so that the officer sees every
        problem of the form at once, not one per submission. The service checks them again."""
        data = super().clean() or {}
        try:
            if data.get("applicant_type"):
                self.applicant().validate()
        except InvalidInput as exc:
            self.add_service_errors(exc.fields, exc.message)
        if data.get("procedure") is not None:
            receipts = self.receipts()
            problems = receipt_errors(self.components, receipts)
            self.add_service_errors({self._component_field(k, receipts): v for k, v in problems.items()}, "")
        return data

    def _component_field(self, key: str, receipts: list[ComponentReceipt]) -> str:
        """`components.1.quantity` (the second ticked component) → `quantity_<its number>`."""
        parts = key.split(".")
        if len(parts) == 3 and parts[2] in self.COMPONENT_FIELDS[1:]:
            return f"{parts[2]}_{receipts[int(parts[1])].number}"
        return "documents"

    def component_rows(self) -> list[dict[str, Any]]:
        """The components as the counter shows them: ticked or not, with their three inputs."""
        ticked = set(cast(Any, self.data).getlist("documents")) if self.is_bound else set()
        rows = []
        for c in self.components:
            n = c.order
            rows.append({
                "component": c,
                "number": n,
                "checked": str(n) in ticked,
                "quantity": self[f"quantity_{n}"],
                "copy_form": self[f"copy_form_{n}"],
                "medium": self[f"medium_{n}"],
                "errors": [e for f in ("quantity", "copy_form", "medium") for e in self.errors.get(f"{f}_{n}", [])],
            })
        return rows

    def add_service_errors(self, fields: dict[str, Any], message: str) -> None:
        """Put a service's per-field messages next to this form's fields."""
        if not fields:
            if message:
                self.add_error(None, message)
            return
        for name, text in fields.items():
            target = self.SERVICE_FIELDS.get(name, name)
            target_field = target if target in self.fields else None
            if str(text) not in self.errors.get(target_field or "__all__", []):
                self.add_error(target_field, str(text))


class _ActionForm(forms.Form):
    """Every action form carries the version of the dossier the officer saw."""

    version = forms.IntegerField(widget=forms.HiddenInput(), min_value=1)


class NoteForm(_ActionForm):
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(_ActionForm):
    reason = forms.CharField(label=_("Lý do"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CounterPaymentForm(NoteForm):
    """The fee taken at the counter (not online: `fee_paid_online` stays for the bank's word)."""

    method = forms.ChoiceField(label=_("Hình thức"), choices=[("cash", _("Tiền mặt")), ("card", _("Thẻ (POS)"))],
                               initial="cash", widget=forms.RadioSelect)
    amount = forms.IntegerField(label=_("Số tiền đã thu (đồng)"), min_value=1, max_value=9_999_999_999_999)
    reference = forms.CharField(label=_("Số biên lai / mã giao dịch thẻ"), required=False, max_length=100)


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
    result_number = forms.CharField(
        label=_("Số, ký hiệu văn bản kết quả"), max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "12/QĐ-UBND"}),
    )
    result_kind = forms.ChoiceField(label=_("Hình thức kết quả"), choices=ResultKind.choices, initial=ResultKind.ELECTRONIC)


class FinishForm(NoteForm):
    result = forms.FileField(label=_("Tệp kết quả (bắt buộc khi kết quả là bản điện tử)"), required=False)


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
    q = forms.CharField(label=_("Mã hồ sơ, số định danh hoặc tên chủ hồ sơ"), required=False, max_length=64)

    def __init__(self, *args: Any, status_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("Tất cả")), *status_choices]
