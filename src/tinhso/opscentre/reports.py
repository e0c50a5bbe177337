"""The period's report of the service index as a PDF (fpdf2, vendored DejaVu Sans): title, agency,
period, the total and the groups, every metric, the ranking of the units under the agency and the
on-time figures. Only counts and scores — no dossier and no personal data.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from tinhso.agencies.models import Agency
from tinhso.dossiers.forms.pdf import FONT_DIR
from tinhso.indicators.periods import LOCAL_TZ, Period, period_label
from tinhso.opscentre import tables

logging.getLogger("fontTools").setLevel(logging.WARNING)

FAMILY = "DejaVuSans"
HEADING_FILL = (228, 232, 238)


class ReportPdf(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.add_font(FAMILY, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font(FAMILY, "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))
        self.footer_text = footer_text
        self.set_margins(14, 12, 14)
        self.set_auto_page_break(True, margin=14)
        self.alias_nb_pages()
        self.set_creator("tinhso")

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FAMILY, "I", 7)
        self.set_text_color(100, 100, 100)
        self.cell(0, 4, f"{self.footer_text}   —   {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font(FAMILY, "B", 11)
        self.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def draw_table(self, table: tables.Table, widths: tuple[float, ...], numeric_from: int, size: float = 8) -> None:
        """A bordered table; columns from `numeric_from` on are right-aligned numbers."""
        self.set_font(FAMILY, "", size)
        aligns = tuple("L" if i < numeric_from else "R" for i in range(len(table.headers)))
        with self.table(
            col_widths=widths, text_align=aligns, line_height=size * 0.55, first_row_as_headings=True,
            headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL), repeat_headings=1,
        ) as pdf_table:
            pdf_table.row([str(h) for h in table.headers])
            for row in table.rows:
                pdf_table.row([_cell(v) for v in row])


def _cell(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return number_format(value, 2)
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value, LOCAL_TZ), "d/m/Y H:i")
    return str(value)


def index_report(*, root: Agency, period: Period, index: dict[str, Any], ranking: list[dict[str, Any]],
                 now: datetime) -> bytes:
    """The report as PDF bytes."""
    made = date_format(timezone.localtime(now, LOCAL_TZ), "d/m/Y H:i")
    pdf = ReportPdf(footer_text=_("Tỉnh số — báo cáo Bộ chỉ số phục vụ, lập lúc %(at)s") % {"at": made})
    pdf.set_title(_("Báo cáo Bộ chỉ số phục vụ người dân, doanh nghiệp"))
    pdf.add_page()

    pdf.set_font(FAMILY, "B", 15)
    pdf.multi_cell(0, 8, _("Báo cáo Bộ chỉ số phục vụ người dân, doanh nghiệp"), align="C",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "I", 9)
    pdf.multi_cell(0, 5, _("Theo Quyết định 766/QĐ-TTg; số liệu tính trực tiếp từ hồ sơ trên Tỉnh số"), align="C",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FAMILY, "", 10)
    for label, value in (
        (_("Cơ quan"), f"{root.name} ({root.code})"),
        (_("Kỳ"), f"{period_label(period, get_language() or 'vi')}  ({date_format(period.first_month, 'd/m/Y')} – "
                  f"{date_format(period.end_month - timedelta(days=1), 'd/m/Y')})"),
        (_("Lập lúc"), made),
    ):
        pdf.set_font(FAMILY, "B", 10)
        pdf.cell(30, 6, label)
        pdf.set_font(FAMILY, "", 10)
        pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")

    total = index["total_score"]
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 20)
    pdf.set_text_color(179, 38, 30)
    pdf.cell(0, 12, _("Tổng điểm: %(total)s / %(max)s") % {"total": _cell(total), "max": _cell(index["max_score"])},
             align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    unmeasured = index.get("unmeasured_points") or 0
    if unmeasured:
        pdf.set_font(FAMILY, "I", 10)
        pdf.cell(0, 6, _("%(x)s/%(y)s điểm chưa có số liệu") % {"x": _cell(unmeasured), "y": _cell(index["max_score"])},
                 align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.heading(_("Kết quả giải quyết hồ sơ"))
    progress = next((m for g in index["groups"] for m in g["metrics"] if m["code"] == "PROGRESS"), None) or {}
    received = progress.get("denominator") or 0
    on_time = progress.get("numerator") or 0
    figures = tables.Table("", "", [_("Hồ sơ tiếp nhận"), _("Đúng hạn"), _("Trễ hạn"), _("Tỷ lệ đúng hạn (%)")],
                           [[received, on_time, received - on_time, progress.get("ratio")]])
    pdf.draw_table(figures, (45, 45, 45, 47), numeric_from=0, size=9)

    pdf.heading(_("Điểm theo nhóm"))
    pdf.draw_table(tables.groups_table(index), (92, 30, 30, 30), numeric_from=1, size=9)

    pdf.heading(_("Chỉ tiêu"))
    metrics = tables.metrics_table(index, agency_code=root.code, period_key=period.key)
    # Drop the group column (the groups table says it) and the metric code (a reader goes by the
    # name; the CSV keeps the code for machines); a metric without data says so, apart from a 0.
    measured = [m.get("has_data", True) for g in index["groups"] for m in g["metrics"]]
    metrics.headers = metrics.headers[2:]
    metrics.rows = [r[2:5] + [r[5], r[6] if data else _("chưa có số liệu")] + r[7:]
                    for r, data in zip(metrics.rows, measured, strict=True)]
    pdf.draw_table(metrics, (84, 14, 14, 15, 20, 15, 20), numeric_from=1, size=6.5)

    if ranking:
        pdf.heading(_("Xếp hạng đơn vị trực thuộc"))
        table = tables.Table("", "", [_("Hạng"), _("Mã"), _("Cơ quan"), _("Tổng điểm"), _("Hạng kỳ trước"), _("Thay đổi")],
                             [[r["rank"], r["agency"]["code"], r["agency"]["name"], r["total"],
                               r["previous_rank"], _movement(r["movement"])] for r in ranking])
        pdf.draw_table(table, (14, 24, 76, 22, 24, 22), numeric_from=3, size=8)
    return bytes(pdf.output())


def _movement(value: int | None) -> str:
    if value is None:
        return "—"
    if value > 0:
        return f"▲ {value}"
    if value < 0:
        return f"▼ {-value}"
    return "="
