"""The inbox: "Chờ tôi xử lý" (my step, my role at my agency) by default, every open dossier of
my agencies one tab away, and a search that finds a dossier by the applicant's name however it
is typed (diacritics, case), by code and by ID number — in the workspace and the API alike."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.api.conftest import as_officer
from tests.factories import citizen
from tests.imports.conftest import line as import_line
from tinhso.core.text import search_key
from tinhso.dossiers import selectors
from tinhso.dossiers import services as s
from tinhso.dossiers.imports import IMPORTED_APPLICANT_NAME, dossiers_import_file
from tinhso.dossiers.models import Channel, Dossier, Status

from .test_pages import signed_in

INBOX = "/ho-so/"


def receive(world, name: str = "Nguyễn Văn An", id_number: str = "025090001234") -> Dossier:
    return s.dossier_receive(
        principal=world.reception, procedure=world.procedure, agency=world.commune, channel=Channel.COUNTER,
        applicant=citizen(name=name, id_number=id_number),
    ).dossier


def codes(response) -> set[str]:
    return {row["d"].code for row in response.context["rows"]}


@pytest.fixture
def three(world):
    """At appraisal (specialist), at review (head), and waiting for a supplement (the applicant)."""
    at_specialist = receive(world, "Nguyễn Văn An")
    at_head = receive(world, "Đặng Thị Đào", "025190004321")
    s.dossier_forward(principal=world.specialist, code=at_head.code)
    waiting_applicant = receive(world, "Trần Văn Bình", "025090009999")
    s.dossier_request_supplement(principal=world.specialist, code=waiting_applicant.code, reason="Thiếu tờ khai")
    return at_specialist.code, at_head.code, waiting_applicant.code


def test_waiting_for_me_is_the_default_and_follows_my_step(world, three):
    """Each officer's default tab holds the dossiers at their own step; the other tab holds every
    open dossier of the agency."""
    at_specialist, at_head, waiting_applicant = three
    specialist = signed_in("chuyenvien")
    response = specialist.get(INBOX)
    assert response.status_code == 200 and response.context["tab"] == "cho-toi"
    assert codes(response) == {at_specialist}
    page = response.content.decode()
    assert "Chờ tôi xử lý" in page and "?xem=tat-ca" in page

    assert codes(signed_in("truongphong").get(INBOX)) == {at_head}
    assert codes(specialist.get(INBOX, {"xem": "tat-ca"})) == {at_specialist, at_head, waiting_applicant}


def test_the_counter_waits_for_online_checks_and_results(world):
    """Reception: online dossiers to check and results to hand over; a dossier being appraised
    is not theirs."""
    online = s.dossier_submit(principal=None, procedure=world.procedure, agency=world.commune,
                              applicant=citizen()).dossier
    appraised = receive(world)
    assert set(selectors.waiting_for(principal=world.reception).values_list("code", flat=True)) == {online.code}
    for principal in (world.specialist, world.head):
        s.dossier_forward(principal=principal, code=appraised.code)
    s.dossier_approve(principal=world.leader, code=appraised.code)
    s.dossier_sign(principal=world.leader, code=appraised.code, result_number="12/GCN")
    assert set(selectors.waiting_for(principal=world.clerk).values_list("code", flat=True)) == {appraised.code}
    s.dossier_finish(principal=world.clerk, code=appraised.code,
                     result=s.Upload("Kết quả", "kq.pdf", b"%PDF-1.4\n%%EOF\n"))
    assert Dossier.objects.get(code=appraised.code).status == Status.PROCESSED
    assert set(selectors.waiting_for(principal=world.reception).values_list("code", flat=True)) == {
        online.code, appraised.code}


def test_another_agency_is_never_waiting_for_me(world):
    s.dossier_receive(principal=world.other_reception, procedure=world.procedure, agency=world.other_commune,
                      channel=Channel.COUNTER, applicant=citizen())
    assert not selectors.waiting_for(principal=world.specialist).exists()


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("nguyen van an", True),
        ("Nguyễn Văn An", True),
        ("NGUYEN VAN", True),
        ("nguyễn", True),
        ("  nguyen   van  ", True),
        ("van an", False),  # the start of the name, not any word
        ("nguyen van b", False),
    ],
)
def test_search_by_name_ignores_diacritics_and_case(world, typed, found):
    d = receive(world, "Nguyễn Văn An")
    response = signed_in("chuyenvien").get(INBOX, {"q": typed})
    assert response.status_code == 200
    assert (d.code in codes(response)) is found


def test_d_with_stroke_folds_to_d(world):
    d = receive(world, "Đặng Thị Đào")
    assert d.applicant_name_search == "dang thi dao"
    assert codes(signed_in("chuyenvien").get(INBOX, {"q": "dang thi dao"})) == {d.code}


def test_search_by_code_in_any_case_and_by_id_number(world):
    d = receive(world, "Nguyễn Văn An", "025090001234")
    client = signed_in("chuyenvien")
    assert codes(client.get(INBOX, {"q": d.code.lower()})) == {d.code}
    assert codes(client.get(INBOX, {"q": d.code[:12]})) == {d.code}
    assert codes(client.get(INBOX, {"q": "025090001234"})) == {d.code}
    assert codes(client.get(INBOX, {"q": "0250900"})) == set()  # an ID number is matched whole


def test_search_stays_in_scope(world):
    """A name in another commune's dossier is not found by this commune's officer."""
    s.dossier_receive(principal=world.other_reception, procedure=world.procedure, agency=world.other_commune,
                      channel=Channel.COUNTER, applicant=citizen(name="Lê Thị Hoa"))
    assert codes(signed_in("chuyenvien").get(INBOX, {"q": "le thi hoa"})) == set()


def test_the_api_q_finds_names_too(world):
    d = receive(world, "Nguyễn Văn An")
    receive(world, "Trần Văn Bình", "025090009999")
    client = as_officer(world.specialist)
    response = client.get("/api/v1/dossiers", {"q": "nguyen van an"})
    assert response.status_code == 200, response.content
    assert [item["code"] for item in response.json()["items"]] == [d.code]
    response = client.get("/api/v1/dossiers", {"q": d.code.lower()})
    assert [item["code"] for item in response.json()["items"]] == [d.code]


def test_the_import_fills_the_search_column(world, tmp_path):
    """Imported dossiers (written in bulk, not through the receipt) carry the folded name too."""
    path = tmp_path / "dossiers.jsonl"
    path.write_text(json.dumps(import_line(code="H44.100-240105-0001"), ensure_ascii=False) + "\n", encoding="utf-8")
    report = dossiers_import_file(path=path, principal=world.reception)
    assert report.errors == [] and report.created == 1
    imported = Dossier.objects.get(code="H44.100-240105-0001")
    assert imported.applicant_name == IMPORTED_APPLICANT_NAME
    assert imported.applicant_name_search == search_key(IMPORTED_APPLICANT_NAME) != ""


def test_the_search_uses_the_name_index(world):
    """The name lookup is a prefix match on the indexed, folded column."""
    sql = str(Dossier.objects.filter(selectors.search_q("nguyen van")).query)
    assert "applicant_name_search" in sql and "LIKE" in sql.upper()
    assert reverse("workspace:inbox") == INBOX


def test_the_data_migration_fills_existing_rows(world, monkeypatch):
    """Dossiers stored before the column existed get their folded name from the migration."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("tinhso.dossiers.migrations.0007_applicant_name_search")
    first, second = receive(world, "Phạm Đức Huỳnh"), receive(world, "Lê Thị Ánh", "025190004321")
    Dossier.objects.update(applicant_name_search="")
    monkeypatch.setattr(migration, "BATCH", 1)  # several batches
    migration.fill_applicant_name_search(apps, None)
    assert dict(Dossier.objects.values_list("code", "applicant_name_search")) == {
        first.code: "pham duc huynh", second.code: "le thi anh"}


def test_a_viewer_waits_for_nothing_and_opens_on_every_open_dossier(world, three):
    response = signed_in("theodoi").get(INBOX)
    assert response.context["tab"] == "tat-ca" and codes(response) == set(three)
