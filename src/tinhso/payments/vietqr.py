"""VietQR: the Napas EMVCo merchant-presented payload a banking app scans to pay a fee.

The payload is built by `vietnam-qr-pay` (docs/libraries.md says why): `00`=01, `01`=12 (a
dynamic code: it carries the amount), `38` the Napas consumer account (GUID `A000000727`, the
bank's BIN and the account number, service `QRIBFTTA`: transfer to an account), `53`=704 (đồng),
`54` the amount in whole đồng, `58`=VN, `62`/`08` the purpose of the transfer — the dossier's
code, which the bank copies into the transfer's content and reconciliation reads back — and
`63` the CRC-16/CCITT-FALSE of everything before it. This module checks what the library does not
(ASCII, field lengths, a positive amount) and draws the code as PNG or SVG with segno.

No Django: it knows accounts and amounts, not dossiers.
"""

from __future__ import annotations

import io
import re

import segno
from vietnam_qr_pay import QRPay

# Field 62/08 (purpose of transaction) holds at most 25 characters in Napas' specification.
PURPOSE_MAX = 25
_ACCOUNT_RE = re.compile(r"^[0-9A-Za-z]{1,19}\Z")
_BIN_RE = re.compile(r"^[0-9]{6}\Z")
_NOT_COMPACT = re.compile(r"[^0-9A-Z]")
# The largest amount field 54 can carry (13 characters).
AMOUNT_MAX = 9_999_999_999_999


class PayloadError(ValueError):
    """The account, amount or purpose cannot be written into a VietQR payload."""


def compact(text: str) -> str:
    """Upper-case letters and digits only: what survives every bank's handling of a transfer's
    content (`H44.100-260302-0001` → `H441002603020001`)."""
    return _NOT_COMPACT.sub("", text.upper())


def purpose_for(code: str) -> str:
    """The purpose (62/08) for a dossier code: the code itself when it fits 25 ASCII characters,
    else its compact form (reconciliation reads either)."""
    if code.isascii() and len(code) <= PURPOSE_MAX:
        return code
    short = compact(code)
    if 0 < len(short) <= PURPOSE_MAX:
        return short
    raise PayloadError(f"the code {code!r} does not fit the {PURPOSE_MAX} characters of a transfer's purpose")


def payload(*, bank_bin: str, account_number: str, amount: int, purpose: str) -> str:
    """The VietQR payload (a string of ASCII TLV fields ending with its CRC)."""
    if not _BIN_RE.match(bank_bin):
        raise PayloadError("the bank BIN must be six digits")
    if not _ACCOUNT_RE.match(account_number):
        raise PayloadError("the account number must be 1 to 19 letters or digits")
    if not 0 < amount <= AMOUNT_MAX:
        raise PayloadError("the amount must be a positive number of đồng")
    if not purpose.isascii() or not 0 < len(purpose) <= PURPOSE_MAX or not purpose.isprintable():
        raise PayloadError(f"the purpose must be 1 to {PURPOSE_MAX} printable ASCII characters")
    return str(QRPay.init_viet_qr(bank_bin=bank_bin, bank_number=account_number, amount=str(amount),
                                  purpose=purpose).build())


def png(data: str, *, scale: int = 6) -> bytes:
    """The payload as a PNG QR code (error correction M, a quiet zone of four modules)."""
    out = io.BytesIO()
    segno.make(data, error="m", micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def svg(data: str, *, scale: int = 6) -> bytes:
    """The payload as an SVG QR code (no XML declaration, so it can be inlined in a page)."""
    out = io.BytesIO()
    segno.make(data, error="m", micro=False).save(out, kind="svg", scale=scale, border=4, xmldecl=False,
                                                   svgns=True, nl=False)
    return out.getvalue()
