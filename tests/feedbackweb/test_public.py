"""The public pages: filing with phone verification, the public list and report page (no phone,
no e-mail, masked names), and the reporter's satisfaction survey."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from tests.feedback.conftest import file_report
from tests.feedbackweb.conftest import last_code
from tinhso.feedback import services as fs
from tinhso.feedback.models import Report, SmsMessage

NEW = "/phan-anh/gui/"
PHONE = "0987654321"


def _form(**overrides) -> dict[str, str]:
    data = {
        "category": "chieu-sang", "description": "Đèn đường trước số 12 Hùng Vương bị hỏng ba ngày nay.",
        "commune": "07900", "address": "12 Hùng Vương", "latitude": "", "longitude": "",
        "reporter_name": "Trần Thị Bình", "reporter_phone": PHONE, "reporter_email": "binh@example.vn",
        "is_public": "on",
    }
    data.update(overrides)
    return data


def _verify(client: Client, phone: str = PHONE) -> None:
    sent = client.post(NEW, {"reporter_phone": phone, "otp_send": "1"}, HTTP_HX_REQUEST="true")
    assert sent.status_code == 200
    assert "Đã gửi mã xác minh" in sent.content.decode()
    checked = client.post(NEW, {"reporter_phone": phone, "otp_code": last_code(phone), "otp_check": "1"},
                          HTTP_HX_REQUEST="true")
    assert "đã được xác minh" in checked.content.decode()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def test_form_lists_active_categories_and_the_province_communes(categories):
    page = Client().get(NEW).content.decode()
    assert "Chiếu sáng công cộng" in page and 'value="07900"' in page and "Phường Nông Trang" in page
    assert "Dùng vị trí của tôi" in page
    assert "leaflet" not in page  # no tile server configured → no map


def test_map_only_with_a_tile_server(categories, settings):
    settings.TINHSO_MAP_TILES_URL = "https://tiles.tinh.example/{z}/{x}/{y}.png"
    page = Client().get(NEW).content.decode()
    assert "vendor/leaflet/leaflet.js" in page and "tiles.tinh.example" in page


def test_web_filing_without_otp_is_refused_and_keeps_the_values(categories):
    response = Client().post(NEW, _form())
    assert response.status_code == 422
    page = response.content.decode()
    assert "Cần xác minh số điện thoại" in page
    assert 'id="id_reporter_phone-error"' in page  # the message sits next to the phone field
    assert "Hùng Vương bị hỏng ba ngày nay" in page and 'value="12 Hùng Vương"' in page
    assert not Report.objects.exists()


def test_web_filing_with_the_sms_code_creates_a_routed_report(categories):
    w = categories
    client = Client()
    _verify(client)
    response = client.post(NEW, {**_form(), "photos": [io.BytesIO(_png())]})
    assert response.status_code == 302 and response["Location"] == "/phan-anh/gui/xong/"
    report = Report.objects.get()
    assert (report.channel, report.phone_verified, report.agency, report.status) == ("web", True, w.commune, "assigned")
    assert report.photos.count() == 1
    done = client.get(response["Location"]).content.decode()
    assert report.code in done and f"/phan-anh/khao-sat/{report.survey_token}/" in done
    assert timezone.localtime(report.due_at).strftime("%d/%m/%Y") in done


def test_wrong_code_does_not_verify_and_another_phone_is_not_verified(categories):
    client = Client()
    client.post(NEW, {"reporter_phone": PHONE, "otp_send": "1"}, HTTP_HX_REQUEST="true")
    wrong = "000000" if last_code(PHONE) != "000000" else "111111"
    checked = client.post(NEW, {"reporter_phone": PHONE, "otp_code": wrong, "otp_check": "1"}, HTTP_HX_REQUEST="true")
    assert "Mã không đúng" in checked.content.decode()
    _verify(client)
    response = client.post(NEW, _form(reporter_phone="0912000111"))  # not the phone that was verified
    assert response.status_code == 422 and "Cần xác minh số điện thoại" in response.content.decode()
    ok = client.post(NEW, _form(reporter_phone="098 765 4321"))  # the same number, typed with spaces
    assert ok.status_code == 302


def test_otp_without_htmx_redraws_the_whole_form(categories):
    response = Client().post(NEW, {**_form(), "otp_send": "1"})
    page = response.content.decode()
    assert "Đã gửi mã xác minh" in page and "Hùng Vương bị hỏng ba ngày nay" in page
    assert SmsMessage.objects.filter(phone=PHONE).count() == 1


def test_otp_rate_limit_is_shown(categories, settings):
    settings.TINHSO_OTP_MAX_PER_PHONE = 1
    client = Client()
    client.post(NEW, {"reporter_phone": PHONE, "otp_send": "1"}, HTTP_HX_REQUEST="true")
    again = client.post(NEW, {"reporter_phone": PHONE, "otp_send": "1"}, HTTP_HX_REQUEST="true")
    assert again.status_code == 200
    assert "Vui lòng thử lại sau" in again.content.decode()
    bad = client.post(NEW, {"reporter_phone": "12ab", "otp_send": "1"}, HTTP_HX_REQUEST="true")
    assert "không hợp lệ" in bad.content.decode()


def test_bad_input_puts_errors_next_to_fields(categories):
    client = Client()
    _verify(client)
    response = client.post(NEW, _form(category="", description="ngắn", commune="", address="", latitude="48.85",
                                      longitude="2.35"))
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_category-error"' in page
    response = client.post(NEW, _form(description="ngắn", latitude="48.85", longitude="2.35"))
    page = response.content.decode()
    assert 'id="id_description-error"' in page and 'id="id_latitude-error"' in page
    assert 'value="48.85"' in page and "Trần Thị Bình" in page and not Report.objects.exists()


def test_public_list_never_shows_phones_or_emails(categories):
    named = file_report(reporter_email="binh@example.vn")
    anonymous = file_report(reporter_name="Lê Văn Cường", reporter_phone="0911222333", anonymous=True)
    private = file_report(description="Phản ánh riêng tư, không công khai ở đâu cả.", is_public=False)
    page = Client().get("/phan-anh/").content.decode()
    for secret in ("0987654321", "0911222333", "binh@example.vn", "Trần Thị Bình", "Lê Văn Cường"):
        assert secret not in page
    assert "T*** T** Bình" in page and "Ẩn danh" in page
    assert named.code in page and anonymous.code in page and private.code not in page
    detail = Client().get(f"/phan-anh/{named.pk}/").content.decode()
    assert "0987654321" not in detail and "binh@example.vn" not in detail
    assert Client().get(f"/phan-anh/{private.pk}/").status_code == 404


def test_public_list_filters(categories):
    lighting = file_report()
    roads = file_report(category_code="duong-cau", commune_code="07901")
    page = Client().get("/phan-anh/", {"category": "duong-cau"}).content.decode()
    assert roads.code in page and lighting.code not in page
    page = Client().get("/phan-anh/", {"commune": "07900"}).content.decode()
    assert lighting.code in page and roads.code not in page
    page = Client().get("/phan-anh/", {"status": "answered"}).content.decode()
    assert lighting.code not in page and "Chưa có phản ánh công khai nào" in page


def test_public_page_shows_the_answer_but_not_private_notes(categories):
    w = categories
    report = file_report(photos=[_png()])
    fs.report_note(principal=w.specialist, report_id=report.pk, note="Ghi chú nội bộ: gọi đội điện lực")
    fs.report_answer(principal=w.specialist, report_id=report.pk, answer="Đã thay bóng đèn mới.")
    page = Client().get(f"/phan-anh/{report.pk}/").content.decode()
    assert "Đã thay bóng đèn mới." in page and "gọi đội điện lực" not in page
    photo = report.photos.get()
    response = Client().get(f"/phan-anh/{report.pk}/anh/{photo.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


@pytest.mark.parametrize("answer, status, satisfied", [("yes", "closed", True), ("no", "reopened", False)])
def test_survey_yes_closes_no_reopens(categories, answer, status, satisfied):
    w = categories
    report = file_report(at=timezone.now() - timedelta(days=2))
    url = f"/phan-anh/khao-sat/{report.survey_token}/"
    assert "Câu trả lời có làm bạn hài lòng?" not in Client().get(url).content.decode()  # not answered yet
    fs.report_answer(principal=w.specialist, report_id=report.pk, answer="Đã xử lý xong.")
    assert "Câu trả lời có làm bạn hài lòng?" in Client().get(url).content.decode()
    response = Client().post(url, {"satisfied": answer, "comment": "cảm ơn"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.satisfied) == (status, satisfied)
    again = Client().post(url, {"satisfied": "yes"})
    assert again.status_code == 409
    assert "không chờ đánh giá" in again.content.decode() or "đã trả lời khảo sát" in again.content.decode()


def test_survey_unknown_token_is_404(categories):
    assert Client().get("/phan-anh/khao-sat/khong-co/").status_code == 404


def test_pages_switch_to_english(categories):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/phan-anh/gui/"})
    page = client.get(NEW).content.decode()
    assert "Report a problem" in page and "Use my location" in page and "Street lighting" in page
    assert "Did the answer satisfy you?" not in page
