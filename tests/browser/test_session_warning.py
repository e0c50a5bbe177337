"""A short working day in a real browser: the page warns before the session ends, "Tiếp tục làm
việc" keeps it, and when it does end the text the officer typed survives the sign-in again."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import citizen
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_warning_keep_working_and_expiry_keep_what_was_typed(transactional_db, live_server, settings, world):
    from playwright.sync_api import expect, sync_playwright

    settings.TINHSO_STAFF_SESSION_SECONDS = 14
    settings.TINHSO_SESSION_WARNING_SECONDS = 6
    d = s.dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                          channel=Channel.COUNTER, applicant=citizen()).dossier
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(locale="vi-VN")
        page.goto(f"{live_server.url}/dang-nhap/?next=/ho-so/{d.code}/")
        page.fill("#id_username", "truongphong")
        page.fill("#id_password", "matkhau-123")
        page.click("main form button[type=submit]")
        page.wait_for_url(f"**/ho-so/{d.code}/")
        banner = page.locator("#session-warning")
        expect(banner).to_be_hidden()

        # A few seconds before the end: the warning, then "keep working" keeps the session.
        expect(banner.locator("[data-session-warning]")).to_be_visible(timeout=12_000)
        banner.locator("[data-session-keep]").click()
        expect(banner).to_be_hidden()
        page.wait_for_timeout(9_000)  # beyond the first deadline
        assert page.evaluate("fetch('/phien/').then(r => r.json())")["seconds_left"] > 0

        # The officer types an extension's reason and leaves it: the session ends.
        page.click("details[data-action=extend] summary")
        page.fill("input[name=extend-new_due_at]", "2027-01-04T10:00")
        page.fill("textarea[name=extend-reason]", "Cần xác minh thêm với UBND xã")
        expect(banner.locator("[data-session-ended]")).to_be_visible(timeout=20_000)

        # Sending the form now leads through the sign-in page, which says why …
        page.locator("details[data-action=extend] form").evaluate("form => form.requestSubmit()")
        page.wait_for_url("**/dang-nhap/**")
        expect(page.locator("[data-session-expired]")).to_contain_text("Phiên làm việc đã hết hạn")
        page.fill("#id_username", "truongphong")
        page.fill("#id_password", "matkhau-123")
        page.click("main form button[type=submit]")

        # … and back on the dossier's page the typed reason is there again.
        page.wait_for_url(f"**/ho-so/{d.code}/")
        expect(page.locator("textarea[name=extend-reason]")).to_have_value("Cần xác minh thêm với UBND xã")
        expect(page.locator("input[name=extend-new_due_at]")).to_have_value("2027-01-04T10:00")
        expect(page.locator("#session-restored")).to_be_visible()
        browser.close()
