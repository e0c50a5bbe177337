"""Log lines an IT department can read and search: timestamp, level, logger and request id.

- `RequestIdMiddleware` (first in MIDDLEWARE) takes the request's `X-Request-ID` when it is a
  sane token (what nginx's `$request_id` or another proxy sends) or makes one, keeps it in a
  context variable until the response is finished and returns it in the response's
  `X-Request-ID`.
- `RequestIdFilter` puts that id (or "-" outside a request: commands, the worker) on every
  record, so the formatters can print it.
- `JsonFormatter` writes one JSON object per line (`TINHSO_LOG_FORMAT=json`), for log shippers;
  the text format (the default) is `TEXT_FORMAT`.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# A request id we take from the client or the proxy: short, and nothing a log reader could trip on.
REQUEST_ID_SHAPE = re.compile(r"[A-Za-z0-9._:-]{1,64}")
NO_REQUEST = "-"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

request_id: ContextVar[str] = ContextVar("tinhso_request_id", default=NO_REQUEST)


def accepted_request_id(value: str | None) -> str:
    """The incoming id if it has the expected shape, else a new random one (32 hex digits)."""
    if value and REQUEST_ID_SHAPE.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets the request id for everything the request logs; answers it in `X-Request-ID`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = accepted_request_id(request.headers.get(REQUEST_ID_HEADER))
        # Kept until the response is finished (`forget_request_id`), not reset here: Django logs
        # a 4xx/5xx ("Not Found: /x") after the middleware chain has returned.
        request_id.set(rid)
        request.request_id = rid  # type: ignore[attr-defined]
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = rid
        return response


def forget_request_id(**_kwargs: Any) -> None:
    """Receiver of `request_finished`: lines logged after the response carry no request id."""
    request_id.set(NO_REQUEST)


class RequestIdFilter(logging.Filter):
    """Adds `record.request_id` (the current request's, or "-")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, request_id, message[, exc_info]."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", NO_REQUEST),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATS = ("text", "json")


def check_level(value: str) -> None:
    """The validator of LOG_LEVEL: a level name in any case."""
    from environs import ValidationError

    if value.upper() not in LEVELS:
        raise ValidationError(f"must be one of {', '.join(LEVELS)}")


def logging_config(*, level: str, log_format: str) -> dict[str, Any]:
    """Django's LOGGING: one console handler with the request-id filter, text or JSON lines."""
    formatter: dict[str, Any] = (
        {"()": "tinhso.core.logging.JsonFormatter"} if log_format == "json" else {"format": TEXT_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "tinhso.core.logging.RequestIdFilter"}},
        "formatters": {"tinhso": formatter},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "tinhso"},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "axes": {"level": "WARNING"},
            # Django's own request and server loggers print through the same handler, once.
            "django": {"handlers": ["console"], "level": level, "propagate": False},
        },
    }
