"""The operations centre's tables as a title, headers and plain rows — one definition shared by
the pages' exports (CSV, XLSX, written by `core.exports`) and the PDF report.

No table carries personal data: dossiers appear by code, procedure, agency and due moment. Rows
hold plain values: numbers stay numbers, instants stay instants (a date cell in XLSX, ISO in
CSV), and no text cell can be a formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from tinhso.core.exports import Column, Export, download
from tinhso.opscentre.selectors import DueLists, group_names


@dataclass
class Table:
    name: str  # file name stem
    title: str
    headers: list[str]
    rows: list[list[Any]]


def _num(value: float | None) -> float | str:
    return "" if value is None else value


def ranking_table(rows: list[dict[str, Any]], *, agency_code: str, period_key: str, by: str) -> Table:
    names = group_names()
    headers = [_("Hạng"), _("Mã cơ quan"), _("Cơ quan"), _("Tổng điểm"), *names.values(), _("Hạng kỳ trước"), _("Thay đổi")]
    body = [
        [
            r["rank"], r["agency"]["code"], r["agency"]["name"], _num(r["total"]),
            *[_num(r["groups"].get(code)) for code in names],
            "" if r["previous_rank"] is None else r["previous_rank"],
            "" if r["movement"] is None else r["movement"],
        ]
        for r in rows
    ]
    by_label = _("tổng điểm") if by == "total" else names.get(by, by)
    return Table(f"xep-hang-{agency_code}-{period_key}", _("Xếp hạng đơn vị theo %(by)s") % {"by": by_label}, headers, body)


def metrics_table(index: dict[str, Any], *, agency_code: str, period_key: str) -> Table:
    names = group_names()
    headers = [_("Nhóm"), _("Mã chỉ tiêu"), _("Chỉ tiêu"), _("Tử số"), _("Mẫu số"), _("Tỷ lệ (%)"), _("Điểm"),
               _("Điểm tối đa"), _("Nguồn")]
    body = []
    for g in index["groups"]:
        for m in g["metrics"]:
            body.append([
                names.get(g["code"], g["code"]), m["code"], m["name"], _num(m["numerator"]), _num(m["denominator"]),
                _num(m["ratio"]), _num(m["score"]), _num(m["max_score"]),
                _("tinhso đo") if m["source"] == "tinhso" else _("số liệu nhập"),
            ])
    return Table(f"chi-tieu-{agency_code}-{period_key}", _("Chỉ tiêu Bộ chỉ số phục vụ (Quyết định 766)"), headers, body)


def groups_table(index: dict[str, Any]) -> Table:
    names = group_names()
    body = [[names.get(g["code"], g["code"]), _num(g["score"]), _num(g["max_score"]), _num(g["ratio"])]
            for g in index["groups"]]
    body.append([_("Tổng"), _num(index["total_score"]), index["max_score"], ""])
    return Table("nhom", _("Điểm theo nhóm"), [_("Nhóm chỉ số"), _("Điểm"), _("Điểm tối đa"), _("Tỷ lệ (%)")], body)


def due_table(lists: DueLists, *, agency_code: str) -> Table:
    headers = [_("Tình trạng"), _("Mã hồ sơ"), _("Mã thủ tục"), _("Thủ tục"), _("Cơ quan xử lý"), _("Hạn trả")]
    body = []
    for label, rows in ((_("Quá hạn"), lists.overdue), (_("Đến hạn trong 1 ngày làm việc"), lists.due_soon)):
        for r in rows:
            body.append([label, r["code"], r["procedure_code"], r["procedure"], r["agency"], r["due_at"]])
    return Table(f"den-han-{agency_code}", _("Hồ sơ quá hạn và sắp đến hạn"), headers, body)


def as_export(table: Table) -> Export:
    return Export(name=table.name, title=table.title, sheet=table.name, columns=[Column(h) for h in table.headers],
                  rows=table.rows)


def export(table: Table, fmt: str) -> HttpResponse | None:
    """The table as a download if `fmt` is csv or xlsx, else None (the caller renders HTML)."""
    return download(as_export(table), fmt)
