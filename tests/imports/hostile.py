"""Hostile dossier lines and the reason each must be reported with: the table the import tests
run through `dossiers_import_stream`, the file import and the `tinhso import dossiers` process.

Each kind an independent test found aborting a whole import is here (deep nesting, huge numbers,
bad UTC offsets, NUL bytes, instants out of range) with its neighbours: other control characters,
lone surrogates, invalid UTF-8, JSON that is not an object, the wrong type in every kind of
field, lines of 10 MB, due moments too far after receipt and receipts in the future.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.imports.conftest import line

TEN_MB = 10 * 1024 * 1024


def _raw(obj: Any) -> bytes:
    """A line as a JSON encoder would write it (`\\u` escapes for control characters and lone
    surrogates, so the bytes themselves are ASCII)."""
    return json.dumps(obj).encode()


def _with(code: Any, **overrides: Any) -> bytes:
    return _raw(line(code, **overrides))


def _soon(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


# (label, the raw line without its line break, the reason reported: parts of it, in order,
# between the "…" of `matches`).
HOSTILE: list[tuple[str, bytes, str]] = [
    # deep nesting: json.loads raised RecursionError
    ("nested objects", b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "nests deeper than 32 levels"),
    ("a million [", b"[" * 1_000_000, "nests deeper than 32 levels"),
    ("a deep extra field", _raw({**line("N-1"), "extra": json.loads("[" * 40 + "]" * 40)}), "nests deeper than 32"),
    # huge numbers: out of range for bigint in COPY, or a ValueError in json
    ("fee_due 10**30", _with("N-2", fee_due=10**30), "a number has more than 30 digits"),
    ("a 5,000-digit status", _with("N-3").replace(b'"status": 10', b'"status": ' + b"7" * 5000),
     "a number has more than 30 digits"),
    ("fee_due 10**25", _with("N-4", fee_due=10**25), "fee_due 10000000000000000000000000 is not a whole number"),
    ("fee_due 2**63", _with("N-5", fee_due=2**63), "from 0 to 9223372036854775807"),
    ("fee_due 1e400", _with("N-6").replace(b'"fee_due": 0', b'"fee_due": 1e400'), "fee_due inf is not a whole number"),
    ("fee_due NaN", _with("N-7").replace(b'"fee_due": 0', b'"fee_due": NaN'), "NaN is not a JSON number"),
    ("status 10**20", _with("N-8", status=10**20), "is not an integer from 1 to 10"),
    # bad UTC offsets: Python takes up to ±23:59, PostgreSQL refused the whole COPY
    ("offset +16:00", _with("O-1", received_at="2024-01-05T08:00:00+16:00"), "received_at '2024-01-05T08:00:00+16:00': "
     "the UTC offset must lie within ±14:00"),
    ("offset -14:30", _with("O-2", due_at="2024-01-08T08:00:00-14:30"), "due_at '2024-01-08T08:00:00-14:30': the UTC"),
    ("offset +23:59 finish", _with("O-3", finished_at="2024-01-06T15:00:00+23:59"), "finished_at '2024-01-06T15:00"),
    # text PostgreSQL cannot hold, or that is not one line
    ("NUL in the code", _with("T-\x00-1"), "code contains a character that is not allowed: U+0000 at position 3"),
    ("BEL in the code", _with("T-\x07-2"), "U+0007"),
    ("line feed in the code", _with("T-\n-3"), "U+000A"),
    ("tab in the code", _with("T-\t-4"), "U+0009"),
    ("DEL in the code", _with("T-\x7f-5"), "U+007F"),
    ("U+FFFD in the code", _with("T-\ufffd-6"), "U+FFFD (invalid UTF-8)"),
    ("lone surrogate \\ud800", _with("T-\ud800-7"), "U+D800"),
    ("U+FFFF in the code", _with("T-\uffff-8"), "U+FFFF"),
    ("invalid UTF-8 bytes", _with("T-9").replace(b"T-9", b"T-\xff\xfe-9"), "not UTF-8 text"),
    ("an encoded surrogate", _with("T-10").replace(b"T-10", b"T-\xed\xa0\x80-10"), "not UTF-8 text"),
    # instants out of range
    ("year 10000 in UTC", _with("I-1", received_at="9999-12-31T23:59:59-12:00", due_at="9999-12-31T23:59:59-12:00",
                                finished_at=None, returned_at=None, status=4),
     "received_at '9999-12-31T23:59:59-12:00': must lie between the years 1900 and 2200"),
    ("year 1", _with("I-2", received_at="0001-01-01T00:00:00+14:00"), "must lie between the years 1900 and 2200"),
    ("year 1899", _with("I-3", received_at="1899-12-31T23:00:00+00:00"), "must lie between the years 1900 and 2200"),
    ("year 2200 due", _with("I-4", due_at="2200-01-01T00:00:00+00:00"), "due_at '2200-01-01T00:00:00+00:00': must lie"),
    # due moments too late, history in the future
    ("due 6 years on", _with("F-1", due_at="2030-01-06T08:00:00+07:00"), "due_at lies more than 5 years after received_at"),
    ("received in 2 days", _with("F-2", received_at=_soon(48), due_at=_soon(120), finished_at=None, returned_at=None,
                                 status=2), "received_at '…' lies in the future"),
    ("finished in 3 days", _with("F-3", received_at=_soon(-48), due_at=_soon(48), finished_at=_soon(72),
                                 returned_at=None, status=9), "finished_at '…' lies in the future"),
    # JSON that is not one dossier object
    ("a top-level array", b"[1, 2]", "not a JSON object"),
    ("a top-level string", b'"H44.100-240105-0001"', "not a JSON object"),
    ("a top-level null", b"null", "not a JSON object"),
    ("not JSON", b"{not json", "not valid JSON"),
    ("a NUL byte alone", b"\x00", "not valid JSON"),
    # the wrong type in each kind of field
    ("status as text", _with("W-1", status="9"), "status '9' is not an integer from 1 to 10"),
    ("fee_due as text", _with("W-2", fee_due="100"), "fee_due '100' is not a whole number"),
    ("fee_due true", _with("W-3", fee_due=True), "fee_due True is not a whole number"),
    ("fee_due 1.5", _with("W-4", fee_due=1.5), "fee_due 1.5 is not a whole number"),
    ("code a number", _with(12345), "code must be text, not 12345"),
    ("code a list", _with(["A"]), "code must be text, not ['A']"),
    ("applicant_type a list", _with("W-7", applicant_type=[]), "applicant_type [] is not one of"),
    ("rating an object", _with("W-8", rating={}), "rating {} is not one of"),
    ("channel a list", _with("W-9", channel=["counter"]), "channel ['counter'] is not one of"),
    ("procedure_code an object", _with("W-10", procedure_code={"x": 1}), "unknown procedure_code {'x': 1}"),
    ("received_at a number", _with("W-11", received_at=20240105), "received_at 20240105 is not an ISO 8601 timestamp"),
    ("a flag as 1", _with("W-12", complained=1), "complained must be true or false, not 1"),
    ("code 65 characters", _with("C" * 65), "code is longer than 64 characters"),
    ("code blank", _with("   "), "code is empty"),
    # lines of 10 MB
    ("a 10 MB code", _with("X" * TEN_MB), "the line is longer than 1,048,576 bytes"),
    ("10 MB of spaces and junk", b" " * TEN_MB + b"x", "the line is longer than 1,048,576 bytes"),
]


def mixed_lines() -> list[tuple[bytes, str | None]]:
    """A file's lines: a good line, then each hostile line followed by a good one; (raw line
    with its line break, the reason the line must be reported with or None for a good line)."""
    out: list[tuple[bytes, str | None]] = [(_with("G-0") + b"\n", None)]
    for i, (_label, raw, reason) in enumerate(HOSTILE, start=1):
        out.append((raw + b"\n", reason))
        out.append((_with(f"G-{i}", fee_due=2**63 - 1 if i == 1 else 0) + b"\n", None))
    return out


def matches(message: str, reason: str) -> bool:
    """Whether `message` holds the parts of `reason` between its "…", in that order."""
    at = 0
    for part in reason.split("…"):
        found = message.find(part, at)
        if found < 0:
            return False
        at = found + len(part)
    return True


def good_codes(lines: list[tuple[bytes, str | None]]) -> set[str]:
    return {json.loads(raw)["code"] for raw, reason in lines if reason is None}
