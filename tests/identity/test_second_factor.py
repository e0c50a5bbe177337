"""The staff second factor (TOTP): required per role, enrolment with a QR code, the code after
the password, throttled and audited; the admin and the API's session refuse an unverified
sign-in of such a person. Driven through the sign-in page with Django's test client."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tinhso.audit.models import AuditEntry

PASSWORD = "matkhau-123"


@pytest.fixture
def leaders_need_a_code(settings):
    settings.TINHSO_STAFF_OTP_REQUIRED_ROLES = ["leader", "superuser"]


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def signed_in_with_password(username: str) -> Client:
    client = Client()
    assert client.post(reverse("workspace:login"), {"username": username, "password": PASSWORD}).status_code == 302
    return client


def enrolled(username: str) -> TOTPDevice:
    user = get_user_model().objects.get(username=username)
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def test_a_role_that_needs_no_code_goes_straight_to_the_inbox(world, leaders_need_a_code):
    client = signed_in_with_password("tiepnhan")
    assert client.get(reverse("workspace:inbox")).status_code == 200


def test_nothing_changes_while_no_role_requires_a_code(world):
    client = signed_in_with_password("lanhdao")
    assert client.get(reverse("workspace:inbox")).status_code == 200


def test_a_leader_without_a_device_enrols_before_anything_else(world, leaders_need_a_code):
    client = signed_in_with_password("lanhdao")
    response = client.get(reverse("workspace:inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:second_factor_enrol"))
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "otpauth://totp/" in body
    device = TOTPDevice.objects.get(user__username="lanhdao", confirmed=False)
    # A reload shows the same secret, not a new one.
    client.get(response["Location"])
    assert TOTPDevice.objects.filter(user__username="lanhdao").count() == 1

    wrong = client.post(reverse("identity:second_factor_enrol"), {"code": "000000", "next": "/ho-so/"})
    assert wrong.status_code == 422 and "Mã xác thực không đúng" in wrong.content.decode()
    done = client.post(reverse("identity:second_factor_enrol"), {"code": code_for(device), "next": "/ho-so/"})
    assert done.status_code == 302 and done["Location"] == "/ho-so/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("workspace:inbox")).status_code == 200
    actions = list(AuditEntry.objects.filter(object_type="user", object_id=str(device.user_id))
                   .values_list("action", flat=True))
    assert "auth.second_factor_enrolled" in actions and "auth.second_factor_failed" in actions


def test_a_leader_with_a_device_enters_the_code_after_the_password(world, leaders_need_a_code):
    device = enrolled("lanhdao")
    client = Client()
    response = client.post(reverse("workspace:login"), {"username": "lanhdao", "password": PASSWORD,
                                                        "next": "/ho-so/?view=all"})
    assert response.status_code == 302
    step = client.get(response["Location"])
    assert step.status_code == 302 and step["Location"].startswith(reverse("identity:second_factor"))
    page = client.get(step["Location"])
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.content.decode()
    assert client.post(reverse("identity:second_factor"), {"code": "12345x"}).status_code == 422
    ok = client.post(reverse("identity:second_factor"), {"code": code_for(device), "next": "/ho-so/?view=all"})
    assert ok.status_code == 302 and ok["Location"] == "/ho-so/?view=all"
    assert client.get(reverse("workspace:inbox")).status_code == 200
    entry = AuditEntry.objects.filter(action="auth.second_factor").get()
    assert entry.object_id == str(device.user_id) and entry.data["device"] == device.pk


def test_a_used_code_is_not_accepted_twice(world, leaders_need_a_code):
    device = enrolled("lanhdao")
    code = code_for(device)
    first = signed_in_with_password("lanhdao")
    assert first.post(reverse("identity:second_factor"), {"code": code}).status_code == 302
    second = signed_in_with_password("lanhdao")
    assert second.post(reverse("identity:second_factor"), {"code": code}).status_code == 422


def test_the_next_address_must_be_on_this_site(world, leaders_need_a_code):
    device = enrolled("lanhdao")
    client = signed_in_with_password("lanhdao")
    ok = client.post(reverse("identity:second_factor"), {"code": code_for(device), "next": "https://evil.example/"})
    assert ok.status_code == 302 and ok["Location"] == "/"


def test_wrong_codes_are_throttled_per_person_and_audited(world, leaders_need_a_code, settings):
    settings.TINHSO_STAFF_OTP_MAX_FAILURES_PER_USER = 3
    device = enrolled("lanhdao")
    client = signed_in_with_password("lanhdao")
    for _ in range(3):
        assert client.post(reverse("identity:second_factor"), {"code": "000000"}).status_code == 422
    refused = client.post(reverse("identity:second_factor"), {"code": code_for(device)})
    assert refused.status_code == 429 and "quá nhiều lần" in refused.content.decode()
    assert client.get(reverse("workspace:inbox")).status_code == 302
    assert AuditEntry.objects.filter(action="auth.second_factor_failed").count() == 3
    assert AuditEntry.objects.filter(action="auth.second_factor_throttled").exists()


def test_the_admin_requires_the_verified_device_too(world, leaders_need_a_code):
    user = get_user_model().objects.create_superuser("quantri", "qt@example.vn", PASSWORD)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()
    assert client.post("/admin/login/", {"username": "quantri", "password": PASSWORD,
                                         "next": "/admin/"}).status_code == 302
    blocked = client.get("/admin/")
    assert blocked.status_code == 302 and blocked["Location"].startswith(reverse("identity:second_factor"))
    assert client.post(reverse("identity:second_factor"), {"code": code_for(device), "next": "/admin/"}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_api_does_not_take_an_unverified_session(world, leaders_need_a_code):
    device = enrolled("lanhdao")
    client = signed_in_with_password("lanhdao")
    assert client.get("/api/v1/dossiers").status_code == 401
    client.post(reverse("identity:second_factor"), {"code": code_for(device)})
    assert client.get("/api/v1/dossiers").status_code == 200


def test_sign_out_stays_reachable_before_the_code(world, leaders_need_a_code):
    enrolled("lanhdao")
    client = signed_in_with_password("lanhdao")
    assert client.post(reverse("workspace:logout")).status_code == 302
    assert client.get(reverse("workspace:inbox"))["Location"].startswith(reverse("workspace:login"))
