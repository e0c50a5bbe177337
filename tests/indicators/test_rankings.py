"""Rankings of child units: order, shared ranks, movement against the previous period, what a
ranking can be by (total, group, metric, set indicator), scoping and the CSV/XLSX exports."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.factories import api_key
from tests.indicators.test_sets import NOW, VN, desks, dossier
from tinhso.core.errors import InvalidInput
from tinhso.indicators.defaults import load_default_sets
from tinhso.indicators.models import Indicator, IndicatorSet
from tinhso.indicators.periods import parse_period
from tinhso.indicators.rankings import rankings

URL = "/api/v1/indicators/rankings"
MARCH = parse_period("2026-03")


@pytest.fixture
def two_months(world, settings):
    """February 2026: H44.100 two dossiers, one late; H44.101 two on time.
    March 2026: both communes two on time each, H44.100's online. H44.03 never has any."""
    settings.TINHSO_EXTENSION_MIN_NOTICE_HOURS = 0
    commune, other = desks(world)
    feb, mar = datetime(2026, 2, 2, 8, 0, tzinfo=VN), datetime(2026, 3, 2, 8, 0, tzinfo=VN)
    dossier(world, commune, feb)
    dossier(world, commune, feb + timedelta(days=1), late=True)
    dossier(world, other, feb)
    dossier(world, other, feb + timedelta(days=1))
    for i in range(2):
        dossier(world, commune, mar + timedelta(days=i), online=True)
        dossier(world, other, mar + timedelta(days=i))
    load_default_sets()
    return world


def _rows(result):
    return [(r["rank"], r["agency"]["code"], r["value"], r["previous_rank"], r["previous_value"], r["movement"])
            for r in result]


def test_rank_by_group_ties_share_a_rank_and_movement(two_months):
    result = rankings(root=two_months.province, period=MARCH, by="progress", now=NOW)
    assert _rows(result) == [
        (1, "H44.100", 20.0, 2, 10.0, 1),  # up one: 1 of 2 late in February
        (1, "H44.101", 20.0, 1, 20.0, 0),
        (3, "H44.03", 0.0, 3, 0.0, 0),  # no dossiers: progress scores 0 (d = 0)
    ]
    assert result[0]["agency"] == {"code": "H44.100", "name": "UBND phường Việt Trì", "kind": "commune_committee"}


def test_rank_by_metric_and_kind_filter(two_months):
    result = rankings(root=two_months.province, period=MARCH, by="ONLINE_SERVICE_C", kind="commune_committee", now=NOW)
    # 6 × (2/2) / 0.5 capped at 6 vs 0 online.
    assert _rows(result) == [(1, "H44.100", 6.0, 1, 0.0, 0), (2, "H44.101", 0.0, 1, 0.0, -1)]
    assert [r["agency"]["code"] for r in rankings(root=two_months.province, period=MARCH, kind="department",
                                                  now=NOW)] == ["H44.03"]


def test_rank_by_total_is_the_766_total(two_months):
    from tinhso.indicators.selectors import service_index

    index = service_index(root=two_months.province, period=MARCH, now=NOW)
    totals = {c["agency"]["code"]: c["total_score"] for c in index["children"]}
    result = rankings(root=two_months.province, period=MARCH, by="total", now=NOW)
    assert {r["agency"]["code"]: r["value"] for r in result} == totals
    values = [r["value"] for r in result]
    assert values == sorted(values, reverse=True)
    assert result[0]["agency"]["code"] == "H44.100"  # on time and online beats on time at the counter


def test_rank_by_set_indicator_higher_and_lower(two_months):
    result = rankings(root=two_months.province, period=MARCH, by="set:muc-tieu-nghi-quyet:dung-han", now=NOW)
    # A department has no dossiers: no value, no rank, listed last.
    assert _rows(result) == [
        (1, "H44.100", 100.0, 2, 50.0, 1),
        (1, "H44.101", 100.0, 1, 100.0, 0),
        (None, "H44.03", None, None, None, None),
    ]
    # Commune-level digitisation applies to commune committees only.
    commune_level = rankings(root=two_months.province, period=MARCH, by="set:muc-tieu-nghi-quyet:so-hoa-cap-xa", now=NOW)
    assert [r["agency"]["code"] for r in commune_level] == ["H44.100", "H44.101"]
    custom = IndicatorSet.objects.create(code="rieng", name="Riêng")
    Indicator.objects.create(indicator_set=custom, code="tre-han", name="Trễ hạn", numerator="finished_late + overdue_open",
                             denominator="received", target=Decimal(5), direction="lower")
    lower = rankings(root=two_months.province, period=parse_period("2026-02"), by="set:rieng:tre-han", kind="commune_committee",
                     now=NOW)
    assert _rows(lower) == [(1, "H44.101", 0.0, None, None, None), (2, "H44.100", 50.0, None, None, None)]


