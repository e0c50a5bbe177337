"""The one phone-number rule of the whole product (counter, API, feedback form, Open311, SMS).

People type numbers as `0912 345 678`, `0912.345.678`, `+84 912 345 678`, `(+84) 912-345-678`
or `84912345678`; all of them are the same number. `phone_number` reads any of them with
`phonenumbers` (region VN) and returns the one stored form:

- a Vietnamese number (mobile or landline) in its **national form**, digits only:
  `0912345678`, `02103846123` — what officers read and type, what the masks expect;
- a number of another country (typed with its `+` prefix) in **E.164**: `+33612345678`.

`None` when the value is not a valid number. `mobile=True` accepts only Vietnamese mobile
numbers (what an SMS code can reach). `e164` turns a stored number into what SMS gateways take.
Only ASCII digits and the separators people type are read: letters, extensions (`x12`), `tel:`,
line breaks, `+84 0…` and other scripts' digits are refused rather than guessed at. Pure Python, no Django.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

REGION = "VN"
MAX_TYPED_LENGTH = 32
_TYPED_RE = re.compile(r"^\(?\+?[0-9 .\-()]+\Z")
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


def _parse(value: str) -> phonenumbers.PhoneNumber | None:
    typed = (value or "").replace("\u00a0", " ")
    if not typed.strip() or len(typed) > MAX_TYPED_LENGTH or not _TYPED_RE.match(typed):
        return None
    digits = "".join(ch for ch in typed if ch.isdigit())
    # At least a short landline; and no trunk 0 after the country code (`+84 0912…` is a typo).
    if len(digits) < 8 or (typed.lstrip("( ").startswith("+") and digits.startswith("840")):
        return None
    try:
        number = phonenumbers.parse(typed.strip(), REGION)
    except NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def phone_number(value: str, *, mobile: bool = False) -> str | None:
    """The stored form of a typed phone number (see the module docstring), or None."""
    number = _parse(value)
    if number is None:
        return None
    vietnamese = phonenumbers.region_code_for_number(number) == REGION
    if mobile and not (vietnamese and phonenumbers.number_type(number) in _MOBILE_TYPES):
        return None
    if vietnamese:
        return re.sub(r"[^0-9]", "", phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL))
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def is_phone_number(value: str, *, mobile: bool = False) -> bool:
    return phone_number(value, mobile=mobile) is not None


def e164(value: str) -> str:
    """`0912345678` → `+84912345678` (what SMS gateways take); a value that is no valid number is
    returned as it is."""
    number = _parse(value)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164) if number is not None else value
