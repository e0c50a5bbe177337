"""Forms of the feedback pages. They only parse what the browser sends; the rules (location in
Vietnam, phone format, photo types, transitions, roles) are checked by `tinhso.feedback.services`,
whose `InvalidInput.fields` the views put back next to the fields (`SERVICE_FIELDS`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tinhso.agencies.models import Agency
from tinhso.feedback.models import Category, RejectReason, ReportStatus
from tinhso.units.models import AdministrativeUnit

# The service's error keys → the form field they belong next to.
SERVICE_FIELDS: dict[str, str] = {
    "service_code": "category",
    "description": "description",
    "lat": "latitude",
    "long": "longitude",
    "commune": "commune",
    "location": "address",
    "phone": "reporter_phone",
    "media": "photos",
    "answer": "answer",
    "note": "note",
    "reason": "reason",
    "to_agency": "to_agency",
}


def category_label(category: Category) -> str:
    """A category's name in the reader's language (the English name when there is one)."""
    if (get_language() or "vi").startswith("en") and category.name_en:
        return category.name_en
    return category.name


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


def province_communes() -> QuerySet[AdministrativeUnit]:
    """The current communes and wards of the province this installation serves."""
    return AdministrativeUnit.objects.filter(
        parent__code=settings.TINHSO_PROVINCE, parent__valid_to__isnull=True, level="commune", valid_to__isnull=True
    ).order_by("name")


class CategoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return category_label(obj)


class CommuneField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AdministrativeUnit) -> str:
        return obj.name


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to `TINHSO_FEEDBACK_MAX_PHOTOS` photos under one name; their content is checked by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        if len(items) > settings.TINHSO_FEEDBACK_MAX_PHOTOS:
            raise forms.ValidationError(_("Tối đa %(n)s ảnh.") % {"n": settings.TINHSO_FEEDBACK_MAX_PHOTOS})
        return [super(PhotosField, self).clean(item, initial) for item in items]


def _location_fields() -> dict[str, forms.Field]:
    return {
        "commune": CommuneField(label=_("Xã/phường"), queryset=province_communes(), to_field_name="code",
                                required=False, empty_label=_("— Chọn xã/phường —")),
        "address": forms.CharField(label=_("Địa chỉ, nơi xảy ra"), max_length=500, required=False,
                                   widget=forms.TextInput(attrs={"autocomplete": "street-address"})),
        "latitude": forms.CharField(label=_("Vĩ độ"), max_length=20, required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "decimal"})),
        "longitude": forms.CharField(label=_("Kinh độ"), max_length=20, required=False,
                                     widget=forms.TextInput(attrs={"inputmode": "decimal"})),
    }


class ReportForm(forms.Form):
    """A citizen's report on the public site."""

    category = CategoryField(label=_("Lĩnh vực"), queryset=active_categories(), to_field_name="code",
                             empty_label=_("— Chọn lĩnh vực —"))
    description = forms.CharField(label=_("Nội dung phản ánh"), max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    commune = _location_fields()["commune"]
    address = _location_fields()["address"]
    latitude = _location_fields()["latitude"]
    longitude = _location_fields()["longitude"]
    photos = PhotosField(label=_("Ảnh (tối đa 5, JPEG hoặc PNG)"))
    reporter_name = forms.CharField(label=_("Họ và tên"), max_length=200, required=False,
                                    widget=forms.TextInput(attrs={"autocomplete": "name"}))
    reporter_phone = forms.CharField(label=_("Số điện thoại"), max_length=20,
                                     widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    reporter_email = forms.EmailField(label=_("Thư điện tử"), required=False,
                                      widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    otp_code = forms.CharField(label=_("Mã xác minh"), max_length=10, required=False,
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))
    anonymous = forms.BooleanField(label=_("Ẩn danh với công chúng (không hiện tên tôi)"), required=False)
    is_public = forms.BooleanField(label=_("Công khai phản ánh trên cổng"), required=False, initial=True)


class HotlineForm(forms.Form):
    """A call taken by a hotline operator."""

    caller_phone = forms.CharField(label=_("Số điện thoại người gọi"), max_length=20,
                                   widget=forms.TextInput(attrs={"inputmode": "tel", "autofocus": True}))
    caller_name = forms.CharField(label=_("Họ tên người gọi"), max_length=200, required=False)
    category = CategoryField(label=_("Lĩnh vực"), queryset=active_categories(), to_field_name="code",
                             empty_label=_("— Chọn lĩnh vực —"))
    commune = _location_fields()["commune"]
    address = _location_fields()["address"]
    description = forms.CharField(label=_("Nội dung phản ánh"), max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    anonymous = forms.BooleanField(label=_("Người gọi muốn ẩn danh với công chúng"), required=False)
    is_public = forms.BooleanField(label=_("Công khai phản ánh trên cổng"), required=False, initial=True)


class PublicFilterForm(forms.Form):
    category = CategoryField(label=_("Lĩnh vực"), queryset=active_categories(), to_field_name="code",
                             required=False, empty_label=_("Tất cả"))
    status = forms.ChoiceField(label=_("Trạng thái"), required=False,
                               choices=[("", _("Tất cả")), *ReportStatus.choices])
    commune = CommuneField(label=_("Xã/phường"), queryset=province_communes(), to_field_name="code",
                           required=False, empty_label=_("Tất cả"))


class OfficerFilterForm(PublicFilterForm):
    status = forms.ChoiceField(label=_("Trạng thái"), required=False,
                               choices=[("", _("Đang mở")), ("all", _("Tất cả")), *ReportStatus.choices])
    q = forms.CharField(label=_("Tìm (mã PA, nội dung, số điện thoại)"), required=False, max_length=100)


class SurveyForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("Câu trả lời có làm bạn hài lòng?"), choices=[("yes", _("Có, tôi hài lòng")), ("no", _("Không"))],
        coerce=lambda v: v == "yes", widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Ý kiến thêm (không bắt buộc)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))


# --- officer actions: each carries the version the page showed ---------------------------------


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AnswerForm(VersionForm):
    answer = forms.CharField(label=_("Trả lời công khai"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class NoteForm(VersionForm):
    note = forms.CharField(label=_("Ghi chú nội bộ (công chúng không thấy)"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class AgencyField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return f"{obj.name} ({obj.code})"


class TransferForm(VersionForm):
    to_agency = AgencyField(label=_("Chuyển tới cơ quan"), queryset=Agency.objects.none(),
                            empty_label=_("— Chọn cơ quan —"))
    reason = forms.CharField(label=_("Lý do chuyển"), max_length=2000)

    def __init__(self, *args: Any, exclude_agency_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = Agency.objects.filter(is_active=True).order_by("code")
        self.fields["to_agency"].queryset = qs.exclude(pk=exclude_agency_id) if exclude_agency_id else qs  # type: ignore[attr-defined]


class RejectForm(VersionForm):
    reason = forms.ChoiceField(label=_("Lý do từ chối"), choices=RejectReason.choices)
    note = forms.CharField(label=_("Giải thích cho người phản ánh"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class OverviewForm(forms.Form):
    period = forms.CharField(label=_("Kỳ (2026-03, 2026-Q1, 2026)"), required=False, max_length=7)
