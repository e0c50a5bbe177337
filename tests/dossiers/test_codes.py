"""The identifier formats of `tinhso.core.codes`: citizen ID, tax code, agency and dossier codes,
and the masks that hide personal data from those without business with it."""

from __future__ import annotations

from datetime import date

import pytest

from tinhso.core.codes import (
    dossier_code,
    is_agency_code,
    is_citizen_id,
    is_dossier_code,
    is_tax_code,
    mask_id_number,
    mask_name,
    mask_phone,
    normalise_tax_code,
    parse_dossier_code,
)


@pytest.mark.parametrize("value", ["025090001234", "001203004567", "000000000000"])
def test_citizen_id_valid(value):
    assert is_citizen_id(value)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("02509000123", id="11-digits"),
        pytest.param("0250900012345", id="13-digits"),
        pytest.param("02509000123A", id="letter"),
        pytest.param("025 090 001 234", id="spaces"),
        pytest.param("025090001234\n", id="trailing-newline"),
        pytest.param(" 025090001234", id="leading-space"),
        pytest.param("０２５０９０００１２３４", id="fullwidth-digits"),
        pytest.param("", id="empty"),
    ],
)
def test_citizen_id_invalid(value):
    assert not is_citizen_id(value)


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        pytest.param("0100233488", "0100233488", id="10-digits"),
        pytest.param("0314409058002", "0314409058002", id="13-digits"),
        pytest.param("0314409058-002", "0314409058002", id="10-3-branch"),
    ],
)
def test_tax_code_valid_and_normalised(value, normalised):
    assert is_tax_code(value)
    assert normalise_tax_code(value) == normalised


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("010123456", id="9-digits"),
        pytest.param("01012345678", id="11-digits"),
        pytest.param("0101234567-01", id="10-2"),
        pytest.param("0101234567-0011", id="10-4"),
        pytest.param("0101234567--001", id="double-dash"),
        pytest.param("0101234567\n", id="trailing-newline"),
        pytest.param("01012345AB", id="letters"),
        pytest.param("0100233480", id="wrong-check-digit"),
        pytest.param("0100233489", id="check-digit-off-by-one"),
        pytest.param("0314409058-000", id="branch-000"),
        pytest.param("0100000003", id="no-sequence"),
    ],
)
def test_tax_code_invalid(value):
    assert not is_tax_code(value)
    assert normalise_tax_code(value) == value  # left alone when not a tax code


@pytest.mark.parametrize("value", ["H44", "H44.03", "H44.100", "000.00.01.H22", "G01.01.02"])
def test_agency_code_valid(value):
    assert is_agency_code(value)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("h44", id="lowercase"),
        pytest.param("H44.03a", id="lowercase-tail"),
        pytest.param("H44 .03", id="inner-space"),
        pytest.param(" H44", id="leading-space"),
        pytest.param("H44\n", id="trailing-newline"),
        pytest.param("H44.", id="trailing-dot"),
        pytest.param(".H44", id="leading-dot"),
        pytest.param("H44..03", id="empty-level"),
        pytest.param("H44-03", id="dash"),
        pytest.param("", id="empty"),
    ],
)
def test_agency_code_invalid(value):
    assert not is_agency_code(value)


def test_dossier_code_build():
    assert dossier_code("H44.100", date(2026, 3, 15), 7) == "H44.100-260315-0007"
    assert dossier_code("000.00.01.H22", date(2025, 1, 1), 1) == "000.00.01.H22-250101-0001"
    # Past 9,999 in a day the number simply grows.
    assert dossier_code("H44", date(2026, 12, 31), 12345) == "H44-261231-12345"


@pytest.mark.parametrize(
    ("agency", "day", "seq"),
    [("H44.100", date(2026, 3, 15), 7), ("000.00.01.H22", date(2025, 1, 1), 1), ("H44", date(2026, 12, 31), 10000)],
)
def test_dossier_code_parse_round_trip(agency, day, seq):
    code = dossier_code(agency, day, seq)
    assert is_dossier_code(code)
    assert parse_dossier_code(code) == (agency, day, seq)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("H44.100-260315-007", id="short-sequence"),
        pytest.param("H44.100-2603150-0007", id="long-day"),
        pytest.param("H44.100-261315-0007", id="month-13"),
        pytest.param("H44.100-260230-0007", id="feb-30"),
        pytest.param("h44.100-260315-0007", id="lowercase-agency"),
        pytest.param("H44..100-260315-0007", id="bad-agency"),
        pytest.param("H44.100-260315-0007\n", id="trailing-newline"),
        pytest.param("H44.100/260315/0007", id="slashes"),
        pytest.param("", id="empty"),
    ],
)
def test_dossier_code_parse_rejects(value):
    assert not is_dossier_code(value)
    assert parse_dossier_code(value) is None


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Nguyễn Văn An", "N***** V** An"),
        ("Trần Thị Bích Ngọc", "T*** T** B*** Ngọc"),
        ("  Lê   Hoa  ", "L* Hoa"),
        ("An", "An"),
        ("", ""),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("001203004567", "*********567"), ("0101234567", "*******567"), ("123", "***"), ("12", "**"), ("", "")],
)
def test_mask_id_number(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("0912345678", "091****678"),
        ("+84912345678", "+84******678"),
        ("024123456", "024***456"),
        # Too short to be a phone number: nothing is revealed (3 + 3 would show it all).
        ("123456", "******"),
        ("12345", "*****"),
        ("", ""),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize("value", ["0912345678", "+84912345678", "001203004567"])
def test_masks_never_reveal_the_middle(value):
    for masked in (mask_phone(value), mask_id_number(value)):
        assert len(masked) == len(value)
        assert masked != value
        assert "*" in masked
