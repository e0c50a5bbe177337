"""Indicator sets as data: expressions, statuses, applies_to, defaults, admin validation, the API."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tests.factories import api_key, citizen, sign, staff
from tests.factories import finish as finish_dossier
from tinhso.agencies.models import Agency, Role
from tinhso.agencies.principals import Principal
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel
from tinhso.indicators.admin import IndicatorForm
from tinhso.indicators.defaults import DEFAULT_SETS, check_definitions, load_default_sets
from tinhso.indicators.models import Indicator, IndicatorSet, IndicatorValue
from tinhso.indicators.periods import parse_period
from tinhso.indicators.sets import ExpressionError, evaluate_set, parse_expression, status_of

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 4, 1, 9, 0, tzinfo=VN)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
NGHI_QUYET = "muc-tieu-nghi-quyet"


@dataclass
class Desk:
    """The staff of one commune who take a dossier from receipt to the rating."""

    agency: Agency
    reception: Principal
    specialist: Principal
    head: Principal
    leader: Principal
    clerk: Principal


def desks(world) -> tuple[Desk, Desk]:
    """The world's commune desk, and a full desk at the other commune (the world has only its reception)."""
    other = world.other_commune
    return (
        Desk(world.commune, world.reception, world.specialist, world.head, world.leader, world.clerk),
        Desk(other, world.other_reception, staff("cv2", other, Role.SPECIALIST), staff("tp2", other, Role.HEAD),
             staff("ld2", other, Role.LEADER), staff("vt2", other, Role.RECORDS_CLERK)),
    )


def dossier(world, desk: Desk, at: datetime, *, online: bool = False, paid_online: bool = False,
            digitised: bool = False, finish: bool = True, late: bool = False, electronic: bool = False,
            rating: str | None = None) -> str:
    """One dossier through the services: received at `at`, optionally finished (on time one hour
    later, or a week after its due moment) with an electronic or paper result, returned and rated."""
    uploads = [s.Upload("Tờ khai", "to-khai.pdf", PDF, True)] if digitised else None
    d = s.dossier_receive(principal=desk.reception, procedure=world.procedure, agency=desk.agency,
                          channel=Channel.ONLINE if online else Channel.COUNTER, applicant=citizen(), at=at,
                          uploads=uploads).dossier
    if paid_online:  # the bank confirmed the transfer (reconciliation)
        s.dossier_fee_paid(principal=None, code=d.code, amount=d.fee_due, reconciled=True, at=at)
    if not finish:
        return d.code
    t = d.due_at + timedelta(days=7) if late else at + timedelta(hours=1)
    for actor, action in ((desk.specialist, s.dossier_forward), (desk.head, s.dossier_forward),
                          (desk.leader, s.dossier_approve)):
        action(principal=actor, code=d.code, at=t)
        t += timedelta(minutes=5)
    sign(principal=desk.leader, code=d.code, at=t, result_kind="electronic" if electronic else "paper")
    finish_dossier(principal=desk.clerk, code=d.code, at=t + timedelta(minutes=5))
    t += timedelta(minutes=5)
    if rating:
        s.dossier_return(principal=desk.clerk, code=d.code, at=t + timedelta(minutes=5))
        s.dossier_rate(principal=None, code=d.code, rating=rating, at=t + timedelta(minutes=10))
    return d.code


@pytest.fixture
def march(world, settings):
    """March 2026. H44.100 (commune): 10 dossiers, all finished; 6 online, 3 paid online, 4 with
    digitised components, 5 electronic results, 2 late; 8 rated, 1 of them unsatisfied.
    H44.101 (commune): 2 open dossiers, one past due at NOW, one not yet.
    H44.03 (department): nothing."""
    settings.TINHSO_EXTENSION_MIN_NOTICE_HOURS = 0
    commune, other = desks(world)
    start = datetime(2026, 3, 2, 8, 0, tzinfo=VN)
    for i in range(10):
        dossier(world, commune, start + timedelta(days=i, minutes=i), online=i < 6, paid_online=i < 3,
                digitised=i < 4, electronic=i < 5, late=i >= 8,
                rating=("unsatisfied" if i == 0 else "satisfied") if i < 8 else None)
    dossier(world, other, datetime(2026, 3, 10, 9, 0, tzinfo=VN), finish=False)
    dossier(world, other, datetime(2026, 3, 31, 14, 0, tzinfo=VN), finish=False)
    load_default_sets()
    return world


