"""Feedback fixtures: the default categories, a routing rule, and a helper to file a report."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tinhso.feedback.defaults import load_default_categories
from tinhso.feedback.models import Category, RoutingRule
from tinhso.feedback.services import NewReport, report_submit

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=VN)


@pytest.fixture
def categories(world):
    load_default_categories()
    Category.objects.update(agency=world.province)
    commune_unit = world.commune.unit
    RoutingRule.objects.create(category=None, commune=commune_unit, agency=world.commune)
    RoutingRule.objects.create(category=Category.objects.get(code="can-bo"), commune=None, agency=world.department)
    return world


def file_report(**overrides):
    data = {
        "category_code": "chieu-sang", "description": "Đèn đường trước số 12 Hùng Vương bị hỏng ba ngày nay.",
        "channel": "hotline", "latitude": "21.3227", "longitude": "105.4020", "commune_code": "07900",
        "reporter_name": "Trần Thị Bình", "reporter_phone": "0987654321",
    }
    at = overrides.pop("at", MONDAY)
    principal = overrides.pop("principal", None)
    data.update(overrides)
    return report_submit(data=NewReport(**data), principal=principal, at=at)
