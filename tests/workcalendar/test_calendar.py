"""The working calendar: clock start, working-time arithmetic and due moments, table by table.

Dates used (from ``holidays.VN`` 0.109):
2 Mar 2026 is a Monday. Tết 2026: 16–20 Feb off (Mon–Fri). Hùng Kings 2026: 26 Apr (Sunday),
observed Mon 27 Apr. 30 Apr (Thu) and 1 May (Fri) off. Sat 22 Aug 2026 is a make-up working
day, Mon 31 Aug its swapped day off; 1–2 Sep off. 1 Jan 2026 (Thu) and 1 Jan 2027 (Fri) off.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import holidays
import pytest

from tinhso.workcalendar.calendar import OfficeHours, ProcessingUnit, WorkingCalendar

TZ = WorkingCalendar().tz
VN = WorkingCalendar.vietnam()
WD, WH, CD, SD = (
    ProcessingUnit.WORKING_DAYS,
    ProcessingUnit.WORKING_HOURS,
    ProcessingUnit.CALENDAR_DAYS,
    ProcessingUnit.SAME_DAY,
)
INTERVALS = ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))
DAY = 8 * 3600


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=TZ)


# --------------------------------------------------------------------------- due(): working time

WORKING_CASES = [
    # the two examples of the domain note
    pytest.param(at(2026, 3, 2, 7), 1, WD, at(2026, 3, 2, 17), id="mon-0700+1d=mon-1700-not-tue-0700"),
    pytest.param(at(2026, 3, 2, 10), 1, WD, at(2026, 3, 3, 10), id="mon-1000+1d=tue-1000"),
    # receipt outside office hours
    pytest.param(at(2026, 3, 2, 6), 1, WD, at(2026, 3, 2, 17), id="before-hours-mon-0600+1d=mon-1700"),
    pytest.param(at(2026, 3, 2, 18), 1, WD, at(2026, 3, 3, 17), id="after-hours-mon-1800+1d=tue-1700"),
    pytest.param(at(2026, 3, 2, 17), 1, WD, at(2026, 3, 3, 17), id="at-close-mon-1700+1d=tue-1700"),
    pytest.param(at(2026, 3, 2, 12), 1, WD, at(2026, 3, 3, 11, 30), id="lunch-mon-1200+1d=tue-1130"),
    pytest.param(at(2026, 3, 2, 11, 30), 1, WD, at(2026, 3, 3, 11, 30), id="lunch-start-1130+1d=tue-1130"),
    pytest.param(at(2026, 3, 2, 13, 30), 1, WD, at(2026, 3, 3, 11, 30), id="lunch-end-1330+1d=tue-1130"),
    pytest.param(at(2026, 3, 2, 12), 0, WD, at(2026, 3, 2, 13, 30), id="lunch+0d=clock-start-1330"),
    # weekends
    pytest.param(at(2026, 3, 6, 10), 1, WD, at(2026, 3, 9, 10), id="fri-1000+1d=mon-1000"),
    pytest.param(at(2026, 3, 6, 16), 1, WD, at(2026, 3, 9, 16), id="fri-1600+1d=mon-1600"),
    pytest.param(at(2026, 3, 7, 10), 1, WD, at(2026, 3, 9, 17), id="sat-receipt+1d=mon-1700"),
    pytest.param(at(2026, 3, 8, 10), 2, WD, at(2026, 3, 10, 17), id="sun-receipt+2d=tue-1700"),
    pytest.param(at(2026, 3, 2, 10), 5, WD, at(2026, 3, 9, 10), id="mon+5d=next-mon"),
    pytest.param(at(2026, 3, 2, 10), 15, WD, at(2026, 3, 23, 10), id="mon+15d=three-weeks"),
    # Tết 2026 (16–20 Feb)
    pytest.param(at(2026, 2, 13, 10), 1, WD, at(2026, 2, 23, 10), id="tet-fri-13feb+1d=mon-23feb"),
    pytest.param(at(2026, 2, 12, 10), 2, WD, at(2026, 2, 23, 10), id="tet-thu-12feb+2d=mon-23feb"),
    pytest.param(at(2026, 2, 17, 9), 1, WD, at(2026, 2, 23, 17), id="tet-received-during+1d=mon-23feb-1700"),
    pytest.param(at(2026, 2, 13, 17, 30), 1, WD, at(2026, 2, 23, 17), id="tet-fri-after-hours+1d"),
    # Hùng Kings 2026 (Sun 26 Apr, observed Mon 27 Apr), 30 Apr / 1 May
    pytest.param(at(2026, 4, 24, 10), 1, WD, at(2026, 4, 28, 10), id="hung-kings-fri-24apr+1d=tue-28apr"),
    pytest.param(at(2026, 4, 29, 10), 1, WD, at(2026, 5, 4, 10), id="30apr-1may-wed+1d=mon-4may"),
    pytest.param(at(2026, 4, 24, 10), 3, WD, at(2026, 5, 4, 10), id="hung-kings-and-30apr+3d=mon-4may"),
    pytest.param(at(2026, 4, 25, 10), 1, WD, at(2026, 4, 28, 17), id="hung-kings-sat-receipt+1d=tue-1700"),
    # make-up Saturday 22 Aug 2026; swapped day off 31 Aug; 1–2 Sep
    pytest.param(at(2026, 8, 21, 10), 1, WD, at(2026, 8, 22, 10), id="makeup-fri-21aug+1d=sat-22aug"),
    pytest.param(at(2026, 8, 22, 6), 1, WD, at(2026, 8, 22, 17), id="makeup-sat-0600+1d=sat-1700"),
    pytest.param(at(2026, 8, 22, 10), 1, WD, at(2026, 8, 24, 10), id="makeup-sat-1000+1d=mon-24aug"),
    pytest.param(at(2026, 8, 28, 10), 1, WD, at(2026, 9, 3, 10), id="swap-31aug-and-2sep+1d=thu-3sep"),
    # year boundaries
    pytest.param(at(2026, 12, 31, 10), 1, WD, at(2027, 1, 4, 10), id="dec31-2026+1d=mon-4jan-2027"),
    pytest.param(at(2025, 12, 31, 16), 1, WD, at(2026, 1, 2, 16), id="dec31-2025-1600+1d=fri-2jan"),
    pytest.param(at(2025, 12, 31, 17, 30), 1, WD, at(2026, 1, 2, 17), id="dec31-2025-after-hours+1d"),
    pytest.param(at(2026, 12, 25, 10), 10, WD, at(2027, 1, 11, 10), id="christmas-2026+10d-over-new-year"),
    # fractional working days (8 h per day)
    pytest.param(at(2026, 3, 2, 7), Decimal("0.5"), WD, at(2026, 3, 2, 11), id="0.5d-from-0700=1100"),
    pytest.param(at(2026, 3, 2, 10), Decimal("0.5"), WD, at(2026, 3, 2, 16), id="0.5d-from-1000-over-lunch"),
    pytest.param(at(2026, 3, 2, 7), Decimal("1.5"), WD, at(2026, 3, 3, 11), id="1.5d-from-0700=tue-1100"),
    pytest.param(
        at(2026, 3, 2, 7), Decimal("0.5625"), WD, at(2026, 3, 2, 11, 30), id="4.5h-ends-1130-not-1330"
    ),
    pytest.param(at(2026, 3, 6, 13, 30), Decimal("0.4375"), WD, at(2026, 3, 6, 17), id="3.5h-ends-fri-1700"),
    # working hours
    pytest.param(at(2026, 3, 2, 7), 4, WH, at(2026, 3, 2, 11), id="hours-0700+4h=1100"),
    pytest.param(at(2026, 3, 2, 7), Decimal("4.5"), WH, at(2026, 3, 2, 11, 30), id="hours-0700+4.5h=1130"),
    pytest.param(at(2026, 3, 2, 7), 5, WH, at(2026, 3, 2, 14), id="hours-0700+5h=1400"),
    pytest.param(at(2026, 3, 2, 10), 8, WH, at(2026, 3, 3, 10), id="hours-1000+8h=tue-1000"),
    pytest.param(at(2026, 3, 2, 16), 2, WH, at(2026, 3, 3, 8), id="hours-1600+2h=tue-0800"),
    pytest.param(at(2026, 3, 6, 16, 30), 1, WH, at(2026, 3, 9, 7, 30), id="hours-fri-1630+1h=mon-0730"),
    pytest.param(
        at(2026, 3, 2, 11, 20), Decimal("0.25"), WH, at(2026, 3, 2, 13, 35), id="hours-15min-over-lunch"
    ),
    pytest.param(at(2026, 2, 13, 16), 4, WH, at(2026, 2, 23, 10), id="hours-over-tet"),
    # the unit may be given as its string value; other time zones are converted
    pytest.param(at(2026, 3, 2, 10), 1, "working_days", at(2026, 3, 3, 10), id="unit-as-string"),
    pytest.param(
        datetime(2026, 3, 2, 3, tzinfo=UTC), 1, WD, at(2026, 3, 3, 10), id="utc-input-0300Z=1000+07"
    ),
]


@pytest.mark.parametrize(("start", "amount", "unit", "expected"), WORKING_CASES)
def test_due_in_working_time(
    start: datetime, amount: int | Decimal, unit: ProcessingUnit | str, expected: datetime
) -> None:
    """Returns the moment the working time has elapsed, in Asia/Ho_Chi_Minh."""
    due = VN.due(start, amount, unit)
    assert due == expected
    assert due.tzinfo == TZ
    assert due.utcoffset() == timedelta(hours=7)


# --------------------------------------------------------------------------- due(): calendar days

CALENDAR_CASES = [
    pytest.param(at(2026, 3, 4, 10), 5, at(2026, 3, 9, 10), id="wed+5=mon-working-day-keeps-time"),
    pytest.param(at(2026, 3, 4, 10), 3, at(2026, 3, 9, 17), id="wed+3=saturday->mon-close"),
    pytest.param(at(2026, 3, 4, 10), 4, at(2026, 3, 9, 17), id="wed+4=sunday->mon-close"),
    pytest.param(at(2026, 2, 13, 10), 3, at(2026, 2, 23, 17), id="tet-fri+3=16feb-holiday->mon-23feb-close"),
    pytest.param(at(2026, 2, 10, 10), 7, at(2026, 2, 23, 17), id="tet-tue+7=17feb-holiday->23feb-close"),
    pytest.param(at(2026, 2, 10, 10), 13, at(2026, 2, 23, 10), id="tet-tue+13=23feb-working"),
    pytest.param(at(2026, 4, 24, 10), 3, at(2026, 4, 28, 17), id="hung-kings-observed-27apr->28apr-close"),
    pytest.param(at(2026, 4, 27, 10), 3, at(2026, 5, 4, 17), id="received-on-holiday+3=30apr->mon-4may"),
    pytest.param(at(2026, 8, 19, 10), 3, at(2026, 8, 22, 10), id="lands-on-makeup-saturday-keeps-time"),
    pytest.param(at(2026, 8, 28, 10), 3, at(2026, 9, 3, 17), id="lands-on-swap-day-31aug->thu-3sep-close"),
    pytest.param(at(2026, 3, 2, 18), 1, at(2026, 3, 4, 7), id="after-hours-clock-starts-tue-0700"),
    pytest.param(at(2026, 3, 7, 10), 2, at(2026, 3, 11, 7), id="sat-receipt-clock-starts-mon-0700"),
    pytest.param(at(2026, 3, 3, 10), Decimal("0.5"), at(2026, 3, 4, 17), id="half-day-lands-2200->wed-close"),
    pytest.param(at(2026, 3, 3, 16), Decimal("0.5"), at(2026, 3, 4, 4), id="half-day-lands-0400-working-day"),
    pytest.param(at(2026, 12, 29, 10), 3, at(2027, 1, 4, 17), id="year-boundary-1jan-2027->mon-4jan-close"),
    pytest.param(at(2025, 12, 29, 10), 3, at(2026, 1, 2, 17), id="year-boundary-1jan-2026->fri-2jan-close"),
    pytest.param(at(2026, 3, 2, 12), 0, at(2026, 3, 2, 13, 30), id="zero-days=clock-start"),
]


@pytest.mark.parametrize(("start", "days", "expected"), CALENDAR_CASES)
def test_due_in_calendar_days(start: datetime, days: int | Decimal, expected: datetime) -> None:
    """Returns clock start + N × 24 h, moved to the next working day's close when off or late."""
    assert VN.due(start, days, CD) == expected


