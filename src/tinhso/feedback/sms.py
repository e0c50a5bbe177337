"""Sending SMS: one function, `sms_send`, and pluggable backends (like Django's e-mail backends).

`sms_send` always records an `SmsMessage` row first — the admin's list of them is the console
backend's outbox — and, once the caller's transaction has committed, enqueues the huey task
`send_sms(message_id)`, which hands the row to the backend named by `TINHSO_SMS_BACKEND`:

- `ConsoleSmsBackend` (default): logs the message; nothing leaves the machine.
- `HttpSmsBackend`: POSTs `{"to", "text", "sender"}` as JSON to `TINHSO_SMS_URL` with
  `Authorization: Bearer TINHSO_SMS_TOKEN` (urllib, no extra dependency).

A failing gateway never raises into the caller: the error is written on the row.
"""

from __future__ import annotations

import json
import logging
import unicodedata
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from tinhso.core.phones import e164
from tinhso.feedback.models import SmsMessage

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "tinhso.feedback.sms.ConsoleSmsBackend"
# The longest body kept: 5 concatenated Unicode (UCS-2) segments.
MAX_BODY = 335


class SmsError(Exception):
    """The gateway refused or could not be reached; the message says why (stored on the row)."""


class BaseSmsBackend(ABC):
    """A backend sends one recorded message, or raises `SmsError`."""

    @abstractmethod
    def send(self, message: SmsMessage) -> None: ...


class ConsoleSmsBackend(BaseSmsBackend):
    """Development: write the message to the log and leave it in the admin's SMS list."""

    def send(self, message: SmsMessage) -> None:
        logger.info("SMS to %s: %s", message.phone, message.body)


class HttpSmsBackend(BaseSmsBackend):
    """A JSON-over-HTTPS gateway: `POST TINHSO_SMS_URL {"to", "text", "sender"}` with a bearer
    token. Any 2xx answer counts as accepted."""

    def __init__(self, url: str | None = None, token: str | None = None, sender: str | None = None,
                 timeout: float | None = None) -> None:
        self.url = url if url is not None else settings.TINHSO_SMS_URL
        self.token = token if token is not None else settings.TINHSO_SMS_TOKEN
        self.sender = sender if sender is not None else settings.TINHSO_SMS_SENDER
        self.timeout = timeout if timeout is not None else settings.TINHSO_SMS_TIMEOUT
        if not self.url:
            raise SmsError("TINHSO_SMS_URL is not set")

    def payload(self, message: SmsMessage) -> dict[str, Any]:
        return {"to": international(message.phone), "text": message.body, "sender": self.sender}

    def send(self, message: SmsMessage) -> None:
        request = urllib.request.Request(
            self.url,
            data=json.dumps(self.payload(message), ensure_ascii=False).encode(),
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "Accept": "application/json",
                     "Authorization": f"Bearer {self.token}", "User-Agent": "tinhso-sms/1"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                response.read(4096)
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode("utf-8", "replace").strip()
            raise SmsError(f"HTTP {exc.code}: {detail}" if detail else f"HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SmsError(f"gateway unreachable: {reason}") from None


def international(phone: str) -> str:
    """`0912345678` → `+84912345678` (`tinhso.core.phones.e164`); anything else is passed as it is."""
    return e164(phone)


def to_ascii(text: str) -> str:
    """Vietnamese without diacritics (`Phản ánh` → `Phan anh`), for gateways that refuse Unicode."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def get_backend(path: str | None = None) -> BaseSmsBackend:
    backend_class = import_string(path or settings.TINHSO_SMS_BACKEND)
    return backend_class()


def sms_send(*, phone: str, body: str) -> SmsMessage:
    """Record the message, then (after the caller's transaction commits) queue its delivery."""
    if settings.TINHSO_SMS_ASCII:
        body = to_ascii(body)
    message = SmsMessage.objects.create(phone=phone, body=body[:MAX_BODY], backend=settings.TINHSO_SMS_BACKEND)
    transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def _enqueue(message_id: int) -> None:
    from tinhso.feedback.tasks import send_sms

    try:
        send_sms(message_id)
    except Exception as exc:  # the queue itself is down (Redis unreachable, disk full)
        logger.exception("could not queue SMS %s", message_id)
        SmsMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(error=f"queue: {exc}"[:1000])


def sms_deliver(message_id: int) -> bool:
    """Hand a recorded message to its backend once; True when it went out (now or before).
    Safe to run twice: a message already sent is not sent again."""
    message = SmsMessage.objects.filter(pk=message_id).first()
    if message is None:
        logger.warning("SMS %s no longer exists", message_id)
        return False
    if message.sent_at is not None:
        return True
    try:
        get_backend(message.backend or None).send(message)
    except SmsError as exc:
        SmsMessage.objects.filter(pk=message.pk).update(error=str(exc)[:1000])
        logger.warning("SMS %s to %s failed: %s", message.pk, message.phone, exc)
        return False
    except Exception as exc:  # a broken backend must not lose the record of the attempt
        SmsMessage.objects.filter(pk=message.pk).update(error=f"{type(exc).__name__}: {exc}"[:1000])
        logger.exception("SMS %s: backend error", message.pk)
        return False
    SmsMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now(), error="")
    return True
