"""Benchmark: due dates with WorkingCalendar against a naive day-by-day walk over holidays.VN.

Run by hand, not a test::

    .venv/bin/python bench/bench_due_dates.py [--n 20000] [--repeats 5] [--seed 7]

Computes N due dates (random receipt instants over 2024–2027, random amounts of 1–60 working
days) with ``WorkingCalendar.vietnam().due`` and with a naive baseline that walks day by day
(skip weekends and holidays with ``holidays.VN``, consume office hours interval by interval),
checks that both give identical answers, and prints the median of each over the repeats and
the ratio. Both sides are timed warm (holiday years and year tables already built); the cold
cost of a fresh calendar is printed separately.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time as clock
from collections.abc import Callable
from datetime import datetime, time, timedelta

import holidays

from tinhso.workcalendar.calendar import DEFAULT_TZ, ProcessingUnit, WorkingCalendar

TZ = DEFAULT_TZ
INTERVALS = ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))
HOURS_PER_DAY = 8

Case = tuple[datetime, int]


def make_cases(n: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    first = datetime(2024, 1, 1, tzinfo=TZ)
    span = int((datetime(2028, 1, 1, tzinfo=TZ) - first).total_seconds())
    return [(first + timedelta(seconds=rng.randrange(span)), rng.randint(1, 60)) for _ in range(n)]


def naive_due(start: datetime, working_days: int, vn: holidays.HolidayBase) -> datetime:
    """Walk day by day: skip weekends and holidays, count office hours interval by interval."""
    cursor = start.astimezone(TZ)
    day = cursor.date()
    remaining = timedelta(hours=HOURS_PER_DAY * working_days)
    while True:
        if vn.is_working_day(day):  # weekends, holidays, make-up Saturdays
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


def timed(run: Callable[[], list[datetime]]) -> tuple[float, list[datetime]]:
    started = clock.perf_counter()
    result = run()
    return clock.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    cases = make_cases(args.n, args.seed)
    unit = ProcessingUnit.WORKING_DAYS

    # Cold: a fresh calendar, year tables built on the way.
    cold_calendar = WorkingCalendar.vietnam()
    cold_seconds, _ = timed(lambda: [cold_calendar.due(s, a, unit) for s, a in cases])
    started = clock.perf_counter()
    vn = holidays.country_holidays("VN", years=range(2023, 2030))  # neighbours: make-up days
    vn_build_seconds = clock.perf_counter() - started

    calendar = WorkingCalendar.vietnam()
    calendar.due(datetime(2023, 1, 2, 10, tzinfo=TZ), 700, unit)  # warm 2023–2028 year tables

    ours: list[float] = []
    naive: list[float] = []
    for _ in range(args.repeats):
        seconds, fast = timed(lambda: [calendar.due(s, a, unit) for s, a in cases])
        ours.append(seconds)
        seconds, slow = timed(lambda: [naive_due(s, a, vn) for s, a in cases])
        naive.append(seconds)
        mismatches = [(c, f, s) for c, f, s in zip(cases, fast, slow, strict=True) if f != s]
        if mismatches:
            for case, f, s in mismatches[:5]:
                print("MISMATCH", case, "ours", f, "naive", s)
            raise SystemExit(f"{len(mismatches)} of {len(cases)} due dates differ")

    ours_median, naive_median = statistics.median(ours), statistics.median(naive)
    span = f"{min(s for s, _ in cases):%Y-%m-%d} .. {max(s for s, _ in cases):%Y-%m-%d}"
    print(f"due dates: {len(cases):,} (receipts {span}, 1–60 working days), repeats: {args.repeats}")
    print(f"all {len(cases):,} answers identical in every repeat: yes")
    print(
        f"WorkingCalendar (warm): median {ours_median * 1000:8.1f} ms  ({ours_median / len(cases) * 1e6:6.2f} µs/due)"
    )
    print(
        f"naive day walk  (warm): median {naive_median * 1000:8.1f} ms  ({naive_median / len(cases) * 1e6:6.2f} µs/due)"
    )
    print(f"ratio naive / ours: {naive_median / ours_median:.1f}x")
    print(
        f"cold, one pass: WorkingCalendar incl. year tables {cold_seconds * 1000:.1f} ms; "
        f"holidays.VN for 2023–2029 {vn_build_seconds * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
