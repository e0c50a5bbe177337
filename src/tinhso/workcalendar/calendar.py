"""The working calendar and deadline arithmetic of the one-stop shop, as pure functions.

A dossier's due moment (ngày hẹn trả kết quả) is counted in *working time*: office hours
(default 07:00–11:30 and 13:30–17:00, Monday–Friday) on working days (ngày làm việc), which are
the weekdays minus the national public holidays (from the ``holidays`` package, ``VN``), plus the
make-up working Saturdays (ngày làm bù), plus whatever an administrator overrides.

Rules implemented here (see ``shared/domain/one-stop-shop.md``, "Deadlines in working time"):

* The clock starts at receipt, or at the next opening when received outside office hours
  (before opening, at lunch, after closing, on a day off).
* N working days = N × (working seconds per day) added from the clock start; working hours
  likewise; the amount may be fractional. When the working time runs out exactly at the end of an
  office interval, the due moment is that end (Monday 07:00 + 1 working day → Monday 17:00).
* Calendar days: clock start + N × 24 h; if that instant is on a day off, or after the close of a
  working day, the due moment is the close of the next working day.
* Same day: the close of the clock-start day; received after the cut-off (15:00), the close of
  the next working day.

Nothing here walks day by day: each year gets (lazily, once) a sorted tuple of its working days
and the global index of its first working day, so every instant maps to a position on one
"working-time axis" (microseconds of office time since an arbitrary origin) by a bisect, and
back. Adding 10,000 working days or measuring across five years is O(log n) once the year tables
exist. The module imports nothing from Django.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_TZ",
    "OfficeHours",
    "ProcessingUnit",
    "WorkingCalendar",
]

DEFAULT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_US_PER_SECOND = 1_000_000
_US_PER_HOUR = 3600 * _US_PER_SECOND
_US_PER_CALENDAR_DAY = 24 * _US_PER_HOUR


class ProcessingUnit(StrEnum):
    """The unit a procedure's processing time is expressed in."""

    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"
    SAME_DAY = "same_day"


def _time_us(t: time) -> int:
    """Microseconds since midnight of a wall-clock time."""
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US_PER_SECOND + t.microsecond


@dataclass(frozen=True)
class OfficeHours:
    """Office hours (giờ hành chính): the open intervals of a working day, wall-clock.

    ``intervals`` are half-open ``[start, end)`` wall-clock intervals, ordered and
    non-overlapping (touching is allowed). ``weekdays`` are the ordinary working weekdays
    (Monday=0). ``same_day_cutoff``: a same-day dossier whose clock starts after this time is due
    at the close of the next working day ("tiếp nhận sau 15 giờ thì trả trong ngày làm việc tiếp
    theo").
    """

    intervals: tuple[tuple[time, time], ...] = ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    same_day_cutoff: time = time(15, 0)

    def __post_init__(self) -> None:
        # Accept lists/sets (e.g. from settings) but store hashable, immutable values.
        intervals = tuple((start, end) for start, end in self.intervals)
        object.__setattr__(self, "intervals", intervals)
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        if not intervals:
            raise ValueError("OfficeHours needs at least one interval")
        previous_end: time | None = None
        for start, end in intervals:
            if start.tzinfo is not None or end.tzinfo is not None or self.same_day_cutoff.tzinfo is not None:
                raise ValueError("office hours are wall-clock times: no tzinfo")
            if not start < end:
                raise ValueError(f"interval {start}–{end} must start before it ends")
            if previous_end is not None and start < previous_end:
                raise ValueError(f"interval {start}–{end} overlaps or is out of order")
            previous_end = end
        if not self.weekdays:
            raise ValueError("OfficeHours needs at least one working weekday")
        if not all(isinstance(w, int) and 0 <= w <= 6 for w in self.weekdays):
            raise ValueError("weekdays are integers 0 (Monday) to 6 (Sunday)")

    @property
    def microseconds_per_day(self) -> int:
        """Office time in one working day, in microseconds."""
        return sum(_time_us(end) - _time_us(start) for start, end in self.intervals)

    @property
    def seconds_per_day(self) -> int:
        """Office time in one working day, in whole seconds (8 h = 28,800 by default)."""
        return self.microseconds_per_day // _US_PER_SECOND

    @property
    def opening(self) -> time:
        """Start of the first interval."""
        return self.intervals[0][0]

    @property
    def closing(self) -> time:
        """End of the last interval."""
        return self.intervals[-1][1]


