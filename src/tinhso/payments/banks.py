"""The Napas bank list: which bank identification numbers (BIN) a VietQR code may name.

Read once from `data/napas-banks.csv` (vendored; see `data/README.md` for where it comes from
and how to refresh it). Pure Python, no Django.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

BANKS_FILE = Path(__file__).parent / "data" / "napas-banks.csv"


@dataclass(frozen=True)
class Bank:
    bin: str  # six digits, e.g. 970436
    code: str  # the bank's short code, e.g. VCB
    short_name: str  # e.g. Vietcombank
    name: str  # the full Vietnamese name
    # -1 not in VietQR, 0 receives only, 1 sends and receives (as Napas publishes it).
    vietqr_status: int


@cache
def banks() -> dict[str, Bank]:
    """Every bank of the list by its BIN."""
    with BANKS_FILE.open(encoding="utf-8", newline="") as fh:
        return {
            row["bin"]: Bank(row["bin"], row["code"], row["short_name"], row["name"], int(row["vietqr_status"]))
            for row in csv.DictReader(fh)
            if row["bin"]
        }


def bank_by_bin(bin_: str) -> Bank | None:
    return banks().get((bin_ or "").strip())


def receives_vietqr(bin_: str) -> bool:
    """The bank is on the Napas list and can receive a VietQR transfer."""
    bank = bank_by_bin(bin_)
    return bank is not None and bank.vietqr_status >= 0
