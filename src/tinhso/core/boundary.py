"""The one boundary every value crosses on its way in: the rules, as plain functions.

Each face adapts these rules to its own parser — the API's schemas (`tinhso.api.types`), the
transport check every HTTP request passes (`tinhso.core.middleware.BoundaryMiddleware`: the
path, query strings, form fields and file names of the pages, the API and Open311), the import's
line parser — so a value the database or Python cannot hold is refused with a message naming its
field before anything is written, whatever door it came through.

The rules:
- **Text** is valid Unicode that PostgreSQL, XML and a PDF can hold: no NUL or other C0 control
  character (tab, line feed and carriage return excepted; one-line fields refuse those too), no
  DEL, no lone surrogate, no U+FFFE/U+FFFF, and no U+FFFD — the replacement character is what a
  decoder leaves for invalid UTF-8, so refusing it refuses invalid UTF-8 that was decoded with
  `errors="replace"` (Django's query and form parsers do that). Nothing is stripped silently:
  a person who pasted a control character is told which field holds it.
- **Instants** carry a UTC offset within ±14:00 (the widest in use on Earth) and lie between
  `EARLIEST` and `LATEST`; a due moment may lie at most `TINHSO_MAX_DUE_YEARS` after receipt
  (a domain rule, checked where due moments are set).
- **Dates** lie between 1900-01-01 and `LATEST`.
- **Integers** fit their column: `INT32_MAX` for counters and versions, `INT64_MAX` for ids and
  amounts.
- **Decimals** (coordinates, amounts) are finite numbers.
- **JSON** nests at most `MAX_JSON_DEPTH` levels and its numbers have at most
  `MAX_NUMBER_DIGITS` digits.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

# Characters no field may hold (see the module docstring); tab, LF and CR are allowed in text.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd\ufffe\uffff\ud800-\udfff]")
# What breaks a line besides LF and CR: tab (a one-line field is one cell), NEL, LINE and
# PARAGRAPH SEPARATOR.
_LINE_BREAKS = re.compile("[\t\n\r\x85\u2028\u2029]")

MAX_OFFSET = timedelta(hours=14)
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2200, 1, 1)
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
MAX_JSON_DEPTH = 32
MAX_NUMBER_DIGITS = 30


class BoundaryError(ValueError):
    """A value that may not enter; the message says why, for the person who sent it."""


def _describe(char: str) -> str:
    if char == "\ufffd":
        return "U+FFFD (invalid UTF-8)"
    return f"U+{ord(char):04X}"


def text_problem(value: str, *, multiline: bool = True) -> str | None:
    """Why `value` may not be stored as text, or None when it may."""
    match = _FORBIDDEN.search(value)
    if match is None and not multiline:
        match = _LINE_BREAKS.search(value)
    if match is None:
        return None
    return _("contains a character that is not allowed: %(char)s at position %(position)s") % {
        "char": _describe(match.group()), "position": match.start() + 1}


def check_text(value: str, *, multiline: bool = True) -> str:
    problem = text_problem(value, multiline=multiline)
    if problem is not None:
        raise BoundaryError(problem)
    return value


def instant_problem(value: datetime) -> str | None:
    """Why `value` is not an instant tinhso stores, or None. A naive value is checked as if it
    were UTC (the faces read it in Asia/Ho_Chi_Minh before storing it)."""
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        return _("the UTC offset must lie within ±14:00")
    try:
        utc = value.astimezone(UTC) if offset is not None else value.replace(tzinfo=UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        return _years(EARLIEST.year, LATEST.year)
    return None


def _years(first: int, last: int) -> str:
    return _("must lie between the years %(first)s and %(last)s") % {"first": first, "last": last}


def check_instant(value: datetime) -> datetime:
    problem = instant_problem(value)
    if problem is not None:
        raise BoundaryError(problem)
    return value


def check_date(value: date) -> date:
    if not EARLIEST_DATE <= value < LATEST_DATE:
        raise BoundaryError(_years(EARLIEST_DATE.year, LATEST_DATE.year))
    return value


def check_integer(value: int, *, minimum: int = 0, maximum: int = INT64_MAX) -> int:
    if not minimum <= value <= maximum:
        raise BoundaryError(_("must be a whole number from %(min)s to %(max)s") % {"min": minimum, "max": maximum})
    return value


def finite_decimal(value: Any) -> Decimal:
    """`value` as a finite Decimal; BoundaryError for text that is not a number, NaN or ±Infinity."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise BoundaryError(_("must be a number")) from None
    if not number.is_finite():
        raise BoundaryError(_("must be a finite number"))
    return number


def json_problems(value: Any, path: str = "") -> list[tuple[str, str]]:
    """(path, problem) for every string, key or number in a decoded JSON value that may not
    enter; `path` names the place as `applicant.name` or `documents.2`."""
    problems: list[tuple[str, str]] = []
    stack: list[tuple[str, Any, int]] = [(path, value, 0)]
    while stack:
        where, item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            problems.append((where or "body", _too_deep()))
            continue
        if isinstance(item, str):
            problem = text_problem(item)
            if problem is not None:
                problems.append((where or "body", problem))
        elif isinstance(item, dict):
            for key, child in item.items():
                name = f"{where}.{key}" if where else str(key)
                problem = text_problem(str(key), multiline=False)
                if problem is not None:
                    problems.append((name, _("the field name %(problem)s") % {"problem": problem}))
                    continue
                stack.append((name, child, depth + 1))
        elif isinstance(item, list):
            for index, child in enumerate(item):
                stack.append((f"{where}.{index}" if where else str(index), child, depth + 1))
        elif isinstance(item, int) and not isinstance(item, bool) and not -INT64_MAX - 1 <= item <= INT64_MAX:
            problems.append((where or "body", _("is a whole number too large to store")))
    problems.sort()
    return problems


def _too_deep() -> str:
    return _("nests deeper than %(n)s levels") % {"n": MAX_JSON_DEPTH}


def _too_long() -> str:
    return _("a number has more than %(n)s digits") % {"n": MAX_NUMBER_DIGITS}


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise BoundaryError(_too_long())
    return int(text)


def _bounded_float(text: str) -> float:
    if len(text) > MAX_NUMBER_DIGITS + 10:
        raise BoundaryError(_too_long())
    return float(text)


def _finite_constant(name: str) -> float:
    raise BoundaryError(_("%(name)s is not a JSON number") % {"name": name})


def parse_json(text: str | bytes) -> Any:
    """Decode JSON that tinhso can hold, or raise BoundaryError saying why not: not UTF-8, not
    JSON, nested deeper than `MAX_JSON_DEPTH`, numbers longer than `MAX_NUMBER_DIGITS` digits,
    `NaN`/`Infinity`. The depth is checked before decoding (only when the text has enough
    brackets to nest that deep), so a line of a million `[` cannot exhaust Python's stack. Text
    rules are left to `json_problems`, which names the field."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise BoundaryError(_("not UTF-8 text")) from None
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH:
        _check_depth(text)
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise BoundaryError(_("not valid JSON: %(reason)s (column %(column)s)") % {
            "reason": exc.msg, "column": exc.colno}) from None
    except RecursionError:  # pragma: no cover - _check_depth comes first
        raise BoundaryError(_too_deep()) from None


_DECODER = json.JSONDecoder(parse_int=_bounded_int, parse_float=_bounded_float, parse_constant=_finite_constant)


def _check_depth(text: str) -> None:
    """BoundaryError when brackets outside strings nest deeper than `MAX_JSON_DEPTH`."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise BoundaryError(_too_deep())
        elif char in "]}":
            depth -= 1
