"""The public endpoints: health, units and the calendar's due moment (no authentication)."""

from datetime import date

import pytest

from tinhso.units.services import units_load_divisions
from tinhso.workcalendar.models import CalendarOverride, OverrideKind


@pytest.fixture
def divisions(db):
    units_load_divisions()


def test_health(client, db):
    """Answers ok, with each part checked, when the database and the queue answer (tasks run inline here)."""
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {"database": True, "queue": True, "worker": True}


def test_units_provinces(client, divisions):
    """Lists the 34 provinces with two-digit GSO codes."""
    body = client.get("/api/v1/units", {"level": "province", "limit": 100}).json()
    assert body["count"] == 34
    codes = {u["code"] for u in body["items"]}
    assert {"01", "25", "79"} <= codes
    assert all(len(c) == 2 for c in codes)


def test_units_communes_of_a_province_paginated(client, divisions):
    """Phú Thọ has 148 communes, five-digit codes, parent 25; pages do not overlap."""
    first = client.get("/api/v1/units", {"level": "commune", "province": "25", "limit": 100}).json()
    second = client.get("/api/v1/units", {"level": "commune", "province": "25", "limit": 100, "offset": 100}).json()
    assert first["count"] == 148
    assert len(first["items"]) == 100 and len(second["items"]) == 48
    assert not {u["code"] for u in first["items"]} & {u["code"] for u in second["items"]}
    assert all(u["parent_code"] == "25" and len(u["code"]) == 5 for u in first["items"])
    assert {"code": "07900", "name": "Phường Việt Trì", "type": "phuong", "parent_code": "25"} in first["items"]


def test_all_communes(client, divisions):
    assert client.get("/api/v1/units", {"level": "commune", "limit": 1}).json()["count"] == 3321


@pytest.mark.parametrize(
    "params, field",
    [
        ({"level": "village"}, "level"),
        ({"province": "99"}, "province"),
        ({"limit": 0}, "limit"),
    ],
)
def test_units_bad_input(client, divisions, params, field):
    response = client.get("/api/v1/units", params)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "start, amount, unit, due",
    [
        ("2026-03-02T10:00:00+07:00", 1, "working_days", "2026-03-03T10:00:00+07:00"),
        ("2026-03-02T07:00:00+07:00", 1, "working_days", "2026-03-02T17:00:00+07:00"),
        ("2026-02-13T10:00:00+07:00", 1, "working_days", "2026-02-23T10:00:00+07:00"),  # Tết 16–20 Feb
        ("2026-03-06T16:00:00+07:00", 1, "same_day", "2026-03-09T17:00:00+07:00"),  # Friday after 15:00
        ("2026-03-02T10:00:00+07:00", 4, "working_hours", "2026-03-02T16:00:00+07:00"),  # over lunch
        ("2026-02-12T10:00:00+07:00", 5, "calendar_days", "2026-02-23T17:00:00+07:00"),  # lands in Tết
        ("2026-03-02T03:00:00Z", 1, "working_days", "2026-03-03T10:00:00+07:00"),  # UTC input
    ],
)
def test_calendar_due(client, db, start, amount, unit, due):
    response = client.get("/api/v1/calendar/due", {"start": start, "amount": amount, "unit": unit})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["due"] == due


def test_calendar_due_honours_overrides(client, divisions):
    """An announced extra day off (province 25 only) moves the due moment there, not elsewhere."""
    from tinhso.units.models import AdministrativeUnit

    CalendarOverride.objects.create(date=date(2026, 3, 3), kind=OverrideKind.DAY_OFF,
                                    province=AdministrativeUnit.objects.get(code="25"))
    params = {"start": "2026-03-02T10:00:00+07:00", "amount": 1, "unit": "working_days"}
    assert client.get("/api/v1/calendar/due", params | {"province": "25"}).json()["due"] == "2026-03-04T10:00:00+07:00"
    assert client.get("/api/v1/calendar/due", params | {"province": "01"}).json()["due"] == "2026-03-03T10:00:00+07:00"


def test_province_override_beats_national(client, divisions):
    """A national make-up working day that the province declares a day off is a day off there."""
    from tinhso.units.models import AdministrativeUnit

    CalendarOverride.objects.create(date=date(2026, 3, 7), kind=OverrideKind.WORKING_DAY)  # a Saturday
    CalendarOverride.objects.create(date=date(2026, 3, 7), kind=OverrideKind.DAY_OFF,
                                    province=AdministrativeUnit.objects.get(code="25"))
    params = {"start": "2026-03-06T16:00:00+07:00", "amount": 2, "unit": "working_hours"}
    assert client.get("/api/v1/calendar/due", params | {"province": "01"}).json()["due"] == "2026-03-07T08:00:00+07:00"
    assert client.get("/api/v1/calendar/due", params | {"province": "25"}).json()["due"] == "2026-03-09T08:00:00+07:00"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"start": "2026-03-02T10:00:00", "amount": 1, "unit": "working_days"}, "start"),
        ({"start": "yesterday", "amount": 1, "unit": "working_days"}, "start"),
        ({"start": "2026-03-02T10:00:00+07:00", "amount": 1, "unit": "fortnights"}, "unit"),
        ({"start": "2026-03-02T10:00:00+07:00", "amount": -1, "unit": "working_days"}, "amount"),
        ({"start": "2026-03-02T10:00:00+07:00", "unit": "working_days"}, "amount"),
    ],
)
def test_calendar_due_bad_input(client, db, params, field):
    response = client.get("/api/v1/calendar/due", params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
