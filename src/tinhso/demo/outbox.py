"""The demo's outbox: SMS and e-mails are kept where the demo's visitor can read them.

In demo mode (`TINHSO_DEMO=1`, set by `tinhso demo` for the processes it starts) nothing leaves
the machine and nothing floods the console:

- `DemoSmsBackend` sends nothing: the `SmsMessage` row that `feedback.sms.sms_send` records
  first is the message (the phone verification codes of the public feedback form among them).
- `DemoEmailBackend` writes each e-mail as one `.eml` file under `VAR_DIR/demo-mail/`.

`recent_sms` and `recent_emails` read them back for the page `/demo/messages/`.
"""

from __future__ import annotations

import email
import email.policy
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage
from django.utils import timezone

from tinhso.feedback.models import SmsMessage
from tinhso.feedback.sms import BaseSmsBackend

MAIL_DIRECTORY = "demo-mail"


class DemoSmsBackend(BaseSmsBackend):
    """Keeps the message: its recorded row is what `/demo/messages/` lists."""

    def send(self, message: SmsMessage) -> None:
        return None


def mail_directory() -> Path:
    return Path(settings.VAR_DIR) / MAIL_DIRECTORY


class DemoEmailBackend(BaseEmailBackend):
    """Writes each message to its own file `VAR_DIR/demo-mail/<UTC time>-<random>.eml`."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        directory = mail_directory()
        directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            name = f"{timezone.now():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
            (directory / name).write_bytes(message.message().as_bytes())
            sent += 1
        return sent


@dataclass
class KeptEmail:
    at: datetime
    to: str
    subject: str
    body: str


def recent_sms(limit: int = 100) -> list[SmsMessage]:
    """The newest SMS first."""
    return list(SmsMessage.objects.order_by("-created_at", "-pk")[:limit])


def recent_emails(limit: int = 50) -> list[KeptEmail]:
    """The newest kept e-mails first (files that cannot be read are left out)."""
    directory = mail_directory()
    if not directory.is_dir():
        return []
    kept = []
    for path in sorted(directory.glob("*.eml"), reverse=True)[:limit]:
        try:
            parsed: Any = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            part = parsed.get_body(preferencelist=("plain",))
            body = part.get_content() if part is not None else ""
            at = datetime.strptime(path.name[:21], "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
        except (OSError, ValueError, LookupError):
            continue
        kept.append(KeptEmail(at=at, to=str(parsed.get("To", "")), subject=str(parsed.get("Subject", "")), body=body))
    return kept
