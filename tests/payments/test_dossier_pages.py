"""Fees on the dossier's faces: form 01 prints the VietQR code of a fee due; status 6 issues a
payment notice (PDF) for the officer, the applicant's space and the tracking code, tells the
applicant by SMS and e-mail and pauses the clock until the payment; the counter records a
payment (cash or card: paid, never "paid online"); the timeline names the new lines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from tests.payments.conftest import received, transfer
from tinhso.catalogue.models import FeeTiming
from tinhso.citizens.timeline import EVENT_TEXT
from tinhso.dossiers import services as dossier_services
from tinhso.dossiers.forms import build_form
from tinhso.dossiers.forms.data import QrCode
from tinhso.dossiers.forms.pdf import form_pdf
from tinhso.dossiers.models import Dossier, DossierEvent, Status
from tinhso.feedback.models import SmsMessage
from tinhso.payments import selectors
from tinhso.payments.services import bank_transaction_record

pytestmark = pytest.mark.django_db


def signed_in(principal) -> Client:
    client = Client()
    client.force_login(principal.user)
    return client


def before_result(world) -> None:
    world.procedure.fee_timing = FeeTiming.BEFORE_RESULT
    world.procedure.save()


def test_form_01_prints_the_vietqr_code_of_a_fee_due(world, account):
    """Form 01 carries the VietQR payload, the amount and the account while the fee is unpaid."""
    d = received(world)
    payment = selectors.form_payment(d)
    assert payment is not None and payment.amount == 50_000 and payment.purpose == d.code
    doc = build_form(d, "01", payment=payment)
    assert [b.data for b in doc.blocks if isinstance(b, QrCode)][1] == selectors.dossier_payment(d).payload
    assert form_pdf(doc).startswith(b"%PDF")
    page = signed_in(world.reception).get(f"/forms/{d.code}/01/")
    text = page.content.decode()
    assert page.status_code == 200 and "Quét mã VietQR" in text and "0011001932418" in text
    assert signed_in(world.reception).get(f"/forms/{d.code}/01.pdf").content.startswith(b"%PDF")
    dossier_services.dossier_fee_paid(principal=world.reception, code=d.code, amount=50_000, reconciled=False)
    d.refresh_from_db()
    assert selectors.form_payment(d) is None
    assert "Quét mã VietQR" not in signed_in(world.reception).get(f"/forms/{d.code}/01/").content.decode()


def test_form_01_without_an_account_has_no_code(world):
    d = received(world)
    assert selectors.form_payment(d) is None
    assert len([b for b in build_form(d, "01").blocks if isinstance(b, QrCode)]) == 1  # tracking only


def test_payment_requested_issues_a_notice_tells_the_applicant_and_pauses(world, account,
                                                                          django_capture_on_commit_callbacks):
    before_result(world)
    d = received(world)
    Dossier.objects.filter(pk=d.pk).update(applicant_email="an@example.vn")
    d.refresh_from_db()
    assert not selectors.dossier_payment(d).notice
    public = Client().get(f"/api/v1/dossiers/{d.code}/payment/notice.pdf")
    assert public.status_code == 409
    with django_capture_on_commit_callbacks(execute=True):
        dossier_services.dossier_request_payment(principal=world.specialist, code=d.code)
    d.refresh_from_db()
    assert d.status == Status.PAYMENT_REQUESTED and d.paused_at is not None
    sms = SmsMessage.objects.get()
    assert d.code in sms.body and "50.000" in sms.body
    assert mail.outbox and d.code in mail.outbox[-1].subject
    notice = Client().get(f"/api/v1/dossiers/{d.code}/payment/notice.pdf")
    assert notice.status_code == 200 and notice.content.startswith(b"%PDF")
    assert selectors.dossier_payment(d).notice
    officer = signed_in(world.reception).get(f"/ho-so/{d.code}/")
    assert "payment/notice.pdf" in officer.content.decode()

    # Paid by the bank: processing resumes, the applicant is told, with the receipt's link.
    with django_capture_on_commit_callbacks(execute=True):
        bank_transaction_record(transfer=transfer(d.code, 50_000))
    d.refresh_from_db()
    assert d.status == Status.IN_PROGRESS and d.paused_at is None and d.fee_paid_online
    assert SmsMessage.objects.count() == 2 and "Biên lai" in SmsMessage.objects.order_by("-id")[0].body


def test_waiting_for_the_payment_is_not_counted(world, account):
    """Status 6 pauses the clock like a supplement request; the payment a week later moves the
    appointment (and the legal due moment) by the paused working time."""
    before_result(world)
    d = received(world)
    due, legal = d.due_at, d.legal_due_at
    dossier_services.dossier_request_payment(principal=world.specialist, code=d.code)
    d.refresh_from_db()
    assert d.is_paused and d.paused_at is not None
    dossier_services.dossier_fee_paid(principal=world.reception, code=d.code, amount=50_000, reconciled=False,
                                      method="cash", at=d.paused_at + timedelta(days=7))
    d.refresh_from_db()
    assert d.paused_at is None and d.paused_seconds >= 5 * 8 * 3600 - 8 * 3600
    assert d.due_at > due and d.legal_due_at > legal
    assert DossierEvent.objects.get(dossier=d, action="fee_paid").to_status == Status.IN_PROGRESS


def test_the_applicants_space_links_the_notice(world, account):
    before_result(world)
    d = received(world)
    from django.contrib.auth import get_user_model

    from tinhso.citizens.models import Citizen

    user = get_user_model().objects.create_user(username="cd-an")
    Citizen.objects.create(user=user, full_name="Nguyễn Văn An", id_number="025090001234", phone="0912345678")
    Dossier.objects.filter(pk=d.pk).update(applicant_account=user)
    dossier_services.dossier_request_payment(principal=world.specialist, code=d.code)
    client = Client()
    client.force_login(user)
    page = client.get(f"/cong-dan/ho-so/{d.code}/")
    text = page.content.decode()
    assert page.status_code == 200 and "payment/notice.pdf" in text and "payment/qr.svg" in text
    assert EVENT_TEXT["request_payment"] and str(EVENT_TEXT["request_payment"]) in text


def test_counter_records_a_payment_from_the_dossier_page(world, account):
    """Reception and the records clerk have the button; a specialist does not; the payment is
    paid, not paid online; the page then shows it paid at the counter."""
    before_result(world)
    d = received(world)
    dossier_services.dossier_request_payment(principal=world.specialist, code=d.code)
    d.refresh_from_db()
    page = signed_in(world.reception).get(f"/ho-so/{d.code}/").content.decode()
    assert 'data-action="fee_paid"' in page
    assert 'data-action="fee_paid"' not in signed_in(world.specialist).get(f"/ho-so/{d.code}/").content.decode()
    short = signed_in(world.reception).post(f"/ho-so/{d.code}/fee_paid/", {
        "fee_paid-version": d.version, "fee_paid-method": "cash", "fee_paid-amount": 20_000}, follow=True)
    assert short.status_code == 200
    d.refresh_from_db()
    assert not d.fee_paid
    done = signed_in(world.reception).post(f"/ho-so/{d.code}/fee_paid/", {
        "fee_paid-version": d.version, "fee_paid-method": "card", "fee_paid-amount": 50_000,
        "fee_paid-reference": "POS 123456"}, follow=True)
    assert done.status_code == 200
    d.refresh_from_db()
    assert d.fee_paid and not d.fee_paid_online and d.status == Status.IN_PROGRESS and d.paused_at is None
    event = DossierEvent.objects.get(dossier=d, action="fee_paid")
    assert event.actor_name and event.note == "POS 123456"
    text = done.content.decode()
    assert 'data-payment-status="paid"' in text and "Đã nộp tại quầy" in text
    assert 'data-action="fee_paid"' not in text
    assert str(EVENT_TEXT["fee_paid"])
