"""A citizen's whole online journey on a phone (390 × 844) in a real browser, with an
accessibility check by axe-core on every page of it.

The citizen signs in with the one-time code sent to their phone (read from the SMS the console
backend recorded), finds the procedure in the public catalogue (/dich-vu-cong/, "khai sinh" typed
without diacritics) and follows its "Nộp trực tuyến" button; when the catalogue is not served
(a build without it answers 404) the journey opens the submission form directly instead.
The citizen completes their profile, puts their ID card into the document store, picks the
stored card for one component and uploads a real PDF for the other, saves a draft, comes back
to it from their home page and submits: the dossier code and its status are shown. An officer
(through the dossiers' services, the one door) accepts it and asks for a supplement; the citizen
answers online with the stored card again; the officer finishes with an electronic result and
returns it; the citizen sees it on the dossier, downloads it (a PDF), finds it in the store and
rates the service.

Every page fits the phone's 390 px (no horizontal scroll) and has no axe-core violation of the
WCAG 2 A and AA rules of impact "serious" or "critical" (rule id and targets in the failure).
axe-core is vendored under tests/vendor/axe-core/ (see its PROVENANCE.md): nothing is fetched at
test time.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_counter_receipt import CHROMIUM, CHROMIUM_ARGS
from tests.factories import RESULT_PDF, finish, sign
from tinhso.citizens.models import Citizen, Document, DocumentOrigin
from tinhso.dossiers import services as ds
from tinhso.dossiers.models import Dossier, Rating, Status
from tinhso.feedback.models import SmsMessage

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")]

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
PHONE_NUMBER = "0912 000 777"
# 390, not window.innerWidth: a mobile layout viewport widens to fit content that overflows.
NO_SCROLL = f"() => document.documentElement.scrollWidth <= {PHONE['width']}"
BLOCKING = ("serious", "critical")
RUN_AXE = """async () => {
  const result = await axe.run(document, {runOnly: ["wcag2a", "wcag2aa"],
                                         resultTypes: ["violations", "incomplete"]});
  const rows = (kind, list) => list.map(v => ({kind, id: v.id, impact: v.impact, help: v.help,
                                              targets: v.nodes.map(n => n.target.join(" "))}));
  return [...rows("violation", result.violations), ...rows("needs review", result.incomplete)];
}"""


def real_pdf(title: str) -> bytes:
    """A one-page PDF, as a phone's scanner app would make (fpdf2, already a dependency)."""
    from fpdf import FPDF

    document = FPDF(format="A4")
    document.add_page()
    document.set_font("helvetica", size=14)
    document.cell(text=title)
    return bytes(document.output())


class AxeCheck:
    """Runs axe-core on exactly what the citizen is looking at.

    The product's Content-Security-Policy (`script-src 'self'`, no inline script) refuses the
    inline script that Playwright's `add_script_tag(path=…)` injects ("Executing inline script
    violates … 'script-src 'self''"), so the axe pass runs in a context of its own created with
    `bypass_csp=True`: it opens the same URL with the journey's cookies, takes the journey
    page's DOM as it is (flash messages, restored choices), injects axe and runs it. The journey
    itself runs under the real policy.

    Blocking: violations of impact serious or critical, and "needs review" results of those
    impacts except `color-contrast`, which axe cannot decide over Pico's background images (the
    chevron of a select, the calendar of a date input); those are listed, not failed."""

    def __init__(self, browser: Any, journey: Any) -> None:
        self.context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN",
                                           bypass_csp=True)
        self.journey = journey
        self.page = self.context.new_page()
        self.blocking: dict[str, list[str]] = {}
        self.other: dict[str, set[str]] = {}

    def __call__(self, name: str, seen: Any) -> None:
        self.context.clear_cookies()
        self.context.add_cookies(self.journey.cookies())
        self.page.goto(seen.url)
        self.page.set_content(seen.content(), wait_until="load")
        self.page.add_script_tag(path=str(AXE))
        for v in self.page.evaluate(RUN_AXE):
            decidable = v["kind"] == "violation" or v["id"] != "color-contrast"
            if v["impact"] in BLOCKING and decidable:
                self.blocking.setdefault(name, []).append(
                    f"{v['kind']} {v['id']} ({v['impact']}): {v['help']} — {v['targets']}")
            else:
                self.other.setdefault(f"{v['kind']} {v['id']} ({v['impact']})", set()).add(name)


