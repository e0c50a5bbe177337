"""Finding a dossier code in a transfer's content, however the bank mangled it.

Banks upper-case the content, drop or add spaces, and strip `-` and `.` (`H44.100-260302-0001`
may arrive as `h44100 2603020001`, `H441002603020001` or `NOP PHI H44.100 260302 0001`). The
content is folded to letters and digits (`compact`), and each agency code that may have received
the transfer (the agencies whose account it reached) is looked for in it, followed by a six-digit
date that exists and a sequence of four to seven digits: every way of reading it is a candidate
code. The caller keeps the candidates that exist. Pure Python, no Django.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime

from tinhso.payments.vietqr import compact

SEQUENCE_DIGITS = range(4, 8)


def fold(content: str) -> str:
    """The content without diacritics (đ → D), upper case, letters and digits only."""
    text = unicodedata.normalize("NFKD", (content or "").replace("đ", "d").replace("Đ", "D"))
    return compact("".join(c for c in text if not unicodedata.combining(c)))


def _is_day(digits: str) -> bool:
    try:
        datetime.strptime(digits, "%y%m%d")  # noqa: DTZ007 (a date, no time)
    except ValueError:
        return False
    return True


def candidate_codes(content: str, agency_codes: Iterable[str]) -> list[str]:
    """The dossier codes of `agency_codes` that `content` may name, most likely first (the
    shortest sequence: codes are issued with four digits)."""
    folded = fold(content)
    found: list[str] = []
    for agency in agency_codes:
        key = compact(agency)
        if not key:
            continue
        start = folded.find(key)
        while start != -1:
            rest = folded[start + len(key):]
            day = rest[:6]
            if len(day) == 6 and day.isdigit() and _is_day(day):
                for n in SEQUENCE_DIGITS:
                    seq = rest[6:6 + n]
                    # Past four digits a sequence has no leading zero (`core.codes.dossier_code`).
                    if len(seq) == n and seq.isdigit() and (n == 4 or seq[0] != "0"):
                        found.append(f"{agency}-{day}-{seq}")
            start = folded.find(key, start + 1)
    return list(dict.fromkeys(found))
