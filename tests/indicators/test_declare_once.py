"""The four "declare once" metrics of Decision 766, measured from the dossiers (issue 11):
counted live through the one door, the same after `tinhso indicators rebuild`, shown with source
"tinhso" and explained dossier by dossier.

REUSED_DIGITIZED_DATA              n = received dossiers that reused a stored document,
                                   d = received dossiers whose procedure asks for documents;
SYNCED_WITH_DVCQG_PERSONAL_STORAGE n = finished with an electronic result put in the store,
                                   d = finished with an electronic result;
CITIZEN_DATA_CONNECTED_DOSSIER     n = received with applicant data from the identity provider,
                                   d = received;
CITIZEN_DATA_CONNECTED_FORMALITY   n = procedures (of the agency's catalogue view) with at least
                                   one such dossier, d = procedures that received dossiers.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client

from tests.factories import ProcedureFactory, api_key, citizen, finish, sign
from tinhso.agencies.principals import Principal
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel, Dossier
from tinhso.indicators.admin import IndicatorInputForm
from tinhso.indicators.contributions import COLUMNS, contribution
from tinhso.indicators.models import IndicatorInput
from tinhso.indicators.selectors import EXPLAINABLE, INPUT_METRICS, MEASURED
from tinhso.indicators.services import counters_from_dossiers, counters_live, rollup_live, rollup_of

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MON = datetime(2026, 3, 2, 9, 0, tzinfo=VN)
URL = "/api/v1/indicators/service-index"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CODES = ("REUSED_DIGITIZED_DATA", "SYNCED_WITH_DVCQG_PERSONAL_STORAGE", "CITIZEN_DATA_CONNECTED_DOSSIER",
         "CITIZEN_DATA_CONNECTED_FORMALITY")


# --- the contribution of one dossier (pure) --------------------------------------------------

_BASE = {
    "receiving_agency_id": 1, "procedure_id": 2, "channel": 2, "status": 2, "received_at": MON, "due_at": None,
    "finished_at": None, "fee_due": 0, "fee_paid_online": False, "components_digitised": False, "result_kind": "",
    "rating": "", "complained": False, "marked_overdue": False, "applicant_verified": False,
    "documents_required": False, "documents_reused": False, "result_in_store": False,
}
_NEW = ("documents_required", "documents_reused", "result_in_store", "applicant_verified")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, (0, 0, 0, 0)),
        ({"applicant_verified": True}, (0, 0, 0, 1)),
        ({"documents_required": True}, (1, 0, 0, 0)),
        ({"documents_required": True, "documents_reused": True}, (1, 1, 0, 0)),
        # In the store but not finished, or finished on paper: not an electronic result in the store.
        ({"result_in_store": True, "result_kind": "electronic"}, (0, 0, 0, 0)),
        ({"result_in_store": True, "status": 10, "result_kind": "paper"}, (0, 0, 0, 0)),
        ({"result_in_store": True, "status": 10, "result_kind": "electronic"}, (0, 0, 1, 0)),
        ({"result_in_store": True, "status": 9, "result_kind": "electronic"}, (0, 0, 1, 0)),
        ({"status": 10, "result_kind": "electronic"}, (0, 0, 0, 0)),
        ({k: True for k in _NEW} | {"status": 10, "result_kind": "electronic"}, (1, 1, 1, 1)),
    ],
)
def test_contribution_of_the_declare_once_fields(fields, expected):
    key, vector = contribution(_BASE | fields)
    assert tuple(vector[c] for c in _NEW) == expected
    assert set(vector) == set(COLUMNS) and vector["received"] == 1
    assert contribution(_BASE | fields | {"received_at": None}) is None  # not received: counts nowhere


def test_the_four_are_measured_not_entered(world):
    assert set(CODES) <= MEASURED and not set(CODES) & set(INPUT_METRICS)
    assert set(CODES) - {"CITIZEN_DATA_CONNECTED_FORMALITY"} <= set(EXPLAINABLE)
    # The admin of entered inputs refuses them now.
    form = IndicatorInputForm(data={"agency": world.commune.pk, "period_key": "2026-03",
                                    "metric_code": "CITIZEN_DATA_CONNECTED_DOSSIER", "numerator": 1, "denominator": 2})
    assert not form.is_valid() and "metric_code" in form.errors


# --- through the one door --------------------------------------------------------------------


def _applicant(name: str) -> Principal:
    return Principal.for_applicant(get_user_model().objects.create_user(username=name))


def _stored_document() -> s.StoredFile:
    """A file already in an applicant's store (what `citizens` hands the dossier as a reuse)."""
    name = default_storage.save("kho/cccd.pdf", ContentFile(PDF))
    return s.StoredFile(name=name, sha256=hashlib.sha256(PDF).hexdigest(), size=len(PDF), content_type="application/pdf")


