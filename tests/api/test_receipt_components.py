"""The API follows the counter's rules: components by number (only required ones block), every
bad field in one 422, the result's number at signing and the electronic result's file at finish."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.conftest import URL, act, as_officer, dossier_body, receive
from tests.factories import RESULT_PDF, ProcedureFactory
from tinhso.audit.models import AuditEntry
from tinhso.dossiers.models import Dossier, ReceivedComponent


def test_a_missing_required_component_is_422_with_every_other_bad_field(world):
    reception = as_officer(world.reception)
    body = dossier_body(world, components=[{"number": 1, "quantity": 0}, {"number": 7}])
    body["applicant"] = {**body["applicant"], "id_number": "12345"}
    response = reception.post(URL, body, content_type="application/json")
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"components", "components.0.quantity", "components.1.number", "applicant.id_number"}
    assert "2. Giấy tờ tuỳ thân" in fields["components"]
    assert not Dossier.objects.exists()


def test_without_components_a_procedure_with_required_ones_is_refused(world):
    response = as_officer(world.reception).post(URL, dossier_body(world, components=[]),
                                                content_type="application/json")
    assert response.status_code == 422 and "components" in response.json()["error"]["fields"]


def test_an_unknown_form_or_medium_is_named_by_its_path(world):
    body = dossier_body(world, components=[{"number": 1, "copy_form": "photocopy"}, {"number": 2, "medium": "fax"}])
    response = as_officer(world.reception).post(URL, body, content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"components.0.copy_form", "components.1.medium"}


def test_a_component_that_is_not_an_object_is_refused_by_the_schema(world):
    body = dossier_body(world, components=[1, 2])
    response = as_officer(world.reception).post(URL, body, content_type="application/json")
    assert response.status_code == 422 and not Dossier.objects.exists()


def test_conditional_components_are_optional_and_recorded_when_sent(world):
    procedure = ProcedureFactory(code="1.001193", name="Đăng ký khai sinh",
                                 components=["Tờ khai", "Văn bản ủy quyền (nếu ủy quyền)"])
    reception = as_officer(world.reception)
    receive(reception, world, procedure_code=procedure.code, components=[{"number": 1}])
    data = receive(reception, world, procedure_code=procedure.code, components=[
        {"number": 2, "quantity": 1, "copy_form": "certified_copy", "medium": "electronic"}, {"number": 1}])
    rows = ReceivedComponent.objects.filter(dossier__code=data["code"]).values_list("order", "copy_form", "medium")
    assert list(rows) == [(1, "original", "paper"), (2, "certified_copy", "electronic")]


def _at_sign(world) -> str:
    code = receive(as_officer(world.reception), world)["code"]
    for principal, action in ((world.specialist, "forward"), (world.head, "forward"), (world.leader, "approve")):
        assert act(as_officer(principal), code, action).status_code == 200
    return code


def test_sign_without_the_number_is_422_and_the_dossier_waits(world):
    code = _at_sign(world)
    leader = as_officer(world.leader)
    response = act(leader, code, "sign", {"result_kind": "electronic"})
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"result_number"}
    assert act(leader, code, "sign", {"result_number": "9/GCN"}).json()["result_number"] == "9/GCN"


def test_an_electronic_result_finishes_only_once_its_file_is_attached(world):
    code = _at_sign(world)
    assert act(as_officer(world.leader), code, "sign", {"result_number": "9/GCN"}).status_code == 200
    clerk = as_officer(world.clerk)
    refused = act(clerk, code, "finish")
    assert refused.status_code == 422 and set(refused.json()["error"]["fields"]) == {"result"}
    upload = clerk.post(f"{URL}/{code}/attachments", {
        "file": SimpleUploadedFile("kq.pdf", RESULT_PDF, "application/pdf"), "kind": "result", "name": "Kết quả"})
    assert upload.status_code == 201, upload.content
    finished = act(clerk, code, "finish")
    assert finished.status_code == 200 and finished.json()["status"]["code"] == 9
    assert AuditEntry.objects.filter(object_id=code, action="dossier.finish").count() == 1
