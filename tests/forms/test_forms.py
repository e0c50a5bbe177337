"""Forms 01–06 as HTML pages and A5 PDFs, for dossiers driven through the services."""

from __future__ import annotations

import io
import os
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.factories import citizen, finish, sign
from tinhso.dossiers import services as s
from tinhso.dossiers.forms import build_form
from tinhso.dossiers.forms.pdf import form_pdf
from tinhso.dossiers.models import Channel, Dossier

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=VN)
NATIONAL = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
PDF_MAGIC = b"%PDF-1.4 minimal test document\n%%EOF\n"


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def dump(name: str, content: bytes) -> None:
    """Set FORMS_DUMP_DIR to keep the PDFs for a look (pdftoppm)."""
    target = os.environ.get("FORMS_DUMP_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        (Path(target) / name).write_bytes(content)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def receive(world, at: datetime = MONDAY_10, **applicant) -> Dossier:
    return s.dossier_receive(
        principal=world.reception,
        procedure=world.procedure,
        agency=world.commune,
        channel=Channel.COUNTER,
        applicant=citizen(address="Số 5 đường Hùng Vương, phường Việt Trì", **applicant),
        uploads=[s.Upload("Tờ khai", "to-khai.pdf", PDF_MAGIC)],
        at=at,
    ).dossier


def dossier_in_state(world, form: str) -> Dossier:
    """A dossier moved through the services into the state where `form` is issued."""
    d = receive(world)
    code = d.code
    if form == "02":
        s.dossier_request_supplement(
            principal=world.specialist, code=code, reason="Tờ khai thiếu chữ ký của hai bên.",
            documents=["Tờ khai đăng ký kết hôn có đủ chữ ký", "Giấy xác nhận tình trạng hôn nhân"],
            at=datetime(2026, 3, 2, 14, 0, tzinfo=VN),
        )
    elif form == "03":
        s.dossier_refuse(principal=world.reception, code=code, reason="Không thuộc thẩm quyền giải quyết của phường.",
                         at=datetime(2026, 3, 2, 10, 30, tzinfo=VN))
    elif form == "04":
        s.dossier_extend(principal=world.head, code=code, new_due_at=datetime(2026, 3, 10, 16, 0, tzinfo=VN),
                         reason="Cần xác minh thêm tại nơi cư trú.", at=datetime(2026, 3, 3, 9, 0, tzinfo=VN))
    elif form == "05":
        s.dossier_stop(principal=world.head, code=code, reason="Người nộp đề nghị dừng giải quyết.",
                       at=datetime(2026, 3, 3, 9, 0, tzinfo=VN))
    elif form == "06":
        s.dossier_forward(principal=world.specialist, code=code, note="Đủ điều kiện", at=datetime(2026, 3, 2, 15, 0, tzinfo=VN))
        s.dossier_forward(principal=world.head, code=code, at=datetime(2026, 3, 3, 9, 0, tzinfo=VN))
        s.dossier_approve(principal=world.leader, code=code, at=datetime(2026, 3, 4, 9, 0, tzinfo=VN))
        sign(principal=world.leader, code=code, at=datetime(2026, 3, 4, 10, 0, tzinfo=VN))
        # Finished after the due moment (Thursday 10:00): late.
        finish(principal=world.clerk, code=code, at=datetime(2026, 3, 5, 15, 0, tzinfo=VN))
        s.dossier_return(principal=world.reception, code=code, at=datetime(2026, 3, 6, 8, 0, tzinfo=VN))
    return Dossier.objects.get(code=code)


# What each form must say besides the code, the applicant and the national header.
EXPECTED = {
    "01": ["GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Đăng ký kết hôn", "3 ngày làm việc", "10 giờ 00 phút, ngày 05 tháng 03 năm 2026",
           "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "025090001234", "50.000 đồng"],
    "02": ["PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Tờ khai thiếu chữ ký của hai bên.",
           "Giấy xác nhận tình trạng hôn nhân", "NGƯỜI HƯỚNG DẪN"],
    "03": ["PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "Không thuộc thẩm quyền giải quyết của phường."],
    "04": ["XIN LỖI", "Cần xác minh thêm tại nơi cư trú.", "10 giờ 00 phút, ngày 05 tháng 03 năm 2026",
           "16 giờ 00 phút, ngày 10 tháng 03 năm 2026"],
    "05": ["THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "Người nộp đề nghị dừng giải quyết.", "ngày 05 tháng 03 năm 2026"],
    "06": ["PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "Quá hạn", "Trả kết quả cho người nộp", "05/03/2026"],
}


@pytest.mark.parametrize("form", sorted(EXPECTED))
def test_form_pdf_says_what_the_dossier_says(world, client, form):
    """The A5 PDF of each form carries the code, the applicant, the due date and intact diacritics."""
    d = dossier_in_state(world, form)
    client.force_login(world.reception.user)
    response = client.get(f"/forms/{d.code}/{form}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{d.code}-mau-{form}.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (420, 595)  # A5 portrait in points
    text = pdf_text(response.content)
    dump(f"mau-{form}.pdf", response.content)
    assert d.code in text
    assert "Nguyễn Văn An" in text
    assert NATIONAL in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "UBND PHƯỜNG VIỆT TRÌ" in text and "Việt Trì, ngày" in text
    assert "TT01/2018 (tên 2025: TT03/2025)" in text
    for expected in EXPECTED[form]:
        assert expected in text, expected


@pytest.mark.parametrize("form", sorted(EXPECTED))
def test_form_html_page(world, client, form):
    """The printable page shows the form, a print button hidden when printing and a link to the PDF."""
    d = dossier_in_state(world, form)
    client.force_login(world.reception.user)
    response = client.get(f"/forms/{d.code}/{form}/")
    assert response.status_code == 200
    html = response.content.decode()
    dump(f"mau-{form}.html", response.content)
    assert d.code in html and "Nguyễn Văn An" in html and NATIONAL in html
    # The print button is wired by the product's own script (no inline handler: the CSP forbids it).
    assert "<button type=\"button\" data-print>" in html and "@media print" in html
    assert f'href="/forms/{d.code}/{form}.pdf"' in html
    assert "A5 portrait" in html
    assert "<link" not in html  # the styles are inline: a saved page prints the same
    assert re.findall(r'<script src="([^"]+)"', html) == ["/static/tinhso/tinhso.js"]  # nothing from elsewhere
    for expected in EXPECTED[form]:
        assert expected in html, expected


def test_receipt_has_tracking_qr_documents_and_officer(world, client):
    """Form 01: a QR code of the absolute tracking URL, the documents with what was attached,
    the receiving officer's name."""
    d = dossier_in_state(world, "01")
    client.force_login(world.reception.user)
    html = client.get(f"/forms/{d.code}/01/").content.decode()
    assert f"http://testserver/tra-cuu/?code={d.code}" in html
    assert 'src="data:image/png;base64,' in html
    assert re.search(r"<td[^>]*>Tờ khai</td>\s*<td[^>]*>Đã nộp \(bản điện tử\)</td>", html)
    assert re.search(r"<td[^>]*>Giấy tờ tuỳ thân</td>\s*<td[^>]*></td>", html)
    assert world.reception.display_name in html
    document = build_form(d, "01", base_url="http://testserver/")
    pdf = form_pdf(document)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages[0].images) == 1  # the QR code, embedded as an image


def test_form_06_rows_follow_the_history(world):
    """One row per hand-over, in order; on time before the due, late after it."""
    d = dossier_in_state(world, "06")
    table = next(b for b in build_form(d, "06").blocks if b.kind == "table")
    notes = [row[4].split(":")[0] for row in table.rows]
    assert notes == ["Tiếp nhận hồ sơ", "Chuyển bước xử lý", "Chuyển bước xử lý", "Phê duyệt", "Ký kết quả",
                     "Hoàn thành, phát hành kết quả", "Trả kết quả cho người nộp"]
    results = [row[3] for row in table.rows]
    assert results == ["", "Trước hạn", "Trước hạn", "Trước hạn", "Trước hạn", "Quá hạn", "Quá hạn"]
    assert table.rows[0][1].startswith("1. Giao: Người nộp hồ sơ: Nguyễn Văn An")
    assert "Đủ điều kiện" in table.rows[1][4]


def test_form_that_does_not_apply_is_404_with_a_message(world, client):
    d = receive(world)
    client.force_login(world.reception.user)
    for form in ("02", "03", "04", "05"):
        response = client.get(f"/forms/{d.code}/{form}/")
        assert response.status_code == 404
        assert f"Mẫu số {form} không áp dụng cho hồ sơ {d.code}" in response.content.decode()
        assert client.get(f"/forms/{d.code}/{form}.pdf").status_code == 404


def test_unknown_form_number_is_not_routed(world, client):
    d = receive(world)
    client.force_login(world.reception.user)
    assert client.get(f"/forms/{d.code}/07/").status_code == 404
    assert client.get(f"/forms/{d.code}/09.pdf").status_code == 404


def test_out_of_scope_officer_gets_404(world, client):
    d = dossier_in_state(world, "03")
    client.force_login(world.other_reception.user)
    for url in (f"/forms/{d.code}/01/", f"/forms/{d.code}/03.pdf", "/forms/NOPE-260302-0001/01/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Không tìm thấy hồ sơ" in response.content.decode()


def test_anonymous_is_sent_to_login(world, client):
    d = receive(world)
    for url in (f"/forms/{d.code}/01/", f"/forms/{d.code}/01.pdf", "/forms/register/H44.100/?from=2026-03-01&to=2026-04-01"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("workspace:login") + "?next=")


def test_viewer_sees_personal_data_masked(world, client):
    """A province viewer sees the dossier but not the applicant's ID number and phone in full."""
    d = receive(world)
    client.force_login(world.province_viewer.user)
    html = client.get(f"/forms/{d.code}/01/").content.decode()
    assert "*********234" in html and "025090001234" not in html
    assert "0912345678" not in html
