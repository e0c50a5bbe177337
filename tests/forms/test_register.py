"""Form 07, the register of an agency for a period: HTML, PDF (A4 landscape) and XLSX."""

from __future__ import annotations

import io
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.factories import citizen, finish, sign
from tests.forms.test_forms import NATIONAL, dump, pdf_text
from tinhso.dossiers import services as s
from tinhso.dossiers.forms.register import RegisterPeriod, register_pdf
from tinhso.dossiers.models import Channel, Dossier, Status

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MARCH = "?from=2026-03-01&to=2026-04-01"


def _receive(world, agency, principal, at, name):
    return s.dossier_receive(principal=principal, procedure=world.procedure, agency=agency, channel=Channel.COUNTER,
                             applicant=citizen(name=name), at=at).dossier


@pytest.fixture
def registers(world):
    """Three dossiers received by the commune in March (one finished late, one refused), one in
    February and one at the other commune in March."""
    march = [
        _receive(world, world.commune, world.reception, datetime(2026, 3, 2, 10, 0, tzinfo=VN), "Nguyễn Văn An"),
        _receive(world, world.commune, world.reception, datetime(2026, 3, 16, 8, 30, tzinfo=VN), "Trần Thị Bình"),
        _receive(world, world.commune, world.reception, datetime(2026, 3, 31, 16, 59, tzinfo=VN), "Lê Văn Cường"),
    ]
    code = march[0].code
    s.dossier_forward(principal=world.specialist, code=code, at=datetime(2026, 3, 3, 9, 0, tzinfo=VN))
    s.dossier_forward(principal=world.head, code=code, at=datetime(2026, 3, 3, 10, 0, tzinfo=VN))
    s.dossier_approve(principal=world.leader, code=code, at=datetime(2026, 3, 4, 9, 0, tzinfo=VN))
    sign(principal=world.leader, code=code, at=datetime(2026, 3, 4, 10, 0, tzinfo=VN))
    finish(principal=world.clerk, code=code, at=datetime(2026, 3, 6, 9, 0, tzinfo=VN))
    s.dossier_refuse(principal=world.reception, code=march[1].code, reason="Sai thẩm quyền.",
                     at=datetime(2026, 3, 16, 9, 0, tzinfo=VN))
    february = _receive(world, world.commune, world.reception, datetime(2026, 2, 27, 9, 0, tzinfo=VN), "Phạm Văn Dũng")
    elsewhere = _receive(world, world.other_commune, world.other_reception, datetime(2026, 3, 10, 9, 0, tzinfo=VN),
                         "Hoàng Thị Én")
    return march, february, elsewhere


