"""Who sees which dossier through the API, personal data masking, and the list with its filters."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import URL, act, as_officer, receive, with_key


@pytest.fixture
def two_communes(world):
    """One dossier received at each commune, each by its own reception officer."""
    ours = receive(as_officer(world.reception), world)["code"]
    theirs = receive(as_officer(world.other_reception), world, agency_code=world.other_commune.code)["code"]
    return ours, theirs


@pytest.mark.parametrize("other", ["officer", "key"])
def test_other_commune_gets_404_and_no_list_entry(world, two_communes, other):
    ours, theirs = two_communes
    client = as_officer(world.other_reception) if other == "officer" else with_key(world.other_commune)
    for path in (f"{URL}/{ours}", f"{URL}/{ours}/history", f"{URL}/{ours}/attachments", f"{URL}/{ours}/attachments/1"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    for action, body in [("forward", {}), ("refuse", {"reason": "x"}), ("withdraw", {"reason": "x"}),
                         ("rate", {"rating": "satisfied"})]:
        assert act(client, ours, action, body).status_code == 404, action
    upload = client.post(f"{URL}/{ours}/attachments", {"file": _png_file(), "name": "Ảnh"})
    assert upload.status_code == 404
    listed = client.get(URL).json()
    assert [d["code"] for d in listed["items"]] == [theirs] and listed["count"] == 1
    assert client.get(f"{URL}/{theirs}").status_code == 200


def test_province_key_sees_both_communes(world, two_communes):
    client = with_key(world.province)
    listed = client.get(URL).json()
    assert listed["count"] == 2 and {d["code"] for d in listed["items"]} == set(two_communes)
    for code in two_communes:
        data = client.get(f"{URL}/{code}").json()
        assert data["applicant"]["masked"] is False


def test_viewer_sees_masked_personal_data_and_reception_sees_it(world, two_communes):
    ours, _ = two_communes
    full = as_officer(world.reception).get(f"{URL}/{ours}").json()["applicant"]
    assert full == {
        "type": "citizen", "name": "Nguyễn Văn An", "id_number": "025090001234", "birth_date": "1990-05-17",
        "address": "Số 1 đường Hùng Vương, Việt Trì", "phone": "0912345678", "email": "an@example.vn",
        "representative_name": "", "representative_id_number": "", "masked": False,
    }
    viewer = as_officer(world.province_viewer)
    masked = viewer.get(f"{URL}/{ours}").json()["applicant"]
    assert masked["masked"] is True
    assert masked["id_number"] == "*********234" and "025090001234" not in str(masked)
    assert masked["phone"] == "091****678"
    assert masked["birth_date"] is None and masked["address"] is None and masked["email"] is None
    assert masked["name"] == "N***** V** An"
    listed = viewer.get(URL).json()
    assert listed["count"] == 2
    assert {d["applicant_name"] for d in listed["items"]} == {"N***** V** An"}
    assert "025090001234" not in str(viewer.get(f"{URL}/{ours}/history").content)


def test_list_filters_and_pagination(world):
    reception = as_officer(world.reception)
    codes = [receive(reception, world, channel=1 + i % 2)["code"] for i in range(5)]
    act(as_officer(world.specialist), codes[0], "request-supplement", {"reason": "Thiếu"})

    def listed(**params):
        response = reception.get(URL, params)
        assert response.status_code == 200, response.content
        return response.json()

    everything = listed()
    assert everything["count"] == 5 and [d["code"] for d in everything["items"]] == codes
    item = everything["items"][0]
    assert set(item) == {"code", "procedure", "receiving_agency", "handling_agency", "channel", "status",
                         "applicant_name", "received_at", "due_at", "finished_at", "overdue", "version"}
    assert listed(status=5)["count"] == 1
    assert listed(channel=2)["count"] == 2
    assert listed(procedure=world.procedure.code)["count"] == 5 and listed(procedure="0.000000")["count"] == 0
    assert listed(agency="H44.100")["count"] == 5 and listed(agency="H44.101")["count"] == 0
    assert listed(q=codes[3])["items"][0]["code"] == codes[3]
    assert listed(q="025090001234")["count"] == 5
    assert listed(overdue="true")["count"] == 0 and listed(overdue="false")["count"] == 5
    assert listed(received_from="2000-01-01T00:00:00", received_to="2000-01-02T00:00:00")["count"] == 0
    assert listed(received_from="2000-01-01T00:00:00+07:00")["count"] == 5
    page = listed(limit=2, offset=2)
    assert page["count"] == 5 and [d["code"] for d in page["items"]] == codes[2:4]
    tail = listed(limit=2, offset=4)
    assert tail["count"] == 5 and [d["code"] for d in tail["items"]] == codes[4:]
    assert listed(limit=2, offset=10) == {"count": 5, "items": []}


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"status": 42}, {"overdue": "maybe"}])
def test_list_bad_parameters_are_422(world, params):
    response = with_key(world.commune).get(URL, params)
    assert response.status_code == 422
    assert set(params) <= set(response.json()["error"]["fields"])


def test_unknown_code_is_404(world):
    response = with_key(world.province).get(f"{URL}/H44.100-260302-9999")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def _png_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.api.test_attachments import png_bytes

    return SimpleUploadedFile("anh.png", png_bytes(), content_type="image/png")


def test_list_and_detail_queries_do_not_grow_with_rows(world):
    """The list costs the same few queries for 3 dossiers or 12 (no query per row); so does a dossier."""
    reception = as_officer(world.reception)
    codes = [receive(reception, world)["code"] for _ in range(3)]
    with CaptureQueriesContext(connection) as small:
        assert reception.get(URL, {"limit": 2}).json()["count"] == 3
    for _ in range(9):
        receive(reception, world)
    with CaptureQueriesContext(connection) as large:
        assert reception.get(URL, {"limit": 10}).json()["count"] == 12
    assert len(large.captured_queries) == len(small.captured_queries) <= 8
    with CaptureQueriesContext(connection) as one:
        assert reception.get(f"{URL}/{codes[0]}").status_code == 200
    assert len(one.captured_queries) <= 8
