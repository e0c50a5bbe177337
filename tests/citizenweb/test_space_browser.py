"""The citizen's space on a phone (390 × 844) in a real browser: home, the generated submission
form, a dossier waiting for a supplement and the document store fit the screen (no horizontal
scroll), every input has a label, and a submission with a stored and an uploaded file goes through
by touch."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.browser.test_counter_receipt import CHROMIUM, CHROMIUM_ARGS
from tests.citizenweb.test_space import make_citizen, pdf, store, submitted
from tinhso.dossiers import services as ds
from tinhso.dossiers.models import Dossier

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
NO_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
# Inputs (not hidden) without a label that names them.
UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name)"""
# Buttons and inputs in the page's content shorter than a finger (44 px).
SMALL_TARGETS = """() => [...document.querySelectorAll('main button, main input:not([type=hidden]):not([type=radio])'
  + ':not([type=checkbox]), main select, main a[role=button], main label.choice')]
  .filter(e => e.getBoundingClientRect().height < 44).map(e => e.outerHTML.slice(0, 80))"""


@pytest.fixture
def setting(world):
    second = world.procedure.components.order_by("order")[1]
    second.document_type = "cccd"
    second.save()
    lan = make_citizen("cd-lan", name="Nguyễn Thị Minh Khai Phương", id_number="025190001101", phone="0912000101")
    waiting = submitted(world, lan, world.procedure)
    ds.dossier_accept(principal=world.reception, code=waiting.code)
    ds.dossier_request_supplement(principal=world.specialist, code=waiting.code,
                                  reason="Ảnh căn cước bị mờ, không đọc được số định danh và ngày cấp " * 2,
                                  documents=["Căn cước (ảnh chụp rõ hai mặt, không bị loá, đủ bốn góc)"])
    store(lan, "giay-khai-sinh-ban-sao-co-chung-thuc-tu-so-goc", document_type="giay_khai_sinh")
    client = Client()
    client.force_login(lan.user)
    card = lan.documents.get(document_type="cccd")
    return {"citizen": lan, "waiting": waiting.code, "card": card.pk,
            "session": client.cookies[settings.SESSION_COOKIE_NAME].value}


def test_the_citizen_space_on_a_phone(live_server, world, setting, tmp_path):
    from playwright.sync_api import sync_playwright

    shots = Path("/tmp/h5web-shots")
    shots.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN")
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": setting["session"],
                                  "url": live_server.url}])
            page = context.new_page()
            pages = {
                "home": "/cong-dan/",
                "submit": f"/cong-dan/nop/{world.procedure.code}/",
                "dossier": f"/cong-dan/ho-so/{setting['waiting']}/",
                "supplement": f"/cong-dan/ho-so/{setting['waiting']}/bo-sung/",
                "documents": "/cong-dan/giay-to/",
                "document_add": "/cong-dan/giay-to/them/",
                "profile_edit": "/cong-dan/thong-tin/sua/",
            }
            for name, path in pages.items():
                page.goto(live_server.url + path)
                assert page.evaluate(NO_SCROLL), name
                assert page.evaluate(UNLABELLED) == [], name
                assert page.evaluate(SMALL_TARGETS) == [], name
                page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
            desktop = context.new_page()
            desktop.set_viewport_size(DESKTOP)
            for name, path in pages.items():
                desktop.goto(live_server.url + path)
                assert desktop.evaluate(NO_SCROLL), name
                desktop.screenshot(path=str(shots / f"{name}-desktop.png"), full_page=True)

            # submit by touch: the stored ID card for component 2, a new file for component 1
            page.goto(live_server.url + pages["submit"])
            page.get_by_label("Chọn cơ quan tiếp nhận").select_option(world.commune.code)
            page.locator(f"#pick-2-{setting['card']}").check()
            upload = tmp_path / "to-khai.pdf"
            upload.write_bytes(pdf("to-khai-tu-dien-thoai"))
            page.locator("#file-1").set_input_files(str(upload))
            page.get_by_role("button", name="Nộp hồ sơ").tap()
            page.wait_for_selector(".dossier-code")
            code = page.locator(".dossier-code").inner_text()
            assert page.evaluate(NO_SCROLL)
            page.screenshot(path=str(shots / "submitted.png"), full_page=True)
        finally:
            browser.close()
    d = Dossier.objects.get(code=code)  # the database outside Playwright's event loop
    assert d.applicant_account == setting["citizen"].user and d.documents_reused
