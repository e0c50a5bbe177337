"""The result PDF drawn from the dossier when the specialist uploaded none (fpdf2, the forms'
DejaVu faces): the issuing agency, the result's number and name, the applicant and the dossier
code — the page the leader's signature then makes an electronic original."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.dossiers.forms.pdf import FAMILY, FormPdf

if TYPE_CHECKING:
    from tinhso.dossiers.models import Dossier


def result_document_name(dossier: Dossier) -> str:
    return _("Kết quả giải quyết thủ tục: %(procedure)s") % {"procedure": dossier.procedure.name}


def result_pdf(dossier: Dossier, *, at: datetime | None = None) -> bytes:
    at = timezone.localtime(at or timezone.now())
    pdf = FormPdf(footer_text=_("Hồ sơ %(code)s") % {"code": dossier.code})
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 11)
    pdf.multi_cell(0, 6, dossier.handling_agency.name.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 10)
    pdf.multi_cell(0, 6, _("Số: %(number)s") % {"number": dossier.result_number or "—"}, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, _("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM — Độc lập - Tự do - Hạnh phúc"), align="R",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, _("ngày %(d)02d tháng %(m)02d năm %(y)d") % {"d": at.day, "m": at.month, "y": at.year},
                   align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.draw_title(result_document_name(dossier).upper(), size=13)
    pdf.set_font(FAMILY, "", 11)
    for label, value in (
        (_("Người nộp hồ sơ"), dossier.applicant_name),
        (_("Mã hồ sơ"), dossier.code),
        (_("Thủ tục"), f"{dossier.procedure.code} — {dossier.procedure.name}"),
        (_("Nội dung"), dossier.summary or "—"),
    ):
        pdf.multi_cell(0, 7, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(0, 7, _("Văn bản điện tử này được ký số; quét mã QR trên chữ ký để xác thực."),
                   new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
