"""A leader's dashboard in a real browser when most of the year has no dossiers: the trend line
has gaps (null) for the empty months, not points at a score; a group nobody measured has no bar
and says "chưa có số liệu"; the total says how many points are unmeasured; no script error."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.test_counter_receipt import CHROMIUM, CHROMIUM_ARGS
from tests.factories import citizen
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel
from tinhso.indicators.periods import month_of

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")]

SERIES = """(id) => {
  const option = window.echarts.getInstanceByDom(document.getElementById(id)).getOption();
  return {data: option.series[0].data, labels: (option.xAxis[0] || {}).data || (option.yAxis[0] || {}).data};
}"""


def test_empty_months_are_gaps_and_unmeasured_groups_say_so(live_server, world):
    now = timezone.now()
    s.dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                      channel=Channel.COUNTER, applicant=citizen(), at=now - timedelta(hours=1))
    this_month = month_of(now)
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900}).new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{live_server.url}/dang-nhap/")
            page.fill("#id_username", "theodoi")
            page.fill("#id_password", "matkhau-123")
            page.click("button[type=submit]:has-text('Đăng nhập')")
            page.goto(f"{live_server.url}/dieu-hanh/?period={this_month:%Y-%m}")
            expect(page.locator("#chart-trend canvas")).to_be_visible()
            page.wait_for_function("() => window.echarts && window.echarts.getInstanceByDom(document.getElementById('chart-trend'))")
            trend = page.evaluate(SERIES, "chart-trend")
            assert trend["data"][-1] is not None  # this month has a dossier
            assert trend["data"][:-1] == [None] * 11  # the eleven before have none: gaps, not zeros
            assert trend["labels"][-1] == f"{this_month.month}/{this_month.year}"
            groups = page.evaluate(SERIES, "chart-groups")
            transparency = groups["labels"].index("Công khai, minh bạch")
            assert groups["data"][transparency] is None  # no bar, not a bar at 0
            expect(page.locator("details[data-group='transparency'] .group-score")).to_have_text("chưa có số liệu")
            expect(page.locator("#kpi-unmeasured")).to_contain_text("điểm chưa có số liệu")
            assert errors == []
        finally:
            browser.close()
