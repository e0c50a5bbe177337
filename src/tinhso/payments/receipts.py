"""The electronic fee receipt (biên lai thu phí, lệ phí điện tử) of a paid dossier, as a PDF
drawn with fpdf2 and the project's embedded DejaVu fonts (`dossiers.forms.pdf.FormPdf`).

It says who collected what for which dossier and how the bank confirmed it: the agency and its
account, the procedure, the dossier code, the amount (in figures), the payer's masked name, the
bank's reference and the moment of each transfer counted. Nothing else personal, so it can be
downloaded with the dossier's code, like the tracking page.
"""

from __future__ import annotations

import io

from django.utils import timezone

from tinhso.core.codes import mask_name
from tinhso.dossiers.forms.data import fmt_money
from tinhso.dossiers.forms.pdf import A5, FAMILY, FormPdf
from tinhso.dossiers.models import Dossier
from tinhso.payments.banks import bank_by_bin
from tinhso.payments.models import BankTransaction, TransactionState


def receipt_pdf(dossier: Dossier) -> bytes:
    """The receipt of a paid dossier (the caller checks that it is paid)."""
    transfers = list(BankTransaction.objects.filter(dossier=dossier, state=TransactionState.MATCHED)
                     .select_related("fee_account").order_by("occurred_at", "id"))
    pdf = FormPdf(format=A5, footer_text=f"Biên lai điện tử — hồ sơ {dossier.code}")
    pdf.set_title(f"Biên lai thu phí, lệ phí — {dossier.code}")
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 10)
    pdf.multi_cell(0, 5, dossier.receiving_agency.name.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 13)
    pdf.multi_cell(0, 7, "BIÊN LAI THU PHÍ, LỆ PHÍ", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "I", 8.5)
    pdf.multi_cell(0, 5, "(Biên lai điện tử)", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    def line(label: str, value: str) -> None:
        pdf.set_font(FAMILY, "", 9.5)
        pdf.multi_cell(0, 5.5, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")

    paid_at = max((t.occurred_at for t in transfers), default=dossier.updated_at)
    line("Mã hồ sơ", dossier.code)
    line("Thủ tục", dossier.procedure.name)
    line("Người nộp", mask_name(dossier.applicant_name))
    line("Số tiền", f"{fmt_money(dossier.fee_due)}")
    line("Hình thức", "Chuyển khoản (VietQR), ngân hàng xác nhận" if dossier.fee_paid_online else "Nộp tại bộ phận một cửa")
    line("Ngày nộp", f"{timezone.localtime(paid_at):%H:%M ngày %d/%m/%Y}")
    for t in transfers:
        bank = bank_by_bin(t.fee_account.bank_bin) if t.fee_account is not None else None
        where = f"{bank.short_name} " if bank is not None else ""
        line("Giao dịch", f"{fmt_money(t.amount)} vào tài khoản {where}{t.account_number}, "
                          f"mã tham chiếu {t.bank_reference or t.provider_id}, "
                          f"{timezone.localtime(t.occurred_at):%H:%M %d/%m/%Y}")
    excess = sum(t.excess for t in transfers)
    if excess:
        line("Số tiền nộp thừa (sẽ được hoàn trả)", f"{fmt_money(excess)}")
    pdf.ln(6)
    pdf.set_font(FAMILY, "I", 8)
    pdf.multi_cell(0, 4.5, f"Biên lai lập tự động lúc {timezone.localtime():%H:%M ngày %d/%m/%Y} từ giao dịch "
                           "ngân hàng đã đối soát.")
    out = io.BytesIO()
    pdf.output(out)
    return out.getvalue()
