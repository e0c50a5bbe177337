"""Remote signing (ký số từ xa): VNPT SmartCA / Viettel MySign style services.

The key never leaves the provider. tinhso sends the hash to sign; the signer confirms on their
phone; the signature comes back. `RemoteSigningClient` is the interface; `HttpRemoteSigningClient`
is the one real client, configured by the settings below, speaking this JSON over HTTPS:

- `GET  {base}/v1/credentials/{user_id}/certificate` → `{"certificate": b64 DER, "chain": [b64 DER…]}`
- `POST {base}/v1/signatures` `{"user_id", "hash": b64, "hash_algorithm", "description"}`
  → `{"transaction_id"}`
- `GET  {base}/v1/signatures/{transaction_id}` → `{"status": "pending" | "confirmed" | "rejected"
  | "expired", "signature": b64}` (the raw signature over the hash, PKCS#1 v1.5 for RSA)

with `Authorization: Bearer <TINHSO_SIGNING_REMOTE_TOKEN>`. A 5xx answer or a dropped
connection is retried (`TINHSO_SIGNING_REMOTE_RETRIES`); the confirmation is polled every
`TINHSO_SIGNING_REMOTE_POLL_SECONDS` until `TINHSO_SIGNING_REMOTE_CONFIRM_SECONDS`. A
provider's own API differs in names, not in shape: an adapter maps it onto this interface.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
from typing import Any, Protocol
from urllib.parse import quote

from django.conf import settings
from django.utils.translation import gettext as _

from tinhso.core.errors import ApplicationError


class RemoteSigningError(ApplicationError):
    status = 502
    code = "remote_signing_failed"


class RemoteSigningClient(Protocol):
    def certificate(self, *, user_id: str) -> tuple[bytes, list[bytes]]:
        """The signer's certificate and its chain, DER."""

    def sign_hash(self, *, user_id: str, digest: bytes, digest_algorithm: str, description: str) -> bytes:
        """The raw signature over `digest`, once the signer confirmed."""


class HttpRemoteSigningClient:
    def __init__(
        self, *, base_url: str, token: str, timeout: float = 10.0, retries: int = 2, poll_seconds: float = 2.0,
        confirm_seconds: float = 120.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retries = retries
        self.poll_seconds = poll_seconds
        self.confirm_seconds = confirm_seconds

    @classmethod
    def from_settings(cls) -> HttpRemoteSigningClient:
        if not settings.TINHSO_SIGNING_REMOTE_URL:
            raise RemoteSigningError(
                _("Chưa cấu hình dịch vụ ký số từ xa (TINHSO_SIGNING_REMOTE_URL)."), code="remote_signing_not_configured",
                status=409,
            )
        return cls(
            base_url=settings.TINHSO_SIGNING_REMOTE_URL, token=settings.TINHSO_SIGNING_REMOTE_TOKEN,
            timeout=settings.TINHSO_SIGNING_REMOTE_TIMEOUT_SECONDS, retries=settings.TINHSO_SIGNING_REMOTE_RETRIES,
            poll_seconds=settings.TINHSO_SIGNING_REMOTE_POLL_SECONDS,
            confirm_seconds=settings.TINHSO_SIGNING_REMOTE_CONFIRM_SECONDS,
        )

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(
                self.base_url + path, data=data, method=method,
                headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                         "Accept": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (https in settings)
                    answer = json.loads(response.read() or b"{}")
                    if not isinstance(answer, dict):
                        raise RemoteSigningError(_("Dịch vụ ký số từ xa trả lời không đúng định dạng."))
                    return answer
            except urllib.error.HTTPError as exc:
                if exc.code < 500:
                    raise RemoteSigningError(
                        _("Dịch vụ ký số từ xa từ chối yêu cầu (HTTP %(status)s).") % {"status": exc.code}
                    ) from None
                last = exc
            except (urllib.error.URLError, TimeoutError, ConnectionError, json.JSONDecodeError) as exc:
                last = exc
            if attempt < self.retries:
                time.sleep(min(0.2 * 2**attempt, 2.0))
        raise RemoteSigningError(
            _("Không liên lạc được dịch vụ ký số từ xa: %(error)s.") % {"error": type(last).__name__}
        )

    def certificate(self, *, user_id: str) -> tuple[bytes, list[bytes]]:
        answer = self._call("GET", f"/v1/credentials/{quote(user_id, safe='')}/certificate")
        try:
            return base64.b64decode(answer["certificate"]), [base64.b64decode(c) for c in answer.get("chain", [])]
        except (KeyError, TypeError, ValueError):
            raise RemoteSigningError(_("Dịch vụ ký số từ xa không trả về chứng thư số.")) from None

    def sign_hash(self, *, user_id: str, digest: bytes, digest_algorithm: str, description: str) -> bytes:
        started = self._call("POST", "/v1/signatures", {
            "user_id": user_id, "hash": base64.b64encode(digest).decode(), "hash_algorithm": digest_algorithm,
            "description": description,
        })
        transaction_id = str(started.get("transaction_id") or "")
        if not transaction_id:
            raise RemoteSigningError(_("Dịch vụ ký số từ xa không trả về mã giao dịch."))
        deadline = time.monotonic() + self.confirm_seconds
        while True:
            answer = self._call("GET", f"/v1/signatures/{quote(transaction_id, safe='')}")
            status = answer.get("status")
            if status == "confirmed":
                try:
                    return base64.b64decode(answer["signature"])
                except (KeyError, TypeError, ValueError):
                    raise RemoteSigningError(_("Dịch vụ ký số từ xa không trả về chữ ký.")) from None
            if status in ("rejected", "expired"):
                raise RemoteSigningError(
                    _("Người ký đã từ chối hoặc không xác nhận kịp yêu cầu ký số."), code="remote_signing_refused",
                    status=409,
                )
            if time.monotonic() >= deadline:
                raise RemoteSigningError(
                    _("Hết thời gian chờ người ký xác nhận trên điện thoại."), code="remote_signing_timeout", status=409,
                )
            time.sleep(self.poll_seconds)
