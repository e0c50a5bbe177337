"""The one application error type; the API and the pages turn it into their one error shape.

Services raise `ApplicationError` (or a subclass) with a machine-readable `code`, a message for
people and, for bad input, per-field messages. The API answers
`{"error": {"code", "message", "fields"}}` with `status`.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, Any] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.fields = fields or {}

    def as_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


class InvalidInput(ApplicationError):
    status = 422
    code = "invalid"


class NotFound(ApplicationError):
    status = 404
    code = "not_found"


class PermissionDenied(ApplicationError):
    status = 403
    code = "forbidden"


class Conflict(ApplicationError):
    """The object changed under the caller, or the move is not allowed from its current state."""

    status = 409
    code = "conflict"
