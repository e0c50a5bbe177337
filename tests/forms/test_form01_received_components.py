"""Form 01 lists exactly what was handed in: each component with its quantity under Bản chính,
Bản sao có chứng thực or Bản sao, and whether it came on paper or electronically — in HTML and PDF."""

from __future__ import annotations

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from tests.factories import ProcedureFactory, citizen
from tinhso.dossiers import services as s
from tinhso.dossiers.components import ComponentReceipt
from tinhso.dossiers.forms import build_form
from tinhso.dossiers.forms.pdf import form_pdf
from tinhso.dossiers.models import Channel

VN = ZoneInfo("Asia/Ho_Chi_Minh")
COMPONENTS = ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "Văn bản ủy quyền (nếu ủy quyền)",
              "Biên bản về việc trẻ bị bỏ rơi (nếu có)"]


@pytest.fixture
def dossier(world):
    procedure = ProcedureFactory(code="1.001193", name="Đăng ký khai sinh", components=COMPONENTS)
    return s.dossier_receive(
        principal=world.reception, procedure=procedure, agency=world.commune, channel=Channel.COUNTER,
        applicant=citizen(), at=datetime(2026, 3, 2, 10, 0, tzinfo=VN),
        components=[ComponentReceipt(1), ComponentReceipt(2, 2, "certified_copy"),
                    ComponentReceipt(3, 1, "copy", "electronic")],
    ).dossier


def test_the_table_has_the_official_columns_and_only_what_was_received(dossier):
    table = next(b for b in build_form(dossier, "01").blocks if b.kind == "table")
    assert [c[0] for c in table.columns] == [
        "TT", "Thành phần hồ sơ", "Bản chính", "Bản sao có chứng thực", "Bản sao", "Hình thức"]
    assert table.rows == [
        ["1", "Tờ khai đăng ký khai sinh", "01", "", "", "Giấy"],
        ["2", "Giấy chứng sinh", "", "02", "", "Giấy"],
        ["3", "Văn bản ủy quyền (nếu ủy quyền)", "", "", "01", "Điện tử"],
    ]


def test_the_html_receipt_lists_them(dossier, client, world):
    client.force_login(world.reception.user)
    html = client.get(f"/forms/{dossier.code}/01/").content.decode()
    assert re.search(r"<td[^>]*>Giấy chứng sinh</td>\s*<td[^>]*></td>\s*<td[^>]*>02</td>", html)
    assert "Bản sao có chứng thực" in html
    assert "trẻ bị bỏ rơi" not in html


def test_the_pdf_receipt_lists_them(dossier, client, world):
    client.force_login(world.reception.user)
    response = client.get(f"/forms/{dossier.code}/01.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))
    for expected in ("Giấy chứng sinh", "Văn bản ủy quyền", "Bản chính", "Điện tử", "02"):
        assert expected in text, expected
    assert "bỏ rơi" not in text
    assert form_pdf(build_form(dossier, "01")).startswith(b"%PDF")