def test_register_html_lists_the_period_of_the_agency_only(world, client, registers):
    march, february, elsewhere = registers
    client.force_login(world.reception.user)
    response = client.get(f"/forms/register/{world.commune.code}/{MARCH}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "SỔ THEO DÕI HỒ SƠ" in html and NATIONAL in html and "A4 landscape" in html
    assert "Từ ngày 01/03/2026 đến ngày 31/03/2026" in html
    for d in march:
        assert d.code in html
    assert february.code not in html and elsewhere.code not in html
    # Late: the one finished after its due, and the one still open long after its due.
    assert "Tổng cộng: 3 hồ sơ; đúng hạn, trước hạn hoặc trong hạn: 0; quá hạn: 2." in html
    assert f'/forms/register/{world.commune.code}.pdf?from=2026-03-01&amp;to=2026-04-01' in html
    assert "data-print" in html


def test_register_pdf(world, client, registers):
    march, february, elsewhere = registers
    client.force_login(world.reception.user)
    response = client.get(f"/forms/register/{world.commune.code}.pdf{MARCH}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "inline" in response["Content-Disposition"]
    dump("register.pdf", response.content)
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)  # A4 landscape
    text = pdf_text(response.content)
    assert NATIONAL in text and "SỔ THEO DÕI HỒ SƠ" in text
    for d in march:
        assert d.code in text and d.applicant_name in text
    assert "Trần Thị Bình" in text and "Không tiếp nhận" in text and "Quá hạn" in text
    assert february.code not in text and elsewhere.code not in text
    assert "05/03/2026 10:00" in text  # the first dossier's due moment, local time


def test_register_xlsx_reads_back(world, client, registers):
    march, february, elsewhere = registers
    client.force_login(world.reception.user)
    response = client.get(f"/forms/register/{world.commune.code}.xlsx{MARCH}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(wb.active.iter_rows(values_only=True))
    heading = next(i for i, r in enumerate(rows) if r and r[0] == "TT")
    body = [r for r in rows[heading + 1:] if r and isinstance(r[0], int)]
    assert [r[1] for r in body] == [d.code for d in march]
    assert [r[3] for r in body] == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
    first = body[0]

    def wall(*args: int) -> datetime:  # XLSX cells hold local wall-clock times
        return datetime(*args, tzinfo=VN).replace(tzinfo=None)

    assert first[4] == wall(2026, 3, 2, 10, 0) and first[5] == wall(2026, 3, 5, 10, 0)
    assert first[6] == wall(2026, 3, 6, 9, 0) and first[9] == "Quá hạn"
    assert body[1][8] == "Không tiếp nhận" and body[1][9] in ("", None)


def test_register_scope(world, client, registers):
    """An officer of another commune gets 404; a province leader sees the commune's register."""
    client.force_login(world.other_reception.user)
    for suffix in ("/", ".pdf", ".xlsx"):
        response = client.get(f"/forms/register/{world.commune.code}{suffix}{MARCH}")
        assert response.status_code == 404
    assert "Không tìm thấy cơ quan H44.100" in client.get(f"/forms/register/{world.commune.code}/{MARCH}").content.decode()
    assert client.get(f"/forms/register/H99.999/{MARCH}").status_code == 404
    client.force_login(world.province_leader.user)
    assert client.get(f"/forms/register/{world.commune.code}/{MARCH}").status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?from=2026-03-01", "Bắt buộc"),
        ("?from=01/03/2026&to=2026-04-01", "không phải ngày dạng YYYY-MM-DD"),
        ("?from=2026-04-01&to=2026-03-01", "phải sau ngày bắt đầu"),
        ("?from=2020-01-01&to=2026-01-01", "tối đa"),
    ],
)
def test_register_bad_period_is_400(world, client, query, message):
    client.force_login(world.reception.user)
    for suffix in ("/", ".pdf", ".xlsx"):
        response = client.get(f"/forms/register/{world.commune.code}{suffix}{query}")
        assert response.status_code == 400
        html = response.content.decode()
        assert "Khoảng thời gian của sổ theo dõi không hợp lệ." in html and message in html


def test_register_of_thousands_is_paginated(world, django_assert_max_num_queries):
    """3 000 dossiers: the PDF runs over many pages with the heading row repeated, in bounded
    queries (streamed), in a few seconds."""
    start = datetime(2026, 3, 2, 8, 0, tzinfo=VN)
    Dossier.objects.bulk_create(
        Dossier(
            code=f"{world.commune.code}-260302-{i:04d}", procedure=world.procedure, receiving_agency=world.commune,
            handling_agency=world.commune, channel=Channel.COUNTER, status=Status.RECEIVED, applicant_type="citizen",
            applicant_name=f"Người nộp số {i}", received_at=start + timedelta(minutes=i),
            due_at=start + timedelta(days=3, minutes=i),
        )
        for i in range(1, 3001)
    )
    period = RegisterPeriod(agency=world.commune, start=start.date(), end=start.date() + timedelta(days=5))
    began = time.perf_counter()
    with django_assert_max_num_queries(10):
        content = register_pdf(period)
    elapsed = time.perf_counter() - began
    dump("register-3000.pdf", content)
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) > 30
    last = reader.pages[-1].extract_text()
    assert "Tên thủ tục hành chính" in last and f"{world.commune.code}-260302-3000" in last
    assert "Tổng cộng: 3000 hồ sơ" in " ".join(last.split())
    print(f"register PDF: 3000 rows, {len(reader.pages)} pages, {len(content)} bytes, {elapsed:.2f} s")
    assert elapsed < 30, elapsed


def test_register_page_is_capped_but_says_so(world, client, registers, monkeypatch):
    """The HTML page stops at its row limit and points to the PDF/XLSX for the whole register."""
    from tinhso.workspace import form_views

    monkeypatch.setattr(form_views, "HTML_ROW_LIMIT", 2)
    march = registers[0]
    client.force_login(world.reception.user)
    html = client.get(f"/forms/register/{world.commune.code}/{MARCH}").content.decode()
    assert march[0].code in html and march[1].code in html and march[2].code not in html
    assert "chỉ hiển thị 2 trong 3 hồ sơ" in html
