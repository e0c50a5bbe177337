"""Whatever a line holds, the dossier import never raises: each hostile line (`hostile.HOSTILE`)
is reported once with its line number and reason, and every good line around it is stored."""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.imports.conftest import jsonl, line
from tests.imports.hostile import HOSTILE, good_codes, matches, mixed_lines
from tinhso.core.boundary import INT64_MAX, instant_problem, text_problem
from tinhso.dossiers import imports
from tinhso.dossiers.imports import (
    FUTURE_SKEW,
    MAX_LINE_BYTES,
    _BadLine,
    _Context,
    _dossier_values,
    bounded_lines,
    dossiers_import_file,
    dossiers_import_stream,
)
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.services import latest_due_moment
from tinhso.indicators.services import counters_from_dossiers, counters_live, rollup_live, rollup_of


@pytest.mark.parametrize(("label", "raw", "reason"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_each_hostile_line_is_reported_between_good_lines(world, label, raw, reason):
    """The hostile line 2 is reported with its number and reason; lines 1 and 3 are stored."""
    report = dossiers_import_stream([jsonl(line("G-1")).encode(), raw + b"\n", jsonl(line("G-2")).encode()],
                                    principal=None)
    assert (report.created, report.rejected) == (2, 1), report.as_dict()["errors"]
    assert report.errors[0].line == 2
    assert matches(report.errors[0].message, reason), report.errors[0].message
    assert set(Dossier.objects.values_list("code", flat=True)) == {"G-1", "G-2"}


def test_a_file_mixing_every_hostile_line_with_good_ones(world, tmp_path):
    """Read from a file: every good line stored, every hostile line reported exactly once with
    its number and reason, the counters equal to a recount."""
    lines = mixed_lines()
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"".join(raw for raw, _reason in lines))
    report = dossiers_import_file(path=path, principal=None)
    expected = {number: reason for number, (_raw, reason) in enumerate(lines, start=1) if reason is not None}
    assert (report.created, report.updated, report.rejected) == (len(lines) - len(expected), 0, len(expected))
    assert Counter(e.line for e in report.errors) == Counter(set(expected))  # each once
    for error in report.errors:
        assert matches(error.message, expected[error.line]), (error.line, error.message)
    assert set(Dossier.objects.values_list("code", flat=True)) == good_codes(lines)
    assert Dossier.objects.get(code="G-1").fee_due == INT64_MAX
    assert counters_live() == counters_from_dossiers()
    assert rollup_live() == rollup_of(counters_live())


def test_text_lines_as_the_api_may_pass_them(world):
    """Lines given as `str` (already decoded) go through the same rules: a lone surrogate or a
    NUL written into the text itself is refused like its JSON escape."""
    good = jsonl(line("S-1"))
    bad_surrogate = json.dumps(line("S-\ud800"), ensure_ascii=False) + "\n"
    bad_nul = json.dumps(line("S-\x00"), ensure_ascii=False) + "\n"
    report = dossiers_import_stream([good, bad_surrogate, bad_nul, "x" * (MAX_LINE_BYTES + 1)], principal=None)
    assert report.created == 1
    assert [(e.line, e.message.split(":")[0]) for e in report.errors] == [
        (2, "code contains a character that is not allowed"), (3, "code contains a character that is not allowed"),
        (4, "the line is longer than 1,048,576 bytes")]


def test_a_file_whose_last_line_is_10_mb_without_a_line_break(world, tmp_path):
    """A file's lines are read at most `MAX_LINE_BYTES` + 1 bytes at a time; the rest of a
    longer line is dropped unread into memory, and the numbering of later lines stays right."""
    path = tmp_path / "long.jsonl"
    with path.open("wb") as fh:
        fh.write(jsonl(line("L-1")).encode())
        fh.write(b'{"code": "' + b"L" * (10 * 1024 * 1024) + b'"}\n')
        fh.write(jsonl(line("L-2")).encode())
        fh.write(b"[" * (3 * MAX_LINE_BYTES))  # no line break at the end
    report = dossiers_import_file(path=path, principal=None)
    assert report.created == 2
    assert [(e.line, e.message) for e in report.errors] == [
        (2, "the line is longer than 1,048,576 bytes"), (4, "the line is longer than 1,048,576 bytes")]


@pytest.mark.parametrize(
    ("content", "lengths"),
    [
        (b"", []),
        (b"a\nbb\n", [2, 3]),
        (b"a\nbb", [2, 2]),
        (b"x" * 10 + b"\n", [11]),  # exactly the limit, with its line break: kept whole
        (b"x" * 11 + b"\nok\n", [11, 3]),  # one byte over: cut, and the next line still comes
        (b"x" * 50 + b"\n" + b"y" * 5, [11, 5]),
        (b"x" * 50, [11]),
    ],
)
def testbounded_lines(monkeypatch, content, lengths):
    """Each line is yielded whole up to the limit; a longer one is cut to limit + 1 bytes (so it
    is seen to be too long) and its rest skipped."""
    monkeypatch.setattr(imports, "MAX_LINE_BYTES", 10)
    assert [len(raw) for raw in bounded_lines(io.BytesIO(content))] == lengths


LEAP_DAY = {"received_at": "2024-02-29T08:00:00+07:00", "finished_at": None, "returned_at": None, "status": 4}
OPEN_1900 = {"due_at": "1900-01-04T08:00:00+07:00", "finished_at": None, "returned_at": None, "status": 4}


@pytest.mark.parametrize(
    ("overrides", "accepted"),
    [
        ({"fee_due": INT64_MAX}, True),
        ({"fee_due": INT64_MAX + 1}, False),
        ({"fee_due": 0}, True),
        ({"fee_due": -1}, False),
        ({"received_at": "2024-01-05T08:00:00+14:00", "due_at": "2024-01-08T08:00:00-12:00"}, True),
        ({"due_at": "2029-01-05T08:00:00+07:00"}, True),  # exactly TINHSO_MAX_DUE_YEARS later
        ({"due_at": "2029-01-05T08:00:01+07:00"}, False),
        ({**LEAP_DAY, "due_at": "2029-02-28T08:00:00+07:00"}, True),  # 29 February + 5 years: 28 February
        ({**LEAP_DAY, "due_at": "2029-02-28T08:00:01+07:00"}, False),
        ({**LEAP_DAY, "due_at": "2029-02-28T01:00:00Z"}, True),  # the same instant in another zone
        ({**OPEN_1900, "received_at": "1900-01-01T07:00:00+07:00"}, True),  # 1900-01-01 00:00 UTC
        ({**OPEN_1900, "received_at": "1900-01-01T06:59:59+07:00"}, False),
        ({"code": "  H44.100-240105-0001  "}, True),  # spaces around a code are trimmed
        ({"code": "H44.100 240105 0001"}, True),
        ({"extra": {"history": [{"at": "x\u0000"}] * 3}}, True),  # fields not imported are not stored
    ],
)
def test_value_bounds(world, overrides, accepted):
    """The edges of each rule: the last value accepted and the first refused."""
    ctx = _context()
    if accepted:
        _dossier_values(line("E-1") | overrides, ctx)
    else:
        with pytest.raises(_BadLine):
            _dossier_values(line("E-1") | overrides, ctx)


def test_receipt_skew_is_one_day(world):
    """A receipt up to `FUTURE_SKEW` (a day) after the start of the import is taken (a clock or a
    zone set wrong); later is refused."""
    ctx = _context()
    assert timedelta(days=1) == FUTURE_SKEW
    for hours, accepted in ((23, True), (25, False)):
        received = ctx.now + timedelta(hours=hours)
        values = line("E-2", received_at=received.isoformat(), due_at=(received + timedelta(days=3)).isoformat(),
                      finished_at=None, returned_at=None, status=2)
        if accepted:
            assert _dossier_values(values, ctx)["received_at"] == received
        else:
            with pytest.raises(_BadLine, match="lies in the future"):
                _dossier_values(values, ctx)


def _context() -> _Context:
    return _Context(procedures={"1.000894": 1}, agencies={"H44.100": 1, "H44.101": 2}, allowed=None,
                    now=datetime(2026, 12, 1, tzinfo=UTC))


# --- any value in any field ---------------------------------------------------------------------

OFFSETS = st.integers(min_value=-24 * 60 + 1, max_value=24 * 60 - 1).map(lambda m: timedelta(minutes=m))
INSTANTS = st.builds(
    lambda moment, offset, naive: moment.isoformat() if naive else moment.isoformat() + _offset_text(offset),
    st.datetimes(), OFFSETS, st.booleans(),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False) | st.text(max_size=20) | INSTANTS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.dictionaries(st.sampled_from(imports.FIELDS), JSON_VALUES | INSTANTS, min_size=1, max_size=4))
def test_any_value_is_accepted_within_the_rules_or_refused_with_a_reason(changes: dict[str, Any]) -> None:
    """`_dossier_values` is total: for any JSON value in any field it returns values that pass
    every boundary rule, or raises `_BadLine` — never anything else."""
    ctx = _context()
    try:
        values = _dossier_values(line("P-1") | changes, ctx)
    except _BadLine as exc:
        assert str(exc)
        return
    assert text_problem(values["code"], multiline=False) is None and 0 < len(values["code"]) <= 64
    assert 0 <= values["fee_due"] <= INT64_MAX and 1 <= values["status"] <= 10
    for name in ("received_at", "due_at", "finished_at", "returned_at"):
        if values[name] is not None:
            assert instant_problem(values[name]) is None
    assert values["received_at"] <= values["due_at"] <= latest_due_moment(values["received_at"])
    for name in ("received_at", "finished_at", "returned_at"):
        assert values[name] is None or values[name] <= ctx.now + FUTURE_SKEW
