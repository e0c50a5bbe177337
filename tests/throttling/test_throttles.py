"""Everything that checks a secret is throttled: staff passwords (django-axes), the public
rating's last four digits, phone codes (sends and checks) and API keys — with the client address
read from a proxy's header only when the proxy is named."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections
from django.test import Client, RequestFactory

from tests.api.conftest import URL, act, receive, with_key
from tinhso.audit.models import AuditEntry
from tinhso.core.clients import client_address
from tinhso.feedback.models import SmsMessage
from tinhso.throttling.models import ThrottleCount
from tinhso.throttling.services import Rule, throttle_exceeded, throttle_hit

VN = ZoneInfo("Asia/Ho_Chi_Minh")


# --- the client's address -----------------------------------------------------------------


@pytest.mark.parametrize(("proxies", "remote", "forwarded", "expected"), [
    ([], "203.0.113.5", "", "203.0.113.5"),
    ([], "127.0.0.1", "198.51.100.7", "127.0.0.1"),  # no proxy named: the header is not believed
    (["127.0.0.1"], "127.0.0.1", "198.51.100.7", "198.51.100.7"),
    (["127.0.0.1"], "127.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client wrote the first
    (["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", "198.51.100.7, 10.1.2.3", "198.51.100.7"),
    (["127.0.0.1"], "203.0.113.5", "198.51.100.7", "203.0.113.5"),  # not from the proxy
    (["::1"], "::1", "2001:db8::1", "2001:db8::1"),
    (["127.0.0.1"], "127.0.0.1", "", "127.0.0.1"),
    (["127.0.0.1"], "127.0.0.1", "not-an-address", None),
])
def test_client_address(settings, proxies, remote, forwarded, expected):
    settings.TINHSO_TRUSTED_PROXIES = proxies
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(RequestFactory().get("/", **meta)) == expected


# --- the counter --------------------------------------------------------------------------


def test_fixed_windows_count_and_expire(db):
    rule = Rule(scope="test", limit=2, window=timedelta(minutes=15))
    at = datetime(2026, 3, 2, 9, 0, tzinfo=VN)
    assert [throttle_hit(rule, "k", now=at).allowed for _ in range(3)] == [True, True, False]
    assert throttle_exceeded(rule, "k", now=at) is not None
    assert throttle_exceeded(rule, "other", now=at) is None
    assert throttle_exceeded(rule, "k", now=at + timedelta(minutes=15)) is None
    assert not ThrottleCount.objects.filter(key="k").exists(), "keys are stored as digests"


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_per_phone_limit_holds_under_parallel_sends(settings):
    """Twenty codes asked for one phone at the same instant: exactly the limit are sent."""
    from tinhso.core.errors import ApplicationError
    from tinhso.feedback.verification import otp_request

    settings.TINHSO_OTP_MAX_PER_PHONE = 3
    settings.TINHSO_OTP_MAX_PER_IP = 100
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def send(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            otp_request(phone="0912345678", client_ip=f"203.0.113.{i}")
            result = "sent"
        except ApplicationError as exc:
            result = exc.code
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert outcomes.count("sent") == 3 and outcomes.count("rate_limited") == 17
    assert SmsMessage.objects.filter(phone="0912345678").count() == 3


# --- staff sign-in ------------------------------------------------------------------------


def _sign_in(client: Client, username: str, password: str):
    return client.post("/dang-nhap/", {"username": username, "password": password}, REMOTE_ADDR="198.51.100.20")


def test_wrong_passwords_lock_the_username_at_that_address(world, settings):
    """After the limit of wrong passwords, even the right one does not sign in (429), the
    lockout is audited once, and the same officer can still sign in from another address."""
    settings.AXES_FAILURE_LIMIT = 5
    user = world.reception.user
    user.set_password("matkhau-dung-123")
    user.save()
    client = Client()
    for _ in range(5):
        assert _sign_in(client, user.username, "sai-mat-khau").status_code in (200, 429)
    response = _sign_in(client, user.username, "matkhau-dung-123")
    assert response.status_code == 429
    assert "tạm khoá" in response.content.decode()
    assert "_auth_user_id" not in client.session
    for _ in range(10):
        _sign_in(client, user.username, "sai-mat-khau")
    assert AuditEntry.objects.filter(action="auth.locked_out", object_id=user.username).count() == 1
    elsewhere = Client().post("/dang-nhap/", {"username": user.username, "password": "matkhau-dung-123"},
                              REMOTE_ADDR="198.51.100.99")
    assert elsewhere.status_code == 302
    assert AuditEntry.objects.filter(action="auth.login", object_id=str(user.pk)).count() == 1


def test_the_admin_sign_in_is_throttled_too(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = world.reception.user
    user.is_staff = True
    user.set_password("matkhau-dung-123")
    user.save()
    client = Client()
    for _ in range(3):
        client.post("/admin/login/", {"username": user.username, "password": "sai"}, REMOTE_ADDR="198.51.100.21")
    response = client.post("/admin/login/", {"username": user.username, "password": "matkhau-dung-123"},
                           REMOTE_ADDR="198.51.100.21")
    assert response.status_code == 429


# --- the public rating's last four digits -------------------------------------------------


def _returned(world) -> str:
    client = with_key(world.commune)
    dossier = receive(client, world)
    code = dossier["code"]
    for action in ("forward", "forward", "approve", "sign", "finish", "return"):
        body = {"result_number": "12/QĐ", "result_kind": "paper"} if action == "sign" else {}
        assert act(client, code, action, body).status_code == 200
    return code


def test_guessing_the_last_four_digits_is_throttled_per_dossier(world, settings):
    settings.TINHSO_RATING_MAX_FAILURES_PER_DOSSIER = 5
    code = _returned(world)
    for i in range(5):
        response = Client().post("/tra-cuu/", {"code": code, "last4": f"{i:04d}", "rating": "unsatisfied"},
                                 REMOTE_ADDR=f"198.51.100.{i}")
        assert response.status_code == 422
    # The right digits from a fresh address: still refused while the dossier's window lasts.
    response = Client().post("/tra-cuu/", {"code": code, "last4": "1234", "rating": "unsatisfied"},
                             REMOTE_ADDR="198.51.100.200")
    assert response.status_code == 429
    assert "quá nhiều lần" in response.content.decode()
    assert AuditEntry.objects.filter(action="dossier.rating_check_failed", object_id=code).count() == 5
    assert with_key(world.commune).get(f"{URL}/{code}").json()["rating"] is None


def test_guessing_across_dossiers_is_throttled_per_address(world, settings):
    settings.TINHSO_RATING_MAX_FAILURES_PER_IP = 3
    codes = [_returned(world) for _ in range(2)]
    client = Client(REMOTE_ADDR="198.51.100.50")
    for i in range(3):
        client.post("/tra-cuu/", {"code": codes[0], "last4": f"{i:04d}", "rating": "satisfied"})
    response = client.post("/tra-cuu/", {"code": codes[1], "last4": "1234", "rating": "satisfied"})
    assert response.status_code == 429


# --- API keys -----------------------------------------------------------------------------


def test_unknown_api_keys_are_throttled_per_address(world, settings):
    settings.TINHSO_API_KEY_MAX_FAILURES_PER_IP = 3
    bad = Client(headers={"Authorization": "Bearer ts_nope_guess"}, REMOTE_ADDR="198.51.100.60")
    assert [bad.get(URL).status_code for _ in range(4)] == [401, 401, 401, 429]
    good = with_key(world.commune)
    assert good.get(URL, REMOTE_ADDR="198.51.100.60").status_code == 429
    assert good.get(URL, REMOTE_ADDR="198.51.100.61").status_code == 200
