"""A citizen looks a dossier up on a phone (375 px wide) in a real browser: the code typed as a
phone keyboard gives it (lower case, spaces), the notices (missing papers and the paused clock,
a refusal's reason, the rating form) fit the screen — no horizontal scroll."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.test_counter_receipt import CHROMIUM, CHROMIUM_ARGS
from tests.factories import citizen, finish, sign
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")]

PHONE = {"width": 375, "height": 740}
NO_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _receive(world):
    return s.dossier_receive(
        principal=world.reception, procedure=world.procedure, agency=world.commune, channel=Channel.COUNTER,
        applicant=citizen(id_number="025090001234", name="Nguyễn Thị Minh Khai Phương"),
        at=timezone.now() - timedelta(days=40),
    ).dossier


@pytest.fixture
def dossiers(world):
    waiting = _receive(world)
    s.dossier_request_supplement(
        principal=world.reception, code=waiting.code,
        reason="Bản sao giấy khai sinh bị mờ, không đọc được số định danh và ngày cấp; đề nghị nộp lại bản rõ",
        documents=["Giấy khai sinh (bản sao có chứng thực từ sổ gốc hoặc bản sao điện tử có chứng thực)",
                   "Văn bản uỷ quyền có công chứng hoặc chứng thực theo quy định của pháp luật"],
        at=timezone.now() - timedelta(days=39),
    )
    refused = _receive(world)
    s.dossier_refuse(principal=world.reception, code=refused.code,
                     reason="Thủ tục không thuộc thẩm quyền giải quyết của Uỷ ban nhân dân phường " * 3)
    returned = _receive(world)
    s.dossier_forward(principal=world.specialist, code=returned.code)
    s.dossier_forward(principal=world.head, code=returned.code)
    s.dossier_approve(principal=world.leader, code=returned.code)
    sign(principal=world.leader, code=returned.code, result_number="12/QĐ-UBND", result_kind="paper")
    finish(principal=world.clerk, code=returned.code)
    s.dossier_return(principal=world.reception, code=returned.code)
    return {"waiting": waiting.code, "refused": refused.code, "returned": returned.code}


def test_tracking_on_a_phone(live_server, dossiers):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN")
            page.goto(f"{live_server.url}/tra-cuu/")
            assert page.evaluate(NO_SCROLL)
            agency, day, seq = dossiers["waiting"].split("-")
            page.fill("#code", f"{agency.lower()} {day} {seq}")  # as typed on a phone
            page.click("form[role=search] button[type=submit]")
            page.wait_for_selector(".tracking-notice")
            assert page.inner_text("#result-title") == dossiers["waiting"]
            notice = page.inner_text(".tracking-notice")
            assert "Văn bản uỷ quyền" in notice and "tạm dừng" in notice
            assert page.evaluate(NO_SCROLL), page.evaluate("document.documentElement.scrollWidth")

            for code in (dossiers["refused"], dossiers["returned"]):
                page.goto(f"{live_server.url}/tra-cuu/?code={code}")
                assert page.inner_text("#result-title") == code
                assert page.evaluate(NO_SCROLL), (code, page.evaluate("document.documentElement.scrollWidth"))
            assert page.is_visible("input[name=last4]")  # the rating form of the returned one
        finally:
            browser.close()