def test_index_computed_once_per_period(two_months, monkeypatch):
    from tinhso.indicators import selectors

    seen = []
    real = selectors.service_index
    monkeypatch.setattr(selectors, "service_index", lambda **kw: seen.append(kw["period"].key) or real(**kw))
    rankings(root=two_months.province, period=MARCH, by="satisfaction", now=NOW)
    assert seen == ["2026-03", "2026-02"]


@pytest.mark.parametrize(
    ("by", "kind", "field"),
    [("bogus", None, "by"), ("set:muc-tieu-nghi-quyet:khong-co", None, "by"), ("set:x", None, "by"),
     ("total", "village", "kind")],
)
def test_bad_by_or_kind(two_months, by, kind, field):
    with pytest.raises(InvalidInput) as raised:
        rankings(root=two_months.province, period=MARCH, by=by, kind=kind, now=NOW)
    assert field in raised.value.fields


# --- API ----------------------------------------------------------------------------------------


def _get(key, **params):
    return Client().get(URL, params, headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr("tinhso.indicators.rankings.timezone.now", lambda: NOW)


def test_api_rankings_json(two_months, frozen):
    response = _get(api_key(two_months.province), agency="H44", period="2026-03", by="progress")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["by"], body["direction"], body["period"]["key"], body["previous_period"]) == (
        "progress", "higher", "2026-03", "2026-02")
    assert [(i["rank"], i["agency"]["code"], i["movement"]) for i in body["items"]] == [
        (1, "H44.100", 1), (1, "H44.101", 0), (3, "H44.03", 0)]


def test_api_rankings_scoped_and_validated(two_months, frozen):
    commune_key = api_key(two_months.commune)
    outside = _get(commune_key, agency="H44", period="2026-03")
    assert outside.status_code == 404 and outside.json()["error"]["code"] == "not_found"
    own = _get(commune_key, agency="H44.100", period="2026-03")
    assert own.status_code == 200 and own.json()["items"] == []  # a commune has no child units
    province_key = api_key(two_months.province)
    bad_by = _get(province_key, agency="H44", period="2026-03", by="PROGRES")
    assert bad_by.status_code == 422 and "by" in bad_by.json()["error"]["fields"]
    bad_period = _get(province_key, agency="H44", period="2026-Q5")
    assert bad_period.status_code == 422 and "period" in bad_period.json()["error"]["fields"]
    assert Client().get(URL, {"agency": "H44", "period": "2026-03"}).status_code == 401


def test_api_rankings_csv_and_xlsx(two_months, frozen):
    key = api_key(two_months.province)
    response = _get(key, agency="H44", period="2026-03", by="set:muc-tieu-nghi-quyet:dung-han", format="csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "xep-hang-H44-2026-03" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    # The JSON field names; the kind's code followed by its label (core.exports, machine=True).
    assert rows[0] == ["rank", "agency_code", "agency_name", "agency_kind", "agency_kind_label", "value", "previous_rank",
                       "previous_value", "movement"]
    assert rows[1] == ["1", "H44.100", "UBND phường Việt Trì", "commune_committee", "UBND xã/phường", "100.0", "2", "50.0",
                       "1"]
    assert rows[3][:2] == ["", "H44.03"]
    response = _get(key, agency="H44", period="2026-03", by="progress", format="xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert "UBND tỉnh Phú Thọ" in values[0][0]
    assert len(values) == 2 + 3
    assert values[2] == (1, "H44.100", "UBND phường Việt Trì", "UBND xã/phường", 20.0, 2, 10.0, 1)  # the kind's label
    assert values[4][:2] == (3, "H44.03")


@pytest.mark.parametrize("key", ["0001", "1900", "2200", "9999-12", "0001-Q1"])
def test_periods_outside_the_stored_years_are_refused(key):
    """Every period has a previous one (rankings compare with it) within the stored years."""
    from tinhso.indicators.periods import parse_period

    with pytest.raises(ValueError, match="is not 1901–2199"):
        parse_period(key)