def _submit(world, who, procedure, *, verified, uploads=None, at=MON) -> str:
    code = s.dossier_submit(principal=who, procedure=procedure, agency=world.commune, applicant=citizen(),
                            uploads=uploads or [], at=at, applicant_verified=verified).dossier.code
    return code


def _accept(world, code, at=MON):
    s.dossier_accept(principal=world.reception, code=code, at=at + timedelta(minutes=30))


def _finish(world, code, at=MON):
    t = at + timedelta(hours=1)
    for actor, action in ((world.specialist, s.dossier_forward), (world.head, s.dossier_forward),
                          (world.leader, s.dossier_approve), (world.leader, sign)):
        action(principal=actor, code=code, at=t)
        t += timedelta(minutes=5)
    finish(principal=world.clerk, code=code, at=t)  # electronic result (sign's default)


@pytest.fixture
def march(world):
    """At H44.100 in March 2026:

    a  world.procedure, online by Lan, verified, reused a stored document, finished with an
       electronic result delivered into her store;
    b  world.procedure, online by Bình, typed-in data, uploaded a new file, finished electronic, not stored;
    c  a procedure without components, at the counter;
    d  another commune procedure, online by Lan, verified, nothing attached, still open;
    f  a province-level procedure, online by Lan, verified (outside the commune's catalogue view);
    e  online by Lan, verified, reused — but never accepted (not received: counts nowhere).
    """
    lan, binh = _applicant("lan"), _applicant("binh")
    other = ProcedureFactory(code="9.200001", name="Cấp bản sao trích lục")
    bare = ProcedureFactory(code="9.200002", name="Xác nhận tình trạng", components=[])
    provincial = ProcedureFactory(code="9.200003", name="Cấp phép", level="province")
    stored = _stored_document()
    first = world.procedure.components.order_by("order").first().order
    codes = {}
    codes["a"] = _submit(world, lan, world.procedure, verified=True,
                         uploads=[s.Upload("CCCD", "cccd.pdf", stored=stored, component=first)])
    codes["b"] = _submit(world, binh, world.procedure, verified=False,
                         uploads=[s.Upload("Tờ khai", "to-khai.pdf", PDF, component=first)])
    for key in ("a", "b"):
        _accept(world, codes[key])
        _finish(world, codes[key])
    assert s.dossier_result_stored(code=codes["a"]) is True
    assert s.dossier_result_stored(code=codes["a"]) is False  # once
    codes["c"] = s.dossier_receive(principal=world.reception, procedure=bare, agency=world.commune,
                                   channel=Channel.COUNTER, applicant=citizen(), at=MON).dossier.code
    codes["d"] = _submit(world, lan, other, verified=True)
    _accept(world, codes["d"])
    codes["f"] = _submit(world, lan, provincial, verified=True)
    _accept(world, codes["f"])
    codes["e"] = _submit(world, lan, world.procedure, verified=True, uploads=[s.Upload("CCCD", "cccd.pdf", stored=stored)])
    world.codes = codes
    return world


def _index(agency_code, client_of):
    response = Client().get(URL, {"agency": agency_code, "period": "2026-03"},
                            headers={"Authorization": f"Bearer {client_of}"})
    assert response.status_code == 200
    body = response.json()
    return {m["code"]: m for g in body["groups"] for m in g["metrics"] if m["code"] in CODES}


EXPECTED_COMMUNE = {
    "REUSED_DIGITIZED_DATA": (1, 4),  # a / a, b, d, f
    "SYNCED_WITH_DVCQG_PERSONAL_STORAGE": (1, 2),  # a / a, b
    "CITIZEN_DATA_CONNECTED_DOSSIER": (3, 5),  # a, d, f / a, b, c, d, f
    "CITIZEN_DATA_CONNECTED_FORMALITY": (2, 3),  # world.procedure, other / + bare (provincial: not the commune's)
}