# --------------------------------------------------------------------------- due(): same day

SAME_DAY_CASES = [
    pytest.param(at(2026, 3, 2, 9), at(2026, 3, 2, 17), id="mon-0900=mon-close"),
    pytest.param(at(2026, 3, 2, 14, 59), at(2026, 3, 2, 17), id="mon-1459=mon-close"),
    pytest.param(at(2026, 3, 2, 15), at(2026, 3, 2, 17), id="mon-1500-exactly=mon-close"),
    pytest.param(at(2026, 3, 2, 15, 0, 1), at(2026, 3, 3, 17), id="mon-150001=tue-close"),
    pytest.param(at(2026, 3, 2, 16, 30), at(2026, 3, 3, 17), id="mon-1630=tue-close"),
    pytest.param(at(2026, 3, 2, 6), at(2026, 3, 2, 17), id="before-hours=same-day-close"),
    pytest.param(at(2026, 3, 2, 12), at(2026, 3, 2, 17), id="lunch=same-day-close"),
    pytest.param(at(2026, 3, 2, 18), at(2026, 3, 3, 17), id="after-hours=tue-close"),
    pytest.param(at(2026, 3, 7, 10), at(2026, 3, 9, 17), id="saturday=mon-close"),
    pytest.param(at(2026, 3, 6, 15, 30), at(2026, 3, 9, 17), id="fri-after-cutoff=mon-close"),
    pytest.param(at(2026, 2, 13, 16), at(2026, 2, 23, 17), id="before-tet-after-cutoff=23feb-close"),
    pytest.param(at(2026, 2, 18, 10), at(2026, 2, 23, 17), id="during-tet=23feb-close"),
    pytest.param(at(2026, 8, 21, 15, 30), at(2026, 8, 22, 17), id="after-cutoff=makeup-saturday-close"),
    pytest.param(at(2026, 12, 31, 15, 30), at(2027, 1, 4, 17), id="dec31-after-cutoff=mon-4jan-close"),
]


