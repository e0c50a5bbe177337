"""The VietQR payload, decoded field by field by a TLV walker and a CRC written here (not the
library's), for several amounts, banks and dossier codes."""

from __future__ import annotations

import pytest

from tinhso.payments import vietqr
from tinhso.payments.banks import bank_by_bin, receives_vietqr


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final xor."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def tlv(text: str) -> dict[str, str]:
    """Two-digit id, two-digit length, value — every field once, the whole string consumed."""
    fields: dict[str, str] = {}
    i = 0
    while i < len(text):
        tag, length = text[i:i + 2], int(text[i + 2:i + 4])
        value = text[i + 4:i + 4 + length]
        assert len(value) == length, f"field {tag} is cut short"
        assert tag not in fields, f"field {tag} twice"
        fields[tag] = value
        i += 4 + length
    return fields


def test_crc_of_the_check_string():
    """The walker's CRC is the standard one (check value of "123456789" is 0x29B1)."""
    assert crc16_ccitt_false(b"123456789") == 0x29B1


@pytest.mark.parametrize(("bank_bin", "account", "amount", "code"), [
    ("970436", "0011001932418", 50_000, "H44.100-260302-0001"),
    ("970405", "8800205123456", 1, "H44.03-261231-9999"),
    ("970418", "12010000123456", 1_250_000, "H44.101-260101-12345"),
    ("970415", "113000006100", 9_999_999_999_999, "000.00.01.H22-260715-0042"),
])
def test_payload_decodes_field_by_field(bank_bin, account, amount, code):
    """Returns the Napas EMVCo fields: dynamic, the account under 38, VND, the amount in whole
    đồng, VN, the dossier code as purpose, and a CRC over everything before its value."""
    purpose = vietqr.purpose_for(code)
    text = vietqr.payload(bank_bin=bank_bin, account_number=account, amount=amount, purpose=purpose)
    assert text.isascii()
    top = tlv(text)
    assert list(top) == ["00", "01", "38", "53", "54", "58", "62", "63"]
    assert top["00"] == "01" and top["01"] == "12"
    merchant = tlv(top["38"])
    assert merchant["00"] == "A000000727"
    assert tlv(merchant["01"]) == {"00": bank_bin, "01": account}
    assert merchant["02"] == "QRIBFTTA"
    assert top["53"] == "704" and top["54"] == str(amount) and top["58"] == "VN"
    additional = tlv(top["62"])
    assert additional["08"] == purpose and len(purpose) <= 25
    assert purpose.replace(".", "").replace("-", "") == code.replace(".", "").replace("-", "")
    assert text[-8:-4] == "6304"
    assert int(top["63"], 16) == crc16_ccitt_false(text[:-4].encode("ascii"))


def test_long_code_becomes_compact_and_too_long_is_refused():
    assert vietqr.purpose_for("H44.100-260302-0001") == "H44.100-260302-0001"
    assert vietqr.purpose_for("000.00.01.H22.1234-260302-0001") == "0000001H2212342603020001"
    with pytest.raises(vietqr.PayloadError):
        vietqr.purpose_for("ABCDEFGHIJ.ABCDEFGHIJ-260302-0001")


@pytest.mark.parametrize("kwargs", [
    {"bank_bin": "97043", "account_number": "1", "amount": 1, "purpose": "x"},
    {"bank_bin": "970436", "account_number": "00 11", "amount": 1, "purpose": "x"},
    {"bank_bin": "970436", "account_number": "1", "amount": 0, "purpose": "x"},
    {"bank_bin": "970436", "account_number": "1", "amount": 10**13, "purpose": "x"},
    {"bank_bin": "970436", "account_number": "1", "amount": 1, "purpose": "Nộp phí"},
    {"bank_bin": "970436", "account_number": "1", "amount": 1, "purpose": "x" * 26},
])
def test_bad_inputs_are_refused(kwargs):
    with pytest.raises(vietqr.PayloadError):
        vietqr.payload(**kwargs)


def test_png_and_svg():
    text = vietqr.payload(bank_bin="970436", account_number="0011001932418", amount=50_000, purpose="H44.100-260302-0001")
    assert vietqr.png(text).startswith(b"\x89PNG\r\n\x1a\n")
    svg = vietqr.svg(text)
    assert svg.startswith(b"<svg") and b"<path" in svg


def test_napas_list():
    """The vendored list knows the big banks by BIN."""
    assert bank_by_bin("970436").short_name == "Vietcombank"
    assert bank_by_bin("970405").code == "AGRIBANK"
    assert bank_by_bin("123456") is None and not receives_vietqr("123456")
    assert receives_vietqr("970418")
