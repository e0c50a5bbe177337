"""The Open311 service definitions: which extra questions (`attributes`) each category asks, and
the check of the answers a client posts as `attribute[code]=value`.

Kept as data in code: two questions every category asks (`is_public`, `anonymous`, which map onto
the report's own flags) and a few per category (the street-light pole number, the flood depth,
the road hazard). The answers are stored in `Report.attributes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

YES, NO = "yes", "no"


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # string | number | datetime | text | singlevaluelist | multivaluelist
    description: Any  # lazy text: the question shown to the citizen
    required: bool = False
    datatype_description: Any = None
    values: tuple[tuple[str, Any], ...] = field(default_factory=tuple)  # (key, lazy name)
    max_length: int = 200  # string / text
    maximum: int = 10**6  # number (from 0)


YES_NO = ((YES, gettext_lazy("Có")), (NO, gettext_lazy("Không")))

COMMON: tuple[Attribute, ...] = (
    Attribute("is_public", "singlevaluelist", gettext_lazy("Công khai phản ánh?"),
              datatype_description=gettext_lazy("Mặc định: có. “Không”: chỉ cơ quan xử lý xem được."), values=YES_NO),
    Attribute("anonymous", "singlevaluelist", gettext_lazy("Ẩn danh với công chúng?"),
              datatype_description=gettext_lazy("Mặc định: không. Cơ quan xử lý vẫn thấy thông tin người gửi."),
              values=YES_NO),
)

BY_CATEGORY: dict[str, tuple[Attribute, ...]] = {
    "chieu-sang": (
        Attribute("pole_number", "string", gettext_lazy("Số hiệu cột đèn (ghi trên thân cột)"), max_length=30),
    ),
    "duong-cau": (
        Attribute("hazard", "singlevaluelist", gettext_lazy("Mức độ nguy hiểm"), required=True,
                  values=(("urgent", gettext_lazy("Nguy hiểm, cần xử lý ngay")),
                          ("damage", gettext_lazy("Hư hỏng, chưa nguy hiểm")))),
    ),
    "cap-thoat-nuoc": (
        Attribute("water_depth_cm", "number", gettext_lazy("Độ sâu ngập (cm), nếu có"),
                  datatype_description=gettext_lazy("Số từ 0 đến 500."), maximum=500),
    ),
}

# Search words for the service list (`keywords`), in Vietnamese.
KEYWORDS: dict[str, str] = {
    "duong-cau": "ổ gà,sụt lún,cầu,cống",
    "chieu-sang": "đèn đường,bóng đèn,cột đèn",
    "rac-ve-sinh": "rác,vệ sinh,thu gom",
    "cap-thoat-nuoc": "ngập,nước sạch,cống thoát nước",
    "trat-tu": "lấn chiếm vỉa hè,tiếng ồn,an ninh",
    "moi-truong": "khói,bụi,mùi,nước thải",
    "thu-tuc": "thủ tục hành chính,hồ sơ,quy định",
    "can-bo": "cán bộ,thái độ,nhũng nhiễu",
}


def attributes_for(category_code: str) -> tuple[Attribute, ...]:
    return (*COMMON, *BY_CATEGORY.get(category_code, ()))


def attribute_definition(attribute: Attribute, order: int) -> dict[str, Any]:
    """One item of `attributes[]` in a service definition."""
    item: dict[str, Any] = {
        "variable": True,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": str(attribute.datatype_description) if attribute.datatype_description else None,
        "order": order,
        "description": str(attribute.description),
    }
    if attribute.values:
        item["values"] = [{"key": key, "name": str(name)} for key, name in attribute.values]
    return item


def clean_attributes(category_code: str, posted: dict[str, list[str]]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check the posted answers against the category's definition: returns (values, errors), the
    errors keyed `attribute[code]`. Unknown codes are refused so a client's typo does not vanish."""
    definitions = {a.code: a for a in attributes_for(category_code)}
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for code in posted:
        if code not in definitions:
            errors[f"attribute[{code}]"] = _("Thuộc tính không có trong định nghĩa của lĩnh vực này.")
    for code, attribute in definitions.items():
        raw = [v.strip() for v in posted.get(code, []) if v.strip()]
        name = f"attribute[{code}]"
        if not raw:
            if attribute.required:
                errors[name] = _("Bắt buộc.")
            continue
        keys = {key for key, _label in attribute.values}
        if attribute.datatype == "multivaluelist":
            if bad := [v for v in raw if v not in keys]:
                errors[name] = _("Giá trị không hợp lệ: %(v)s.") % {"v": ", ".join(bad)}
            else:
                values[code] = raw
            continue
        if len(raw) > 1:
            errors[name] = _("Chỉ một giá trị.")
            continue
        value = raw[0]
        if attribute.datatype == "singlevaluelist":
            if value not in keys:
                errors[name] = _("Chọn một trong: %(keys)s.") % {"keys": ", ".join(sorted(keys))}
                continue
        elif attribute.datatype == "number":
            try:
                number = Decimal(value)
            except InvalidOperation:
                errors[name] = _("Phải là một số.")
                continue
            if not number.is_finite() or not Decimal(0) <= number <= attribute.maximum:
                errors[name] = _("Phải từ 0 đến %(max)s.") % {"max": attribute.maximum}
                continue
            values[code] = float(number)
            continue
        elif len(value) > attribute.max_length:
            errors[name] = _("Tối đa %(n)s ký tự.") % {"n": attribute.max_length}
            continue
        values[code] = value
    return values, errors