@pytest.mark.parametrize(("start", "expected"), SAME_DAY_CASES)
def test_due_same_day(start: datetime, expected: datetime) -> None:
    """Returns the close of the clock-start day, or of the next working day after 15:00."""
    assert VN.due(start, 0, SD) == expected
    assert VN.due(start, 1, "same_day") == expected  # the amount is ignored


# --------------------------------------------------------------------------- clock start, days

CLOCK_CASES = [
    pytest.param(at(2026, 3, 2, 6, 59), at(2026, 3, 2, 7), id="0659=0700"),
    pytest.param(at(2026, 3, 2, 7), at(2026, 3, 2, 7), id="0700=0700"),
    pytest.param(at(2026, 3, 2, 11, 29, 59), at(2026, 3, 2, 11, 29, 59), id="112959-inside"),
    pytest.param(at(2026, 3, 2, 11, 30), at(2026, 3, 2, 13, 30), id="1130=1330"),
    pytest.param(at(2026, 3, 2, 12, 15), at(2026, 3, 2, 13, 30), id="lunch=1330"),
    pytest.param(at(2026, 3, 2, 13, 30), at(2026, 3, 2, 13, 30), id="1330=1330"),
    pytest.param(at(2026, 3, 2, 16, 59, 59), at(2026, 3, 2, 16, 59, 59), id="165959-inside"),
    pytest.param(at(2026, 3, 2, 17), at(2026, 3, 3, 7), id="1700=tue-0700"),
    pytest.param(at(2026, 3, 7, 9), at(2026, 3, 9, 7), id="saturday=mon-0700"),
    pytest.param(at(2026, 2, 13, 17), at(2026, 2, 23, 7), id="before-tet=23feb-0700"),
    pytest.param(at(2026, 12, 31, 23, 59), at(2027, 1, 4, 7), id="new-year-eve=4jan-0700"),
    pytest.param(at(2026, 8, 22, 0, 0), at(2026, 8, 22, 7), id="makeup-saturday=sat-0700"),
    pytest.param(datetime(2026, 3, 2, 23, tzinfo=UTC), at(2026, 3, 3, 7), id="utc-2300Z=tue-0600+07->0700"),
]


