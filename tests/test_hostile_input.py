"""Hostile input through every face: the API, the pages, the public tracking page, Open311 and
uploads answer a 4xx naming the field — never a 500 — and nothing is written, no file is left.

Run on PostgreSQL too: that is where a NUL or an instant past year 9999 used to reach the
database and fail with a 500 (and, for the extension, be committed and poison the dossier).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.api.conftest import URL, act, as_officer, dossier_body, receive, with_key
from tests.api.test_attachments import pdf_bytes
from tests.feedback.conftest import categories  # noqa: F401 (fixture)
from tinhso.dossiers.models import Attachment, Dossier
from tinhso.feedback.models import Report

NUL = "\x00"


def _fields(response) -> dict:
    return response.json()["error"]["fields"]


# --- the API --------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "value", "field"), [
    (("applicant", "name"), f"Nguyễn{NUL}An", "applicant.name"),
    (("applicant", "address"), "Số 1\x1b[31m", "applicant.address"),
    (("summary",), "lỗi \ud800", "summary"),
    (("applicant", "birth_date"), "0.5", "applicant.birth_date"),
    (("applicant", "birth_date"), "0001-01-01", "applicant.birth_date"),
    (("applicant", "birth_date"), "2999-01-01", "applicant.birth_date"),
])
def test_receipt_refuses_values_that_cannot_be_stored(world, path, value, field):
    """422 names the field by its path in the body; no dossier is created."""
    body = dossier_body(world)
    target = body
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    response = with_key(world.commune).post(URL, body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in _fields(response)
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("new_due_at", [
    "9999-12-31T23:59:59-12:00",  # year 10000 in UTC
    "9999-12-31T00:00:00+07:00",
    "2026-06-01T08:00:00+16:00",  # no such offset
    "2099-01-01T08:00:00+07:00",  # further than TINHSO_MAX_DUE_YEARS after receipt
])
def test_an_extension_the_database_cannot_hold_is_refused_and_changes_nothing(world, new_due_at):
    client = with_key(world.commune)
    dossier = receive(client, world)
    response = act(client, dossier["code"], "extend", {"reason": "Chờ xác minh", "new_due_at": new_due_at})
    assert response.status_code == 422, response.content
    assert "new_due_at" in _fields(response)
    after = client.get(f"{URL}/{dossier['code']}")
    assert after.status_code == 200
    assert after.json()["due_at"] == dossier["due_at"] and after.json()["version"] == dossier["version"]
    assert client.get(f"{URL}/{dossier['code']}/history").status_code == 200
    assert Client().get("/tra-cuu/", {"code": dossier["code"]}).status_code == 200


@pytest.mark.parametrize(("query", "field"), [
    ({"q": f"H44{NUL}"}, "q"),
    ({"offset": "-1"}, "offset"),
    ({"offset": str(10**30)}, "offset"),
    ({"limit": "0"}, "limit"),
    ({"received_to": "0.5"}, "received_to"),
    ({"received_to": "0467-10-16T18:36:51.6701-23:41"}, "received_to"),
    ({"received_from": "2026-01-01T00:00:00+15:00"}, "received_from"),
    ({"status": str(2**70)}, "status"),
])
def test_list_query_refuses_what_it_cannot_page_or_filter(world, query, field):
    response = with_key(world.commune).get(URL, query)
    assert response.status_code == 422, response.content
    assert field in _fields(response)


def test_invalid_utf8_in_a_query_is_refused(world):
    """Django decodes it to U+FFFD; the boundary refuses that rather than store mojibake."""
    response = with_key(world.commune).get(URL, QUERY_STRING="agency=%FF%FE")
    assert response.status_code == 422 and "agency" in _fields(response)


def test_versions_beyond_the_column_are_refused(world):
    client = with_key(world.commune)
    dossier = receive(client, world)
    response = act(client, dossier["code"], "forward", {"version": 2**70})
    assert response.status_code == 422 and "version" in _fields(response)


def test_a_path_with_a_control_character_names_nothing(world):
    response = with_key(world.commune).get(f"{URL}/H44%00")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_json_bodies_that_cannot_be_read_are_400(world):
    client = with_key(world.commune)
    for raw in (b'{"procedure_code": "\xff"}', b"[" * 50_000, b'{"a": NaN}'):
        response = client.post(URL, raw, content_type="application/json")
        assert response.status_code in (400, 422), (raw[:20], response.content)
        assert "error" in response.json()
    assert not Dossier.objects.exists()


def test_an_upload_name_with_nul_is_refused_and_leaves_no_file(world, settings):
    """The document's name (a form field) with NUL: refused before the file is written. (Django's
    multipart parser itself drops NUL from file names.)"""
    client = as_officer(world.reception)
    dossier = receive(client, world)
    response = client.post(f"{URL}/{dossier['code']}/attachments",
                           {"file": SimpleUploadedFile("to-khai.pdf", pdf_bytes()), "name": f"Tờ{NUL}khai"})
    assert response.status_code == 422, response.content
    assert "name" in _fields(response)
    assert not Attachment.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


# --- the pages ------------------------------------------------------------------------------


def test_public_tracking_page_refuses_nul_with_a_page(db):
    response = Client().get("/tra-cuu/", {"code": f"H44{NUL}"})
    assert response.status_code == 422
    assert "code" in response.content.decode()


def test_counter_form_with_nul_or_invalid_utf8_writes_nothing(world):
    client = as_officer(world.reception)
    form = {"procedure": world.procedure.code, "channel": "1", "applicant_type": "citizen",
            "applicant_name": f"Phạm{NUL}Đức", "applicant_id_number": "025095001111"}
    assert client.post("/tiep-nhan/", form).status_code == 422
    body = "procedure=1.000894&channel=1&applicant_type=citizen&applicant_name=Ph%FF&applicant_id_number=025095001111"
    response = client.post("/tiep-nhan/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422
    assert "applicant_name" in response.content.decode()
    assert not Dossier.objects.exists()


def test_inbox_search_with_nul_is_refused(world):
    assert as_officer(world.reception).get("/ho-so/", {"q": NUL}).status_code == 422


def test_a_session_cookie_holding_nul_is_no_session(db):
    """Django's cookie parser unquotes octal escapes; the key never reaches the database."""
    client = Client()
    client.cookies["sessionid"] = '"\\000abcdefghijklmnop"'
    response = client.get("/ho-so/")
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


