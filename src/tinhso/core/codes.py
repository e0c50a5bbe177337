"""Code formats: citizen ID, tax code, QCVN 102:2016 agency codes, dossier codes, GSO unit codes.

Pure functions, no Django: they validate and build the identifiers the domain uses.
"""

from __future__ import annotations

import re
from datetime import date

CITIZEN_ID_RE = re.compile(r"^\d{12}$")
TAX_CODE_RE = re.compile(r"^\d{10}(-?\d{3})?$")
# QCVN 102:2016 electronic identifiers: a province-level code such as H44, then dot-separated
# numeric levels (H44.03, H44.100); the national portal also writes codes such as 000.00.01.H22.
AGENCY_CODE_RE = re.compile(r"^[A-Z0-9]{1,10}(\.[A-Z0-9]{1,10}){0,6}$")
DOSSIER_CODE_RE = re.compile(r"^(?P<agency>[A-Z0-9.]+)-(?P<day>\d{6})-(?P<seq>\d{4,})$")
PROVINCE_CODE_RE = re.compile(r"^\d{2}$")
COMMUNE_CODE_RE = re.compile(r"^\d{5}$")


def is_citizen_id(value: str) -> bool:
    """A 12-digit citizen identity number (CCCD); the first three digits are a province code."""
    return bool(CITIZEN_ID_RE.match(value))


def is_tax_code(value: str) -> bool:
    """A business tax code: 10 digits, or 13 for a branch (written 10-3 or 13 digits)."""
    return bool(TAX_CODE_RE.match(value))


def normalise_tax_code(value: str) -> str:
    return value.replace("-", "") if is_tax_code(value) else value


def is_agency_code(value: str) -> bool:
    return bool(AGENCY_CODE_RE.match(value))


def dossier_code(agency_code: str, day: date, sequence: int) -> str:
    """`{agency code}-{yyMMdd}-{NNNN}`: e.g. `H44.100-260315-0007`."""
    return f"{agency_code}-{day:%y%m%d}-{sequence:04d}"


def is_dossier_code(value: str) -> bool:
    return bool(DOSSIER_CODE_RE.match(value))


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
    if len(value) <= 4:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 6) + value[-3:]
