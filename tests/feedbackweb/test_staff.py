"""Officers' pages: the scoped list, the actions each role may take (and only those), the hotline
screen and the leaders' overview."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from tests.feedback.conftest import file_report
from tests.feedbackweb.conftest import signed_in
from tinhso.feedback import services as fs
from tinhso.feedback.models import Report, ReportEvent


def _actions(client: Client, report: Report) -> set[str]:
    page = client.get(f"/phan-anh/xu-ly/{report.pk}/").content.decode()
    return set(re.findall(r'data-action="([a-z_]+)"', page))


def _act(client: Client, report: Report, action: str, **fields: str):
    report.refresh_from_db()
    data = {f"{action}-version": str(report.version), **{f"{action}-{k}": v for k, v in fields.items()}}
    return client.post(f"/phan-anh/xu-ly/{report.pk}/{action}/", data, follow=True)


def test_inbox_lists_my_reports_open_first_with_marks(categories):
    w = categories
    now = timezone.now()
    late = file_report(at=now - timedelta(days=30))
    fresh = file_report(at=now)
    elsewhere = file_report(commune_code="07901")  # routed to the province: not the commune's
    done = file_report(at=now - timedelta(days=3))
    fs.report_answer(principal=w.specialist, report_id=done.pk, answer="Đã xử lý.")
    page = signed_in(w.specialist).get("/phan-anh/xu-ly/").content.decode()
    assert late.code in page and fresh.code in page and elsewhere.code not in page
    assert done.code not in page  # answered: not open
    assert page.index(late.code) < page.index(fresh.code)
    assert "row-overdue" in page
    everything = signed_in(w.specialist).get("/phan-anh/xu-ly/", {"status": "all"}).content.decode()
    assert done.code in everything
    found = signed_in(w.specialist).get("/phan-anh/xu-ly/", {"q": fresh.code, "status": "all"}).content.decode()
    assert fresh.code in found and late.code not in found


def test_actions_offered_follow_role_and_status(categories):
    w = categories
    report = file_report()
    assert _actions(signed_in(w.reception), report) == {"start", "answer", "note"}
    assert _actions(signed_in(w.specialist), report) == {"start", "answer", "note", "transfer", "reject"}
    assert _actions(signed_in(w.head), report) == {"start", "answer", "note", "transfer", "reject"}
    fs.report_answer(principal=w.specialist, report_id=report.pk, answer="Đã xử lý.")
    assert _actions(signed_in(w.head), report) == {"note", "close"}
    assert _actions(signed_in(w.specialist), report) == {"note"}


def test_officer_works_a_report_through(categories):
    w = categories
    report = file_report()
    client = signed_in(w.specialist)
    page = _act(client, report, "start")
    assert "Đã thực hiện" in page.content.decode()
    _act(client, report, "note", note="Đã gọi đội điện lực")
    page = _act(client, report, "answer", answer="Đã thay bóng đèn.")
    report.refresh_from_db()
    assert report.status == "answered" and report.public_answer == "Đã thay bóng đèn."
    assert "Ghi chú nội bộ" in page.content.decode() and "Đã gọi đội điện lực" in page.content.decode()
    assert not ReportEvent.objects.get(report=report, action="note").is_public
    closed = _act(signed_in(w.head), report, "close")
    assert closed.status_code == 200
    report.refresh_from_db()
    assert report.status == "closed"


def test_a_role_cannot_take_an_action_it_is_not_offered(categories):
    w = categories
    report = file_report()
    page = _act(signed_in(w.reception), report, "reject", reason="duplicate", note="trùng")
    assert "không được thực hiện" in page.content.decode()
    report.refresh_from_db()
    assert report.status == "assigned"


def test_stale_version_and_bad_form_become_messages(categories):
    w = categories
    report = file_report()
    client = signed_in(w.specialist)
    stale = client.post(f"/phan-anh/xu-ly/{report.pk}/start/", {"start-version": "99"}, follow=True)
    assert "Người khác vừa thao tác" in stale.content.decode()
    empty = client.post(f"/phan-anh/xu-ly/{report.pk}/answer/", {"answer-version": str(report.version)}, follow=True)
    assert "Chưa thực hiện" in empty.content.decode()
    assert client.post(f"/phan-anh/xu-ly/{report.pk}/nope/", {}).status_code == 404


def test_transfer_and_reject(categories):
    w = categories
    first, second = file_report(), file_report()
    moved = _act(signed_in(w.head), first, "transfer", to_agency=str(w.department.pk), reason="Thuộc Sở")
    assert moved.redirect_chain[-1][0] == "/phan-anh/xu-ly/"  # no longer mine
    first.refresh_from_db()
    assert first.agency == w.department
    _act(signed_in(w.head), second, "reject", reason="duplicate", note=f"Trùng {first.code}")
    second.refresh_from_db()
    assert (second.status, second.reject_reason) == ("rejected", "duplicate")


def test_out_of_scope_is_404(categories):
    w = categories
    report = file_report()
    other = signed_in(w.other_reception)
    assert other.get(f"/phan-anh/xu-ly/{report.pk}/").status_code == 404
    assert other.post(f"/phan-anh/xu-ly/{report.pk}/start/", {"start-version": "1"}).status_code == 404
    assert report.code not in other.get("/phan-anh/xu-ly/").content.decode()
    assert Client().get("/phan-anh/xu-ly/").status_code == 302  # sign in first


def test_personal_data_is_shown_to_handlers_only(categories):
    w = categories
    report = file_report()
    assert "0987654321" in signed_in(w.specialist).get(f"/phan-anh/xu-ly/{report.pk}/").content.decode()
    viewer_page = signed_in(w.province_viewer).get(f"/phan-anh/xu-ly/{report.pk}/").content.decode()
    assert "0987654321" not in viewer_page and "098****321" in viewer_page


def test_hotline_files_with_channel_hotline_and_shows_the_code(categories):
    w = categories
    earlier = file_report(reporter_phone="0912000111")
    client = signed_in(w.reception)
    response = client.post("/phan-anh/tong-dai/", {
        "caller_phone": "0912 000 111", "caller_name": "Phạm Văn Đông", "category": "rac-ve-sinh",
        "commune": "07900", "address": "Chợ Việt Trì", "description": "Rác tồn đọng ba ngày ở cổng chợ.",
        "is_public": "on",
    })
    assert response.status_code == 302
    report = Report.objects.exclude(pk=earlier.pk).get()
    assert (report.channel, report.reporter_phone, report.agency) == ("hotline", "0912000111", w.commune)
    assert ReportEvent.objects.get(report=report, action="submit").actor == w.reception.user
    page = client.get(response["Location"]).content.decode()
    assert report.code in page and "Cuộc gọi mới" in page
    assert earlier.code in page  # the caller's previous reports
    history = client.get("/phan-anh/tong-dai/lich-su/", {"caller_phone": "0912000111"}).content.decode()
    assert earlier.code in history and report.code in history


def test_hotline_bad_input_and_roles(categories):
    w = categories
    client = signed_in(w.reception)
    response = client.post("/phan-anh/tong-dai/", {"caller_phone": "0912000111", "category": "rac-ve-sinh",
                                                  "description": "ngắn"})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_description-error"' in page and 'id="id_address-error"' in page  # no location
    assert signed_in(w.specialist).get("/phan-anh/tong-dai/").status_code == 403


def test_overview_numbers_and_csv(categories):
    w = categories
    now = timezone.now()
    late = file_report(at=now - timedelta(days=40))
    file_report(at=now)
    file_report(category_code="duong-cau", at=now)
    answered = file_report(at=now)
    fs.report_answer(principal=w.specialist, report_id=answered.pk, answer="Xong.")
    fs.report_rate(survey_token=answered.survey_token, satisfied=True)
    client = signed_in(w.leader)
    page = client.get("/phan-anh/tong-quan/").content.decode()
    assert re.search(r'id="kpi-open">\s*3<', page) and re.search(r'id="kpi-overdue">\s*1<', page)
    # this month: 3 reports (the late one was received 40 days ago), 3 on time, 1 satisfied
    assert re.search(r'id="kpi-ontime">100.0%<', page)
    assert re.search(r'id="kpi-satisfied">33.3%<', page)
    assert late.code in page  # among the oldest open
    rows = list(csv.reader(io.StringIO(client.get("/phan-anh/tong-quan/", {"csv": "category"}).content.decode("utf-8-sig"))))
    assert rows[0] == ["Lĩnh vực", "Đang mở", "Quá hạn"]
    assert ["Chiếu sáng công cộng", "2", "1"] in rows and ["Đường sá, cầu cống", "1", "0"] in rows
    agency_rows = list(csv.reader(io.StringIO(client.get("/phan-anh/tong-quan/", {"csv": "agency"}).content.decode("utf-8-sig"))))
    assert agency_rows[1] == [w.commune.name, w.commune.code, "3", "1"]
    other = signed_in(w.other_reception).get("/phan-anh/tong-quan/").content.decode()
    assert re.search(r'id="kpi-open">\s*0<', other)
    panel = client.get("/phan-anh/tong-quan/bang-dieu-hanh/").content.decode()
    assert "<strong>3</strong>" in panel
