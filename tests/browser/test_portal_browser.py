"""A signed-out citizen finds a procedure on a phone (390 × 844) in a real browser.

They type "khai sinh" without diacritics into the catalogue's search: the results update in
place (htmx, no page load) and the address follows the query; they open the birth registration,
whose page fits the screen (the components a list, no horizontal scroll), and its
"Nộp trực tuyến" button takes them to the citizens' sign-in page.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from tests.browser.test_counter_receipt import CHROMIUM, CHROMIUM_ARGS
from tinhso.catalogue.services import catalogue_load, read_procedure_rows, sample_catalogue_path

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")]

PHONE = {"width": 390, "height": 844}
NO_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
SCROLL_WIDTH = "document.documentElement.scrollWidth"


@pytest.fixture
def sample(world) -> None:
    catalogue_load(rows=read_procedure_rows(sample_catalogue_path()))


def test_find_and_open_a_procedure_on_a_phone(live_server, sample):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN")
            csp_errors: list[str] = []
            page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
            page.goto(f"{live_server.url}{reverse('portal:catalogue')}")
            expect(page.locator("#portal-count")).to_contain_text("35 thủ tục")
            assert page.evaluate(NO_SCROLL), page.evaluate(SCROLL_WIDTH)
            # A marker on the window: a full page load would wipe it.
            page.evaluate("() => { window.__stayed = true; }")

            page.locator("#q").press_sequentially("khai sinh", delay=40)
            expect(page.locator("#portal-results .procedure-item").first).to_contain_text("khai sinh")
            expect(page.locator("#portal-count")).not_to_contain_text("35 thủ tục")
            assert page.evaluate("() => window.__stayed === true"), "the results came with a page reload"
            names = page.locator("#portal-results .procedure-name").all_inner_texts()
            assert "Thủ tục đăng ký khai sinh" in names and "Thủ tục đăng ký khai tử" not in names
            page.wait_for_function("() => location.search.includes('q=khai')")
            assert parse_qs(urlparse(page.url).query)["q"] == ["khai sinh"]
            assert page.evaluate(NO_SCROLL), page.evaluate(SCROLL_WIDTH)

            page.get_by_role("link", name="Thủ tục đăng ký khai sinh", exact=True).click()
            page.wait_for_url("**/dich-vu-cong/1.001193/")
            expect(page.locator("h1")).to_have_text("Thủ tục đăng ký khai sinh")
            expect(page.locator(".portal-components")).to_contain_text("Giấy chứng sinh")
            # a list, not a wide table: each component is a row of its own, as wide as the screen at most
            widths = page.eval_on_selector_all(".portal-component", "els => els.map(e => e.getBoundingClientRect().right)")
            assert widths and max(widths) <= PHONE["width"], widths
            assert page.evaluate(NO_SCROLL), page.evaluate(SCROLL_WIDTH)
            button = page.locator("#submit-online")
            expect(button).to_be_visible()
            box = button.bounding_box()
            assert box is not None and box["height"] >= 48 and box["width"] <= PHONE["width"]

            button.click()
            page.wait_for_url(f"**{reverse('citizen:login')}**")
            assert urlparse(page.url).path == reverse("citizen:login")
            assert reverse("citizen:submit", kwargs={"procedure_code": "1.001193"}) in parse_qs(
                urlparse(page.url).query).get("next", [""])[0]
            assert not csp_errors, csp_errors
        finally:
            browser.close()
