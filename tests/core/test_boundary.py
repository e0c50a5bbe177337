"""The boundary's rules, table-tested: what text, instants, dates, numbers and JSON may enter."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import translation

from tinhso.core import boundary
from tinhso.core.boundary import BoundaryError


@pytest.fixture(autouse=True)
def _english():
    """The rules' messages are read in English here (tests/api/test_language.py reads them in both)."""
    with translation.override("en"):
        yield

TEXT = [
    ("Nguyễn Văn An", True, None),
    ("dòng một\ndòng hai\r\n\tthụt lề", True, None),
    ("dòng một\ndòng hai", False, "U+000A"),
    ("a\x00b", True, "U+0000 at position 2"),
    ("\x07chuông", True, "U+0007"),
    ("xoá\x7f", True, "U+007F"),
    ("lỗi \ufffd mã", True, "invalid UTF-8"),
    ("nửa \ud800 cặp", True, "U+D800"),
    ("phi ký tự \uffff", True, "U+FFFF"),
    ("emoji 🙂 và chữ Hán 漢", True, None),
    ("", True, None),
]


@pytest.mark.parametrize(("value", "multiline", "problem"), TEXT)
def test_text_rule(value: str, multiline: bool, problem: str | None) -> None:
    """Returns None for text PostgreSQL, XML and a PDF can hold, else names the character."""
    found = boundary.text_problem(value, multiline=multiline)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


INSTANTS = [
    ("2026-03-02T08:00:00+07:00", None),
    ("2026-03-02T08:00:00+14:00", None),
    ("2026-03-02T08:00:00-12:00", None),
    ("2026-03-02T08:00:00+14:01", "±14:00"),
    ("2026-03-02T08:00:00+23:59", "±14:00"),
    ("9999-12-31T23:59:59-12:00", "between the years"),
    ("9999-12-31T00:00:00+07:00", "between the years"),
    ("0001-01-01T00:00:00+07:00", "between the years"),
    ("1899-12-31T23:59:59+00:00", "between the years"),
    ("1900-01-01T00:00:00+00:00", None),
    ("2199-12-31T23:59:59+00:00", None),
    ("2026-03-02T08:00:00", None),
]


@pytest.mark.parametrize(("text", "problem"), INSTANTS)
def test_instant_rule(text: str, problem: str | None) -> None:
    """Offsets within ±14:00 and instants between 1900 and 2200 (in UTC) enter; nothing else."""
    found = boundary.instant_problem(datetime.fromisoformat(text))
    assert (found is None) if problem is None else (found is not None and problem in found)


@pytest.mark.parametrize(("value", "ok"), [(date(1990, 5, 17), True), (date(1, 1, 1), False), (date(9999, 1, 1), False)])
def test_date_rule(value: date, ok: bool) -> None:
    if ok:
        assert boundary.check_date(value) == value
    else:
        with pytest.raises(BoundaryError):
            boundary.check_date(value)


@pytest.mark.parametrize("text", ["NaN", "nan", "Infinity", "-Infinity", "sNaN", "abc", "", "1e"])
def test_decimals_must_be_finite_numbers(text: str) -> None:
    with pytest.raises(BoundaryError):
        boundary.finite_decimal(text)


def test_decimals_that_are_numbers_pass() -> None:
    assert str(boundary.finite_decimal(" 21.3227 ")) == "21.3227"


JSON = [
    ('{"a": 1}', None),
    ("[" * 33 + "]" * 33, "nests deeper than 32"),
    ("[" * 100_000, "nests deeper than 32"),
    ('{"s": "' + "[" * 100 + '"}', None),  # brackets inside a string do not nest
    ('{"n": 1' + "0" * 40 + "}", "more than 30 digits"),
    ('{"n": NaN}', "NaN is not a JSON number"),
    ('{"n": -Infinity}', "-Infinity is not a JSON number"),
    (b'{"a": "\xff"}', "not UTF-8"),
    ('{"a": ', "not valid JSON"),
]


@pytest.mark.parametrize(("text", "problem"), JSON)
def test_parse_json(text: str | bytes, problem: str | None) -> None:
    """Decodes what tinhso can hold; refuses the rest with the reason, never RecursionError."""
    if problem is None:
        boundary.parse_json(text)
    else:
        with pytest.raises(BoundaryError, match=problem):
            boundary.parse_json(text)


def test_json_problems_name_the_field() -> None:
    value = boundary.parse_json('{"applicant": {"name": "A\\u0000"}, "documents": ["ok", "\\ud800"], '
                                '"fee": 99999999999999999999, "bad\\u0001key": 1}')
    problems = dict(boundary.json_problems(value))
    assert set(problems) == {"applicant.name", "documents.1", "fee", "bad\x01key"}
    assert "U+0000" in problems["applicant.name"] and "too large" in problems["fee"]


def test_integers_fit_their_columns() -> None:
    assert boundary.check_integer(boundary.INT64_MAX) == boundary.INT64_MAX
    with pytest.raises(BoundaryError):
        boundary.check_integer(boundary.INT64_MAX + 1)
    with pytest.raises(BoundaryError):
        boundary.check_integer(-1)
