"""The working calendar: office hours, days off, make-up working days, and legal deadlines.

`calendar.py` is the pure arithmetic (no Django); `models.py` holds what an administrator edits
(office hours per province, overrides of the holiday table); `selectors.py` assembles the two
into a `WorkingCalendar` for a province.
"""
