"""A reception officer receives a dossier at the counter in a real browser against a real server
(`tinhso serve`), and the receipt (form 01) comes out as a PDF carrying the dossier code."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
TINHSO = Path(sys.executable).with_name("tinhso")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
MAKE_USER = """
from django.contrib.auth import get_user_model
from tinhso.agencies.models import Agency, StaffRole
user = get_user_model().objects.create_user("quay1", password="matkhau-123", first_name="Lan", last_name="Nguyễn Thị")
StaffRole.objects.create(user=user, agency=Agency.objects.get(code="H44.100"), role="reception")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run([str(TINHSO), *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"tinhso {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


def _wait_healthy(base: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/api/v1/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("the server did not answer /api/v1/health in time")


@pytest.fixture
def live_server_url(tmp_path: Path) -> Iterator[str]:
    env = {
        **os.environ,
        "TINHSO_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "TINHSO_ENV": "development",
        "DEBUG": "0",
    }
    env.pop("TEST_DATABASE_NAME", None)
    _run(["setup", "--verbosity", "0"], env)
    _run(["import", "agencies", str(REPO / "src/tinhso/data/agencies-phu-tho.csv")], env)
    _run(["shell", "-c", MAKE_USER], env)
    port = _free_port()
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - closed in finally
    server = subprocess.Popen(
        [str(TINHSO), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, server)
        yield base
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        log.close()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
def test_counter_receipt_in_a_real_browser(live_server_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = live_server_url
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(f"{base}/dang-nhap/")
            page.fill("#id_username", "quay1")
            page.fill("#id_password", "matkhau-123")
            page.click("button[type=submit]:has-text('Đăng nhập')")
            page.wait_for_url(f"{base}/ho-so/")
            expect(page.locator(".who-name")).to_contain_text("Lan")

            page.goto(f"{base}/tiep-nhan/")
            page.select_option("#id_procedure", "1.000894")
            appointment = page.locator("#appointment strong")
            expect(appointment).to_be_visible()
            assert "/" in appointment.inner_text()
            for box in page.locator("input[name=documents]").all():
                box.check()
            page.screenshot(path=str(tmp_path / "counter.png"), full_page=True)
            page.fill("#id_applicant_name", "Phạm Minh Đức")
            page.fill("#id_applicant_id_number", "025095001111")
            page.fill("#id_applicant_birth_date", "1995-03-08")
            page.fill("#id_applicant_address", "Phường Việt Trì, Phú Thọ")
            page.fill("#id_applicant_phone", "0912000111")
            page.click("button[type=submit]:has-text('Tiếp nhận và cấp mã hồ sơ')")
            page.wait_for_url(f"{base}/ho-so/H44.100-*/?received=1")
            code = page.locator("h1.code").inner_text().strip()
            assert code.startswith("H44.100-")
            page.screenshot(path=str(tmp_path / "dossier.png"), full_page=True)

            receipt = page.locator("a", has_text="In giấy tiếp nhận (mẫu 01)")
            pdf = context.request.get(base + receipt.get_attribute("href"))
            assert pdf.status == 200
            assert pdf.headers["content-type"].startswith("application/pdf")
            body = pdf.body()
            assert body.startswith(b"%PDF")
            from io import BytesIO

            from pypdf import PdfReader

            text = "".join(pg.extract_text() for pg in PdfReader(BytesIO(body)).pages)
            assert code in text

            html_href = page.locator("a", has_text="Xem bản HTML").get_attribute("href")
            form_page = context.new_page()
            form_page.goto(base + html_href)
            expect(form_page.locator("body")).to_contain_text(code)
            form_page.screenshot(path=str(tmp_path / "form01.png"), full_page=True)

            # Received and passed on: no longer waiting for reception, but among the agency's open dossiers.
            page.goto(f"{base}/ho-so/")
            page.get_by_role("link", name="Tất cả hồ sơ đang giải quyết").first.click()
            expect(page.locator("table.inbox")).to_contain_text(code)
            page.screenshot(path=str(tmp_path / "inbox.png"), full_page=True)

            public = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
            mobile = public.new_page()
            mobile.goto(f"{base}/tra-cuu/?code={code}")
            expect(mobile.locator(".tracking-result")).to_contain_text("P*** M*** Đức")
            assert "025095001111" not in mobile.content()
            mobile.screenshot(path=str(tmp_path / "tracking.png"), full_page=True)
        finally:
            browser.close()
