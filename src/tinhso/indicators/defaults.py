"""The indicator sets a province starts with, as data; `tinhso setup` loads them.

Loading is idempotent by set code: a set that already exists is left exactly as it is (with its
indicators), so what the province edits, removes or adds in the admin stays so; only missing
sets are created, with their indicators, each set with its audit entry
(`indicator_set.create`). Every definition is validated (expressions, metric codes) before
anything is written.

Sources (see shared/domain/indicator-sets.md):
- Nghệ An, Resolution 09-NQ/TU (5 Aug 2022), targets for 2025: ≥ 50 % of dossiers through
  online public services, ≥ 90 % of citizens and businesses satisfied; work files handled online
  90 % / 80 % / 60 % at province / district / commune level; 100 % of periodic reports online.
  Nghệ An reported 96.57 % of dossiers on time in the first half of 2022 (hence ≥ 95 %).
- Hồ Chí Minh City: minimum digitisation of dossiers and results 50 % / 40 % / 35 % at city /
  district / commune level; 60 % of dossiers online.
- The DTI (Decision 922/QĐ-BTTTT 2022, replaced by Decision 405/QĐ-BKHCN of 3 Apr 2025:
  8 main indices, 47 components, 1,000 points): per-component formulas and weights are not
  public, so the DTI components are entered per period; tinhso computes only what its own data
  can (online dossiers, electronic results feed "digital government").

Warning thresholds are tinhso's defaults (a few points short of the target), not the sources'.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from tinhso.agencies.principals import Principal
from tinhso.audit.services import audit_record
from tinhso.indicators.models import Indicator, IndicatorSet
from tinhso.indicators.sets import indicator_errors


def _ratio(code: str, name: str, numerator: str, denominator: str, target: str, warning: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "name": name, "kind": "ratio", "numerator": numerator, "denominator": denominator,
            "target": Decimal(target), "warning": Decimal(warning), **extra}


DEFAULT_SETS: list[dict[str, Any]] = [
    {
        "code": "muc-tieu-nghi-quyet",
        "name": "Mục tiêu Nghị quyết của tỉnh",
        "is_public": True,
        "description": (
            "Mục tiêu cải cách hành chính, chuyển đổi số của tỉnh, tính trực tiếp từ hồ sơ.\n"
            "Nguồn: Nghị quyết 09-NQ/TU tỉnh Nghệ An (05/8/2022) — ≥ 50 % hồ sơ trực tuyến, ≥ 90 % người dân, "
            "doanh nghiệp hài lòng; Nghệ An đạt 96,57 % hồ sơ đúng hạn 6 tháng đầu 2022 (mục tiêu ≥ 95 %). "
            "TP. Hồ Chí Minh — tỷ lệ số hoá hồ sơ, kết quả tối thiểu 50 % cấp thành phố, 35 % cấp xã. "
            "Thanh toán trực tuyến và kết quả điện tử ≥ 50 %: mục tiêu mặc định của tinhso. "
            "Ngưỡng cảnh báo là mặc định của tinhso; tỉnh sửa được trong trang quản trị."
        ),
        "indicators": [
            _ratio("dung-han", "Hồ sơ giải quyết đúng hạn", "received - finished_late - overdue_open", "received",
                   "95", "90"),
            _ratio("hai-long", "Người dân, doanh nghiệp hài lòng", "rated - unsatisfied", "rated", "90", "85"),
            _ratio("truc-tuyen", "Hồ sơ tiếp nhận trực tuyến", "online", "received", "50", "40"),
            _ratio("so-hoa-cap-tinh", "Số hoá hồ sơ — cấp tỉnh", "digitised", "received", "50", "40",
                   applies_to="province"),
            _ratio("so-hoa-cap-xa", "Số hoá hồ sơ — cấp xã", "digitised", "received", "35", "25",
                   applies_to="commune"),
            _ratio("ket-qua-dien-tu", "Kết quả giải quyết điện tử", "result_electronic", "finished", "50", "40"),
            _ratio("thanh-toan-truc-tuyen", "Thanh toán trực tuyến", "paid_online", "with_fee", "50", "40"),
        ],
    },
    {
        "code": "dti-chinh-quyen-so",
        "name": "DTI — Chính quyền số",
        "is_public": False,
        "description": (
            "Các thành phần chỉ số Chính quyền số (DTI) theo dõi hằng kỳ.\n"
            "DTI cấp tỉnh: Quyết định 922/QĐ-BTTTT (2022), thay bằng Quyết định 405/QĐ-BKHCN (03/4/2025) — 8 chỉ số "
            "chính, 47 chỉ số thành phần, 1.000 điểm. Công thức và trọng số từng thành phần không được công bố, nên "
            "các thành phần loại «nhập» do sở, ngành phụ trách nhập theo kỳ (ghi rõ người nhập, thời điểm nhập). "
            "Các thành phần loại «chỉ số 766» lấy trực tiếp từ dữ liệu hồ sơ của tinhso. "
            "Mục tiêu hồ sơ công việc xử lý trên môi trường mạng 90 % cấp tỉnh / 60 % cấp xã và 100 % báo cáo định kỳ "
            "trực tuyến: Nghị quyết 09-NQ/TU tỉnh Nghệ An; 60 % hồ sơ trực tuyến: TP. Hồ Chí Minh."
        ),
        "indicators": [
            {"code": "ho-so-truc-tuyen-766", "name": "Hồ sơ tiếp nhận qua kênh trực tuyến (766)", "kind": "metric",
             "metric_code": "ONLINE_SERVICE_C", "target": Decimal("60"), "warning": Decimal("50")},
            {"code": "ket-qua-ban-goc-dien-tu", "name": "Kết quả cấp bản gốc điện tử (766)", "kind": "metric",
             "metric_code": "ORIGINAL_RESULT_AVAILABLE", "target": Decimal("50"), "warning": Decimal("40")},
            {"code": "dong-bo-dvcqg", "name": "Hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia (766)", "kind": "metric",
             "metric_code": "DOSSIER_SYNC", "target": Decimal("100"), "warning": Decimal("95")},
            {"code": "van-ban-dien-tu-cap-tinh", "name": "Hồ sơ công việc xử lý trên môi trường mạng — cấp tỉnh",
             "kind": "input", "applies_to": "province", "target": Decimal("90"), "warning": Decimal("80")},
            {"code": "van-ban-dien-tu-cap-xa", "name": "Hồ sơ công việc xử lý trên môi trường mạng — cấp xã",
             "kind": "input", "applies_to": "commune", "target": Decimal("60"), "warning": Decimal("50")},
            {"code": "bao-cao-truc-tuyen", "name": "Báo cáo định kỳ thực hiện trực tuyến", "kind": "input",
             "target": Decimal("100"), "warning": Decimal("90")},
        ],
    },
]


def check_definitions(sets: list[dict[str, Any]]) -> None:
    """Raise ValueError naming the set, the indicator and the problem (e.g. an unknown column)."""
    for data in sets:
        codes = [i["code"] for i in data["indicators"]]
        if len(codes) != len(set(codes)):
            raise ValueError(f"set {data['code']!r}: duplicate indicator codes")
        for ind in data["indicators"]:
            errors = indicator_errors(kind=ind.get("kind", "ratio"), numerator=ind.get("numerator", ""),
                                      denominator=ind.get("denominator", ""), metric_code=ind.get("metric_code", ""))
            if errors:
                detail = "; ".join(f"{field}: {message}" for field, message in errors.items())
                raise ValueError(f"set {data['code']!r}, indicator {ind['code']!r}: {detail}")


def load_default_sets(sets: list[dict[str, Any]] | None = None, *, principal: Principal | None = None) -> dict[str, int]:
    """Create the sets that do not exist yet (by code) with their indicators; leave existing ones as edited.
    Returns {"sets_created", "indicators_created"}."""
    sets = DEFAULT_SETS if sets is None else sets
    check_definitions(sets)
    created = {"sets_created": 0, "indicators_created": 0}
    with transaction.atomic():
        for data in sets:
            indicator_set, made = IndicatorSet.objects.get_or_create(
                code=data["code"],
                defaults={"name": data["name"], "description": data["description"], "is_public": data.get("is_public", False)},
            )
            if not made:
                continue  # the province's own now: edited, trimmed or extended in the admin
            created["sets_created"] += 1
            for order, ind in enumerate(data["indicators"], start=1):
                fields = {k: v for k, v in ind.items() if k != "code"}
                Indicator.objects.create(indicator_set=indicator_set, code=ind["code"], order=order * 10, **fields)
                created["indicators_created"] += 1
            audit_record(principal=principal, action="indicator_set.create", object_type="indicatorset",
                         object_id=indicator_set.pk, data={
                             "code": indicator_set.code, "is_public": str(indicator_set.is_public),
                             "indicators": {i["code"]: {"target": str(i["target"]),
                                                        "warning": None if i.get("warning") is None else str(i["warning"])}
                                            for i in data["indicators"]}})
    return created
