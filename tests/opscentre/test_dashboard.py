"""The operations-centre dashboard: numbers from live dossiers, scoping, the public variant, the
live fragment, the drill-down, the exports (CSV, XLSX, PDF) and wall mode."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tests.factories import citizen, finish, sign
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel
from tinhso.indicators.periods import parse_period
from tinhso.indicators.selectors import service_index

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 4, 1, 9, 0, tzinfo=VN)
APPLICANT = "Trần Thị Bích"
ID_NUMBER = "025090009876"


def _receive(world, agency, at, channel=Channel.COUNTER, reception=None):
    return s.dossier_receive(principal=reception or world.reception, procedure=world.procedure, agency=agency,
                             channel=channel, applicant=citizen(name=APPLICANT, id_number=ID_NUMBER), at=at).dossier


def _finish(world, code, at):
    t = at
    for actor, action in ((world.specialist, s.dossier_forward), (world.head, s.dossier_forward),
                          (world.leader, s.dossier_approve), (world.leader, sign)):
        action(principal=actor, code=code, at=t)
        t += timedelta(minutes=5)
    finish(principal=world.clerk, code=code, at=t)


@pytest.fixture
def march(world, monkeypatch):
    """At H44.100 in March 2026: 3 finished on time, 1 finished late, 1 open and due on 1 April
    15:00 (within a working day of NOW); at H44.101 one open dossier, overdue since mid-March."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    codes = {}
    for i in range(4):
        d = _receive(world, world.commune, datetime(2026, 3, 2 + i, 8, 0, tzinfo=VN), Channel.ONLINE if i == 0 else Channel.COUNTER)
        _finish(world, d.code, d.due_at + timedelta(days=7) if i == 3 else d.received_at + timedelta(hours=1))
    codes["due_soon"] = _receive(world, world.commune, datetime(2026, 3, 27, 15, 0, tzinfo=VN)).code
    codes["overdue"] = _receive(world, world.other_commune, datetime(2026, 3, 10, 9, 0, tzinfo=VN),
                                reception=world.other_reception).code
    world.codes = codes
    return world


def _client(principal) -> Client:
    client = Client()
    client.force_login(principal.user)
    return client


def _number(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]*)<', html)
    assert match, f"#{element_id} not on the page"
    return match.group(1).strip()


def test_province_viewer_sees_the_province_with_its_numbers(march):
    client = _client(march.province_viewer)
    response = client.get("/dieu-hanh/", {"period": "2026-03"})
    assert response.status_code == 200
    html = response.content.decode()
    expected = service_index(root=march.province, period=parse_period("2026-03"), now=NOW)
    assert "UBND tỉnh Phú Thọ" in html  # the highest agency visible to a province viewer
    assert _number(html, "kpi-received") == "6"
    assert _number(html, "kpi-on-time") == "4"  # 1 finished late, 1 open and overdue
    assert _number(html, "kpi-late") == "2"
    assert _number(html, "kpi-total") == f"{expected['total_score']:.2f}".replace(".", ",")
    assert _number(html, "kpi-overdue") == "1"
    assert _number(html, "kpi-due-soon") == "1"
    # Due and overdue lists: code, procedure, agency — never the applicant.
    assert march.codes["overdue"] in html and march.codes["due_soon"] in html
    assert APPLICANT not in html and ID_NUMBER not in html
    # The ranking lists the three children, each a link to the same page for that agency.
    ranking = html[html.index('class="ranking-table'):]
    for code in ("H44.03", "H44.100", "H44.101"):
        assert f'data-agency="{code}"' in ranking
    assert "?agency=H44.100&amp;period=2026-03" in ranking
    # Charts get their data, including the 12-month trend ending in March.
    assert '"trend"' in html and '"2025-04"' in html and '"2026-03"' in html
    assert "vendor/echarts.min.js" in html and 'hx-trigger="every 5s"' in html


