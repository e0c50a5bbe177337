"""Fixtures of the feedback pages: the feedback domain's `categories` (re-exported) and helpers
to sign in and to read the one-time code the console SMS backend recorded."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.feedback.conftest import categories  # noqa: F401 (re-exported fixture)
from tinhso.feedback.models import SmsMessage


@pytest.fixture(autouse=True)
def _otp_limits(settings):
    settings.TINHSO_OTP_MAX_PER_PHONE = 3
    settings.TINHSO_OTP_MAX_PER_IP = 20
    settings.TINHSO_MAP_TILES_URL = ""


def signed_in(principal) -> Client:
    client = Client()
    client.force_login(principal.user)
    return client


def last_code(phone: str) -> str:
    message = SmsMessage.objects.filter(phone=phone).order_by("-created_at", "-pk").first()
    assert message is not None, f"no SMS to {phone}"
    match = re.search(r"\b(\d{6})\b", message.body)
    assert match, message.body
    return match[1]