def _sms_code(phone: str) -> str:
    body = SmsMessage.objects.filter(phone=phone).order_by("-pk").values_list("body", flat=True).first()
    match = re.search(r"\b(\d{6})\b", body or "")
    assert match is not None, body
    return match.group(1)


@pytest.fixture
def online_procedure(world):
    """The world's procedure (online level "full"): component 1 a form, component 2 an ID card."""
    second = world.procedure.components.order_by("order")[1]
    second.document_type = "cccd"
    second.save()
    p = world.procedure
    p.code, p.name = "1.001193", "Đăng ký khai sinh"
    p.save()  # refolds `name_search`, which the catalogue's search reads
    return p


def test_a_citizen_submits_online_answers_a_supplement_and_receives_the_result_on_a_phone(
    live_server, world, online_procedure, tmp_path, monkeypatch
):
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API runs an event loop in this thread, where Django refuses ORM calls.
    # The officer's steps and the SMS look-up run here between page loads, while the live
    # server's thread is idle, so the guard is lifted for this test.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    base = live_server.url
    first, second = online_procedure.components.order_by("order")
    form_pdf, card_pdf = tmp_path / "to-khai.pdf", tmp_path / "can-cuoc.pdf"
    form_pdf.write_bytes(real_pdf("To khai dang ky khai sinh"))
    card_pdf.write_bytes(real_pdf("Can cuoc cong dan 025190007771"))
    visited: list[str] = []

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN",
                                          accept_downloads=True)
            page = context.new_page()
            axe = AxeCheck(browser, context)

            def seen(name: str) -> None:
                """The page fits a phone's width, then axe-core looks at it."""
                assert page.evaluate(NO_SCROLL), (name, page.evaluate("document.documentElement.scrollWidth"))
                visited.append(name)
                axe(name, page)

            # -- sign in with the code sent by SMS --------------------------------------------
            page.goto(f"{base}/cong-dan/dang-nhap/")
            seen("sign-in")
            page.get_by_label("Số điện thoại di động").fill(PHONE_NUMBER)
            page.get_by_role("button", name="Nhận mã xác minh qua SMS").tap()
            page.wait_for_url("**/cong-dan/dang-nhap/ma/")
            seen("sign-in code")
            page.locator("input[name=code]").fill(_sms_code(PHONE_NUMBER.replace(" ", "")))
            page.get_by_role("button", name="Đăng nhập").last.tap()
            page.wait_for_url(f"{base}/cong-dan/")
            seen("home, first time")

            page.goto(f"{base}/cong-dan/thong-tin/")
            seen("profile, first time")

            # -- find the procedure in the public catalogue, or go straight to its form ----------
            if page.request.get(f"{base}/dich-vu-cong/").ok:
                page.goto(f"{base}/dich-vu-cong/")
                page.locator("input[name=q]").fill("khai sinh")  # no diacritics
                page.locator("input[name=q]").press("Enter")
                result_link = page.locator(".procedure-list").get_by_role("link", name=online_procedure.name)
                expect(result_link).to_be_visible()
                seen("catalogue, khai sinh")
                result_link.tap()
                page.wait_for_url(f"{base}/dich-vu-cong/{online_procedure.code}/")
                seen("catalogue, the procedure")
                page.get_by_role("button", name="Nộp trực tuyến").tap()
            else:
                page.goto(f"{base}/cong-dan/nop/{online_procedure.code}/")
            page.wait_for_url(f"{base}/cong-dan/nop/{online_procedure.code}/")

            # -- a phone account declares its name and ID number once ---------------------------
            seen("submit, profile missing")
            expect(page.get_by_role("button", name="Nộp hồ sơ")).to_be_disabled()
            page.get_by_role("link", name="Hoàn thiện thông tin cá nhân").tap()
            page.wait_for_url("**/cong-dan/thong-tin/sua/**")
            seen("profile edit")
            page.get_by_label("Họ và tên").fill("Hoàng Thị Thu Hà")
            page.get_by_label("Số định danh cá nhân (12 số)").fill("025190007771")
            page.get_by_role("button", name="Lưu thông tin").tap()
            page.wait_for_url(f"{base}/cong-dan/nop/{online_procedure.code}/")

            # -- the ID card goes into the document store ------------------------------------------
            page.goto(f"{base}/cong-dan/giay-to/them/")
            seen("document add")
            page.locator("input[name=file]").set_input_files(str(card_pdf))
            page.get_by_label("Tên giấy tờ").fill("Căn cước của tôi")
            page.get_by_label("Loại giấy tờ").select_option("cccd")
            page.get_by_label("Số, ký hiệu").fill("025190007771")
            page.get_by_role("button", name="Lưu vào kho").tap()
            page.wait_for_url(f"{base}/cong-dan/giay-to/")
            seen("documents, the card stored")
            card = Document.objects.get(citizen__phone="0912000777", name="Căn cước của tôi")

            # -- start the submission: the stored card, a new PDF; save a draft -------------------
            page.goto(f"{base}/cong-dan/nop/{online_procedure.code}/")
            seen("submit")
            agency = page.get_by_label("Chọn cơ quan tiếp nhận")
            if agency.input_value() != world.commune.code:
                agency.select_option(world.commune.code)
            page.locator(f"#pick-{second.order}-{card.pk}").check()
            page.locator(f"#file-{first.order}").set_input_files(str(form_pdf))
            page.get_by_label("Tóm tắt điều bạn đề nghị (không bắt buộc)").fill("Đăng ký khai sinh cho con tại phường")
            page.get_by_role("button", name="Lưu nháp").tap()
            page.wait_for_selector("p.next-step[role=status]")  # "Đã mở lại bản nháp…"
            seen("submit, draft saved")

            # -- come back to it from the home page, submit -----------------------------------
            page.goto(f"{base}/cong-dan/")
            seen("home, with a draft")
            page.get_by_role("link", name=online_procedure.name).first.tap()
            page.wait_for_url(f"{base}/cong-dan/nop/{online_procedure.code}/")
            expect(page.locator(f"#pick-{second.order}-{card.pk}")).to_be_checked()
            stored_form = Document.objects.get(citizen=card.citizen, filename="to-khai.pdf")
            expect(page.locator(f"#pick-{first.order}-{stored_form.pk}")).to_be_checked()
            expect(page.get_by_label("Tóm tắt điều bạn đề nghị (không bắt buộc)")).to_have_value(
                "Đăng ký khai sinh cho con tại phường")
            page.get_by_role("button", name="Nộp hồ sơ").tap()
            page.wait_for_selector(".dossier-code")
            code = page.locator(".dossier-code").inner_text()
            expect(page.locator(".facts")).to_contain_text(str(Status.REGISTERED.label))
            seen("submitted")
            page.get_by_role("button", name="Xem hồ sơ").tap()
            page.wait_for_url(f"{base}/cong-dan/ho-so/{code}/")
            expect(page.locator(".status")).to_have_text(str(Status.REGISTERED.label))
            seen("dossier, registered")

            d = Dossier.objects.get(code=code)
            assert d.applicant_account == card.citizen.user and d.documents_reused and not Document.objects.filter(
                citizen=card.citizen, origin=DocumentOrigin.RESULT).exists()

            # -- the officer accepts it and asks for a supplement -----------------------------------
            ds.dossier_accept(principal=world.reception, code=code)
            ds.dossier_request_supplement(principal=world.specialist, code=code,
                                          reason="Ảnh căn cước chưa rõ số định danh.",
                                          documents=["Căn cước (ảnh rõ hai mặt)"])

            # -- the citizen answers online, reusing the stored card -----------------------------
            page.goto(f"{base}/cong-dan/")
            seen("home, supplement asked")
            page.get_by_role("button", name="Cần bổ sung giấy tờ").tap()
            page.wait_for_url(f"{base}/cong-dan/ho-so/{code}/bo-sung/")
            expect(page.locator("main")).to_contain_text("Căn cước (ảnh rõ hai mặt)")
            seen("supplement")
            page.locator(f"#pick-{second.order}-{card.pk}").check()
            page.get_by_label("Lời nhắn cho cán bộ (không bắt buộc)").fill("Gửi lại căn cước trong kho.")
            page.get_by_role("button", name="Gửi bổ sung").tap()
            page.wait_for_url(f"{base}/cong-dan/ho-so/{code}/")
            expect(page.locator(".status")).to_have_text(str(Status.IN_PROGRESS.label))
            seen("dossier, supplement sent")

            d.refresh_from_db()
            assert d.status == Status.IN_PROGRESS and d.paused_at is None
            assert d.attachments.filter(kind="supplement", component_number=second.order, reused=True,
                                        sha256=card.sha256).exists()

            # -- the officer finishes with an electronic result -----------------------------------
            ds.dossier_forward(principal=world.specialist, code=code)
            ds.dossier_forward(principal=world.head, code=code)
            ds.dossier_approve(principal=world.leader, code=code)
            sign(principal=world.leader, code=code, result_kind="electronic")
            finish(principal=world.clerk, code=code)
            ds.dossier_return(principal=world.clerk, code=code)

            # -- the citizen sees it, downloads it and finds it in the store -----------------------
            page.goto(f"{base}/cong-dan/ho-so/{code}/")
            expect(page.locator(".status")).to_have_text(str(Status.RETURNED.label))
            seen("dossier, result")
            with page.expect_download() as download:
                page.get_by_role("link", name=re.compile("Tải kết quả")).tap()
            downloaded = tmp_path / "ket-qua.pdf"
            download.value.save_as(downloaded)
            assert downloaded.read_bytes().startswith(b"%PDF-") and downloaded.read_bytes() == RESULT_PDF
            page.goto(f"{base}/cong-dan/giay-to/")
            result = Document.objects.get(result_of=d, origin=DocumentOrigin.RESULT)
            entry = page.locator("li.document", has=page.get_by_role("heading", name=result.name))
            expect(entry).to_contain_text("Kết quả giải quyết")
            expect(entry).to_contain_text("do cơ quan cấp")
            expect(entry.get_by_role("link", name="Xoá")).to_have_count(0)  # a result cannot be deleted
            seen("documents, the result stored")

            # -- and rates the service ---------------------------------------------------------
            page.goto(f"{base}/cong-dan/ho-so/{code}/")
            page.get_by_label("Hài lòng", exact=True).check()
            page.get_by_label("Góp ý (không bắt buộc)").fill("Nộp trên điện thoại nhanh, không phải đi lại.")
            page.get_by_role("button", name="Gửi đánh giá").tap()
            expect(page.locator("main")).to_contain_text("Cảm ơn bạn đã đánh giá.")
            seen("dossier, rated")
            page.goto(f"{base}/cong-dan/ho-so/")
            seen("my dossiers")
            page.goto(f"{base}/cong-dan/thong-tin/")
            seen("profile")
        finally:
            browser.close()

    assert not axe.blocking, "axe-core, serious or critical:\n" + "\n".join(
        f"{page_name}: {line}" for page_name, lines in axe.blocking.items() for line in lines)
    print(f"axe-core on {len(visited)} pages, nothing blocking; other results:",
          {rule: len(pages) for rule, pages in axe.other.items()} or "none")
    citizen = Citizen.objects.get(phone="0912000777")
    assert citizen.full_name == "Hoàng Thị Thu Hà" and citizen.user == d.applicant_account
    d.refresh_from_db()
    assert d.status == Status.RETURNED and d.rating == Rating.SATISFIED
