"""The service-index API: scores to the cent from counts, children, scoping, explain, CSV."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tests.factories import api_key, citizen, finish, sign
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel
from tinhso.indicators.models import IndicatorInput

VN = ZoneInfo("Asia/Ho_Chi_Minh")
URL = "/api/v1/indicators/service-index"
NOW = datetime(2026, 4, 1, 9, 0, tzinfo=VN)


def _receive(world, agency, at, channel=Channel.COUNTER, reception=None):
    return s.dossier_receive(principal=reception or world.reception, procedure=world.procedure, agency=agency,
                             channel=channel, applicant=citizen(), at=at).dossier


def _finish(world, code, at):
    t = at
    for actor, action in ((world.specialist, s.dossier_forward), (world.head, s.dossier_forward),
                          (world.leader, s.dossier_approve), (world.leader, sign)):
        action(principal=actor, code=code, at=t)
        t += timedelta(minutes=5)
    finish(principal=world.clerk, code=code, at=t)


@pytest.fixture
def march(world, settings):
    """32 dossiers received at H44.100 in March 2026: 29 finished on time, 3 finished late;
    8 of them online. One dossier at the other commune, online, still open and overdue."""
    settings.TINHSO_EXTENSION_MIN_NOTICE_HOURS = 0
    start = datetime(2026, 3, 2, 8, 0, tzinfo=VN)
    for i in range(32):
        at = start + timedelta(days=i % 20, minutes=i)
        d = _receive(world, world.commune, at, Channel.ONLINE if i < 8 else Channel.COUNTER)
        # due = at + 3 working days; the late ones finish a week after their due moment
        _finish(world, d.code, d.due_at + timedelta(days=7) if i >= 29 else at + timedelta(hours=1))
    _receive(world, world.other_commune, datetime(2026, 3, 10, 9, 0, tzinfo=VN), Channel.ONLINE,
             reception=world.other_reception)
    return world


def _get(client, **params):
    return client.get(URL, params, headers={"Authorization": f"Bearer {client.key}"})


@pytest.fixture
def province_client(world):
    client = Client()
    client.key = api_key(world.province)
    return client


def _group(body, code):
    return next(g for g in body["groups"] if g["code"] == code)


def _metric(body, code):
    return next(m for g in body["groups"] for m in g["metrics"] if m["code"] == code)


def test_progress_half_cent_case(march, province_client, monkeypatch):
    """29 of 32 on time → 20 × 29/32 = 18.125, published as 18.13 (half-up from the exact ratio)."""
    monkeypatch.setattr("tinhso.indicators.selectors.timezone.now", lambda: NOW)
    body = _get(province_client, agency="H44.100", period="2026-03").json()
    progress = _metric(body, "PROGRESS")
    assert (progress["numerator"], progress["denominator"], progress["ratio"], progress["score"]) == (29, 32, 90.63, 18.13)
    assert progress["source"] == "tinhso"
    online = _metric(body, "ONLINE_SERVICE_C")
    assert (online["numerator"], online["denominator"]) == (8, 32)
    assert _metric(body, "PUBLISH_ON_TIME")["source"] == "input"
    assert _metric(body, "PUBLISH_ON_TIME")["score"] is None


def test_response_has_the_documented_shape(march, province_client, monkeypatch):
    """The body is serialised without going through the response schema: it must still match it."""
    from tinhso.api.indicators import IndexOut

    monkeypatch.setattr("tinhso.indicators.selectors.timezone.now", lambda: NOW)
    response = _get(province_client, agency="H44", period="2026-Q1")
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert IndexOut.model_validate(body).model_dump(mode="json") == body
    assert len(body["children"]) == 3 and all("children" not in c for c in body["children"])


def test_parent_adds_children_counts_not_scores(march, province_client, monkeypatch):
    """The province's progress counts the 33 dossiers of both communes; the overdue open one is late."""
    monkeypatch.setattr("tinhso.indicators.selectors.timezone.now", lambda: NOW)
    body = _get(province_client, agency="H44", period="2026-Q1").json()
    assert body["period"]["key"] == "2026-Q1"
    progress = _metric(body, "PROGRESS")
    assert (progress["numerator"], progress["denominator"]) == (29, 33)
    assert progress["score"] == 17.58  # 20 × 29/33 = 17.5757…
    children = {c["agency"]["code"]: c for c in body["children"]}
    assert set(children) == {"H44.03", "H44.100", "H44.101"}
    assert _metric(children["H44.101"], "PROGRESS")["numerator"] == 0
    assert _metric(children["H44.03"], "PROGRESS")["score"] == 0.0  # d = 0 → 0
    assert "children" not in children["H44.100"] or not children["H44.100"].get("children")
    assert sum(_group(body, g)["max_score"] for g in
               ("transparency", "progress", "online_service", "online_payment", "digitisation", "satisfaction")) == 100


def test_inputs_fill_what_tinhso_cannot_measure(march, province_client, monkeypatch):
    monkeypatch.setattr("tinhso.indicators.selectors.timezone.now", lambda: NOW)
    IndicatorInput.objects.create(agency=march.commune, period_key="2026-03", metric_code="PUBLISH_ON_TIME",
                                  numerator=7, denominator=8)
    body = _get(province_client, agency="H44.100", period="2026-03").json()
    metric = _metric(body, "PUBLISH_ON_TIME")
    assert (metric["numerator"], metric["denominator"], metric["score"], metric["source"]) == (7, 8, 5.25, "input")
    # The parent without its own input sums its children's.
    parent = _get(province_client, agency="H44", period="2026-03").json()
    assert _metric(parent, "PUBLISH_ON_TIME")["numerator"] == 7


def test_scoping(march, world):
    """A commune's key sees its commune and nothing else (404)."""
    client = Client()
    client.key = api_key(world.commune)
    assert _get(client, agency="H44.100", period="2026-03").status_code == 200
    assert _get(client, agency="H44.101", period="2026-03").status_code == 404
    assert _get(client, agency="H44", period="2026-03").status_code == 404
    assert Client().get(URL, {"agency": "H44.100", "period": "2026-03"}).status_code == 401


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "26", "March"])
def test_bad_period(world, province_client, period):
    response = _get(province_client, agency="H44", period=period)
    assert response.status_code == 422
    assert "period" in response.json()["error"]["fields"]


def test_explain_lists_exactly_the_dossiers_that_cost_points(march, province_client, monkeypatch):
    monkeypatch.setattr("tinhso.indicators.selectors.timezone.now", lambda: NOW)
    body = province_client.get(f"{URL}/explain", {"agency": "H44", "period": "2026-03", "metric": "PROGRESS"},
                               headers={"Authorization": f"Bearer {province_client.key}"}).json()
    assert body["count"] == 4  # 3 finished late + 1 open overdue
    assert {i["agency_code"] for i in body["items"]} == {"H44.100", "H44.101"}
    assert all("applicant" not in k for i in body["items"] for k in i)
    csv_response = province_client.get(
        f"{URL}/explain", {"agency": "H44", "period": "2026-03", "metric": "PROGRESS", "format": "csv"},
        headers={"Authorization": f"Bearer {province_client.key}"})
    assert csv_response["Content-Type"].startswith("text/csv")
    lines = b"".join(csv_response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 5 and lines[0].startswith("code,")
    bad = province_client.get(f"{URL}/explain", {"agency": "H44", "period": "2026-03", "metric": "PUBLISH_ON_TIME"},
                              headers={"Authorization": f"Bearer {province_client.key}"})
    assert bad.status_code == 422
