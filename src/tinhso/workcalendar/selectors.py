"""The working calendar of a province, assembled from `holidays`, office hours and overrides.

Calendars are cached per process; a change in the admin clears this process's cache at once and
other processes' caches within `CACHE_SECONDS`.
"""

from __future__ import annotations

import threading
import time as _time
from typing import Any

from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from tinhso.workcalendar.calendar import OfficeHours as OfficeHoursSpec
from tinhso.workcalendar.calendar import WorkingCalendar

CACHE_SECONDS = 60
_cache: dict[str, tuple[float, WorkingCalendar]] = {}
_lock = threading.Lock()


def _build(province_code: str | None) -> WorkingCalendar:
    from tinhso.workcalendar.models import CalendarOverride, OfficeHours, OverrideKind

    spec = OfficeHoursSpec()
    if province_code:
        hours = OfficeHours.objects.filter(province__code=province_code, province__valid_to__isnull=True).first()
        if hours is not None:
            spec = OfficeHoursSpec(
                intervals=((hours.morning_start, hours.morning_end), (hours.afternoon_start, hours.afternoon_end)),
                same_day_cutoff=hours.same_day_cutoff,
            )
    q = Q(province__isnull=True)
    if province_code:
        q |= Q(province__code=province_code)
    # National overrides first, then the province's: for one date the province's word wins.
    kinds: dict[Any, str] = {}
    for day, kind, province_id in CalendarOverride.objects.filter(q).values_list("date", "kind", "province_id"):
        if province_id is not None or day not in kinds:
            kinds[day] = kind
    return WorkingCalendar.vietnam(
        office_hours=spec,
        extra_days_off=[d for d, k in kinds.items() if k == OverrideKind.DAY_OFF],
        extra_workdays=[d for d, k in kinds.items() if k == OverrideKind.WORKING_DAY],
    )


def calendar_for_province(province_code: str | None) -> WorkingCalendar:
    key = province_code or ""
    now = _time.monotonic()
    with _lock:
        hit = _cache.get(key)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            return hit[1]
    calendar = _build(province_code)
    with _lock:
        _cache[key] = (now, calendar)
    return calendar


def calendar_for_agency(agency: Any) -> WorkingCalendar:
    """The calendar of the province an agency's unit belongs to."""
    unit = agency.unit
    province_code = unit.code if unit.level == "province" else (unit.parent.code if unit.parent_id else None)
    return calendar_for_province(province_code)


def clear_cache(**_: Any) -> None:
    with _lock:
        _cache.clear()


def connect_invalidation() -> None:
    from tinhso.workcalendar.models import CalendarOverride, OfficeHours

    for model in (CalendarOverride, OfficeHours):
        post_save.connect(clear_cache, sender=model, dispatch_uid=f"calendar-cache-save-{model.__name__}")
        post_delete.connect(clear_cache, sender=model, dispatch_uid=f"calendar-cache-delete-{model.__name__}")
