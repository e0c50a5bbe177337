"""Code formats: citizen ID, tax code, QCVN 102:2016 agency codes, dossier codes, GSO unit codes.

Pure functions, no Django: they validate and build the identifiers the domain uses.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from urllib.parse import unquote

from stdnum.vn import mst

# ASCII digits only and `\Z`, not `$`: `$` would accept a trailing newline and `\d` any
# Unicode digit ("０２５…"), neither of which is a valid identifier.
CITIZEN_ID_RE = re.compile(r"^[0-9]{12}\Z")
TAX_CODE_RE = re.compile(r"^[0-9]{10}(-?[0-9]{3})?\Z")
# QCVN 102:2016 electronic identifiers: a province-level code such as H44, then dot-separated
# numeric levels (H44.03, H44.100); the national portal also writes codes such as 000.00.01.H22.
AGENCY_CODE_RE = re.compile(r"^[A-Z0-9]{1,10}(\.[A-Z0-9]{1,10}){0,6}\Z")
DOSSIER_CODE_RE = re.compile(r"^(?P<agency>[A-Z0-9.]+)-(?P<day>[0-9]{6})-(?P<seq>[0-9]{4,})\Z")
PROVINCE_CODE_RE = re.compile(r"^[0-9]{2}\Z")
COMMUNE_CODE_RE = re.compile(r"^[0-9]{5}\Z")


def is_citizen_id(value: str) -> bool:
    """A 12-digit citizen identity number (CCCD); the first three digits are a province code."""
    return bool(CITIZEN_ID_RE.match(value))


def is_tax_code(value: str) -> bool:
    """A business tax code (mã số thuế): 10 digits, or 13 for a branch (written 10-3 or 13
    digits), whose tenth digit is the check digit of the first nine (`python-stdnum`'s
    `vn.mst`), so a mistyped digit is caught at the counter rather than at the tax office."""
    return bool(TAX_CODE_RE.match(value)) and mst.is_valid(value)


def normalise_tax_code(value: str) -> str:
    return value.replace("-", "") if is_tax_code(value) else value


def is_agency_code(value: str) -> bool:
    return bool(AGENCY_CODE_RE.match(value))


def dossier_code(agency_code: str, day: date, sequence: int) -> str:
    """`{agency code}-{yyMMdd}-{NNNN}`: e.g. `H44.100-260315-0007`."""
    return f"{agency_code}-{day:%y%m%d}-{sequence:04d}"


def is_dossier_code(value: str) -> bool:
    return parse_dossier_code(value) is not None


def parse_dossier_code(value: str) -> tuple[str, date, int] | None:
    """(agency code, day, sequence) of a dossier code, or None when it is not one."""
    m = DOSSIER_CODE_RE.match(value)
    if m is None or not is_agency_code(m["agency"]):
        return None
    try:
        day = datetime.strptime(m["day"], "%y%m%d").date()  # noqa: DTZ007 (a date, no time)
    except ValueError:
        return None
    return m["agency"], day, int(m["seq"])


_CODE_IN_LINK = re.compile(r"[?&]code=([^&#\s]+)")
# Hyphen, non-breaking hyphen, figure/en/em dashes, horizontal bar, minus sign, underscore, slash.
_DASHES = re.compile(r"[\u2010-\u2015\u2212_/]")
_LONGEST_SEQUENCE = 7


def dossier_code_candidates(text: str) -> tuple[str, ...]:
    """The dossier codes a person may have meant by `text`, as typed or pasted: any case, spaces
    anywhere, other dashes for `-`, the whole tracking link, or the dashes left out where the
    code can still be read (the day is always six digits and a real date). Most inputs give one
    code; a code typed without any dash may give more (the caller keeps the one that exists).

    >>> dossier_code_candidates(" h44.100 – 260302 – 0001 ")
    ('H44.100-260302-0001',)
    """
    value = unicodedata.normalize("NFKC", text or "")
    if link := _CODE_IN_LINK.search(value):
        value = unquote(link[1])
    value = re.sub(r"-+", "-", _DASHES.sub("-", "".join(value.split()).upper())).strip("-")
    if not value or len(value) > 64:
        return ()
    if is_dossier_code(value):
        return (value,)
    parts = value.split("-")
    found: list[str] = []
    if len(parts) == 2:
        head, tail = parts
        if tail.isdigit() and len(tail) >= 10:  # H44.100-2603020001
            found.append(f"{head}-{tail[:6]}-{tail[6:]}")
        if tail.isdigit() and len(head) > 6 and head[-6:].isdigit():  # H44.100260302-0001
            found.append(f"{head[:-6]}-{head[-6:]}-{tail}")
    elif len(parts) == 1:  # H44.1002603020001
        for seq in range(4, _LONGEST_SEQUENCE + 1):
            digits = value[-(6 + seq):]
            if len(value) > 6 + seq and digits.isdigit():
                found.append(f"{value[:-(6 + seq)]}-{digits[:6]}-{digits[6:]}")
    return tuple(code for code in dict.fromkeys(found) if is_dossier_code(code))


def mask_name(name: str) -> str:
    """Show a name to the public without identifying its owner: "Nguyễn Văn An" → "N*** V** An"."""
    parts = name.split()
    if not parts:
        return ""
    masked = [p[0] + "*" * (len(p) - 1) for p in parts[:-1]]
    return " ".join([*masked, parts[-1]])


def mask_id_number(value: str) -> str:
    """Keep the last three digits: `001203004567` → `*********567`."""
    if len(value) <= 3:
        return "*" * len(value)
    return "*" * (len(value) - 3) + value[-3:]


def mask_phone(value: str) -> str:
    """Keep the first and last three characters of a phone number: `0912345678` → `091****678`.
    Anything shorter than a real number (9 digits) is masked whole, lest 3 + 3 reveal it all."""
    if len(value) < 9:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 6) + value[-3:]