@pytest.mark.parametrize(("received", "expected"), CLOCK_CASES)
def test_clock_start(received: datetime, expected: datetime) -> None:
    """Returns the receipt instant inside office hours, else the next opening."""
    started = VN.clock_start(received)
    assert started == expected
    assert started.tzinfo == TZ


WORKING_DAY_CASES = [
    pytest.param(date(2026, 3, 2), True, id="ordinary-monday"),
    pytest.param(date(2026, 3, 7), False, id="ordinary-saturday"),
    pytest.param(date(2026, 3, 8), False, id="ordinary-sunday"),
    *[pytest.param(date(2026, 2, d), False, id=f"tet-{d}feb") for d in range(16, 21)],
    pytest.param(date(2026, 2, 23), True, id="after-tet-23feb"),
    pytest.param(date(2026, 4, 27), False, id="hung-kings-observed-27apr"),
    pytest.param(date(2026, 4, 30), False, id="30apr"),
    pytest.param(date(2026, 5, 1), False, id="1may"),
    pytest.param(date(2026, 8, 22), True, id="makeup-saturday-22aug"),
    pytest.param(date(2026, 8, 23), False, id="sunday-after-makeup"),
    pytest.param(date(2026, 8, 31), False, id="swap-day-off-31aug"),
    pytest.param(date(2026, 9, 2), False, id="national-day-2sep"),
    pytest.param(date(2027, 1, 1), False, id="new-year-2027"),
    pytest.param(date(2019, 1, 5), True, id="makeup-saturday-declared-in-previous-year"),
    pytest.param(date(2018, 12, 31), False, id="swap-day-off-31dec-2018"),
]