def _values(result, code):
    indicator = next(i for i in result["indicators"] if i["code"] == code)
    return {v["agency"]["code"]: (v["numerator"], v["denominator"], v["value"], v["status"]) for v in indicator["values"]}


# --- expressions ------------------------------------------------------------------------------


def test_parse_expression_reads_signed_terms():
    assert parse_expression("received - finished_late - overdue_open") == (
        (1, "received"), (-1, "finished_late"), (-1, "overdue_open"))
    assert parse_expression(" rated-unsatisfied+complained ") == ((1, "rated"), (-1, "unsatisfied"), (1, "complained"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("received - recieved", "unknown column 'recieved'"),
        ("__import__('os')", "unknown column '__import__'"),
        ("received * 2", "unexpected character '*'"),
        ("received -", "ends with an operator"),
        ("received finished", "missing + or - before 'finished'"),
        ("- received", "without a column before it"),
        ("", "empty expression"),
    ],
)
def test_parse_expression_refuses_what_it_cannot_read(text, message):
    with pytest.raises(ExpressionError, match=re.escape(message)):
        parse_expression(text)


@pytest.mark.parametrize(
    ("value", "direction", "expected"),
    [("95.00", "higher", "met"), ("94.99", "higher", "warning"), ("90.00", "higher", "warning"),
     ("89.99", "higher", "missed"), (None, "higher", "no_data"),
     ("5.00", "lower", "met"), ("7.50", "lower", "warning"), ("10.01", "lower", "missed")],
)
def test_status_against_target_and_warning(value, direction, expected):
    target, warning = (Decimal(95), Decimal(90)) if direction == "higher" else (Decimal(5), Decimal(10))
    assert status_of(None if value is None else Decimal(value), target=target, direction=direction,
                     warning=warning) == expected


def test_without_warning_threshold_short_of_target_is_missed():
    assert status_of(Decimal("94.99"), target=Decimal(95), direction="higher", warning=None) == "missed"


# --- evaluation --------------------------------------------------------------------------------


def test_default_set_exact_values_and_statuses(march):
    result = evaluate_set(indicator_set=IndicatorSet.objects.get(code=NGHI_QUYET), root=march.province,
                          period=parse_period("2026-03"), now=NOW)
    assert result["agency"]["code"] == "H44" and result["period"]["key"] == "2026-03"
    on_time = _values(result, "dung-han")
    # (received − finished_late − overdue_open) / received
    assert on_time["H44.100"] == (8, 10, Decimal("80.00"), "missed")
    assert on_time["H44.101"] == (1, 2, Decimal("50.00"), "missed")  # one open past due, one not yet
    assert on_time["H44"] == (9, 12, Decimal("75.00"), "missed")  # the parent adds its children's counts
    assert on_time["H44.03"] == (0, 0, None, "no_data")
    satisfaction = _values(result, "hai-long")
    assert satisfaction["H44.100"] == (7, 8, Decimal("87.50"), "warning")  # target 90, warning 85
    assert satisfaction["H44.101"] == (0, 0, None, "no_data")
    assert _values(result, "truc-tuyen")["H44.100"] == (6, 10, Decimal("60.00"), "met")
    assert _values(result, "ket-qua-dien-tu")["H44.100"] == (5, 10, Decimal("50.00"), "met")
    assert _values(result, "thanh-toan-truc-tuyen")["H44.100"] == (3, 10, Decimal("30.00"), "missed")
    assert _values(result, "thanh-toan-truc-tuyen")["H44"] == (3, 12, Decimal("25.00"), "missed")


