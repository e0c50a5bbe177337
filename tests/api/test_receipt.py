"""Receiving and registering dossiers through the API; authentication and input errors."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.conftest import URL, act, as_officer, dossier_body, receive, with_key
from tinhso.dossiers.models import Dossier, Status

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def monday_ten(monkeypatch):
    """Now is Monday 2 March 2026, 10:00 in Việt Trì."""
    moment = datetime(2026, 3, 2, 10, 0, tzinfo=VN)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def test_receive_with_key_issues_code_and_due_moment(world, monday_ten):
    """Returns 201 with the code of the day, the due moment three working days on (+07:00), form 01."""
    data = receive(with_key(world.commune), world)
    assert data["code"] == "H44.100-260302-0001"
    assert data["status"] == {"code": 2, "label": str(Status.RECEIVED.label)}
    assert data["channel"]["code"] == 1
    assert data["received_at"] == "2026-03-02T10:00:00+07:00"
    assert data["due_at"] == "2026-03-05T10:00:00+07:00"
    assert data["legal_due_at"] == data["due_at"]
    assert data["form"] == "01"
    assert data["event"]["action"] == "receive" and data["event"]["to_status"]["code"] == 2
    assert data["current_step"] == {"name": "Thẩm định hồ sơ", "kind": "appraise", "role": "specialist"}
    assert data["fees"] == {"due": 50000, "paid": True, "paid_online": False}
    assert data["applicant"]["id_number"] == "025090001234" and data["applicant"]["masked"] is False
    assert data["overdue"] is False and data["version"] == 1
    assert "forward" in data["allowed_actions"] and "return" not in data["allowed_actions"]
    # The second of the day gets the next number.
    assert receive(with_key(world.commune), world)["code"] == "H44.100-260302-0002"


def test_receive_by_reception_officer_session(world):
    data = receive(as_officer(world.reception), world, channel=3)
    assert data["channel"]["code"] == 3
    assert data["event"]["actor_name"] == world.reception.display_name
    assert Dossier.objects.get(code=data["code"]).receiving_agency == world.commune


def test_submit_then_accept(world):
    """An online registration waits in status 1 until a reception officer accepts it (form 01)."""
    client = as_officer(world.reception)
    body = dossier_body(world)
    del body["channel"], body["fee_paid"]
    response = client.post(f"{URL}/submit", body, content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"]["code"] == 1 and data["channel"]["code"] == 2
    assert data["due_at"] is None and data["form"] is None
    assert "accept" in data["allowed_actions"]

    accepted = act(client, data["code"], "accept", {"version": data["version"]})
    assert accepted.status_code == 200, accepted.content
    out = accepted.json()
    assert out["status"]["code"] == 2 and out["form"] == "01" and out["due_at"] is not None
    assert out["version"] == data["version"] + 1
    assert "accept" not in out["allowed_actions"]


def test_accept_without_body(world):
    """An action whose body has only optional fields may be posted with no body at all."""
    client = as_officer(world.reception)
    body = dossier_body(world)
    del body["channel"], body["fee_paid"]
    code = client.post(f"{URL}/submit", body, content_type="application/json").json()["code"]
    assert client.post(f"{URL}/{code}/accept", content_type="application/json").status_code == 200


def test_specialist_may_not_receive(world):
    """Returns 403 role_not_allowed: only reception officers receive dossiers."""
    response = as_officer(world.specialist).post(URL, dossier_body(world), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "role_not_allowed"
    assert not Dossier.objects.exists()


def test_receive_at_agency_outside_scope_is_not_found(world):
    response = as_officer(world.other_reception).post(URL, dossier_body(world), content_type="application/json")
    assert response.status_code == 404
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"applicant": {"type": "citizen", "name": "Nguyễn Văn An", "id_number": "12345"}}, "applicant.id_number"),
        ({"applicant": {"type": "business", "name": "Công ty A", "id_number": "12"}}, "applicant.id_number"),
        ({"applicant": {"type": "citizen", "name": "Nguyễn Văn An", "id_number": "025090001234", "phone": "12ab"}},
         "applicant.phone"),
        ({"applicant": {"type": "citizen", "name": "A", "id_number": "025090001234", "email": "not-an-email"}},
         "applicant.email"),
        ({"applicant": {"type": "alien", "name": "A", "id_number": "025090001234"}}, "applicant.type"),
        ({"procedure_code": "9.999999"}, "procedure_code"),
        ({"agency_code": "H99.999"}, "agency_code"),
        ({"channel": 7}, "channel"),
        ({"channel": "counter"}, "channel"),
    ],
)
def test_bad_input_is_422_with_the_field_named(world, change, field):
    response = with_key(world.commune).post(URL, dossier_body(world, **change), content_type="application/json")
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert not Dossier.objects.exists()


def test_missing_field_is_422(world):
    body = dossier_body(world)
    del body["procedure_code"]
    response = with_key(world.commune).post(URL, body, content_type="application/json")
    assert response.status_code == 422
    assert "procedure_code" in response.json()["error"]["fields"]


def test_unparsable_body_is_400(world):
    response = with_key(world.commune).post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", URL), ("get", f"{URL}/H44.100-260302-0001"), ("post", URL), ("post", f"{URL}/H44.100-260302-0001/forward"),
     ("get", f"{URL}/H44.100-260302-0001/history"), ("get", f"{URL}/H44.100-260302-0001/attachments")],
)
def test_without_credentials_is_401(world, method, path):
    response = getattr(Client(), method)(path, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_bad_or_revoked_key_is_401(world):
    assert Client(headers={"Authorization": "Bearer ts_nope_nope"}).get(URL).status_code == 401
    from tinhso.agencies.models import ApiKey

    client = with_key(world.commune)
    assert client.get(URL).status_code == 200
    ApiKey.objects.update(revoked_at=timezone.now())
    assert client.get(URL).status_code == 401
