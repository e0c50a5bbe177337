"""`POST /api/v1/dossiers/import`: streamed JSON Lines, scoped to the caller's agencies."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import api_key
from tests.imports.conftest import jsonl, line
from tinhso.audit.models import AuditEntry
from tinhso.dossiers.models import Dossier

URL = "/api/v1/dossiers/import"


def post(client, body: str, key: str | None, content_type: str = "application/x-ndjson"):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.generic("POST", URL, body.encode(), content_type=content_type, headers=headers)


def test_key_scoped_to_one_agency_rejects_lines_of_another(world, client):
    """A key of H44.100 imports its line; the H44.101 line is rejected with its number; 200."""
    key = api_key(world.commune)
    body = jsonl(line("P-1"), line("P-2", agency_code="H44.101"), line("P-3"))
    response = post(client, body, key)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["created"], data["updated"], data["rejected"]) == (2, 0, 1)
    assert data["errors"] == [{"line": 2, "message": "agency H44.101 is outside your scope"}]
    assert set(Dossier.objects.values_list("code", flat=True)) == {"P-1", "P-3"}
    entry = AuditEntry.objects.get(action="dossiers.import")
    assert entry.api_key is not None and entry.api_key.agency == world.commune


def test_province_key_imports_into_the_whole_subtree_and_reimports(world, client):
    key = api_key(world.province)
    body = jsonl(line("P-1"), line("P-2", agency_code="H44.101"))
    assert post(client, body, key, content_type="text/plain").json()["created"] == 2
    again = post(client, jsonl(line("P-2", agency_code="H44.101", status=9, returned_at=None)), key).json()
    assert (again["created"], again["updated"]) == (0, 1)
    assert Dossier.objects.get(code="P-2").status == 9


def test_key_cannot_move_another_agencys_dossier_into_its_scope(world, client):
    """A dossier of H44.101 stays put when a key of H44.100 re-imports its code under H44.100."""
    assert post(client, jsonl(line("P-9", agency_code="H44.101")), api_key(world.province)).json()["created"] == 1
    data = post(client, jsonl(line("P-9")), api_key(world.commune)).json()
    assert data["rejected"] == 1 and "outside your scope" in data["errors"][0]["message"]
    assert Dossier.objects.get(code="P-9").handling_agency == world.other_commune


def test_multipart_file_field(world, client):
    upload = SimpleUploadedFile("old.jsonl", jsonl(line("M-1"), line("M-2")).encode(), "application/x-ndjson")
    response = client.post(URL, {"file": upload}, headers={"Authorization": f"Bearer {api_key(world.commune)}"})
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 2


def test_multipart_without_file_is_400(world, client):
    response = client.post(URL, {"other": "x"}, headers={"Authorization": f"Bearer {api_key(world.commune)}"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"file": "required"}


def test_unreadable_body_is_422(world, client):
    key = api_key(world.commune)
    for body in ("", "this is not json\nneither is this\n", "\x00\x01"):
        response = post(client, body, key)
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == "invalid"
    assert not Dossier.objects.exists()


def test_without_credentials_is_401(world, client):
    response = post(client, jsonl(line("P-1")), None)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert not Dossier.objects.exists()


def test_officer_session_is_scoped_like_a_key(world, client):
    """A reception officer signed in at H44.100 (session + CSRF) imports into H44.100 only."""
    client.force_login(world.reception.user)
    response = post(client, jsonl(line("W-1"), line("W-2", agency_code="H44.101")), None)
    assert response.status_code == 200, response.content
    assert response.json()["rejected"] == 1
    assert Dossier.objects.filter(code="W-1").exists()