def test_the_four_metrics_are_measured_live_and_equal_after_rebuild(march):
    dossiers = {k: Dossier.objects.get(code=c) for k, c in march.codes.items()}
    assert dossiers["a"].documents_reused and dossiers["a"].applicant_verified and dossiers["a"].result_in_store
    assert dossiers["e"].received_at is None
    key = api_key(march.province)
    commune = _index("H44.100", key)
    assert {c: (m["numerator"], m["denominator"]) for c, m in commune.items()} == EXPECTED_COMMUNE
    assert {m["source"] for m in commune.values()} == {"tinhso"}
    assert all(m["has_data"] for m in commune.values())
    # REUSED_DIGITIZED_DATA: 2 × (100 · 1/4) / 80 = 0.625 → 0.63; the others max × n/d.
    assert commune["REUSED_DIGITIZED_DATA"]["score"] == 0.63
    assert commune["SYNCED_WITH_DVCQG_PERSONAL_STORAGE"]["score"] == 2.0
    assert commune["CITIZEN_DATA_CONNECTED_DOSSIER"]["score"] == 1.2
    assert commune["CITIZEN_DATA_CONNECTED_FORMALITY"]["score"] == 1.33
    # The province committee's catalogue view is the whole catalogue: the provincial procedure counts.
    province = _index("H44", key)
    assert (province["CITIZEN_DATA_CONNECTED_FORMALITY"]["numerator"],
            province["CITIZEN_DATA_CONNECTED_FORMALITY"]["denominator"]) == (3, 4)
    assert (province["CITIZEN_DATA_CONNECTED_DOSSIER"]["numerator"],
            province["CITIZEN_DATA_CONNECTED_DOSSIER"]["denominator"]) == (3, 5)
    # An entered value for a measured metric is ignored.
    IndicatorInput.objects.create(agency=march.commune, period_key="2026-03",
                                  metric_code="CITIZEN_DATA_CONNECTED_DOSSIER", numerator=9, denominator=9)
    assert _index("H44.100", key) == commune

    live = counters_live()
    assert live == counters_from_dossiers()
    assert rollup_live() == rollup_of(live)
    call_command("indicators", "rebuild")
    assert counters_live() == live
    assert _index("H44.100", key) == commune
    assert _index("H44", key) == province


def test_a_later_change_moves_the_procedure_counts(march):
    """The procedure-level counts (FORMALITY) are cached per process by the roll-up's version: a
    verified dossier for the bare procedure moves them at once."""
    key = api_key(march.province)
    assert _index("H44.100", key)["CITIZEN_DATA_CONNECTED_FORMALITY"]["numerator"] == 2
    bare = ProcedureFactory(code="9.200002")
    code = _submit(march, _applicant("chi"), bare, verified=True, at=MON + timedelta(days=1))
    formality = _index("H44.100", key)["CITIZEN_DATA_CONNECTED_FORMALITY"]
    assert (formality["numerator"], formality["denominator"]) == (2, 3)  # submitted, not received yet
    _accept(march, code, at=MON + timedelta(days=1))
    formality = _index("H44.100", key)["CITIZEN_DATA_CONNECTED_FORMALITY"]
    assert (formality["numerator"], formality["denominator"]) == (3, 3)


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("REUSED_DIGITIZED_DATA", {"b", "d", "f"}),
        ("SYNCED_WITH_DVCQG_PERSONAL_STORAGE", {"b"}),
        ("CITIZEN_DATA_CONNECTED_DOSSIER", {"b", "c"}),
    ],
)
def test_explain_lists_the_dossiers_in_d_but_not_in_n(march, metric, expected):
    key = api_key(march.province)
    response = Client().get(f"{URL}/explain", {"agency": "H44.100", "period": "2026-03", "metric": metric},
                            headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    body = response.json()
    by_code = {c: k for k, c in march.codes.items()}
    assert {by_code[i["code"]] for i in body["items"]} == expected and body["count"] == len(expected)
    assert body["definition"]["numerator"] and body["definition"]["denominator"]


def test_formality_is_not_explained_by_dossiers(march):
    key = api_key(march.province)
    response = Client().get(f"{URL}/explain", {"agency": "H44.100", "period": "2026-03",
                                               "metric": "CITIZEN_DATA_CONNECTED_FORMALITY"},
                            headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 422


def test_metric_page_states_n_and_d(march):
    client = Client()
    client.force_login(march.province_viewer.user)
    html = client.get("/dieu-hanh/chi-tieu/CITIZEN_DATA_CONNECTED_DOSSIER/",
                      {"agency": "H44.100", "period": "2026-03"}).content.decode()
    assert 'id="metric-definition"' in html
    assert "Hồ sơ tiếp nhận trong kỳ có thông tin người nộp lấy từ định danh điện tử" in html
    assert html.count('<td class="code">') == 2  # b and c
    formality = client.get("/dieu-hanh/chi-tieu/CITIZEN_DATA_CONNECTED_FORMALITY/",
                           {"agency": "H44.100", "period": "2026-03"}).content.decode()
    assert 'id="metric-definition"' in formality and "explain-table" not in formality
