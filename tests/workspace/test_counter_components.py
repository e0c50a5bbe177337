"""The counter page: components ticked with quantity, form and medium; only required ones block;
every error of the form shown at once. The sign and finish forms ask for the result's number and
the electronic result's file."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import RESULT_PDF, ProcedureFactory, citizen, handed_in
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel, Dossier, Status

BIRTH = ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "Văn bản ủy quyền (nếu ủy quyền)",
         "Ảnh (không bắt buộc)"]


@pytest.fixture
def birth(db):
    return ProcedureFactory(code="1.001193", name="Đăng ký khai sinh", components=BIRTH)


def officer(principal) -> Client:
    client = Client()
    client.force_login(principal.user)
    return client


def post(world, procedure, **overrides) -> dict:
    data = {
        "agency": world.commune.pk, "procedure": procedure.code, "channel": "1", "documents": ["1", "2"],
        "applicant_type": "citizen", "applicant_name": "Trần Thị Bình", "applicant_id_number": "025190004321",
        "applicant_phone": "0987654321",
        "quantity_1": "1", "copy_form_1": "original", "medium_1": "paper",
        "quantity_2": "2", "copy_form_2": "certified_copy", "medium_2": "paper",
        "quantity_3": "1", "copy_form_3": "original", "medium_3": "paper",
        "quantity_4": "1", "copy_form_4": "original", "medium_4": "paper",
    }
    data.update(overrides)
    return data


def test_the_fragment_marks_required_and_conditional_components(world, birth):
    body = officer(world.reception).get(
        reverse("workspace:counter_procedure"), {"procedure": birth.code, "agency": world.commune.pk}
    ).content.decode()
    rows = re.findall(r'<tr class="component component-(\w+)">', body)
    assert rows == ["required", "required", "conditional", "optional"]
    assert 'name="quantity_3"' in body and 'name="copy_form_3"' in body and 'name="medium_3"' in body
    assert "Bản sao có chứng thực" in body and "Bản điện tử" in body


def test_an_ordinary_birth_registration_is_received_without_conditional_papers(world, birth):
    response = officer(world.reception).post(reverse("workspace:counter"), post(world, birth))
    assert response.status_code == 302, response.content.decode()[:2000]
    d = Dossier.objects.get()
    assert list(d.received_components.values_list("order", "quantity", "copy_form", "medium")) == [
        (1, 1, "original", "paper"), (2, 2, "certified_copy", "paper")]


def test_a_conditional_paper_ticked_is_recorded_with_its_form(world, birth):
    data = post(world, birth, documents=["1", "2", "3"], copy_form_3="copy", medium_3="electronic")
    assert officer(world.reception).post(reverse("workspace:counter"), data).status_code == 302
    assert Dossier.objects.get().received_components.get(order=3).medium == "electronic"


def test_every_error_of_the_counter_form_is_shown_at_once(world, birth):
    """No procedure-independent error hides another: a missing required paper, a bad quantity, a
    bad ID number, a bad phone and a missing name all come back on the first submission."""
    data = post(world, birth, documents=["1", "3"], quantity_3="0", applicant_id_number="12345",
                applicant_phone="12", applicant_name="")
    response = officer(world.reception).post(reverse("workspace:counter"), data)
    assert response.status_code == 422
    form = response.context["form"]
    assert {"documents", "quantity_3", "applicant_id_number", "applicant_phone", "applicant_name"} <= set(form.errors)
    body = response.content.decode()
    assert "2. Giấy chứng sinh" in body
    assert "Số định danh cá nhân phải gồm 12 chữ số." in body
    assert 'name="documents" value="3" id="document-3" checked' in body  # what was ticked stays ticked
    assert not Dossier.objects.exists()


def test_a_missing_procedure_still_shows_the_applicants_errors(world, birth):
    data = {**post(world, birth, applicant_id_number="12345"), "procedure": ""}
    response = officer(world.reception).post(reverse("workspace:counter"), data)
    assert response.status_code == 422
    assert {"procedure", "applicant_id_number"} <= set(response.context["form"].errors)


# --- sign and finish on the dossier page ----------------------------------------------------


def at_sign_step(world) -> Dossier:
    d = s.dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                          channel=Channel.COUNTER, applicant=citizen(), components=handed_in(world.procedure)).dossier
    s.dossier_forward(principal=world.specialist, code=d.code)
    s.dossier_forward(principal=world.head, code=d.code)
    s.dossier_approve(principal=world.leader, code=d.code)
    d.refresh_from_db()
    return d


def act(client: Client, d: Dossier, action: str, data: dict) -> str:
    d.refresh_from_db()
    payload = {f"{action}-{k}": v for k, v in {"version": d.version, **data}.items()}
    response = client.post(reverse("workspace:dossier_action", kwargs={"code": d.code, "action": action}), payload,
                           follow=True)
    return " ".join(str(m) for m in response.context["messages"])


def test_the_sign_form_requires_the_results_number(world):
    d = at_sign_step(world)
    leader = officer(world.leader)
    message = act(leader, d, "sign", {"result_number": "", "result_kind": "fax"})
    assert "Số, ký hiệu văn bản kết quả" in message and "Hình thức kết quả" in message  # both at once
    assert Dossier.objects.get(pk=d.pk).current_step.kind == "sign"
    act(leader, d, "sign", {"result_number": "15/GCN-UBND", "result_kind": "electronic"})
    assert Dossier.objects.get(pk=d.pk).result_number == "15/GCN-UBND"


def test_the_finish_form_requires_the_file_of_an_electronic_result(world):
    d = at_sign_step(world)
    s.dossier_sign(principal=world.leader, code=d.code, result_number="15/GCN", result_kind="electronic")
    clerk = officer(world.clerk)
    message = act(clerk, d, "finish", {"note": ""})
    assert "tệp kết quả" in message
    assert Dossier.objects.get(pk=d.pk).status == Status.IN_PROGRESS
    act(clerk, d, "finish", {"note": "", "result": SimpleUploadedFile("kq.pdf", RESULT_PDF, "application/pdf")})
    assert Dossier.objects.get(pk=d.pk).status == Status.PROCESSED
