"""Index periods: a month `2026-08`, a quarter `2026-Q3`, a year `2026`, and their months.

A dossier belongs to the period in which it was received (local time, Asia/Ho_Chi_Minh).
Counters are kept per month; a period is a range of months [first, last].
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from tinhso.core.boundary import EARLIEST, LATEST

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    key: str
    kind: str  # month | quarter | year
    first_month: date  # the first day of the first month
    end_month: date  # the first day of the month after the last

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_month, time(0), tzinfo=LOCAL_TZ)

    @property
    def end(self) -> datetime:
        """Exclusive end: the first instant after the period."""
        return datetime.combine(self.end_month, time(0), tzinfo=LOCAL_TZ)

    def months(self) -> list[date]:
        out, m = [], self.first_month
        while m < self.end_month:
            out.append(m)
            m = add_months(m, 1)
        return out

    def previous(self) -> Period:
        span = len(self.months())
        first = add_months(self.first_month, -span)
        return Period(key=_key_for(first, self.kind), kind=self.kind, first_month=first, end_month=self.first_month)


def add_months(d: date, n: int) -> date:
    index = d.year * 12 + (d.month - 1) + n
    return date(index // 12, index % 12 + 1, 1)


def month_of(instant: datetime) -> date:
    """The first day of the local month of an aware instant."""
    local = instant.astimezone(LOCAL_TZ)
    return date(local.year, local.month, 1)


def _key_for(first: date, kind: str) -> str:
    if kind == "month":
        return f"{first:%Y-%m}"
    if kind == "quarter":
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    return str(first.year)


FIRST_YEAR, LAST_YEAR = EARLIEST.year + 1, LATEST.year - 1
_YEAR_PREFIX = re.compile(r"^(\d{4})")


def parse_period(key: str) -> Period:
    """Parse `2026-08`, `2026-Q3` or `2026`; raises ValueError with a readable message. Years
    outside 1901–2199 are refused: a period must have a previous one (rankings compare with it)
    and lie within the instants tinhso stores (`core.boundary`)."""
    key = key.strip()
    year_match = _YEAR_PREFIX.match(key)
    if year_match and not FIRST_YEAR <= int(year_match[1]) <= LAST_YEAR:
        raise ValueError(f"year {year_match[1]} is not {FIRST_YEAR}–{LAST_YEAR}")
    if m := _MONTH.match(key):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ValueError(f"month {month} is not 01–12")
        first = date(year, month, 1)
        return Period(key, "month", first, add_months(first, 1))
    if m := _QUARTER.match(key):
        first = date(int(m[1]), (int(m[2]) - 1) * 3 + 1, 1)
        return Period(key, "quarter", first, add_months(first, 3))
    if m := _YEAR.match(key):
        first = date(int(m[1]), 1, 1)
        return Period(key, "year", first, add_months(first, 12))
    raise ValueError(f"{key!r} is not a period: use 2026-08, 2026-Q3 or 2026")


def current_period(kind: str, today: date) -> Period:
    first = date(today.year, today.month, 1)
    if kind == "quarter":
        first = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    elif kind == "year":
        first = date(today.year, 1, 1)
    return parse_period(_key_for(first, kind))


_ROMAN = ("I", "II", "III", "IV")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")


def period_label(period: Period, language: str = "vi", *, short: bool = False) -> str:
    """A period as people say it: "Tháng 12/2026", "Quý IV/2026", "Năm 2026" (English:
    "December 2026", "Q4 2026", "2026"). `short` for a chart's axis: "12/2026", "Dec 2026"."""
    english = language.startswith("en")
    first = period.first_month
    if period.kind == "month":
        if english:
            name = _MONTHS_EN[first.month - 1]
            return f"{name[:3] if short else name} {first.year}"
        return f"{first.month}/{first.year}" if short else f"Tháng {first.month}/{first.year}"
    if period.kind == "quarter":
        quarter = (first.month - 1) // 3 + 1
        return f"Q{quarter} {first.year}" if english else f"Quý {_ROMAN[quarter - 1]}/{first.year}"
    return str(first.year) if english or short else f"Năm {first.year}"
