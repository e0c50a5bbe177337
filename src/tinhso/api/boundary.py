"""The API's side of the one boundary (`tinhso.core.boundary`): every request schema derives from
`InputSchema`, so every text, instant, date and whole number a client sends is checked by the same
rules before an endpoint runs, and a refused value comes back as 422 naming its field
(`applicant.name: contains a character that is not allowed: U+0000 at position 3`).

The generic check catches what the column types cannot hold; the schemas still declare the
narrower bounds a client should see in the OpenAPI document (`maxLength`, `minimum`, `maximum`)
with `limit_field` and `offset_field` for paging and `Field(max_length=…, ge=…, le=…)`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import (
    BeforeValidator,
    ModelWrapValidatorHandler,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from tinhso.core import boundary

# Paging: at most this many rows are skipped, so OFFSET stays within what a person would page
# through (and what PostgreSQL can plan); beyond it, filter instead.
MAX_OFFSET = 100_000


def _refuse(message: str) -> PydanticCustomError:
    return PydanticCustomError("boundary", message)


def _checked(value: Any) -> Any:
    """`value` if it may enter; a PydanticCustomError naming the problem otherwise."""
    if isinstance(value, str):
        problem = boundary.text_problem(value)
        if problem is not None:
            raise _refuse(problem)
    elif isinstance(value, bool):
        pass
    elif isinstance(value, int):
        try:
            boundary.check_integer(value, minimum=-boundary.INT64_MAX - 1)
        except boundary.BoundaryError as exc:
            raise _refuse(str(exc)) from None
    elif isinstance(value, datetime):
        problem = boundary.instant_problem(value)
        if problem is not None:
            raise _refuse(problem)
    elif isinstance(value, date):
        try:
            boundary.check_date(value)
        except boundary.BoundaryError as exc:
            raise _refuse(str(exc)) from None
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _checked(item)
    return value


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?\Z")


def _iso(pattern: re.Pattern[str], example: str) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, str) and not pattern.match(value.strip()):
            raise _refuse(_("must be written as ISO 8601, e.g. %(example)s") % {"example": example})
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise _refuse(_("must be written as ISO 8601, e.g. %(example)s") % {"example": example})
        return value.strip() if isinstance(value, str) else value

    return BeforeValidator(check)


# Instants and days as ISO 8601 text only (pydantic would also read "0.5" as a Unix time).
IsoDateTime = Annotated[datetime, _iso(_ISO_DATETIME, "2026-03-02T08:00:00+07:00")]
IsoDate = Annotated[date, _iso(_ISO_DATE, "1990-05-17")]


class InputSchema(Schema):
    """Base of every request schema (body or query): an object whose every field passes the boundary."""

    @model_validator(mode="wrap")
    @classmethod
    def _an_object(cls, value: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        # Django Ninja's schemas read attributes, so a JSON array or number would otherwise pass
        # as an object whose fields all took their defaults.
        if not isinstance(value, dict | Schema):
            raise _refuse("must be a JSON object")
        return handler(value)

    @field_validator("*", mode="after")
    @classmethod
    def _boundary(cls, value: Any, info: ValidationInfo) -> Any:
        return _checked(value)


# Paging fields, so the OpenAPI document states the bounds the boundary enforces.
def limit_field(default: int, maximum: int) -> Any:
    return Field(default, ge=1, le=maximum, description=f"At most this many items (1–{maximum}).")


def offset_field() -> Any:
    return Field(0, ge=0, le=MAX_OFFSET, description=f"Skip this many items first (0–{MAX_OFFSET:,}).")