class _YearRules(NamedTuple):
    """A base source's verdict for one year: days off on weekdays, working days on weekends."""

    days_off: frozenset[date]
    workdays: frozenset[date]


BaseSource = Callable[[int], _YearRules]


class _VietnamHolidays:
    """Lazy, per-year days off and make-up Saturdays from ``holidays.VN``.

    A substitution may put the make-up Saturday in the neighbouring year (e.g. the 2018 entry
    "31 Dec off, worked on 5 Jan 2019"), so years Y-1..Y+1 are populated before Y is read.
    """

    def __init__(self) -> None:
        import holidays  # local: only the Vietnamese calendar needs the package

        # expand=True: asking about any date of a year populates that whole year.
        self._holidays = holidays.country_holidays("VN", expand=True)
        self._lock = threading.RLock()

    def __call__(self, year: int) -> _YearRules:
        with self._lock:
            for y in (year - 1, year, year + 1):
                if MINYEAR <= y <= MAXYEAR:
                    _ = date(y, 1, 1) in self._holidays
            days_off = frozenset(d for d in self._holidays if d.year == year)
            workdays = frozenset(d for d in self._holidays.weekend_workdays if d.year == year)
        return _YearRules(days_off, workdays)


class _Tables(NamedTuple):
    """An immutable snapshot of the year tables, years ``first_year..last_year`` contiguous.

    ``days[i]`` holds the ordinals of the working days of year ``first_year + i``, sorted;
    ``offsets[i]`` is the global index of that year's first working day. Global indices are
    contiguous across years, so working day number ``k`` (globally) starts at working-time
    position ``k × microseconds_per_day``. Offsets may be negative (years added below the first
    year built).
    """

    first_year: int
    last_year: int
    offsets: tuple[int, ...]
    days: tuple[tuple[int, ...], ...]

    @property
    def end_index(self) -> int:
        return self.offsets[-1] + len(self.days[-1])


def _require_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")


def _to_decimal(amount: int | Decimal, what: str) -> Decimal:
    if isinstance(amount, bool):
        raise TypeError(f"{what} must be a number, not bool")
    if isinstance(amount, int):
        value = Decimal(amount)
    elif isinstance(amount, Decimal):
        value = amount
    elif isinstance(amount, float):
        value = Decimal(str(amount))
    else:
        raise TypeError(f"{what} must be int or Decimal, not {type(amount).__name__}")
    if not value.is_finite() or value < 0:
        raise ValueError(f"{what} must be a finite, non-negative number, got {amount!r}")
    return value


def _scaled_int(amount: Decimal, unit: int) -> int:
    """``amount × unit`` rounded half-up to an integer."""
    return int((amount * unit).to_integral_value(rounding=ROUND_HALF_UP))


