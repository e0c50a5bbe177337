"""Dossier codes are found however a person types them (`core.codes.dossier_code_candidates`)."""

from __future__ import annotations

import pytest

from tinhso.core.codes import dossier_code_candidates

CODE = "H44.100-260302-0001"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (CODE, (CODE,)),
        ("h44.100-260302-0001", (CODE,)),  # case
        ("  H44.100 - 260302 - 0001  ", (CODE,)),  # spaces anywhere
        ("H44.100\u2013260302\u20130001", (CODE,)),  # en dashes (a phone keyboard's "-")
        ("H44.100\u2014260302\u2014 0001", (CODE,)),  # em dashes
        ("H44.100_260302/0001", (CODE,)),
        ("H44.100--260302-0001", (CODE,)),  # a doubled dash
        ("\uff28\uff14\uff14.100-260302-0001", (CODE,)),  # full-width letters and digits
        ("H44.1002603020001", (CODE,)),  # no dash at all: the day must be a real date
        ("H44.100-2603020001", (CODE,)),  # the second dash left out
        ("H44.100260302-0001", (CODE,)),  # the first dash left out
        ("https://tinhso.example/tra-cuu/?code=H44.100-260302-0001", (CODE,)),  # the QR code's link pasted
        ("H44.100-260302-12345", ("H44.100-260302-12345",)),
        ("H44.10026030212345", ("H44.100-260302-12345",)),  # 5-digit sequence: 4 would give day 603021
        ("000.00.01.H22-260302-0001", ("000.00.01.H22-260302-0001",)),
        ("", ()),
        ("   ", ()),
        ("xin chào", ()),
        ("H44.100-261399-0001", ()),  # no 99th of the 13th month
        ("H44.100-260302", ()),  # no sequence
        ("1234", ()),
        ("H" * 80, ()),
    ],
)
def test_candidates(typed: str, expected: tuple[str, ...]) -> None:
    assert dossier_code_candidates(typed) == expected


def test_an_undashed_code_may_have_two_readings_and_gives_both() -> None:
    """Returns every reading when the day could start at two places (the caller keeps the one
    that exists)."""
    assert dossier_code_candidates("H44.1025010110001") == ("H44.102-501011-0001", "H44.10-250101-10001")