@pytest.mark.parametrize(("day", "expected"), WORKING_DAY_CASES)
def test_is_working_day(day: date, expected: bool) -> None:
    """Returns the holidays.VN verdict, make-up Saturdays included."""
    assert VN.is_working_day(day) is expected


def test_is_working_day_agrees_with_holidays_package_2015_2030() -> None:
    """Returns, for every date of 2015–2030, what holidays.VN.is_working_day says."""
    reference = holidays.country_holidays("VN", years=range(2014, 2032))
    day = date(2015, 1, 1)
    while day.year <= 2030:
        assert VN.is_working_day(day) is reference.is_working_day(day), day
        day += timedelta(days=1)


NEXT_DAY_CASES = [
    pytest.param(date(2026, 3, 2), date(2026, 3, 3), id="mon=tue"),
    pytest.param(date(2026, 3, 6), date(2026, 3, 9), id="fri=mon"),
    pytest.param(date(2026, 3, 8), date(2026, 3, 9), id="from-sunday=mon"),
    pytest.param(date(2026, 2, 13), date(2026, 2, 23), id="over-tet"),
    pytest.param(date(2026, 2, 18), date(2026, 2, 23), id="from-inside-tet"),
    pytest.param(date(2026, 4, 29), date(2026, 5, 4), id="over-30apr-1may"),
    pytest.param(date(2026, 8, 21), date(2026, 8, 22), id="fri=makeup-saturday"),
    pytest.param(date(2026, 8, 28), date(2026, 9, 3), id="over-31aug-2sep"),
    pytest.param(date(2026, 12, 31), date(2027, 1, 4), id="over-new-year"),
]


@pytest.mark.parametrize(("day", "expected"), NEXT_DAY_CASES)
def test_next_working_day(day: date, expected: date) -> None:
    """Returns the first working day strictly after the given day."""
    assert VN.next_working_day(day) == expected


def test_close_of_day_is_aware_1700() -> None:
    """Returns 17:00 in Asia/Ho_Chi_Minh."""
    close = VN.close_of_day(date(2026, 3, 2))
    assert close == at(2026, 3, 2, 17)
    assert close.tzinfo == TZ


# --------------------------------------------------------------------------- overrides

OVERRIDE_CASES = [
    pytest.param(
        WorkingCalendar(),
        at(2026, 2, 16, 10),
        1,
        WD,
        at(2026, 2, 17, 10),
        id="plain-calendar-has-no-holidays",
    ),
    pytest.param(
        WorkingCalendar(days_off=[date(2026, 3, 3)]),
        at(2026, 3, 2, 10),
        1,
        WD,
        at(2026, 3, 4, 10),
        id="plain-extra-day-off",
    ),
    pytest.param(
        WorkingCalendar(extra_workdays=[date(2026, 3, 7)]),
        at(2026, 3, 6, 10),
        1,
        WD,
        at(2026, 3, 7, 10),
        id="plain-extra-working-saturday",
    ),
    pytest.param(
        WorkingCalendar.vietnam(extra_workdays=[date(2026, 2, 16)]),
        at(2026, 2, 13, 10),
        1,
        WD,
        at(2026, 2, 16, 10),
        id="extra-workday-beats-tet-holiday",
    ),
    pytest.param(
        WorkingCalendar.vietnam(extra_days_off=[date(2026, 8, 22)]),
        at(2026, 8, 21, 10),
        1,
        WD,
        at(2026, 8, 24, 10),
        id="extra-day-off-beats-makeup-saturday",
    ),
    pytest.param(
        WorkingCalendar.vietnam(extra_days_off=[date(2026, 3, 3)]),
        at(2026, 3, 2, 16),
        0,
        SD,
        at(2026, 3, 4, 17),
        id="extra-day-off-same-day-after-cutoff",
    ),
    pytest.param(
        WorkingCalendar.vietnam(extra_days_off=[date(2026, 3, 9)]),
        at(2026, 3, 4, 10),
        5,
        CD,
        at(2026, 3, 10, 17),
        id="extra-day-off-calendar-days",
    ),
    pytest.param(
        WorkingCalendar.vietnam(extra_workdays=[date(2027, 1, 1)]),
        at(2026, 12, 31, 10),
        1,
        WD,
        at(2027, 1, 1, 10),
        id="extra-workday-on-new-year-over-year-boundary",
    ),
    pytest.param(
        WorkingCalendar(office_hours=OfficeHours(intervals=((time(8), time(12)), (time(13), time(17))))),
        at(2026, 3, 2, 12, 30),
        1,
        WD,
        at(2026, 3, 3, 12),
        id="other-office-hours-lunch-12-13",
    ),
    pytest.param(
        WorkingCalendar(office_hours=OfficeHours(weekdays=frozenset(range(6)))),
        at(2026, 3, 6, 10),
        1,
        WD,
        at(2026, 3, 7, 10),
        id="six-day-week",
    ),
    pytest.param(
        WorkingCalendar(office_hours=OfficeHours(same_day_cutoff=time(16))),
        at(2026, 3, 2, 15, 30),
        0,
        SD,
        at(2026, 3, 2, 17),
        id="same-day-cutoff-1600",
    ),
]