def test_applies_to_splits_province_and_commune_levels(march):
    """Digitisation: 50 % for province-level agencies, 35 % for commune committees (HCMC minimums)."""
    result = evaluate_set(indicator_set=IndicatorSet.objects.get(code=NGHI_QUYET), root=march.province,
                          period=parse_period("2026-03"), now=NOW)
    commune_level = _values(result, "so-hoa-cap-xa")
    province_level = _values(result, "so-hoa-cap-tinh")
    assert set(commune_level) == {"H44.100", "H44.101"}
    assert set(province_level) == {"H44", "H44.03"}
    assert commune_level["H44.100"] == (4, 10, Decimal("40.00"), "met")  # ≥ 35
    assert commune_level["H44.101"] == (0, 2, Decimal("0.00"), "missed")
    assert province_level["H44"] == (4, 12, Decimal("33.33"), "missed")  # < 40 warning
    assert province_level["H44.03"] == (0, 0, None, "no_data")


def test_commune_root_gets_only_commune_indicators(march):
    result = evaluate_set(indicator_set=IndicatorSet.objects.get(code=NGHI_QUYET), root=march.commune,
                          period=parse_period("2026-03"), now=NOW)
    assert _values(result, "so-hoa-cap-tinh") == {}
    assert list(_values(result, "so-hoa-cap-xa")) == ["H44.100"]


def test_lower_direction_metric_and_input_kinds(march):
    custom = IndicatorSet.objects.create(code="rieng", name="Riêng")
    Indicator.objects.create(indicator_set=custom, code="tre-han", name="Trễ hạn", order=1, numerator="finished_late + overdue_open",
                             denominator="received", target=Decimal(5), warning=Decimal(15), direction="lower")
    Indicator.objects.create(indicator_set=custom, code="tien-do", name="Tiến độ 766", order=2, kind="metric",
                             metric_code="PROGRESS", target=Decimal(95))
    entered = Indicator.objects.create(indicator_set=custom, code="bao-cao", name="Báo cáo", order=3, kind="input",
                                       target=Decimal(100), warning=Decimal(90))
    IndicatorValue.objects.create(indicator=entered, agency=march.commune, period_key="2026-03", value=Decimal("92.5"))
    IndicatorValue.objects.create(indicator=entered, agency=march.other_commune, period_key="2026-02", value=Decimal(100))
    result = evaluate_set(indicator_set=custom, root=march.province, period=parse_period("2026-03"), now=NOW)
    late = _values(result, "tre-han")
    assert late["H44.100"] == (2, 10, Decimal("20.00"), "missed")
    assert late["H44.101"] == (1, 2, Decimal("50.00"), "missed")
    assert late["H44"] == (3, 12, Decimal("25.00"), "missed")
    progress = _values(result, "tien-do")
    assert progress["H44.100"] == (8, 10, Decimal("80.00"), "missed")
    assert progress["H44"] == (9, 12, Decimal("75.00"), "missed")
    reports = _values(result, "bao-cao")
    assert reports["H44.100"] == (None, None, Decimal("92.50"), "warning")
    assert reports["H44.101"] == (None, None, None, "no_data")  # entered for another period only
    assert reports["H44"][3] == "no_data"


def test_counters_read_once_for_the_whole_set(march, monkeypatch, django_assert_max_num_queries):
    from tinhso.indicators import selectors

    calls = []
    real = selectors.counts_for_tree
    monkeypatch.setattr(selectors, "counts_for_tree", lambda *a, **k: calls.append(1) or real(*a, **k))
    indicator_set = IndicatorSet.objects.get(code=NGHI_QUYET)
    with django_assert_max_num_queries(8):
        evaluate_set(indicator_set=indicator_set, root=march.province, period=parse_period("2026-03"), now=NOW)
    assert len(calls) == 1


# --- defaults and validation --------------------------------------------------------------------


def test_defaults_load_idempotently_and_leave_edits_alone(world):
    first = load_default_sets()
    assert first["sets_created"] == 2 and first["indicators_created"] == sum(len(d["indicators"]) for d in DEFAULT_SETS)
    on_time = Indicator.objects.get(indicator_set__code=NGHI_QUYET, code="dung-han")
    assert (on_time.numerator, on_time.denominator, on_time.target) == (
        "received - finished_late - overdue_open", "received", Decimal("95.00"))
    on_time.target = Decimal(97)
    on_time.save()
    Indicator.objects.filter(code="thanh-toan-truc-tuyen").delete()
    assert load_default_sets() == {"sets_created": 0, "indicators_created": 0}
    assert Indicator.objects.get(pk=on_time.pk).target == Decimal("97.00")
    assert not Indicator.objects.filter(code="thanh-toan-truc-tuyen").exists()
    dti = IndicatorSet.objects.get(code="dti-chinh-quyen-so")
    assert "405/QĐ-BKHCN" in dti.description and "không được công bố" in dti.description
    assert "09-NQ/TU" in IndicatorSet.objects.get(code=NGHI_QUYET).description
    assert {i.kind for i in dti.indicators.all()} == {"metric", "input"}