def test_default_period_is_the_current_quarter_and_drill_down_to_a_commune(march):
    client = _client(march.province_viewer)
    html = client.get("/dieu-hanh/").content.decode()
    assert '<option value="2026-Q2" selected>' in html
    commune = client.get("/dieu-hanh/", {"agency": "H44.100", "period": "2026-03"})
    assert commune.status_code == 200
    page = commune.content.decode()
    assert _number(page, "kpi-received") == "5"
    assert "UBND phường Việt Trì" in page and 'class="crumbs"' in page  # breadcrumb back to the province


def test_ranking_sorts_by_a_group_and_shows_movement(march):
    client = _client(march.province_viewer)
    html = client.get("/dieu-hanh/", {"period": "2026-03", "by": "progress"}).content.decode()
    assert 'aria-sort="descending"' in html
    rows = re.findall(r'data-agency="([^"]+)"', html[html.index('class="ranking-table'):])
    assert rows[0] == "H44.100"  # the only unit with on-time dossiers leads on progress
    # February had no dossiers: every unit shared rank 1 then, so the leader kept its place.
    assert "move-same" in html


def test_commune_staff_cannot_open_the_province(march):
    client = _client(march.reception)
    own = client.get("/dieu-hanh/", {"period": "2026-03"})
    assert own.status_code == 200
    assert "UBND phường Việt Trì" in own.content.decode()
    for agency in ("H44", "H44.101", "H99"):
        assert client.get("/dieu-hanh/", {"agency": agency}).status_code == 404
        assert client.get("/dieu-hanh/so-lieu/", {"agency": agency}).status_code == 404
        assert client.get("/dieu-hanh/bang/xep-hang/", {"agency": agency, "format": "csv"}).status_code == 404
        assert client.get("/dieu-hanh/chi-tieu/PROGRESS/", {"agency": agency}).status_code == 404
        assert client.get("/dieu-hanh/bao-cao/2026-03.pdf", {"agency": agency}).status_code == 404
    assert Client().get("/dieu-hanh/").status_code == 302  # sign in first


def test_public_page_shows_the_index_and_no_dossier(march):
    client = Client()
    response = client.get("/dieu-hanh/cong-khai/", {"agency": "H44", "period": "2026-03"})
    assert response.status_code == 200
    html = response.content.decode()
    assert _number(html, "kpi-received") == "6"
    assert 'class="ranking-table' in html and '"trend"' in html
    for secret in (*march.codes.values(), APPLICANT, ID_NUMBER, "/ho-so/", "explain", "kpi-overdue"):
        assert secret not in html
    fragment = client.get("/dieu-hanh/cong-khai/so-lieu/", {"agency": "H44", "period": "2026-03"}).content.decode()
    assert _number(fragment, "kpi-received") == "6"
    assert not any(code in fragment for code in march.codes.values())
    assert client.get("/dieu-hanh/cong-khai/", {"agency": "H00"}).status_code == 404


def test_fragment_and_chart_data_follow_a_new_dossier(march):
    client = _client(march.province_viewer)
    params = {"agency": "H44", "period": "2026-03"}
    before = client.get("/dieu-hanh/so-lieu/", params)
    assert before.status_code == 200 and before["Cache-Control"].startswith("max-age=0")
    assert _number(before.content.decode(), "kpi-received") == "6"
    total_before = client.get("/dieu-hanh/du-lieu.json", params).json()["total"]
    _receive(march, march.commune, datetime(2026, 3, 31, 16, 0, tzinfo=VN), Channel.ONLINE)
    after = client.get("/dieu-hanh/so-lieu/", params).content.decode()
    assert _number(after, "kpi-received") == "7"
    assert _number(after, "kpi-on-time") == "5"
    data = client.get("/dieu-hanh/du-lieu.json", params).json()
    assert data["total"] != total_before
    assert [p["period"] for p in data["trend"]][-1] == "2026-03" and len(data["trend"]) == 12
    assert {g["code"] for g in data["groups"]} >= {"progress", "satisfaction"}


