"""What the applicant is told of their dossier's history: one line per event, in the
applicant's words (no officer's name, no internal step), and which events' notes they were told
anyway (on forms 02–05, or their own words). The portal's pages and the citizen API say the same."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

# What each line of the history says to the applicant (no officer's name, no internal step).
EVENT_TEXT: dict[str, Any] = {
    "submit": gettext_lazy("Bạn đã nộp hồ sơ trực tuyến"),
    "receive": gettext_lazy("Hồ sơ được tiếp nhận"),
    "request_supplement": gettext_lazy("Cơ quan yêu cầu bổ sung hồ sơ"),
    "refuse": gettext_lazy("Hồ sơ không được tiếp nhận"),
    "supplement_received": gettext_lazy("Đã nhận giấy tờ bổ sung"),
    "forward": gettext_lazy("Hồ sơ được chuyển bước xử lý"),
    "transfer": gettext_lazy("Hồ sơ được chuyển tới cơ quan khác"),
    "extend": gettext_lazy("Cơ quan gia hạn thời gian giải quyết"),
    "stop": gettext_lazy("Dừng giải quyết hồ sơ"),
    "approve": gettext_lazy("Hồ sơ được phê duyệt"),
    "sign": gettext_lazy("Kết quả được ký ban hành"),
    "finish": gettext_lazy("Đã có kết quả giải quyết"),
    "return": gettext_lazy("Đã trả kết quả"),
    "withdraw": gettext_lazy("Hồ sơ đã được rút"),
    "rate": gettext_lazy("Bạn đã đánh giá"),
    "request_payment": gettext_lazy("Cơ quan đề nghị nộp phí, lệ phí"),
    "fee_paid": gettext_lazy("Đã nhận phí, lệ phí"),
}
# The lines whose note the applicant was told anyway (on forms 02–05, or their own words).
PUBLIC_NOTES = frozenset({"request_supplement", "refuse", "extend", "stop", "withdraw", "supplement_received"})