class WorkingCalendar:
    """Working days, office hours and due moments for one jurisdiction.

    Days off: ``days_off``, plus (for :meth:`vietnam`) the national holidays. Extra working days
    (make-up Saturdays, swap days): ``extra_workdays``, plus the ``holidays`` package's make-up
    Saturdays. Precedence, strongest first: ``extra_workdays`` → ``days_off`` → the base source's
    working days → the base source's days off → ``office_hours.weekdays``. A date may not be both
    an extra working day and an explicit day off.

    Instances are immutable in behaviour and thread-safe; build a new one when the override
    table changes (the lazily built year tables belong to the instance).
    """

    def __init__(
        self,
        *,
        tz: ZoneInfo = DEFAULT_TZ,
        office_hours: OfficeHours = OfficeHours(),  # noqa: B008 (frozen, immutable)
        days_off: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
    ) -> None:
        self._tz = tz
        self._hours = office_hours
        self._days_off = frozenset(self._as_date(d, "days_off") for d in days_off)
        self._extra_workdays = frozenset(self._as_date(d, "extra_workdays") for d in extra_workdays)
        both = self._days_off & self._extra_workdays
        if both:
            listed = ", ".join(sorted(d.isoformat() for d in both))
            raise ValueError(f"dates both a day off and an extra working day: {listed}")
        self._weekdays = office_hours.weekdays
        self._intervals_us: tuple[tuple[int, int], ...] = tuple(
            (_time_us(s), _time_us(e)) for s, e in office_hours.intervals
        )
        self._day_us = office_hours.microseconds_per_day
        self._day_seconds = office_hours.seconds_per_day
        self._cutoff = office_hours.same_day_cutoff
        self._base: BaseSource | None = None
        self._base_cache: dict[int, _YearRules] = {}
        self._tables: _Tables | None = None
        self._lock = threading.RLock()

    # ----------------------------------------------------------------- construction

    @classmethod
    def vietnam(
        cls,
        *,
        office_hours: OfficeHours = OfficeHours(),  # noqa: B008 (frozen, immutable)
        extra_days_off: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
        tz: ZoneInfo = DEFAULT_TZ,
    ) -> WorkingCalendar:
        """The Vietnamese calendar: ``holidays.VN`` days off and make-up Saturdays, plus overrides.

        An explicit override wins: ``extra_workdays`` beats a holiday, ``extra_days_off`` beats
        a make-up Saturday.
        """
        calendar = cls(
            tz=tz, office_hours=office_hours, days_off=extra_days_off, extra_workdays=extra_workdays
        )
        calendar._base = _VietnamHolidays()
        return calendar

    @staticmethod
    def _as_date(value: date, name: str) -> date:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise TypeError(f"{name} holds dates, not {type(value).__name__}")
        return value

    # ----------------------------------------------------------------- properties

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    @property
    def office_hours(self) -> OfficeHours:
        return self._hours

    def __repr__(self) -> str:
        base = " +holidays.VN" if self._base is not None else ""
        return (
            f"<WorkingCalendar {self._tz.key}{base} days_off={len(self._days_off)} "
            f"extra_workdays={len(self._extra_workdays)}>"
        )

    # ----------------------------------------------------------------- days

    def _base_rules(self, year: int) -> _YearRules | None:
        if self._base is None:
            return None
        rules = self._base_cache.get(year)
        if rules is None:
            with self._lock:
                rules = self._base_cache.get(year)
                if rules is None:
                    rules = self._base(year)
                    self._base_cache[year] = rules
        return rules

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day (an aware datetime is read as its local date)."""
        if isinstance(d, datetime):
            _require_aware(d, "d")
            d = d.astimezone(self._tz).date()
        if d in self._extra_workdays:
            return True
        if d in self._days_off:
            return False
        rules = self._base_rules(d.year)
        if rules is not None:
            if d in rules.workdays:
                return True
            if d in rules.days_off:
                return False
        return d.weekday() in self._weekdays

    def _build_year(self, year: int) -> tuple[int, ...]:
        if not MINYEAR <= year <= MAXYEAR:
            raise ValueError(f"no working day found within the supported years (reached {year})")
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        is_working = self.is_working_day
        return tuple(o for o in range(first, last + 1) if is_working(date.fromordinal(o)))

    def _tables_covering(self, lo: int, hi: int) -> _Tables:
        """A snapshot of the year tables covering years ``lo..hi`` (built lazily, once)."""
        tables = self._tables
        if tables is not None and tables.first_year <= lo and hi <= tables.last_year:
            return tables
        with self._lock:
            tables = self._tables
            if tables is None:
                tables = _Tables(lo, lo, (0,), (self._build_year(lo),))
            offsets, days = list(tables.offsets), list(tables.days)
            first, last = tables.first_year, tables.last_year
            below: list[tuple[int, ...]] = []
            below_offsets: list[int] = []
            low_offset = offsets[0]
            while first > lo:
                first -= 1
                year_days = self._build_year(first)
                low_offset -= len(year_days)
                below.append(year_days)
                below_offsets.append(low_offset)
            while last < hi:
                last += 1
                offsets.append(offsets[-1] + len(days[-1]))
                days.append(self._build_year(last))
            tables = _Tables(
                first,
                last,
                tuple(reversed(below_offsets)) + tuple(offsets),
                tuple(reversed(below)) + tuple(days),
            )
            self._tables = tables
        return tables

    def _index_on_or_after(self, d: date) -> tuple[int, bool]:
        """Global index of the first working day on or after ``d``, and whether it is ``d``."""
        year = d.year
        tables = self._tables
        if tables is None or not tables.first_year <= year <= tables.last_year:
            tables = self._tables_covering(year, year)
        i = year - tables.first_year
        days = tables.days[i]
        ordinal = d.toordinal()
        j = bisect_left(days, ordinal)
        return tables.offsets[i] + j, j < len(days) and days[j] == ordinal

    def _day_at(self, index: int) -> date:
        """The working day with global index ``index``."""
        tables = self._tables
        if tables is None:  # indices come from _index_on_or_after, which builds the tables
            tables = self._tables_covering(MINYEAR + 1, MINYEAR + 1)
        while index >= tables.end_index:
            tables = self._tables_covering(tables.first_year, tables.last_year + 1)
        while index < tables.offsets[0]:
            tables = self._tables_covering(tables.first_year - 1, tables.last_year)
        i = bisect_right(tables.offsets, index) - 1
        return date.fromordinal(tables.days[i][index - tables.offsets[i]])

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        if isinstance(d, datetime):
            _require_aware(d, "d")
            d = d.astimezone(self._tz).date()
        index, is_working = self._index_on_or_after(d)
        return self._day_at(index + 1 if is_working else index)

    def close_of_day(self, d: date) -> datetime:
        """The end of the last office interval of ``d``, in the calendar's timezone."""
        if isinstance(d, datetime):
            _require_aware(d, "d")
            d = d.astimezone(self._tz).date()
        return datetime.combine(d, self._hours.closing, tzinfo=self._tz)

    # ----------------------------------------------------------------- the working-time axis

    def _local(self, d: date, tod_us: int) -> datetime:
        seconds, micro = divmod(tod_us, _US_PER_SECOND)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        return datetime(d.year, d.month, d.day, hour, minute, second, micro, tzinfo=self._tz)

    def _position(self, local: datetime) -> int:
        """Working time (µs) elapsed on the axis before the local instant ``local``."""
        index, is_working = self._index_on_or_after(local.date())
        if not is_working:
            return index * self._day_us
        tod = ((local.hour * 60 + local.minute) * 60 + local.second) * _US_PER_SECOND + local.microsecond
        elapsed = 0
        for start, end in self._intervals_us:
            if tod <= start:
                break
            if tod < end:
                elapsed += tod - start
                break
            elapsed += end - start
        return index * self._day_us + elapsed

    def _instant_at(self, position: int) -> datetime:
        """The earliest instant at which ``position`` of working time has elapsed (ends win)."""
        index, rest = divmod(position - 1, self._day_us)
        rest += 1  # in (0, day]: running out exactly at an interval's end gives that end
        day = self._day_at(index)
        for start, end in self._intervals_us:
            length = end - start
            if rest <= length:
                return self._local(day, start + rest)
            rest -= length
        raise AssertionError("unreachable: rest exceeded the office day")  # pragma: no cover

    # ----------------------------------------------------------------- public arithmetic

    def clock_start(self, t: datetime) -> datetime:
        """``t`` (in the calendar's tz) if inside office hours, else the next opening."""
        _require_aware(t, "t")
        local = t.astimezone(self._tz)
        d = local.date()
        index, is_working = self._index_on_or_after(d)
        if is_working:
            tod = ((local.hour * 60 + local.minute) * 60 + local.second) * _US_PER_SECOND + local.microsecond
            for start, end in self._intervals_us:
                if tod < start:
                    return self._local(d, start)
                if tod < end:
                    return local
            index += 1
        return self._local(self._day_at(index), self._intervals_us[0][0])

    def add_working_seconds(self, start: datetime, seconds: int) -> datetime:
        """The moment ``seconds`` of office time have elapsed since the clock start.

        ``seconds == 0`` gives the clock start itself. When the time runs out exactly at the end
        of an interval, the result is that end (17:00, not the next morning's 07:00).
        """
        _require_aware(start, "start")
        if isinstance(seconds, bool) or not isinstance(seconds, int):
            raise TypeError(f"seconds must be an int, not {type(seconds).__name__}")
        if seconds < 0:
            raise ValueError(f"seconds must be non-negative, got {seconds}")
        return self._add(start, seconds * _US_PER_SECOND)

    def _add(self, start: datetime, microseconds: int) -> datetime:
        if microseconds == 0:
            return self.clock_start(start)
        return self._instant_at(self._position(start.astimezone(self._tz)) + microseconds)

    def working_seconds_between(self, a: datetime, b: datetime) -> int:
        """Office time elapsed in ``[a, b)``, in whole seconds (rounded down); 0 if ``b <= a``."""
        _require_aware(a, "a")
        _require_aware(b, "b")
        if b <= a:
            return 0
        elapsed = self._position(b.astimezone(self._tz)) - self._position(a.astimezone(self._tz))
        return elapsed // _US_PER_SECOND

    # ----------------------------------------------------------------- typed due moments

    def is_open_at(self, t: datetime) -> bool:
        """Whether the office is open at ``t``: a working day, inside an office interval, its
        opening and its closing moment included (an appointment at 17:00 is an appointment)."""
        _require_aware(t, "t")
        local = t.astimezone(self._tz)
        if not self.is_working_day(local.date()):
            return False
        tod = ((local.hour * 60 + local.minute) * 60 + local.second) * _US_PER_SECOND + local.microsecond
        return any(start <= tod <= end for start, end in self._intervals_us)

    def _next_close(self, after: datetime) -> datetime:
        """The close of ``after``'s day if it is a working day still ahead, else of the next one."""
        local = after.astimezone(self._tz)
        if self.is_working_day(local.date()) and self.close_of_day(local.date()) > local:
            return self.close_of_day(local.date())
        return self.close_of_day(self.next_working_day(local.date()))

    def next_due_instant(self, t: datetime, *, after: datetime) -> datetime:
        """The due moment an officer's typed ``t`` should be, given the current due moment ``after``.

        A typed due moment (an extension's new appointment) must be an instant the office is open
        (:meth:`is_open_at`) that adds working time to ``after``. ``t`` itself when it is; else
        the next such instant: the next opening (a Sunday → Monday 07:00, lunch → 13:30); and
        when that adds no working time (an opening right after ``after``'s close), or ``t`` is
        not later than ``after``, the next close after ``after`` (Friday 17:00 → Monday 17:00).
        """
        _require_aware(t, "t")
        _require_aware(after, "after")
        if t <= after:
            return self._next_close(after)
        candidate = t.astimezone(self._tz) if self.is_open_at(t) else self.clock_start(t)
        if self._position(candidate) <= self._position(after.astimezone(self._tz)):
            return self._next_close(after)
        return candidate

    def due(self, start: datetime, amount: int | Decimal, unit: ProcessingUnit | str) -> datetime:
        """The due moment for a dossier received at ``start`` with ``amount`` of ``unit``.

        ``amount`` may be fractional (``Decimal("0.5")`` working days = 4 working hours); the
        working time is rounded half-up to the second. ``amount`` is ignored for ``SAME_DAY``.
        """
        _require_aware(start, "start")
        if type(unit) is not ProcessingUnit:
            unit = ProcessingUnit(unit)
        if unit is ProcessingUnit.WORKING_DAYS:
            if type(amount) is int and amount >= 0:  # the common case, no Decimal needed
                return self._add(start, amount * self._day_seconds * _US_PER_SECOND)
            seconds = _scaled_int(_to_decimal(amount, "amount"), self._day_seconds)
            return self._add(start, seconds * _US_PER_SECOND)
        value = _to_decimal(amount, "amount")
        if unit is ProcessingUnit.WORKING_HOURS:
            return self._add(start, _scaled_int(value, 3600) * _US_PER_SECOND)
        clock = self.clock_start(start)
        if unit is ProcessingUnit.SAME_DAY:
            if clock.time() > self._cutoff:
                return self.close_of_day(self.next_working_day(clock.date()))
            return self.close_of_day(clock.date())
        # CALENDAR_DAYS: every day counts, N × 24 h of elapsed (absolute) time.
        elapsed = timedelta(microseconds=_scaled_int(value, _US_PER_CALENDAR_DAY))
        due = (clock.astimezone(UTC) + elapsed).astimezone(self._tz)
        day = due.date()
        if not self.is_working_day(day) or due > self.close_of_day(day):
            return self.close_of_day(self.next_working_day(day))
        return due
