"""The rule of a receipt's components: what was handed in must name the procedure's components,
and every required one must be there. One rule for the counter page, the API and any other face:
`dossier_receive` applies it; the counter form asks it early so that the officer sees every
problem at once.

A receipt names each component by its number in the procedure's list (1, 2, …, as the catalogue
and the counter show them), with how many papers, in which form (original, certified copy, copy)
and on which medium (paper, electronic). Conditional ("nếu có", "trường hợp …") and optional
components are named only when handed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext as _

from tinhso.catalogue.components import RequirementKind
from tinhso.dossiers.models import CopyForm, Medium

MAX_QUANTITY = 99


class CatalogueComponent(Protocol):
    order: int
    name: str
    requirement: str


@dataclass(frozen=True)
class ComponentReceipt:
    """One component handed in: its number in the procedure's list, how many, which form, which medium."""

    number: int
    quantity: int = 1
    copy_form: str = CopyForm.ORIGINAL
    medium: str = Medium.PAPER


def receipt_errors(components: Sequence[CatalogueComponent], receipts: Sequence[ComponentReceipt]) -> dict[str, str]:
    """Every problem of `receipts` against the procedure's `components` at once, keyed by the
    field's path (`components.2.quantity`, by position in `receipts`) and `components` for the
    required components that are missing. Empty when the receipt may go ahead."""
    by_number = {c.order: c for c in components}
    errors: dict[str, str] = {}
    seen: set[int] = set()
    for i, r in enumerate(receipts):
        if r.number not in by_number:
            errors[f"components.{i}.number"] = _("Thủ tục không có thành phần số %(number)s.") % {"number": r.number}
        elif r.number in seen:
            errors[f"components.{i}.number"] = _("Thành phần số %(number)s được ghi hai lần.") % {"number": r.number}
        seen.add(r.number)
        if not 1 <= r.quantity <= MAX_QUANTITY:
            errors[f"components.{i}.quantity"] = _("Số lượng phải từ 1 đến %(max)s.") % {"max": MAX_QUANTITY}
        if r.copy_form not in CopyForm.values:
            errors[f"components.{i}.copy_form"] = _("Phải là bản chính, bản sao có chứng thực hoặc bản sao.")
        if r.medium not in Medium.values:
            errors[f"components.{i}.medium"] = _("Phải là bản giấy hoặc bản điện tử.")
    missing = [c for c in sorted(components, key=lambda c: c.order)
               if c.requirement == RequirementKind.REQUIRED and c.order not in seen]
    if missing:
        errors["components"] = _(
            "Hồ sơ chưa đủ thành phần bắt buộc (thiếu: %(missing)s). Hướng dẫn người nộp bổ sung trước khi tiếp nhận."
        ) % {"missing": "; ".join(f"{c.order}. {c.name}" for c in missing)}
    return errors
