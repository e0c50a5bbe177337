"""Safe retries for machine clients: the `Idempotency-Key` request header.

A client that sends `Idempotency-Key: <a key of its own, e.g. a UUID>` with a request that
creates something (a dossier, an online registration, an import, an Open311 report) may send the
very same request again — after a timeout, a lost answer, a server restart — and nothing new is
made: the first answer comes back again, with `Idempotent-Replayed: true`. The same key with a
different request (another body or another operation) answers 422 `idempotency_key_reused`.

How it holds, even under parallel retries and a server killed mid-request: the record of the key
is inserted at the start of the request's transaction and the request is handled in that same
transaction. A parallel retry with the same key waits on the record's unique index until the
first transaction ends, then finds the stored answer. If the server dies, the transaction —
record and all it wrote — rolls back, and the retry does the work once.

Only successful answers (2xx) are kept: a refused request wrote nothing and may simply be sent
again. Keys are scoped to their owner (an API key or a signed-in person) and kept
`TINHSO_IDEMPOTENCY_RETENTION_HOURS` (default 24), then purged by the worker.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.idempotency.models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# What a key may be: 1–255 visible ASCII characters (a UUID, a ULID, a hash…).
_KEY = re.compile(r"^[\x21-\x7e]{1,255}\Z")

# The header as the OpenAPI document describes it (for `openapi_extra`).
OPENAPI_PARAMETER: dict[str, Any] = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    "description": "A key of the client's own (e.g. a UUID) that makes retries safe: the same key with the same "
    "request answers the first answer again (with `Idempotent-Replayed: true`) and creates nothing; the same key "
    "with another request answers 422 `idempotency_key_reused`. Keys are kept 24 hours per client.",
}


class KeyProblem(Exception):
    """The request's key cannot be used: `status`, `code` and a message for the client."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def request_key(request: HttpRequest) -> str | None:
    """The request's `Idempotency-Key`, None when it has none; KeyProblem when it is malformed."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not _KEY.match(key):
        raise KeyProblem(400, "invalid_idempotency_key",
                         _("Idempotency-Key phải gồm 1–255 ký tự ASCII nhìn thấy được (ví dụ một UUID)."))
    return key


def fingerprint_json(operation: str, body: bytes) -> str:
    """A JSON request: the operation and the body's value (key order and spacing do not count)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, ensure_ascii=False).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(operation.encode() + b"\n" + canonical).hexdigest()


def fingerprint_form(operation: str, request: HttpRequest) -> str:
    """A form request: the operation, its fields and its files (name and content), in a fixed
    order — the multipart boundary a client picks anew for each try does not count."""
    digest = hashlib.sha256(operation.encode())
    for key in sorted(request.POST):
        for value in request.POST.getlist(key):
            digest.update(json.dumps(["field", key, value], ensure_ascii=False).encode())
    for key in sorted(request.FILES):
        for upload in request.FILES.getlist(key):
            content = hashlib.sha256()
            for chunk in upload.chunks():
                content.update(chunk)
            upload.seek(0)
            digest.update(json.dumps(["file", key, upload.name, content.hexdigest()]).encode())
    return digest.hexdigest()


class StreamFingerprint:
    """The fingerprint of a body read as a stream of lines: wrap the lines with `lines()`, hand
    them to the work, and `digest()` reads whatever is left before answering."""

    def __init__(self, operation: str, lines: Iterable[bytes]) -> None:
        self._hash = hashlib.sha256(operation.encode() + b"\n")
        self._lines = iter(lines)

    def lines(self) -> Iterator[bytes]:
        for line in self._lines:
            self._hash.update(line)
            yield line

    def digest(self) -> str:
        for line in self._lines:
            self._hash.update(line)
        return self._hash.hexdigest()


def _stored(record: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(bytes(record.body), status=record.status, content_type=record.content_type)
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent(
    *,
    key: str | None,
    owner: str,
    operation: str,
    fingerprint: Callable[[], str],
    handle: Callable[[], HttpResponse],
    reused: Callable[[], HttpResponse],
    now: datetime | None = None,
) -> HttpResponse:
    """Handle a request at most once per (owner, key) — see the module docstring.

    `fingerprint()` digests the request (it may read what is left of a streamed body);
    `handle()` does the work and answers; `reused()` is the answer for a key sent before with
    another request. Without a key, `handle()` runs as usual."""
    if key is None:
        return handle()
    now = now or timezone.now()
    with transaction.atomic():
        IdempotentRequest.objects.filter(owner=owner, key=key, expires_at__lte=now).delete()
        record, created = IdempotentRequest.objects.select_for_update().get_or_create(
            owner=owner, key=key,
            defaults={"operation": operation, "created_at": now,
                      "expires_at": now + timedelta(hours=settings.TINHSO_IDEMPOTENCY_RETENTION_HOURS)},
        )
        if not created:
            if record.operation != operation or record.fingerprint != fingerprint():
                return reused()
            return _stored(record)
        response = handle()
        if 200 <= response.status_code < 300 and not response.streaming:
            record.fingerprint = fingerprint()
            record.status = response.status_code
            record.content_type = response.get("Content-Type", "")
            record.body = response.content
            record.save(update_fields=["fingerprint", "status", "content_type", "body"])
        else:
            record.delete()
        return response


def idempotency_purge(*, now: datetime | None = None) -> int:
    """Delete the records past their retention period; returns how many."""
    deleted, _counts = IdempotentRequest.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
