"""Citizen feedback end to end in a real browser against a real server (`tinhso serve`): a citizen
files a report with phone verification (the code read from the SMS the console backend recorded),
an officer answers it, and the citizen says the answer satisfied them."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.test_counter_receipt import CHROMIUM, CHROMIUM_ARGS, REPO, TINHSO, _run, _wait_healthy

pytestmark = pytest.mark.browser

PHONE = "0987654321"
SETUP = """
from django.contrib.auth import get_user_model
from tinhso.agencies.models import Agency, StaffRole
from tinhso.feedback.models import Category
commune = Agency.objects.get(code="H44.100")
Category.objects.update(agency=commune)
user = get_user_model().objects.create_user("chuyenvien1", password="matkhau-123", first_name="Hà", last_name="Trần Thu")
StaffRole.objects.create(user=user, agency=commune, role="specialist")
StaffRole.objects.create(user=user, agency=commune, role="reception")
"""
LAST_CODE = f"""
from tinhso.feedback.models import SmsMessage
print("CODE=" + SmsMessage.objects.filter(phone="{PHONE}").order_by("-pk").first().body)
"""


def _shell(code: str, env: dict[str, str]) -> str:
    result = subprocess.run([str(TINHSO), "shell", "-c", code], env=env, cwd=REPO, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    import os
    import signal
    import socket

    env = {
        **os.environ, "TINHSO_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "TINHSO_ENV": "development", "DEBUG": "0", "TINHSO_MAP_TILES_URL": "",
    }
    env.pop("TEST_DATABASE_NAME", None)
    _run(["setup", "--verbosity", "0"], env)
    _run(["import", "agencies", str(REPO / "src/tinhso/data/agencies-phu-tho.csv")], env)
    _shell(SETUP, env)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        [str(TINHSO), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc)
        yield base, env
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
def test_citizen_reports_officer_answers_citizen_rates(server: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, env = server
    shots = Path(env.get("TINHSO_SCREENSHOTS", tmp_path))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            citizen = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
            page = citizen.new_page()
            page.goto(f"{base}/phan-anh/gui/")
            page.select_option("#id_category", "chieu-sang")
            page.fill("#id_description", "Đèn đường trước số 12 Hùng Vương bị hỏng ba ngày nay.")
            commune = page.locator("#id_commune option", has_text="Việt Trì").first.get_attribute("value")
            page.select_option("#id_commune", commune)
            page.fill("#id_address", "12 Hùng Vương")
            page.fill("#id_reporter_name", "Trần Thị Bình")
            page.fill("#id_reporter_phone", PHONE)
            page.click("button[name=otp_send]")
            expect(page.locator("#otp-block")).to_contain_text("Đã gửi mã xác minh")
            code = re.search(r"\b(\d{6})\b", _shell(LAST_CODE, env))[1]
            page.fill("#id_otp_code", code)
            page.click("button[name=otp_check]")
            expect(page.locator("#otp-block")).to_contain_text("đã được xác minh")
            page.screenshot(path=str(shots / "feedback-form.png"), full_page=True)
            page.click("button[type=submit]:has-text('Gửi phản ánh')")
            page.wait_for_url(f"{base}/phan-anh/gui/xong/")
            report_code = page.locator(".report-code").inner_text().strip()
            assert re.fullmatch(r"PA\d{7}", report_code)
            page.screenshot(path=str(shots / "feedback-submitted.png"), full_page=True)
            tracking = page.locator("a.tracking-link").get_attribute("href")

            officer = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
            desk = officer.new_page()
            desk.goto(f"{base}/dang-nhap/")
            desk.fill("#id_username", "chuyenvien1")
            desk.fill("#id_password", "matkhau-123")
            desk.click("button[type=submit]:has-text('Đăng nhập')")
            desk.wait_for_url(f"{base}/ho-so/")
            desk.click("nav a:has-text('Phản ánh')")
            desk.wait_for_url(f"{base}/phan-anh/xu-ly/")
            desk.screenshot(path=str(shots / "feedback-inbox.png"), full_page=True)
            desk.click(f"a:has-text('{report_code}')")
            desk.click("summary:has-text('Trả lời')")
            desk.fill("#id_answer-answer", "Đã thay bóng đèn mới, đèn sáng trở lại từ tối nay.")
            desk.click("button:has-text('Xác nhận: Trả lời')")
            expect(desk.locator(".messages")).to_contain_text("Đã thực hiện")
            expect(desk.locator(".status")).to_contain_text("Đã trả lời")
            desk.screenshot(path=str(shots / "feedback-officer.png"), full_page=True)

            page.goto(tracking)
            expect(page.locator(".survey")).to_contain_text("Câu trả lời có làm bạn hài lòng?")
            page.screenshot(path=str(shots / "feedback-survey.png"), full_page=True)
            page.check("input[name=satisfied][value=yes]")
            page.click("button:has-text('Gửi đánh giá')")
            expect(page.locator(".messages")).to_contain_text("Cảm ơn")
            expect(page.locator(".status")).to_contain_text("Đã đóng")

            desk.goto(f"{base}/phan-anh/tong-quan/")
            expect(desk.locator("#kpi-open")).to_have_text("0")
            expect(desk.locator("#table-category")).to_have_count(0)
            desk.goto(f"{base}/phan-anh/tong-dai/")
            desk.fill("#id_caller_phone", PHONE)
            expect(desk.locator("#caller-history")).to_contain_text(report_code)
            desk.select_option("#id_category", "rac-ve-sinh")
            desk.select_option("#id_commune", commune)
            desk.fill("#id_description", "Rác tồn đọng ba ngày ở cổng chợ Việt Trì.")
            desk.click("button:has-text('Ghi nhận phản ánh')")
            expect(desk.locator(".hotline-done")).to_contain_text("PA")
            desk.screenshot(path=str(shots / "feedback-hotline.png"), full_page=True)
            desk.goto(f"{base}/phan-anh/tong-quan/")
            expect(desk.locator("#kpi-open")).to_have_text("1")
            desk.wait_for_function("document.querySelector('#category-chart canvas') !== null")
            desk.screenshot(path=str(shots / "feedback-overview.png"), full_page=True)

            page.goto(f"{base}/phan-anh/")
            expect(page.locator(".report-cards")).to_contain_text(report_code)
            expect(page.locator(".report-cards")).to_contain_text("T*** T** Bình")
            assert PHONE not in page.content()
            page.screenshot(path=str(shots / "feedback-public.png"), full_page=True)
        finally:
            browser.close()
