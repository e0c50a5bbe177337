"""The public catalogue API, called without a key: `GET /api/v1/procedures` searches and pages,
`GET /api/v1/procedures/{code}` gives everything a citizen needs before submitting; a bad filter
is 422 naming it, never 500."""

from __future__ import annotations

import pytest
from django.test import Client

from tinhso.catalogue.models import Component, Procedure
from tinhso.catalogue.services import catalogue_load, read_procedure_rows, sample_catalogue_path

URL = "/api/v1/procedures"
BIRTH = ["1.001193", "1.004884", "2.000528", "2.000635", "3.000722"]


@pytest.fixture
def catalogue(world) -> None:
    catalogue_load(rows=read_procedure_rows(sample_catalogue_path()))


@pytest.fixture
def anonymous() -> Client:
    return Client()


@pytest.mark.parametrize("q", ["khai sinh", "Khai Sinh", "khai sinh"])
def test_the_list_finds_khai_sinh_however_it_is_typed(catalogue, anonymous, q):
    response = anonymous.get(URL, {"q": q})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(BIRTH)
    assert [r["code"] for r in body["results"]] == BIRTH
    first = body["results"][0]
    assert set(first) == {"code", "name", "field", "level", "online_level", "processing_amount", "processing_unit",
                          "fee_vnd", "allows_online"}
    assert first["name"] == "Thủ tục đăng ký khai sinh" and first["allows_online"] is True


def test_the_list_ranks_the_exact_phrase_first_and_pages(catalogue, anonymous):
    body = anonymous.get(URL, {"q": "dang ky khai sinh", "limit": 2, "offset": 1}).json()
    assert body["count"] == 4
    assert [r["code"] for r in body["results"]] == ["2.000528", "3.000722"]


def test_the_list_filters_and_leaves_inactive_procedures_out(catalogue, anonymous):
    Procedure.objects.filter(code="1.001193").update(is_active=False)
    body = anonymous.get(URL, {"q": "khai sinh", "field": "Hộ tịch", "level": "commune"}).json()
    assert [r["code"] for r in body["results"]] == ["1.004884", "2.000528"]
    full = anonymous.get(URL, {"online": "full"}).json()
    assert full["count"] == len(full["results"]) and all(r["online_level"] == "full" for r in full["results"])
    assert anonymous.get(URL, {"online": "online", "limit": 100}).json()["count"] == 34


def test_without_a_query_the_list_is_every_active_procedure_by_code_twenty_at_a_time(catalogue, anonymous):
    body = anonymous.get(URL).json()
    assert body["count"] == Procedure.objects.filter(is_active=True).count()
    codes = [r["code"] for r in body["results"]]
    assert len(codes) == 20 and codes == sorted(codes)


@pytest.mark.parametrize(("params", "field"), [
    ({"level": "district"}, "level"),
    ({"online": "yes"}, "online"),
    ({"limit": 101}, "limit"),
    ({"limit": 0}, "limit"),
    ({"offset": -1}, "offset"),
    ({"q": "x" * 201}, "q"),
    ({"q": "khai\x00sinh"}, "q"),
])
def test_a_bad_filter_is_422_naming_it(db, anonymous, params, field):
    response = anonymous.get(URL, params)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]


def test_the_detail_is_public_and_complete(catalogue, anonymous):
    response = anonymous.get(f"{URL}/1.001193")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Thủ tục đăng ký khai sinh" and body["allows_online"] is True
    assert {"online_processing_amount", "legal_basis", "result_document", "fee_vnd", "processing_amount"} <= set(body)
    assert body["legal_basis"] == Procedure.objects.get(code="1.001193").legal_basis
    # A commune-level procedure: every active commune committee receives it.
    assert body["agencies"] == [{"code": "H44.101", "name": "UBND phường Nông Trang"},
                                {"code": "H44.100", "name": "UBND phường Việt Trì"}]
    components = body["components"]
    assert [c["number"] for c in components] == list(range(1, len(components) + 1))
    birth_certificate = next(c for c in components if c["name"].startswith("Giấy chứng sinh"))
    assert birth_certificate["document_type"] == "chung_sinh" and birth_certificate["copies"] == 1
    assert birth_certificate["document_type_label"] == "Giấy chứng sinh"
    assert birth_certificate["file_types"] == ["pdf", "jpg", "png"]
    form = components[0]
    assert form["name"].startswith("Tờ khai") and form["document_type"] == "" and form["requirement"] == "required"


def test_the_detail_gives_copies_and_file_types_as_set_in_the_admin(catalogue, anonymous):
    Component.objects.filter(procedure__code="1.013225", name="02 bộ bản vẽ thiết kế xây dựng").update(
        file_types="pdf, dwg")
    body = anonymous.get(f"{URL}/1.013225").json()
    drawings = next(c for c in body["components"] if c["name"] == "02 bộ bản vẽ thiết kế xây dựng")
    assert (drawings["copies"], drawings["file_types"]) == (2, ["pdf", "dwg"])


def test_the_detail_of_an_unknown_code_is_404(db, anonymous):
    response = anonymous.get(f"{URL}/9.999999")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_both_routes_are_public_in_the_openapi_document(db, anonymous):
    paths = anonymous.get("/api/v1/openapi.json").json()["paths"]
    assert "security" not in paths["/api/v1/procedures"]["get"]
    assert "security" not in paths["/api/v1/procedures/{code}"]["get"]
