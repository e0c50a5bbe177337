"""What a leader reads on the operations centre: a metric nobody measured says "chưa có số liệu"
(not a red 0), groups and the total say how many of their points are unmeasured, months without
dossiers are gaps in the trend, periods read as people say them, metric codes stay out of the
pages, units without dossiers do not miss targets, and the feedback line follows the period."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tests.factories import citizen
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel
from tinhso.indicators import formulas
from tinhso.indicators.defaults import load_default_sets
from tinhso.indicators.models import Indicator, IndicatorSet
from tinhso.indicators.periods import parse_period
from tinhso.indicators.selectors import service_index
from tinhso.indicators.sets import evaluate_set
from tinhso.opscentre import selectors as sel

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 4, 1, 9, 0, tzinfo=VN)


@pytest.fixture
def march(world, monkeypatch):
    """Two dossiers received at H44.100 in March 2026, none anywhere else, ever."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    for day in (2, 3):
        s.dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                          channel=Channel.COUNTER, applicant=citizen(), at=datetime(2026, 3, day, 8, 0, tzinfo=VN))
    return world


def _client(principal) -> Client:
    client = Client()
    client.force_login(principal.user)
    return client


def _text(html: str) -> str:
    """The page's visible text (no tags, no attributes)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_a_group_nobody_measured_says_no_data_and_the_total_counts_its_unmeasured_points(march):
    index = service_index(root=march.province, period=parse_period("2026-03"), now=NOW)
    transparency = sel.group_of(index, "transparency")
    assert transparency["score"] == 0 and transparency["unmeasured_points"] == 18  # the score is unchanged
    assert index["unmeasured_points"] >= 18
    html = _client(march.province_viewer).get("/dieu-hanh/", {"period": "2026-03"}).content.decode()
    card = re.search(r'<details class="group-card" data-group="transparency">.*?</summary>', html, re.S)[0]
    assert "chưa có số liệu" in card and "0,00" not in card and "<progress" not in card
    unmeasured = f"{Decimal(str(index['unmeasured_points'])).normalize():f}".replace(".", ",")
    assert re.search(r'id="kpi-unmeasured">\s*' + re.escape(unmeasured) + r"/100 điểm chưa có số liệu", html)
    # the total is not painted red for points nobody measured
    total_class = re.search(r'<span class="kpi-value([^"]*)" id="kpi-total">', html)[1]
    assert "bad" not in total_class or index["total_score"] < 0.5 * (100 - index["unmeasured_points"])
    # a metric without data says so in its row, a measured one shows its score
    row = re.search(r'<tr data-metric="PUBLISH_ON_TIME">.*?</tr>', html, re.S)[0]
    assert "chưa có số liệu" in row
    progress = re.search(r'<tr data-metric="PROGRESS">.*?</tr>', html, re.S)[0]
    assert "chưa có số liệu" not in progress


def test_a_partly_measured_group_says_how_many_points_are_unmeasured(march):
    html = _client(march.province_viewer).get("/dieu-hanh/", {"period": "2026-03"}).content.decode()
    card = re.search(r'<details class="group-card" data-group="digitisation">.*?</summary>', html, re.S)[0]
    index = service_index(root=march.province, period=parse_period("2026-03"), now=NOW)
    group = sel.group_of(index, "digitisation")
    assert 0 < group["unmeasured_points"] < group["max_score"]
    assert f"{group['unmeasured_points']:g}/22 điểm chưa có số liệu" in card


def test_the_api_says_which_metrics_have_data(march):
    index = service_index(root=march.commune, period=parse_period("2026-02"), now=NOW)  # no dossier in February
    progress = sel.metric_of(index, "PROGRESS")
    assert progress["score"] == 0 and progress["has_data"] is False
    assert sel.metric_of(index, "PETITION_PROCESSING_ON_TIME")["has_data"] is True  # full marks on no complaint
    march_index = service_index(root=march.commune, period=parse_period("2026-03"), now=NOW)
    assert sel.metric_of(march_index, "PROGRESS")["has_data"] is True


def test_months_without_dossiers_are_gaps_in_the_trend(march):
    data = _client(march.province_viewer).get("/dieu-hanh/du-lieu.json", {"period": "2026-03"}).json()
    trend = {p["period"]: p for p in data["trend"]}
    assert len(trend) == 12 and "2026-03" in trend
    assert trend["2026-03"]["total"] is not None and trend["2026-03"]["label"] == "3/2026"
    assert all(p["total"] is None for key, p in trend.items() if key != "2026-03")  # null, not 0
    assert data["unmeasured"] > 0 and data["standing"] in ("ok", "warn", "bad")
    groups = {g["code"]: g for g in data["groups"]}
    assert groups["transparency"]["ratio"] is None and groups["transparency"]["score"] is None
    assert groups["progress"]["ratio"] is not None


def test_periods_read_as_people_say_them(march):
    client = _client(march.province_viewer)
    html = client.get("/dieu-hanh/", {"period": "2026-Q4"}).content.decode()
    assert "Quý IV/2026" in re.search(r'<h1 class="board-title">.*?</h1>', html, re.S)[0]
    assert '<option value="2026-12">Tháng 12/2026</option>' in html
    assert '<option value="2026">Năm 2026</option>' in html
    assert "Tháng 3/2026" in client.get("/dieu-hanh/", {"period": "2026-03"}).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/dieu-hanh/"})
    english = client.get("/dieu-hanh/", {"period": "2026-Q4"}).content.decode()
    assert "Q4 2026" in english and '<option value="2026-12">December 2026</option>' in english


def test_metric_codes_appear_only_where_a_machine_reads_them(march):
    client = _client(march.province_viewer)
    pages = [
        client.get("/dieu-hanh/", {"period": "2026-03"}).content.decode(),
        client.get("/dieu-hanh/chi-tieu/PROGRESS/", {"period": "2026-03"}).content.decode(),
        client.get("/dieu-hanh/so-lieu/", {"period": "2026-03"}).content.decode(),
    ]
    codes = [m.code for m in formulas.METRICS]
    for html in pages:
        visible = _text(html)
        assert not [c for c in codes if re.search(rf"\b{c}\b", visible)], visible[:500]
    assert "Hồ sơ giải quyết đúng hạn" in _text(pages[1])  # the metric's name instead
    csv = client.get("/dieu-hanh/bang/chi-tieu/", {"period": "2026-03", "format": "csv"}).content.decode()
    assert "PROGRESS" in csv  # the export keeps the code for machines


def test_units_without_dossiers_do_not_miss_a_target(march):
    load_default_sets()
    indicator_set = IndicatorSet.objects.create(code="thu", name="Thử")
    Indicator.objects.create(indicator_set=indicator_set, code="tthc-truc-tuyen", name="Thủ tục trực tuyến",
                             kind="metric", metric_code="ONLINE_SERVICE_A", target=Decimal("100"), order=1)
    result = evaluate_set(indicator_set=indicator_set, root=march.province, period=parse_period("2026-03"), now=NOW)
    values = {v["agency"]["code"]: v for v in result["indicators"][0]["values"]}
    assert values["H44.101"]["status"] == "no_data"  # no dossier in March: a catalogue share is no target missed
    assert values["H44.100"]["value"] is not None and values["H44.100"]["status"] != "no_data"

    targets = sel.targets(march.province, parse_period("2026-03"), NOW)
    on_time = next(r for r in targets["rows"] if r["code"] == "dung-han")
    # children: H44.03 and H44.101 received nothing, H44.100 two dossiers
    assert on_time["units"] == 1 and on_time["units_no_data"] == 2
    html = _client(march.province_viewer).get("/dieu-hanh/", {"period": "2026-03"}).content.decode()
    assert "2 đơn vị chưa có số liệu" in html


def test_the_feedback_line_follows_the_page_period(march):
    client = _client(march.province_viewer)
    html = client.get("/dieu-hanh/", {"period": "2026-Q1"}).content.decode()
    url = re.search(r'class="feedback-ops-panel" hx-get="([^"]+)"', html)[1]
    assert url.endswith("?period=2026-Q1")
    panel = client.get(url.replace("&amp;", "&")).content.decode()
    assert "(Quý I/2026)" in panel


def test_the_ranking_shows_no_data_for_a_units_unmeasured_group(march):
    html = _client(march.province_viewer).get("/dieu-hanh/", {"period": "2026-03"}).content.decode()
    row = re.search(r'<tr data-agency="H44.100">.*?</tr>', html, re.S)[0]
    cells = re.findall(r'<td class="num grp[^"]*">(.*?)</td>', row, re.S)
    assert len(cells) == 6
    assert 'class="no-data"' in cells[0]  # transparency: nobody entered it
    assert "no-data" not in cells[1] and re.search(r"\d+,\d\d", cells[1])  # progress: two dossiers
