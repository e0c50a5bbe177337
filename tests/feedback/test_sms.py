"""SMS: every message recorded, handed over only after commit; the HTTP backend against a fake
gateway on 127.0.0.1 (payload, bearer token, errors recorded on the row, never raised)."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.db import transaction

from tinhso.feedback.models import SmsMessage
from tinhso.feedback.sms import international, sms_deliver, sms_send, to_ascii

HTTP_BACKEND = "tinhso.feedback.sms.HttpSmsBackend"


@dataclass
class FakeGateway:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    answer: bytes = b'{"status": "queued"}'
    delay: float = 0.0


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    """An SMS gateway on a free local port that records what it receives."""
    state = FakeGateway(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length", "0"))
            state.requests.append({"path": self.path, "headers": dict(self.headers.items()),
                                   "body": self.rfile.read(length)})
            if state.delay:
                time.sleep(state.delay)
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(state.answer)))
            self.end_headers()
            self.wfile.write(state.answer)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1/sms"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def http_backend(settings, gateway):
    settings.TINHSO_SMS_BACKEND = HTTP_BACKEND
    settings.TINHSO_SMS_URL = gateway.url
    settings.TINHSO_SMS_TOKEN = "bi-mat-123"
    settings.TINHSO_SMS_SENDER = "UBND-PTHO"
    settings.TINHSO_SMS_TIMEOUT = 2
    return gateway


def test_console_backend_records_and_logs(db, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.INFO, logger="tinhso.feedback.sms")
    with django_capture_on_commit_callbacks(execute=True):
        message = sms_send(phone="0987654321", body="Mã xác minh: 123456")
    message.refresh_from_db()
    assert message.backend == "tinhso.feedback.sms.ConsoleSmsBackend"
    assert message.sent_at is not None and message.error == ""
    assert "0987654321" in caplog.text and "Mã xác minh: 123456" in caplog.text


def test_handed_to_backend_only_after_commit(db, http_backend, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = sms_send(phone="0987654321", body="Chưa gửi")
        assert SmsMessage.objects.filter(pk=message.pk, sent_at__isnull=True).exists()
    assert http_backend.requests == []
    for callback in callbacks:
        callback()
    assert len(http_backend.requests) == 1
    message.refresh_from_db()
    assert message.sent_at is not None


def test_rolled_back_transaction_sends_nothing(db, http_backend, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        sms_send(phone="0987654321", body="Sẽ bị huỷ")
        raise RuntimeError("the caller's work failed")
    assert not SmsMessage.objects.exists()
    assert http_backend.requests == []


def test_http_backend_posts_json_with_bearer_token(db, http_backend, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = sms_send(phone="0987654321", body="Phản ánh PA0000001 đã được tiếp nhận.")
    [request] = http_backend.requests
    assert request["path"] == "/v1/sms"
    assert request["headers"]["Authorization"] == "Bearer bi-mat-123"
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert json.loads(request["body"]) == {
        "to": "+84987654321", "text": "Phản ánh PA0000001 đã được tiếp nhận.", "sender": "UBND-PTHO",
    }
    message.refresh_from_db()
    assert message.backend == HTTP_BACKEND
    assert message.sent_at is not None and message.error == ""


def test_gateway_error_is_recorded_not_raised(db, http_backend, django_capture_on_commit_callbacks):
    http_backend.status = 500
    http_backend.answer = b'{"error": "quota exceeded"}'
    with django_capture_on_commit_callbacks(execute=True):
        message = sms_send(phone="0987654321", body="Thử lỗi")
    message.refresh_from_db()
    assert message.sent_at is None
    assert message.error == 'HTTP 500: {"error": "quota exceeded"}'
    # Delivering again (the admin's "send again") retries, and records success this time.
    http_backend.status = 200
    assert sms_deliver(message.pk) is True
    message.refresh_from_db()
    assert message.sent_at is not None and message.error == ""
    assert len(http_backend.requests) == 2


def test_unreachable_gateway_and_timeout_are_recorded(db, http_backend, settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.TINHSO_SMS_URL = f"http://127.0.0.1:{closed_port}/sms"
    message = SmsMessage.objects.create(phone="0987654321", body="x", backend=HTTP_BACKEND)
    assert sms_deliver(message.pk) is False
    message.refresh_from_db()
    assert message.error.startswith("gateway unreachable")

    settings.TINHSO_SMS_URL = http_backend.url
    settings.TINHSO_SMS_TIMEOUT = 0.2
    http_backend.delay = 1.0
    slow = SmsMessage.objects.create(phone="0987654321", body="y", backend=HTTP_BACKEND)
    started = time.monotonic()
    assert sms_deliver(slow.pk) is False
    assert time.monotonic() - started < 0.9
    slow.refresh_from_db()
    assert "timed out" in slow.error and slow.sent_at is None


def test_missing_gateway_url_is_recorded(db, settings):
    settings.TINHSO_SMS_URL = ""
    message = SmsMessage.objects.create(phone="0987654321", body="x", backend=HTTP_BACKEND)
    assert sms_deliver(message.pk) is False
    message.refresh_from_db()
    assert message.error == "TINHSO_SMS_URL is not set"


def test_delivery_is_idempotent(db, http_backend):
    message = SmsMessage.objects.create(phone="0987654321", body="một lần", backend=HTTP_BACKEND)
    assert sms_deliver(message.pk) is True
    assert sms_deliver(message.pk) is True
    assert len(http_backend.requests) == 1
    assert sms_deliver(10**9) is False  # gone: nothing to do, no error


def test_ascii_option_strips_diacritics(db, settings):
    settings.TINHSO_SMS_ASCII = True
    message = sms_send(phone="0987654321", body="Đã tiếp nhận phản ánh về đường sá")
    assert message.body == "Da tiep nhan phan anh ve duong sa"
    assert to_ascii("Ủy ban nhân dân") == "Uy ban nhan dan"


def test_international_form():
    assert international("0987654321") == "+84987654321"
    assert international("+84987654321") == "+84987654321"


def test_admin_lists_the_outbox_read_only(categories, client, django_user_model):
    from tests.feedback.conftest import file_report

    admin_user = django_user_model.objects.create_superuser("quantri", "qt@example.vn", "matkhau-123")
    client.force_login(admin_user)
    sms_send(phone="0987654321", body="Mã xác minh của bạn là 246810")
    report = file_report()
    page = client.get("/admin/feedback/smsmessage/")
    assert page.status_code == 200 and "246810" in page.content.decode()
    assert client.get("/admin/feedback/smsmessage/add/").status_code == 403
    for url in ("/admin/feedback/phoneverification/", "/admin/feedback/category/", "/admin/feedback/routingrule/",
                "/admin/feedback/report/", f"/admin/feedback/report/{report.pk}/change/"):
        assert client.get(url).status_code == 200, url
    # A report's workflow is not edited here: only its public flag.
    client.post(f"/admin/feedback/report/{report.pk}/change/", {"is_public": "", "status": "closed",
                                                                 "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"})
    report.refresh_from_db()
    assert (report.status, report.is_public) == ("assigned", False)
