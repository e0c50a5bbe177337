"""Forms of the citizen's space: a document for the store, the declared part of the profile, a
withdrawal, a rating. Every value still passes the service's own checks (the one door)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tinhso.catalogue.components import DOCUMENT_TYPES as CATALOGUE_DOCUMENT_TYPES
from tinhso.dossiers.models import Rating, ResultDelivery

# The kinds of document a citizen can say a file is (matched to a component's `document_type`).
DOCUMENT_TYPES: list[tuple[str, Any]] = [*CATALOGUE_DOCUMENT_TYPES, ("", _("Loại khác"))]
DOCUMENT_TYPE_LABELS: dict[str, Any] = {**dict(DOCUMENT_TYPES), "ket_qua": _("Kết quả giải quyết")}


def document_type_label(document_type: str) -> Any:
    return DOCUMENT_TYPE_LABELS.get(document_type) or document_type or _("Loại khác")


def max_upload_mb() -> int:
    return int(settings.TINHSO_MAX_ATTACHMENT_BYTES // (1024 * 1024))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("Tệp (PDF, JPG hoặc PNG)"))
    name = forms.CharField(label=_("Tên giấy tờ"), max_length=500, required=False,
                           help_text=_("Ví dụ: Căn cước của tôi. Để trống thì dùng tên tệp."))
    document_type = forms.ChoiceField(label=_("Loại giấy tờ"), choices=DOCUMENT_TYPES, required=False)
    number = forms.CharField(label=_("Số, ký hiệu"), max_length=100, required=False)
    issuer = forms.CharField(label=_("Cơ quan cấp"), max_length=255, required=False)
    issued_on = forms.DateField(label=_("Ngày cấp"), required=False, widget=DateInput())
    expires_on = forms.DateField(label=_("Có giá trị đến"), required=False, widget=DateInput(),
                                 help_text=_("Để trống nếu giấy tờ không có thời hạn."))


class ProfileForm(forms.Form):
    """The profile fields a citizen may declare; a field that came from the identity provider is
    left out (the page shows it read-only and the service refuses it anyway)."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=255, required=False)
    id_number = forms.CharField(label=_("Số định danh cá nhân (12 số)"), max_length=14, required=False)
    birth_date = forms.DateField(label=_("Ngày sinh"), required=False, widget=DateInput())
    commune = forms.CharField(label=_("Mã xã, phường thường trú"), max_length=10, required=False,
                              help_text=_("Mã đơn vị hành chính mới (sau 01/7/2025), ví dụ 07900."))
    street = forms.CharField(label=_("Số nhà, đường, thôn, tổ"), max_length=255, required=False)
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)

    def __init__(self, *args: Any, locked: frozenset[str] = frozenset(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in locked:
            self.fields.pop(name, None)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Lý do rút hồ sơ"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(label=_("Tôi hiểu hồ sơ sẽ dừng lại và không thể nộp tiếp hồ sơ này."))


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("Bạn có hài lòng không?"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Góp ý (không bắt buộc)"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class DeliveryForm(forms.Form):
    delivery = forms.ChoiceField(label=_("Nhận kết quả"), choices=ResultDelivery.choices, widget=forms.RadioSelect)
    address = forms.CharField(label=_("Địa chỉ nhận qua bưu chính"), max_length=500, required=False)
