"""Typed due moments (an extension's new appointment) against the working calendar: valid when
the office is open and working time is added; otherwise the next valid instant is proposed."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tinhso.workcalendar.calendar import WorkingCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkingCalendar.vietnam()


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


@pytest.mark.parametrize(
    ("t", "open_"),
    [
        (at(3, 3, 10), True),  # Tuesday morning
        (at(3, 3, 7), True),  # opening
        (at(3, 3, 17), True),  # closing moment
        (at(3, 3, 11, 30), True),  # end of the morning
        (at(3, 3, 12), False),  # lunch
        (at(3, 3, 6, 59), False),  # before opening
        (at(3, 3, 17, 1), False),  # after closing
        (at(3, 8, 10), False),  # Sunday
        (at(4, 30, 10), False),  # Reunification Day, a Thursday
        (at(8, 22, 10), True),  # a make-up Saturday
    ],
)
def test_is_open_at(t, open_):
    """Open: a working day, inside office hours, opening and closing included."""
    assert CAL.is_open_at(t) is open_


@pytest.mark.parametrize(
    ("typed", "current", "expected"),
    [
        # Valid as typed: returned unchanged.
        (at(3, 10, 10), at(3, 6, 17), at(3, 10, 10)),
        (at(3, 10, 17), at(3, 6, 17), at(3, 10, 17)),
        (at(3, 9, 7), at(3, 5, 17), at(3, 9, 7)),  # Monday's opening, current due Thursday
        # A day off: the next opening.
        (at(3, 8, 10), at(3, 4, 17), at(3, 9, 7)),  # Sunday → Monday 07:00
        (at(4, 30, 9), at(4, 27, 17, 0), at(5, 4, 7)),  # 30/4 → (1/5 off, weekend) → Monday 4/5
        # Outside office hours on a working day.
        (at(3, 10, 12), at(3, 6, 17), at(3, 10, 13, 30)),  # lunch → afternoon opening
        (at(3, 10, 18), at(3, 6, 17), at(3, 11, 7)),  # evening → next morning
        # The next opening adds no working time to Friday 17:00: Monday's close instead.
        (at(3, 7, 10), at(3, 6, 17), at(3, 9, 17)),  # Saturday
        (at(3, 9, 7), at(3, 6, 17), at(3, 9, 17)),  # Monday 07:00 exactly
        # Not later than the current due moment: the next close after it.
        (at(3, 6, 17), at(3, 6, 17), at(3, 9, 17)),  # the same instant
        (at(3, 2, 10), at(3, 6, 16), at(3, 6, 17)),  # earlier, due before Friday's close
        (at(3, 2, 10), at(3, 6, 18), at(3, 9, 17)),  # a due moment after hours
    ],
)
def test_next_due_instant(typed, current, expected):
    """The typed moment itself when valid, else the next valid instant."""
    assert CAL.next_due_instant(typed, after=current) == expected


def test_the_proposal_is_always_valid():
    """Whatever is typed, the proposal is open, later than the current due moment, adds working
    time, and is its own proposal."""
    current = at(3, 6, 17)
    for day in range(1, 20):
        for hour in range(0, 24, 3):
            proposal = CAL.next_due_instant(at(3, day, hour), after=current)
            assert CAL.is_open_at(proposal)
            assert CAL.working_seconds_between(current, proposal) > 0
            assert CAL.next_due_instant(proposal, after=current) == proposal


def test_naive_instants_are_refused():
    """Naive datetimes are a programming error, not a due moment."""
    with pytest.raises(ValueError):
        CAL.next_due_instant(datetime(2026, 3, 3, 10), after=at(3, 2, 17))  # noqa: DTZ001
