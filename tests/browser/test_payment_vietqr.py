"""A fee paid by VietQR on a phone (390 × 844) in a real browser: the citizen signs in with the
code sent by SMS and sees the VietQR code (drawn, with the amount and the account) on their
dossier's page; the payment intermediary's webhook — a real HTTP POST with the Apikey to the
live server — reports the transfer; the page then shows the fee paid, confirmed by the bank,
and its receipt link downloads a PDF. Fixtures, live server and browser as in
`test_citizen_portal.py`."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.browser.test_citizen_portal import NO_SCROLL, PHONE, _sms_code
from tests.browser.test_counter_receipt import CHROMIUM, CHROMIUM_ARGS
from tests.factories import citizen, handed_in
from tinhso.citizens.models import Citizen
from tinhso.dossiers import services as ds
from tinhso.dossiers.models import Channel, Dossier
from tinhso.payments.services import fee_account_save, webhook_secret_rotate

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")]

PHONE_NUMBER = "0912 000 888"
ACCOUNT = "0011001932418"


def test_a_citizen_sees_the_vietqr_code_pays_it_and_downloads_the_receipt(live_server, world, tmp_path, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls between page loads, as there
    base = live_server.url
    fee_account_save(principal=None, agency=world.commune, bank_bin="970436", account_number=ACCOUNT,
                     account_name="UBND PHUONG VIET TRI")
    secret = webhook_secret_rotate()
    code = ds.dossier_receive(
        principal=world.reception, procedure=world.procedure, agency=world.commune, channel=Channel.COUNTER,
        applicant=citizen(phone=PHONE_NUMBER.replace(" ", "")), components=handed_in(world.procedure),
    ).dossier.code

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN",
                                          accept_downloads=True)
            page = context.new_page()
            page.goto(f"{base}/cong-dan/dang-nhap/")
            page.get_by_label("Số điện thoại di động").fill(PHONE_NUMBER)
            page.get_by_role("button", name="Nhận mã xác minh qua SMS").tap()
            page.wait_for_url("**/cong-dan/dang-nhap/ma/")
            page.locator("input[name=code]").fill(_sms_code(PHONE_NUMBER.replace(" ", "")))
            page.get_by_role("button", name="Đăng nhập").last.tap()
            page.wait_for_url(f"{base}/cong-dan/")
            me = Citizen.objects.latest("pk")  # the account the sign-in just made
            Dossier.objects.filter(code=code).update(applicant_account=me.user)

            # -- the VietQR code, drawn, with the amount and the account --------------------
            page.goto(f"{base}/cong-dan/ho-so/{code}/")
            qr = page.locator("img.vietqr")
            expect(qr).to_be_visible()
            assert page.evaluate("() => document.querySelector('img.vietqr').naturalWidth") > 0
            payment = page.locator("section.payment")
            expect(payment).to_contain_text("50.000")
            expect(payment).to_contain_text(ACCOUNT)
            assert page.evaluate(NO_SCROLL)

            # -- the intermediary reports the transfer: a real POST with the Apikey -------------
            body = json.dumps({
                "id": 92704523, "gateway": "Vietcombank", "transactionDate": "2026-03-25 14:02:37",
                "accountNumber": ACCOUNT, "content": f"CT DEN {code.replace('-', '').lower()} NGUYEN VAN AN",
                "transferType": "in", "transferAmount": 50000, "referenceCode": "FT26084123456",
            }).encode()
            request = urllib.request.Request(f"{base}/api/v1/payments/bank-transactions", data=body, method="POST",
                                             headers={"Content-Type": "application/json",
                                                      "Authorization": f"Apikey {secret}"})
            with urllib.request.urlopen(request, timeout=30) as answer:
                assert answer.status == 200 and json.loads(answer.read()) == {"success": True}

            # -- paid, confirmed by the bank; the receipt downloads as a PDF ------------------
            page.reload()
            expect(page.locator("section.payment-paid")).to_contain_text("Đã nộp — ngân hàng đã xác nhận")
            expect(qr).to_have_count(0)
            with page.expect_download() as download_info:
                page.get_by_role("link", name="Tải biên lai điện tử (PDF)").tap()
            saved = tmp_path / "bien-lai.pdf"
            download_info.value.save_as(saved)
            assert saved.read_bytes().startswith(b"%PDF")
            assert page.evaluate(NO_SCROLL)
        finally:
            browser.close()
