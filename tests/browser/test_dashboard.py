"""A province viewer watches the operations-centre dashboard in a real browser against a real
server (`tinhso serve`): drills down province → commune → metric, and sees the received count
change by itself when a dossier arrives through the API, without reloading the page."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.test_counter_receipt import (
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO,
    TINHSO,
    _free_port,
    _run,
    _wait_healthy,
)

pytestmark = pytest.mark.browser

MAKE_VIEWER = """
from django.contrib.auth import get_user_model
from tinhso.agencies.models import Agency, StaffRole
user = get_user_model().objects.create_user("theodoi1", password="matkhau-123", first_name="Hà", last_name="Lê Thu")
StaffRole.objects.create(user=user, agency=Agency.objects.get(code="H44"), role="viewer")
"""
SHOTS = Path(os.environ.get("TINHSO_SCREENSHOTS", "")) if os.environ.get("TINHSO_SCREENSHOTS") else None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
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
    _run(["shell", "-c", MAKE_VIEWER], env)
    port = _free_port()
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - closed in finally
    process = subprocess.Popen(
        [str(TINHSO), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process)
        yield base, env
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


def _api_key(env: dict[str, str]) -> str:
    result = subprocess.run([str(TINHSO), "apikey", "create", "x", "--agency", "H44.100"], env=env, cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def _required_components(base: str, key: str, procedure: str) -> list[dict[str, int]]:
    """The numbers of the procedure's required components, as a client reads them from the API."""
    request = urllib.request.Request(f"{base}/api/v1/procedures/{procedure}", headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return [{"number": c["number"]} for c in json.load(response)["components"] if c["requirement"] == "required"]


def _receive(base: str, key: str) -> str:
    body = {
        "components": _required_components(base, key, "1.000894"),
        "procedure_code": "1.000894", "agency_code": "H44.100", "channel": 1,
        "applicant": {"type": "citizen", "name": "Đỗ Văn Hùng", "id_number": "025088004321"},
    }
    request = urllib.request.Request(f"{base}/api/v1/dossiers", data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        return json.load(response)["code"]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
def test_dashboard_drill_down_and_live_update(server: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, env = server
    shots = SHOTS or tmp_path
    key = _api_key(env)
    first = _receive(base, key)  # so the commune has a row worth drilling into
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="vi-VN", viewport={"width": 1440, "height": 1000})
            page = context.new_page()
            page.goto(f"{base}/dang-nhap/")
            page.fill("#id_username", "theodoi1")
            page.fill("#id_password", "matkhau-123")
            page.click("button[type=submit]:has-text('Đăng nhập')")
            page.click("a:has-text('Điều hành')")
            page.wait_for_url(f"{base}/dieu-hanh/")
            expect(page.locator("h1.board-title")).to_contain_text("UBND tỉnh Phú Thọ")
            expect(page.locator("#kpi-received")).to_have_text("1")
            expect(page.locator("#chart-trend canvas")).to_be_visible()
            page.wait_for_timeout(1500)  # let the charts finish their animation
            page.screenshot(path=str(shots / "dashboard.png"), full_page=False)

            # province → commune (a row of the ranking) → metric PROGRESS → the dossier's page
            page.click("tr[data-agency='H44.100'] a")
            page.wait_for_url("**/dieu-hanh/?agency=H44.100*")
            expect(page.locator("h1.board-title")).to_contain_text("Việt Trì")
            page.click("details[data-group='progress'] summary")
            page.click("tr[data-metric='PROGRESS'] a")
            page.wait_for_url("**/dieu-hanh/chi-tieu/PROGRESS/?agency=H44.100*")
            expect(page.locator("#metric-denominator")).to_have_text("1")
            expect(page.locator("a:has-text('Tải toàn bộ (CSV)')")).to_be_visible()

            # Back on the commune's dashboard: a dossier arrives through the API, the page follows.
            page.click("a:has-text('Về bảng điều hành')")
            expect(page.locator("#kpi-received")).to_have_text("1")
            page.evaluate("window.__sameDocument = true")
            second = _receive(base, key)
            expect(page.locator("#kpi-received")).to_have_text("2", timeout=10_000)
            expect(page.locator("#kpi-due-soon, #kpi-overdue").first).to_be_visible()
            assert page.evaluate("window.__sameDocument") is True  # updated in place, not reloaded
            assert second != first

            wall = context.new_page()
            wall.set_viewport_size({"width": 1920, "height": 1080})
            wall.goto(f"{base}/dieu-hanh/?wall=1")
            expect(wall.locator("#kpi-received")).to_have_text("2")
            assert wall.locator(".site-header").count() == 0
            wall.wait_for_timeout(800)  # let the charts draw
            wall.screenshot(path=str(shots / "wall.png"))

            public = browser.new_context(locale="vi-VN").new_page()
            public.goto(f"{base}/dieu-hanh/cong-khai/?agency=H44")
            expect(public.locator("#kpi-received")).to_have_text("2")
            assert first not in public.content() and "Đỗ Văn Hùng" not in public.content()
        finally:
            browser.close()