# --- Open311 --------------------------------------------------------------------------------


@pytest.fixture
def open311_key(categories):  # noqa: F811
    from tests.factories import api_key

    return api_key(categories.province)


def _report(key: str, **fields: str) -> dict[str, str]:
    return {"api_key": key, "service_code": "chieu-sang", "lat": "21.3227", "long": "105.4020",
            "description": "Cột đèn số VT-0042 không sáng từ tối qua.", "phone": "0912345678", **fields}


@pytest.mark.parametrize(("fields", "named"), [
    ({"description": f"Đèn hỏng{NUL} từ tối qua rồi"}, "description"),
    ({"lat": "NaN"}, "lat"),
    ({"long": "Infinity"}, "long"),
    ({"lat": "1e999999"}, "lat"),
    ({"last_name": "Nguy\ufffdn"}, "last_name"),
])
def test_open311_refuses_in_its_own_error_shape(open311_key, fields, named):
    response = Client().post("/open311/v2/requests.json", _report(open311_key, **fields))
    assert response.status_code == 400, response.content
    [error] = response.json()
    assert error["code"] == 400 and named in error["description"]
    assert not Report.objects.exists()


def test_open311_too_many_fields_answers_open311_errors(open311_key, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    fields = _report(open311_key) | {f"attribute[x{i}]": "1" for i in range(50)}
    response = Client().post("/open311/v2/requests.xml", fields)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/xml") and b"<errors>" in response.content


def test_unauthenticated_bodies_are_capped_before_they_are_parsed(open311_key, settings):
    settings.TINHSO_MAX_PUBLIC_REQUEST_BYTES = 1000
    fields = _report(open311_key, description="Đèn hỏng " + "x" * 5000)
    response = Client().post("/open311/v2/requests.json", fields)
    assert response.status_code == 413
    assert response.json()[0]["code"] == 413
    assert not Report.objects.exists()


@pytest.mark.parametrize("start", ["2026-01-01T00:00:00+23:00", "9999-12-31T23:59:59-12:00"])
def test_open311_listing_refuses_instants_the_database_cannot_hold(db, start):
    response = Client().get("/open311/v2/requests.json", {"start_date": start})
    assert response.status_code == 400
    assert "start_date" in response.json()[0]["description"]
