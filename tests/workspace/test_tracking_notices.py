"""The public tracking page tells the citizen what their notice said: what is missing and the
paused clock (form 02), the reason of a refusal (03), the apology and new date (04), the reason
of a stop (05) or a withdrawal; and it finds a code however it is typed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import citizen
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel, Dossier, Status
from tinhso.workcalendar.selectors import calendar_for_agency

URL = "/tra-cuu/"


def _receive(world, at=None) -> Dossier:
    return s.dossier_receive(
        principal=world.reception, procedure=world.procedure, agency=world.commune, channel=Channel.COUNTER,
        applicant=citizen(id_number="025090001234", name="Nguyễn Văn An", phone="0912345678"), at=at,
    ).dossier


def _return(world, d: Dossier) -> None:
    """Through every step to the result handed back (a paper result, so no file is needed)."""
    s.dossier_forward(principal=world.specialist, code=d.code)
    s.dossier_forward(principal=world.head, code=d.code)
    s.dossier_approve(principal=world.leader, code=d.code)
    s.dossier_sign(principal=world.leader, code=d.code, result_number="12/QĐ-UBND", result_kind="paper")
    s.dossier_finish(principal=world.clerk, code=d.code)
    s.dossier_return(principal=world.reception, code=d.code)


def _page(code: str) -> str:
    response = Client().get(URL, {"code": code})
    assert response.status_code == 200
    return response.content.decode()


def _no_personal_data(body: str, d: Dossier) -> None:
    assert "Nguyễn Văn An" not in body and "025090001234" not in body and "0912345678" not in body


def test_a_dossier_waiting_for_a_supplement_shows_what_is_missing_and_the_paused_clock(world):
    long_ago = timezone.now() - timedelta(days=60)
    d = _receive(world, at=long_ago)
    s.dossier_request_supplement(
        principal=world.reception, code=d.code, reason="Bản sao giấy khai sinh bị mờ",
        documents=["Giấy khai sinh (bản sao có chứng thực)", "Sổ hộ khẩu"], at=long_ago + timedelta(hours=2),
    )
    d.refresh_from_db()
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.due_at < timezone.now()
    body = _page(d.code)
    assert "Giấy khai sinh (bản sao có chứng thực)" in body and "Sổ hộ khẩu" in body
    assert "Bản sao giấy khai sinh bị mờ" in body
    since = timezone.localtime(d.paused_at).strftime("%H:%M %d/%m/%Y")
    assert "đang tạm dừng từ " + since in body
    # the old appointment, now in the past, is not shown as the due date, nor is it "overdue"
    assert timezone.localtime(d.due_at).strftime("%H:%M %d/%m/%Y") not in body
    assert "Quá hạn" not in body
    _no_personal_data(body, d)
    assert world.reception.display_name not in body  # no officer's name either


def test_a_refused_dossier_shows_the_reason(world):
    d = _receive(world)
    s.dossier_refuse(principal=world.reception, code=d.code, reason="Thủ tục không thuộc thẩm quyền của phường")
    body = _page(d.code)
    assert "Thủ tục không thuộc thẩm quyền của phường" in body
    assert "không tiếp nhận, giải quyết hồ sơ" in body
    assert "Ngày hẹn trả" not in body
    _no_personal_data(body, d)


def test_an_extended_dossier_shows_the_apology_and_the_new_date(world):
    d = _receive(world)
    s.dossier_forward(principal=world.specialist, code=d.code)
    calendar = calendar_for_agency(world.commune)
    new_due = calendar.add_working_seconds(d.due_at, 5 * 8 * 3600)
    old_due = d.due_at
    s.dossier_extend(principal=world.head, code=d.code, new_due_at=new_due, reason="Cần xác minh thêm với Sở Tư pháp")
    body = _page(d.code)
    assert "xin lỗi" in body
    assert "Cần xác minh thêm với Sở Tư pháp" in body
    assert timezone.localtime(new_due).strftime("%H:%M %d/%m/%Y") in body
    assert timezone.localtime(old_due).strftime("%H:%M %d/%m/%Y") in body  # struck through, as before


def test_a_stopped_dossier_shows_the_reason(world):
    d = _receive(world)
    s.dossier_stop(principal=world.head, code=d.code, reason="Người nộp đã mất năng lực hành vi dân sự")
    body = _page(d.code)
    assert "dừng giải quyết hồ sơ" in body and "Người nộp đã mất năng lực hành vi dân sự" in body
    assert "Ngày có kết quả" not in body


def test_a_withdrawn_dossier_shows_the_reason(world):
    d = _receive(world)
    s.dossier_withdraw(principal=world.reception, code=d.code, reason="Người nộp xin rút để bổ sung giấy tờ")
    body = _page(d.code)
    assert "Hồ sơ đã được rút" in body and "Người nộp xin rút để bổ sung giấy tờ" in body


def test_a_running_dossier_has_no_notice_and_shows_its_appointment(world):
    d = _receive(world)
    body = _page(d.code)
    assert "tracking-notice" not in body
    assert timezone.localtime(d.due_at).strftime("%H:%M %d/%m/%Y") in body


@pytest.mark.parametrize("typed", [
    "{code}", "{lower}", " {spaced} ", "{undashed}", "{endash}",
])
def test_a_code_is_found_however_it_is_typed(world, typed):
    d = _receive(world)
    agency, day, seq = d.code.split("-")
    text = typed.format(code=d.code, lower=d.code.lower(), spaced=f"{agency} - {day} - {seq}",
                        undashed=d.code.replace("-", ""), endash=d.code.replace("-", "\u2013"))
    body = _page(text)
    assert "Không tìm thấy" not in body
    assert f'<h2 id="result-title" class="code">{d.code}</h2>' in body
    assert f'value="{d.code}"' in body  # the box now holds the code as printed


def test_the_rating_form_works_with_a_code_typed_loosely(world):
    d = _receive(world)
    _return(world, d)
    response = Client().post(reverse("workspace:tracking"),
                             {"code": d.code.lower(), "last4": "1234", "rating": "satisfied"})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.rating == "satisfied"


def test_too_many_wrong_digits_give_a_429_page_with_a_vietnamese_message(world, settings):
    settings.TINHSO_RATING_MAX_FAILURES_PER_DOSSIER = 2
    d = _receive(world)
    _return(world, d)
    client = Client()
    for _ in range(2):
        assert client.post(URL, {"code": d.code, "last4": "0000", "rating": "satisfied"}).status_code == 422
    blocked = client.post(URL, {"code": d.code, "last4": "1234", "rating": "satisfied"})
    assert blocked.status_code == 429
    body = blocked.content.decode()
    assert "Đã nhập sai bốn chữ số quá nhiều lần" in body and "phút" in body
    assert "<html" in body  # the whole page, with the form and the dossier, not a bare error
    assert d.code in body
    d.refresh_from_db()
    assert d.rating == ""
