"""The payment notice (thông báo nộp phí, lệ phí) of a dossier that entered status 6, "payment
requested", as a PDF drawn with fpdf2 and the embedded DejaVu fonts (`dossiers.forms.pdf`).

It tells the applicant what to pay and how: the agency, the procedure, the dossier code, the
amount still due, the receiving account and the VietQR code whose purpose is the dossier code,
and when the agency asked. Nothing personal beyond the masked name, so it can be downloaded with
the dossier's code, like the tracking page and the receipt; the applicant's space and the
officer's page link to the same file.
"""

from __future__ import annotations

import io

from django.utils import timezone

from tinhso.core.codes import mask_name
from tinhso.dossiers.forms.data import fmt_money
from tinhso.dossiers.forms.pdf import A5, FAMILY, FormPdf
from tinhso.dossiers.models import Dossier
from tinhso.payments import vietqr
from tinhso.payments.banks import bank_by_bin
from tinhso.payments.selectors import PaymentStatus, dossier_payment

QR_SIZE = 42.0  # millimetres


def payment_notice_pdf(dossier: Dossier) -> bytes:
    """The notice of a dossier whose payment was requested (the caller checks `notice_issued`)."""
    view = dossier_payment(dossier)
    asked = dossier.events.filter(action="request_payment").order_by("-at", "-id").first()
    pdf = FormPdf(format=A5, footer_text=f"Thông báo nộp phí, lệ phí — hồ sơ {dossier.code}")
    pdf.set_title(f"Thông báo nộp phí, lệ phí — {dossier.code}")
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 10)
    pdf.multi_cell(0, 5, dossier.receiving_agency.name.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 13)
    pdf.multi_cell(0, 7, "THÔNG BÁO NỘP PHÍ, LỆ PHÍ", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    def line(label: str, value: str, style: str = "") -> None:
        pdf.set_font(FAMILY, style, 9.5)
        pdf.multi_cell(0, 5.5, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")

    line("Mã hồ sơ", dossier.code, "B")
    line("Thủ tục", dossier.procedure.name)
    line("Người nộp hồ sơ", mask_name(dossier.applicant_name))
    if asked is not None:
        line("Ngày thông báo", f"{timezone.localtime(asked.at):%H:%M ngày %d/%m/%Y}")
    line("Phí, lệ phí", fmt_money(view.fee_due))
    if view.status == PaymentStatus.PAID:
        line("Tình trạng", "Đã nộp đủ" + (" (ngân hàng đã xác nhận)" if view.online else ""), "B")
    else:
        if view.received:
            line("Đã nhận", fmt_money(view.received))
        line("Số tiền còn phải nộp", fmt_money(view.amount), "B")
    if view.payload is not None and view.account is not None:
        bank = bank_by_bin(view.account.bank_bin)
        line("Tài khoản nhận", f"{view.account.account_number} — {view.account.account_name}"
                               + (f" ({bank.short_name})" if bank is not None else ""))
        line("Nội dung chuyển khoản", vietqr.purpose_for(dossier.code), "B")
        pdf.ln(2)
        x = (pdf.w - QR_SIZE) / 2
        pdf.image(io.BytesIO(vietqr.png(view.payload)), x=x, y=pdf.get_y(), w=QR_SIZE, h=QR_SIZE)
        pdf.set_y(pdf.get_y() + QR_SIZE + 1)
        pdf.set_font(FAMILY, "I", 8)
        pdf.multi_cell(0, 4.5, "Quét mã VietQR bằng ứng dụng ngân hàng; giữ nguyên nội dung chuyển khoản (mã hồ sơ) "
                               "để hệ thống tự đối soát.", align="C", new_x="LMARGIN", new_y="NEXT")
    elif view.status != PaymentStatus.PAID:
        line("Nơi nộp", "Bộ phận tiếp nhận và trả kết quả")
    pdf.ln(4)
    pdf.set_font(FAMILY, "I", 8)
    pdf.multi_cell(0, 4.5, "Thời gian thực hiện nghĩa vụ tài chính không tính vào thời hạn giải quyết hồ sơ; "
                           "hồ sơ được tiếp tục giải quyết khi phí, lệ phí đã được nộp đủ.")
    out = io.BytesIO()
    pdf.output(out)
    return out.getvalue()
