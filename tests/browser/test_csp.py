"""Content-Security-Policy: the main pages load in a real browser under the strict policy
(scripts only from this site, no inline script) with no violation reported, and htmx, ECharts and
the Leaflet map still work. The map's tiles come from a tile server of its own on another port,
which the policy names through `TINHSO_MAP_TILES_URL`."""

from __future__ import annotations

import http.server
import os
import re
import signal
import subprocess
import threading
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

PASSWORD = "matkhau-123"
SETUP = """
from django.contrib.auth import get_user_model
from tinhso.agencies.models import Agency, StaffRole
from tinhso.agencies.principals import Principal
from tinhso.catalogue.models import Procedure
from tinhso.dossiers import services
from tinhso.dossiers.components import ComponentReceipt
commune = Agency.objects.get(code="H44.100")
user = get_user_model().objects.create_user("canbo", password="matkhau-123", first_name="Lan", last_name="Nguyễn Thị")
for role in ("reception", "specialist", "leader"):
    StaffRole.objects.create(user=user, agency=commune, role=role)
procedure = Procedure.objects.order_by("code").first()
receipts = [ComponentReceipt(c.order) for c in procedure.components.order_by("order") if c.is_required]
result = services.dossier_receive(
    principal=Principal.for_user(user), procedure=procedure, agency=commune, channel=1,
    applicant=services.Applicant(type="citizen", name="Trần Văn Bình", id_number="025090001234",
                                 phone="0912 345 678"),
    components=receipts)
print("CODE=" + result.dossier.code)
"""
# A 1×1 transparent PNG: every tile.
TILE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082"
)


class _Tiles(http.server.BaseHTTPRequestHandler):
    served = 0

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).served += 1
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(TILE)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(TILE)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def tiles() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(tmp_path: Path, tiles: str) -> Iterator[tuple[str, str]]:
    env = {
        **os.environ, "TINHSO_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "TINHSO_ENV": "development", "DEBUG": "0", "TINHSO_MAP_TILES_URL": tiles + "/{z}/{x}/{y}.png",
    }
    env.pop("TEST_DATABASE_NAME", None)
    _run(["setup", "--verbosity", "0"], env)
    _run(["import", "agencies", str(REPO / "src/tinhso/data/agencies-phu-tho.csv")], env)
    made = subprocess.run([str(TINHSO), "shell", "-c", SETUP], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert made.returncode == 0, made.stderr
    code = re.search(r"CODE=(\S+)", made.stdout)
    assert code is not None, made.stdout
    port = _free_port()
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen([str(TINHSO), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
                            env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, proc)
        yield base, code[1]
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
def test_main_pages_load_under_the_policy_without_a_violation(site: tuple[str, str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, code = site
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type in {"error", "warning"}
                and ("Content Security Policy" in m.text or "Content-Security-Policy" in m.text) else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.add_init_script("""document.addEventListener("securitypolicyviolation", (e) => {
            console.error("Content Security Policy violation: " + e.violatedDirective + " " + e.blockedURI); });""")

        def visit(path: str) -> None:
            response = page.goto(base + path)
            assert response is not None and response.status == 200, (path, response and response.status)
            policy = response.headers.get("content-security-policy", "")
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src", 1)[1].split(";")[0]
            page.wait_for_load_state("networkidle")

        # Public pages: the tracking page, the feedback form with its map.
        visit("/tra-cuu/")
        page.fill("input[name=code]", code)
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_contain_text(code)
        page.wait_for_load_state("networkidle")
        visit("/phan-anh/gui/")
        page.wait_for_selector(".leaflet-tile-loaded", timeout=15_000)  # tiles from the other origin load

        # Staff pages.
        visit("/dang-nhap/")
        page.fill("#id_username", "canbo")
        page.fill("#id_password", PASSWORD)
        page.press("#id_password", "Enter")
        page.wait_for_url(re.compile(r"/ho-so/"))
        visit("/ho-so/")
        expect(page.locator("main")).to_contain_text(code)
        visit(f"/ho-so/{code}/")
        visit("/tiep-nhan/")
        # htmx still works: choosing a procedure loads its fragment.
        options = page.locator("select[name=procedure] option[value]:not([value=''])")
        if options.count():
            page.select_option("select[name=procedure]", options.first.get_attribute("value"))
            page.wait_for_load_state("networkidle")
        visit("/dieu-hanh/")
        page.wait_for_selector("canvas", timeout=15_000)  # ECharts drew its charts
        clean = list(problems)
        # The watch itself works: an injected inline script is refused and reported.
        page.evaluate("""() => { const s = document.createElement("script");
            s.textContent = "window.injected = 1"; document.body.appendChild(s); }""")
        page.wait_for_timeout(300)
        injected = page.evaluate("() => window.injected")
        browser.close()
    assert clean == []
    assert injected is None and any("script-src" in p for p in problems[len(clean):])
