"""Phone verification: number formats, the code by SMS, digest-only storage, expiry, attempts,
rate limits per phone and per address."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest

from tests.feedback.conftest import MONDAY
from tinhso.core.errors import ApplicationError, InvalidInput
from tinhso.feedback.models import PhoneVerification, SmsMessage
from tinhso.feedback.verification import normalise_phone, otp_request, otp_verify

PHONE = "0987654321"
IP = "203.0.113.7"


def last_code(phone: str = PHONE) -> str:
    body = SmsMessage.objects.filter(phone=phone).order_by("-pk").values_list("body", flat=True).first()
    assert body is not None, "no SMS was recorded"
    match = re.search(r"\b(\d{6})\b", body)
    assert match is not None, body
    return match.group(1)


@pytest.mark.parametrize(
    "raw, expected",
    [("0987654321", "0987654321"), ("0987 654 321", "0987654321"), ("0987.654.321", "0987654321"),
     ("+84987654321", "0987654321"), ("+84 987 654 321", "0987654321"), ("84987654321", "0987654321"),
     ("0352-123-456", "0352123456")],
)
def test_normalise_phone(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["", "098765432", "09876543210", "1987654321", "0287654321", "+8598765432",
                                 "09876x4321", "+840987654321", "０９８７６５４３２１"])
def test_bad_phone_is_refused_with_a_field_message(db, raw):
    with pytest.raises(InvalidInput) as excinfo:
        otp_request(phone=raw, client_ip=IP, now=MONDAY)
    assert "phone" in excinfo.value.fields
    assert not PhoneVerification.objects.exists() and not SmsMessage.objects.exists()


def test_code_is_sent_by_sms_and_stored_as_digest_only(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert otp_request(phone="+84 987 654 321", client_ip=IP, now=MONDAY) is None
    code = last_code()
    sms = SmsMessage.objects.get()
    assert sms.phone == PHONE and sms.sent_at is not None  # console backend, after commit
    row = PhoneVerification.objects.get()
    assert (row.phone, row.client_ip, row.created_at) == (PHONE, IP, MONDAY)
    assert row.expires_at == MONDAY + timedelta(minutes=5)
    assert len(row.code_digest) == 64 and code not in row.code_digest
    assert row.code_digest != hashlib.sha256(code.encode()).hexdigest()  # keyed: no offline table of 10^6


def test_right_code_verifies_once(db):
    otp_request(phone=PHONE, client_ip=IP, now=MONDAY)
    code = last_code()
    assert otp_verify(phone="0987 654 321", code=code, now=MONDAY + timedelta(minutes=2)) is True
    row = PhoneVerification.objects.get()
    assert row.verified_at == MONDAY + timedelta(minutes=2) and row.attempts == 1
    assert otp_verify(phone=PHONE, code=code, now=MONDAY + timedelta(minutes=3)) is False  # used up


def test_wrong_code_and_other_phone_fail(db):
    otp_request(phone=PHONE, client_ip=IP, now=MONDAY)
    code = last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert otp_verify(phone=PHONE, code=wrong, now=MONDAY) is False
    assert otp_verify(phone="0912345678", code=code, now=MONDAY) is False
    assert otp_verify(phone="not a phone", code=code, now=MONDAY) is False
    assert otp_verify(phone=PHONE, code=code, now=MONDAY) is True


def test_five_attempts_per_code(db):
    otp_request(phone=PHONE, client_ip=IP, now=MONDAY)
    code = last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert otp_verify(phone=PHONE, code=wrong, now=MONDAY) is False
    assert otp_verify(phone=PHONE, code=code, now=MONDAY) is False  # the sixth guess, right or not
    row = PhoneVerification.objects.get()
    assert row.attempts == 5 and row.verified_at is None


def test_code_expires_after_five_minutes(db):
    otp_request(phone=PHONE, client_ip=IP, now=MONDAY)
    code = last_code()
    assert otp_verify(phone=PHONE, code=code, now=MONDAY + timedelta(minutes=5)) is False
    assert otp_verify(phone=PHONE, code=code, now=MONDAY + timedelta(minutes=4, seconds=59)) is True


def test_a_new_code_replaces_the_previous_one(db):
    otp_request(phone=PHONE, client_ip=IP, now=MONDAY)
    first = last_code()
    otp_request(phone=PHONE, client_ip=IP, now=MONDAY + timedelta(minutes=1))
    second = last_code()
    if first != second:
        assert otp_verify(phone=PHONE, code=first, now=MONDAY + timedelta(minutes=2)) is False
    assert otp_verify(phone=PHONE, code=second, now=MONDAY + timedelta(minutes=2)) is True


def test_rate_limit_per_phone(db):
    for minute in range(3):
        otp_request(phone=PHONE, client_ip=f"203.0.113.{minute}", now=MONDAY + timedelta(minutes=minute))
    with pytest.raises(ApplicationError) as excinfo:
        otp_request(phone=PHONE, client_ip="198.51.100.1", now=MONDAY + timedelta(minutes=14))
    assert (excinfo.value.status, excinfo.value.code) == (429, "rate_limited")
    assert "15 phút" in excinfo.value.message
    assert SmsMessage.objects.count() == 3
    # Windows are fixed quarters of an hour: in the next one, one more is allowed.
    otp_request(phone=PHONE, client_ip="198.51.100.1", now=MONDAY + timedelta(minutes=15))
    assert SmsMessage.objects.count() == 4


def test_rate_limit_per_address(db, settings):
    for i in range(10):
        otp_request(phone=f"09876543{i:02d}", client_ip=IP, now=MONDAY + timedelta(minutes=i))
    with pytest.raises(ApplicationError) as excinfo:
        otp_request(phone="0912000000", client_ip=IP, now=MONDAY + timedelta(minutes=30))
    assert (excinfo.value.status, excinfo.value.code) == (429, "rate_limited")
    otp_request(phone="0912000000", client_ip="198.51.100.9", now=MONDAY + timedelta(minutes=30))
    otp_request(phone="0912000001", client_ip=IP, now=MONDAY + timedelta(hours=1, minutes=1))
    settings.TINHSO_OTP_MAX_PER_IP = 1
    with pytest.raises(ApplicationError):
        otp_request(phone="0912000002", client_ip=IP, now=MONDAY + timedelta(hours=1, minutes=2))