@pytest.mark.parametrize(("calendar", "start", "amount", "unit", "expected"), OVERRIDE_CASES)
def test_overrides(
    calendar: WorkingCalendar, start: datetime, amount: int, unit: ProcessingUnit, expected: datetime
) -> None:
    """Returns due moments that honour the explicit overrides over the holiday source."""
    assert calendar.due(start, amount, unit) == expected


def test_override_conflict_is_rejected() -> None:
    """Raises ValueError when a date is both an extra day off and an extra working day."""
    with pytest.raises(ValueError, match="2026-03-03"):
        WorkingCalendar.vietnam(extra_days_off=[date(2026, 3, 3)], extra_workdays=[date(2026, 3, 3)])


def test_office_hours_defaults_and_validation() -> None:
    """Returns 8 h per day by default; raises on overlapping or reversed intervals."""
    assert OfficeHours().seconds_per_day == 28_800
    with pytest.raises(ValueError):
        OfficeHours(intervals=((time(7), time(12)), (time(11), time(17))))
    with pytest.raises(ValueError):
        OfficeHours(intervals=((time(13), time(17)), (time(7), time(11))))
    with pytest.raises(ValueError):
        OfficeHours(intervals=((time(12), time(11)),))
    with pytest.raises(ValueError):
        OfficeHours(intervals=())
    with pytest.raises(ValueError):
        OfficeHours(weekdays=frozenset())


# --------------------------------------------------------------------------- measuring

BETWEEN_CASES = [
    pytest.param(at(2026, 3, 2, 7), at(2026, 3, 2, 17), DAY, id="one-full-day"),
    pytest.param(at(2026, 3, 2, 10), at(2026, 3, 3, 10), DAY, id="mon-1000-to-tue-1000"),
    pytest.param(at(2026, 3, 2, 11), at(2026, 3, 2, 14), 3600, id="over-lunch"),
    pytest.param(at(2026, 3, 2, 11, 40), at(2026, 3, 2, 13, 20), 0, id="inside-lunch"),
    pytest.param(at(2026, 3, 7, 1), at(2026, 3, 8, 23), 0, id="weekend-only"),
    pytest.param(at(2026, 3, 6, 16), at(2026, 3, 9, 8), 2 * 3600, id="over-weekend"),
    pytest.param(at(2026, 2, 13, 7), at(2026, 2, 23, 7), DAY, id="over-tet"),
    pytest.param(at(2026, 3, 3, 10), at(2026, 3, 2, 10), 0, id="b-before-a"),
    pytest.param(at(2026, 3, 2, 10), at(2026, 3, 2, 10), 0, id="empty"),
    pytest.param(at(2026, 8, 21, 7), at(2026, 8, 24, 7), 2 * DAY, id="over-makeup-saturday"),
    pytest.param(at(2026, 12, 31, 7), at(2027, 1, 5, 7), 2 * DAY, id="over-new-year"),
]


@pytest.mark.parametrize(("a", "b", "expected"), BETWEEN_CASES)
def test_working_seconds_between(a: datetime, b: datetime, expected: int) -> None:
    """Returns the office time elapsed in [a, b)."""
    assert VN.working_seconds_between(a, b) == expected


ROUND_TRIP_CASES = [
    pytest.param(at(2026, 3, 2, 10), 1, id="one-second"),
    pytest.param(at(2026, 3, 2, 12), DAY, id="from-lunch-one-day"),
    pytest.param(at(2026, 2, 13, 16, 30, 15), 3 * DAY + 17, id="over-tet-odd-seconds"),
    pytest.param(at(2026, 8, 20, 9), 5 * DAY, id="over-makeup-saturday"),
    pytest.param(at(2026, 12, 30, 18), 4 * 3600 + 1800, id="over-new-year-4.5h"),
    pytest.param(at(2024, 1, 2, 7), 1250 * DAY, id="five-years"),
    pytest.param(at(2026, 3, 2, 10), 10_000 * DAY, id="ten-thousand-days"),
    pytest.param(datetime(2026, 3, 2, 10, 0, 0, 500_000, tzinfo=TZ), 3 * DAY, id="sub-second-start"),
]