def test_defaults_loader_names_an_unknown_column(db):
    bad = [{"code": "x", "name": "X", "description": "", "indicators": [
        {"code": "a", "name": "A", "kind": "ratio", "numerator": "online", "denominator": "recieved", "target": Decimal(1)}]}]
    with pytest.raises(ValueError, match="indicator 'a'.*denominator.*unknown column 'recieved'"):
        check_definitions(bad)
    with pytest.raises(ValueError):
        load_default_sets(bad)
    assert not IndicatorSet.objects.filter(code="x").exists()


def _form(**overrides):
    data = {"code": "x", "name": "X", "order": 0, "kind": "ratio", "numerator": "online", "denominator": "received",
            "metric_code": "", "applies_to": "all", "target": "50", "direction": "higher", "warning": ""}
    data.update(overrides)
    return IndicatorForm(data=data)


def test_admin_form_validates_expressions_and_metric_codes(db):
    assert _form().is_valid()
    form = _form(numerator="online + digitized")
    assert not form.is_valid()
    assert "unknown column 'digitized'" in form.errors["numerator"][0]
    form = _form(kind="metric", numerator="", denominator="", metric_code="")
    assert not form.is_valid() and "metric_code" in form.errors
    assert _form(kind="metric", numerator="", denominator="", metric_code="PROGRESS").is_valid()
    assert _form(kind="input", numerator="", denominator="").is_valid()


def test_admin_pages_render(admin_client, march):
    indicator_set = IndicatorSet.objects.get(code=NGHI_QUYET)
    assert admin_client.get(f"/admin/indicators/indicatorset/{indicator_set.pk}/change/").status_code == 200
    assert admin_client.get("/admin/indicators/indicatorvalue/add/").status_code == 200
    assert admin_client.get("/admin/indicators/indicatorinput/").status_code == 200


# --- API ----------------------------------------------------------------------------------------


def _get(client, key, url, **params):
    return client.get(url, params, headers={"Authorization": f"Bearer {key}"})


def test_api_lists_and_evaluates_sets(march, monkeypatch):
    monkeypatch.setattr("tinhso.indicators.sets.timezone.now", lambda: NOW)
    client, key = Client(), api_key(march.province)
    listing = _get(client, key, "/api/v1/indicators/sets").json()
    assert [s["code"] for s in listing["items"]] == ["dti-chinh-quyen-so", NGHI_QUYET]
    body = _get(client, key, f"/api/v1/indicators/sets/{NGHI_QUYET}", agency="H44", period="2026-03")
    assert body.status_code == 200, body.content
    on_time = next(i for i in body.json()["indicators"] if i["code"] == "dung-han")
    assert on_time["target"] == 95.0 and on_time["direction"] == "higher"
    row = next(v for v in on_time["values"] if v["agency"]["code"] == "H44.100")
    assert row == {"agency": {"code": "H44.100", "name": "UBND phường Việt Trì", "kind": "commune_committee"},
                   "numerator": 8, "denominator": 10, "value": 80.0, "status": "missed"}


def test_api_scoping_and_errors(march):
    client, key = Client(), api_key(march.commune)
    url = f"/api/v1/indicators/sets/{NGHI_QUYET}"
    assert _get(client, key, url, agency="H44.100", period="2026-03").status_code == 200
    outside = _get(client, key, url, agency="H44", period="2026-03")
    assert outside.status_code == 404 and outside.json()["error"]["code"] == "not_found"
    bad = _get(client, key, url, agency="H44.100", period="2026-13")
    assert bad.status_code == 422 and "period" in bad.json()["error"]["fields"]
    assert _get(client, key, "/api/v1/indicators/sets/khong-co", agency="H44.100", period="2026-03").status_code == 404
    assert Client().get("/api/v1/indicators/sets").status_code == 401
