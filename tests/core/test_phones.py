"""The one phone rule (`tinhso.core.phones`) and every place that reads a phone through it: the
counter, the API, the feedback form's service, Open311's reporter, the SMS gateway's number."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.workspace.test_pages import counter_post, signed_in
from tinhso.core.phones import e164, is_phone_number, phone_number
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.services import Applicant
from tinhso.feedback.sms import international


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("0912-345-678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("84912345678", "0912345678"),
        ("(+84) 912-345-678", "0912345678"),
        ("  0352 123 456 ", "0352123456"),
        ("0912\u00a0345\u00a0678", "0912345678"),  # a non-breaking space pasted from a document
        ("0210 3846 123", "02103846123"),  # Phú Thọ landline: national form, digits only
        ("+84 210 3846 123", "02103846123"),
        ("+33 6 12 34 56 78", "+33612345678"),  # another country: E.164
    ],
)
def test_phone_number_reads_what_people_type_into_one_stored_form(typed, stored):
    assert phone_number(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "12ab", "091234567", "09123456789", "0711234567", "0912345678x12", "tel:0912345678",
     "０９１２３４５６７８", "٠٩١٢٣٤٥٦٧٨", "0912345678\n", "+", "1" * 40, "+840912345678"],
)
def test_phone_number_refuses_what_is_no_number(typed):
    assert phone_number(typed) is None and not is_phone_number(typed)


@pytest.mark.parametrize(("typed", "mobile"), [("0987 654 321", True), ("0210 3846 123", False),
                                               ("+33612345678", False)])
def test_mobile_only_accepts_vietnamese_mobiles(typed, mobile):
    assert (phone_number(typed, mobile=True) is not None) is mobile


def test_e164_for_sms_gateways():
    assert e164("0912345678") == international("0912345678") == "+84912345678"
    assert e164("02103846123") == "+842103846123"
    assert e164("garbage") == "garbage"


def test_applicant_stores_the_national_form():
    applicant = Applicant(type="citizen", name="Nguyễn Văn An", id_number="025090001234", phone="+84 912 345 678")
    applicant.validate()
    assert applicant.phone == "0912345678"


# The counter form as the workspace tests fill it (kept in one place, tests/workspace/test_pages.py).
def _signed_in(username: str) -> Client:
    return signed_in(username)


def _counter_post(world, **overrides) -> dict:
    return counter_post(world, **overrides)


def test_counter_accepts_a_phone_typed_with_spaces_and_stores_it_once(world):
    """The counter used to refuse `0912 345 678` that the feedback form accepted."""
    response = _signed_in("tiepnhan").post(reverse("workspace:counter"),
                                           _counter_post(world, applicant_phone="0912 345 678"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Dossier.objects.get().applicant_phone == "0912345678"


def test_counter_refuses_a_wrong_phone_with_its_field_message(world):
    response = _signed_in("tiepnhan").post(reverse("workspace:counter"),
                                           _counter_post(world, applicant_phone="0912 345"))
    assert response.status_code == 422
    assert "Số điện thoại không hợp lệ" in response.content.decode()
    assert not Dossier.objects.exists()


def test_counter_refuses_a_tax_code_with_a_wrong_check_digit(world):
    response = _signed_in("tiepnhan").post(reverse("workspace:counter"), _counter_post(
        world, applicant_type="business", applicant_name="Công ty TNHH A", applicant_id_number="0100233480",
        representative_name="Trần Thị Bình", representative_id_number="025190004321"))
    assert response.status_code == 422
    assert "chữ số kiểm tra" in response.content.decode()
    assert not Dossier.objects.exists()


def test_counter_accepts_a_branch_tax_code_and_stores_it_compact(world):
    response = _signed_in("tiepnhan").post(reverse("workspace:counter"), _counter_post(
        world, applicant_type="business", applicant_name="Công ty TNHH A", applicant_id_number="0314409058-002",
        representative_name="Trần Thị Bình", representative_id_number="025190004321"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Dossier.objects.get().applicant_id_number == "0314409058002"