@pytest.mark.parametrize(("start", "seconds"), ROUND_TRIP_CASES)
def test_add_then_measure_round_trips(start: datetime, seconds: int) -> None:
    """Returns the added amount when measuring from the start to the result."""
    due = VN.add_working_seconds(start, seconds)
    assert VN.working_seconds_between(start, due) == seconds
    assert VN.working_seconds_between(VN.clock_start(start), due) == seconds


def test_measure_five_years_matches_working_day_count() -> None:
    """Returns 8 h × the number of working days of 2024–2028."""
    reference = holidays.country_holidays("VN", years=range(2023, 2030))
    days = sum(
        reference.is_working_day(date(2024, 1, 1) + timedelta(days=i))
        for i in range((date(2029, 1, 1) - date(2024, 1, 1)).days)
    )
    assert VN.working_seconds_between(at(2024, 1, 1), at(2029, 1, 1)) == days * DAY


def test_year_tables_are_reused_not_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds each year once; later long additions and measures build nothing."""
    calendar = WorkingCalendar.vietnam()
    built: list[int] = []
    original = calendar._build_year

    def spy(year: int) -> tuple[int, ...]:
        built.append(year)
        return tuple(original(year))

    monkeypatch.setattr(calendar, "_build_year", spy)
    start = at(2026, 3, 2, 10)
    far = calendar.add_working_seconds(start, 10_000 * DAY)
    assert sorted(built) == list(range(2026, far.year + 1))
    built.clear()
    for shift in range(200):
        begin = start + timedelta(hours=7 * shift)
        due = calendar.add_working_seconds(begin, 10_000 * DAY - shift)
        assert calendar.working_seconds_between(begin, due) == 10_000 * DAY - shift
    assert built == []


def test_tables_extend_downwards() -> None:
    """Returns consistent answers when an earlier year is needed after a later one."""
    calendar = WorkingCalendar.vietnam()
    assert calendar.due(at(2026, 12, 31, 10), 1, WD) == at(2027, 1, 4, 10)
    assert calendar.due(at(2019, 12, 31, 10), 1, WD) == at(2020, 1, 2, 10)
    assert calendar.working_seconds_between(
        at(2019, 12, 31, 7), at(2027, 1, 4, 17)
    ) == VN.working_seconds_between(at(2019, 12, 31, 7), at(2027, 1, 4, 17))


# --------------------------------------------------------------------------- rejections

NAIVE = datetime(2026, 3, 2, 10, 0)  # noqa: DTZ001 (deliberately naive)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: VN.due(NAIVE, 1, WD), id="due"),
        pytest.param(lambda: VN.clock_start(NAIVE), id="clock_start"),
        pytest.param(lambda: VN.add_working_seconds(NAIVE, 60), id="add_working_seconds"),
        pytest.param(lambda: VN.working_seconds_between(NAIVE, at(2026, 3, 3)), id="between-a"),
        pytest.param(lambda: VN.working_seconds_between(at(2026, 3, 1), NAIVE), id="between-b"),
        pytest.param(lambda: VN.is_working_day(NAIVE), id="is_working_day"),
    ],
)
def test_naive_datetime_is_rejected(call: object) -> None:
    """Raises ValueError on a naive datetime."""
    assert callable(call)
    with pytest.raises(ValueError, match="naive"):
        call()


@pytest.mark.parametrize(
    ("amount", "unit"),
    [
        pytest.param(-1, WD, id="negative-amount"),
        pytest.param(Decimal("NaN"), WD, id="nan-amount"),
        pytest.param(1, "fortnights", id="unknown-unit"),
    ],
)
def test_bad_amount_or_unit_is_rejected(amount: int | Decimal, unit: str) -> None:
    """Raises ValueError on a negative or non-finite amount or an unknown unit."""
    with pytest.raises(ValueError):
        VN.due(at(2026, 3, 2, 10), amount, unit)


def test_negative_seconds_are_rejected() -> None:
    """Raises ValueError on negative working seconds."""
    with pytest.raises(ValueError):
        VN.add_working_seconds(at(2026, 3, 2, 10), -1)


# --------------------------------------------------------------------------- slow references

_REFERENCE_HOLIDAYS = holidays.country_holidays("VN", years=range(2022, 2032))


def _ref_working(day: date) -> bool:
    return bool(_REFERENCE_HOLIDAYS.is_working_day(day))


def ref_add_interval_walk(start: datetime, seconds: int) -> datetime:
    """Slow reference: walk day by day, interval by interval, consuming the working time."""
    cursor = start.astimezone(TZ)
    day = cursor.date()
    remaining = timedelta(seconds=seconds)
    while True:
        if _ref_working(day):
            for opening, closing in INTERVALS:
                begin = max(datetime.combine(day, opening, tzinfo=TZ), cursor)
                end = datetime.combine(day, closing, tzinfo=TZ)
                if begin >= end:
                    continue
                if remaining <= end - begin:
                    return begin + remaining
                remaining -= end - begin
        day += timedelta(days=1)
        cursor = datetime.combine(day, time(0), tzinfo=TZ)


def ref_add_minute_walk(start: datetime, minutes: int) -> datetime:
    """Slower reference: count office minutes one by one (start on a whole minute)."""
    t = start.astimezone(TZ)
    counted = 0
    while True:
        inside = _ref_working(t.date()) and any(o <= t.time() < c for o, c in INTERVALS)
        if inside:
            if counted == minutes:
                return t
            counted += 1
            if counted == minutes:
                return t + timedelta(minutes=1)
        t += timedelta(minutes=1)


def ref_between(a: datetime, b: datetime) -> int:
    """Slow reference: sum the overlap of [a, b) with every office interval, day by day."""
    a, b = a.astimezone(TZ), b.astimezone(TZ)
    total = timedelta(0)
    day = a.date()
    while day <= b.date():
        if _ref_working(day):
            for opening, closing in INTERVALS:
                begin = max(datetime.combine(day, opening, tzinfo=TZ), a)
                end = min(datetime.combine(day, closing, tzinfo=TZ), b)
                if end > begin:
                    total += end - begin
        day += timedelta(days=1)
    return int(total.total_seconds())


def _random_start(rng: random.Random) -> datetime:
    day = date(2024, 1, 1) + timedelta(days=rng.randrange((date(2028, 1, 1) - date(2024, 1, 1)).days))
    if rng.random() < 0.3:  # land exactly on a boundary now and then
        moment = rng.choice([time(7), time(11, 30), time(13, 30), time(17), time(0), time(15)])
    else:
        moment = time(rng.randrange(24), rng.randrange(60), rng.randrange(60))
    return datetime.combine(day, moment, tzinfo=TZ)


def _random_seconds(rng: random.Random) -> int:
    kind = rng.randrange(4)
    if kind == 0:
        return rng.randrange(60 * DAY)
    if kind == 1:
        return rng.randrange(0, 60 * DAY, 1800)  # half hours: often ends on a boundary
    if kind == 2:
        return rng.randrange(1, 61) * DAY
    return rng.randrange(2 * DAY)


@pytest.mark.parametrize("seed", [pytest.param(s, id=f"seed-{s}") for s in range(5)])
def test_add_working_seconds_matches_interval_walk(seed: int) -> None:
    """Returns the same instant as the slow interval walk, for random starts and amounts."""
    rng = random.Random(seed)
    for _ in range(200):
        start, seconds = _random_start(rng), _random_seconds(rng)
        expected = ref_add_interval_walk(start, seconds)
        assert VN.add_working_seconds(start, seconds) == expected, (start, seconds)
        assert VN.working_seconds_between(start, expected) == ref_between(start, expected) == seconds


@pytest.mark.parametrize("seed", [pytest.param(s, id=f"seed-{s}") for s in range(3)])
def test_add_working_seconds_matches_minute_walk(seed: int) -> None:
    """Returns the same instant as counting office minutes one by one."""
    rng = random.Random(1000 + seed)
    for _ in range(20):
        start = _random_start(rng).replace(second=0)
        minutes = rng.randrange(0, 2 * DAY // 60)
        assert VN.add_working_seconds(start, minutes * 60) == ref_add_minute_walk(start, minutes), (
            start,
            minutes,
        )


@pytest.mark.parametrize("seed", [pytest.param(s, id=f"seed-{s}") for s in range(3)])
def test_working_seconds_between_matches_reference(seed: int) -> None:
    """Returns the same office time as the slow day-by-day overlap sum."""
    rng = random.Random(2000 + seed)
    for _ in range(100):
        a = _random_start(rng)
        b = a + timedelta(seconds=rng.randrange(-5 * 86400, 120 * 86400))
        expected = ref_between(a, b) if b > a else 0
        assert VN.working_seconds_between(a, b) == expected, (a, b)