def test_metric_page_lists_the_dossiers_that_cost_points(march):
    client = _client(march.province_viewer)
    response = client.get("/dieu-hanh/chi-tieu/PROGRESS/", {"agency": "H44", "period": "2026-03"})
    assert response.status_code == 200
    html = response.content.decode()
    assert _number(html, "metric-numerator") == "4" and _number(html, "metric-denominator") == "6"
    assert f'href="/ho-so/{march.codes["overdue"]}/"' in html
    assert html.count('<td class="code">') == 2  # 1 finished late + 1 open overdue
    assert "/api/v1/indicators/service-index/explain?agency=H44&amp;period=2026-03&amp;metric=PROGRESS&amp;format=csv" in html
    assert APPLICANT not in html
    # The CSV link works with the session.
    api = client.get("/api/v1/indicators/service-index/explain",
                     {"agency": "H44", "period": "2026-03", "metric": "PROGRESS", "format": "csv"})
    assert api.status_code == 200
    # An input metric has no dossier list; an unknown one is 404.
    assert "explain-table" not in client.get("/dieu-hanh/chi-tieu/PUBLISH_ON_TIME/", {"period": "2026-03"}).content.decode()
    assert client.get("/dieu-hanh/chi-tieu/NOPE/").status_code == 404


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_tables_export_as_csv_and_xlsx(march):
    from openpyxl import load_workbook

    client = _client(march.province_viewer)
    params = {"agency": "H44", "period": "2026-03"}
    ranking = _csv(client.get("/dieu-hanh/bang/xep-hang/", {**params, "format": "csv"}))
    assert ranking[0][:4] == ["Hạng", "Mã cơ quan", "Cơ quan", "Tổng điểm"]
    assert {r[1] for r in ranking[1:]} == {"H44.03", "H44.100", "H44.101"}
    metrics = _csv(client.get("/dieu-hanh/bang/chi-tieu/", {**params, "format": "csv"}))
    progress = next(r for r in metrics if r[1] == "PROGRESS")
    assert progress[3:5] == ["4", "6"]
    due = _csv(client.get("/dieu-hanh/bang/den-han/", {**params, "format": "csv"}))
    assert {r[1] for r in due[1:]} == set(march.codes.values())
    assert APPLICANT not in str(due) and ID_NUMBER not in str(due)

    xlsx = client.get("/dieu-hanh/bang/xep-hang/", {**params, "format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("Hạng", "Mã cơ quan", "Cơ quan")
    assert {r[1] for r in rows[2:]} == {"H44.03", "H44.100", "H44.101"}
    due_sheet = load_workbook(io.BytesIO(client.get("/dieu-hanh/bang/den-han/", {**params, "format": "xlsx"}).content)).active
    assert march.codes["overdue"] in [r[1] for r in due_sheet.iter_rows(values_only=True)]
    assert client.get("/dieu-hanh/bang/xep-hang/", {**params, "format": "pdf"}).status_code == 404
    # The public variant exports the ranking too.
    assert len(_csv(Client().get("/dieu-hanh/cong-khai/bang/xep-hang/", {**params, "format": "csv"}))) == 4


def test_month_report_pdf(march):
    from pypdf import PdfReader

    client = _client(march.province_viewer)
    response = client.get("/dieu-hanh/bao-cao/2026-03.pdf", {"agency": "H44"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    total = service_index(root=march.province, period=parse_period("2026-03"), now=NOW)["total_score"]
    assert "UBND tỉnh Phú Thọ" in text
    assert f"{total:.2f}".replace(".", ",") in text  # Vietnamese decimal comma
    assert "UBND phường Nông Trang" in text  # the ranking
    assert APPLICANT not in text and march.codes["overdue"] not in text
    assert client.get("/dieu-hanh/bao-cao/2026-13.pdf", {"agency": "H44"}).status_code == 404


def test_wall_mode_has_no_navigation(march):
    client = _client(march.province_viewer)
    html = client.get("/dieu-hanh/", {"period": "2026-03", "wall": "1"}).content.decode()
    assert 'class="wall"' in html and 'data-theme="dark"' in html
    assert "site-header" not in html and "period-form" not in html
    assert "wall=1" in html  # the live fragment keeps wall mode


def test_english(march):
    client = _client(march.province_viewer)
    client.cookies["django_language"] = "en"
    html = client.get("/dieu-hanh/", {"period": "2026-03"}).content.decode()
    assert "Operations centre" in html and "Dossiers received" in html
    assert "Processing progress" in html  # group names from the formulas module
