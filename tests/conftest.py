"""Shared fixtures: a small province (units, agencies, staff in every role) built with factories.

`world` has the province committee H44 (unit 25), a department H44.03 and two commune
committees H44.100 and H44.101, each commune with a reception officer, specialist, head, leader
and records clerk, plus a province-level viewer.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from tests.factories import AgencyFactory, ProcedureFactory, UnitFactory, staff
from tinhso.agencies.models import Agency, AgencyKind, Role
from tinhso.agencies.principals import Principal
from tinhso.catalogue.models import Procedure
from tinhso.units.models import UnitLevel, UnitType
from tinhso.workcalendar import selectors as calendar_selectors


@dataclass
class World:
    province: Agency
    department: Agency
    commune: Agency
    other_commune: Agency
    procedure: Procedure
    reception: Principal
    specialist: Principal
    head: Principal
    leader: Principal
    clerk: Principal
    other_reception: Principal
    province_viewer: Principal
    province_leader: Principal


@pytest.fixture(autouse=True)
def _fast_passwords_and_own_media(settings, tmp_path):
    """Staff passwords hash with a fast hasher (the default costs about a second per officer on
    a busy machine) and uploaded files go to a temporary media root."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _huey_immediate():
    """Background tasks (SMS, e-mail: tinhso.feedback.tasks) run inline, never into a queue file."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts and ends in Vietnamese: a request in English activates it for the thread,
    and a page rendered outside a request afterwards (the 500 page) would otherwise inherit it."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar_selectors.clear_cache()
    yield
    calendar_selectors.clear_cache()


@pytest.fixture
def world(db) -> World:
    province_unit = UnitFactory(code="25", name="Phú Thọ", level=UnitLevel.PROVINCE, type=UnitType.PROVINCE)
    commune_unit = UnitFactory(code="07900", name="Phường Việt Trì", parent=province_unit)
    other_unit = UnitFactory(code="07901", name="Phường Nông Trang", parent=province_unit)
    province = AgencyFactory(code="H44", name="UBND tỉnh Phú Thọ", kind=AgencyKind.PROVINCE_COMMITTEE, unit=province_unit)
    department = AgencyFactory(code="H44.03", name="Sở Tư pháp", unit=province_unit, parent=province)
    commune = AgencyFactory(code="H44.100", name="UBND phường Việt Trì", kind=AgencyKind.COMMUNE_COMMITTEE,
                            unit=commune_unit, parent=province)
    other = AgencyFactory(code="H44.101", name="UBND phường Nông Trang", kind=AgencyKind.COMMUNE_COMMITTEE,
                          unit=other_unit, parent=province)
    return World(
        province=province,
        department=department,
        commune=commune,
        other_commune=other,
        procedure=ProcedureFactory(code="1.000894", name="Đăng ký kết hôn"),
        reception=staff("tiepnhan", commune, Role.RECEPTION),
        specialist=staff("chuyenvien", commune, Role.SPECIALIST),
        head=staff("truongphong", commune, Role.HEAD),
        leader=staff("lanhdao", commune, Role.LEADER),
        clerk=staff("vanthu", commune, Role.RECORDS_CLERK),
        other_reception=staff("tiepnhan2", other, Role.RECEPTION),
        province_viewer=staff("theodoi", province, Role.VIEWER),
        province_leader=staff("chutich", province, Role.LEADER),
    )



