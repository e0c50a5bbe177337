"""The OpenAPI document is valid and documents every dossier endpoint with the error shape."""

from __future__ import annotations

from django.test import Client
from openapi_spec_validator import validate


def test_openapi_document_validates(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    paths = spec["paths"]
    for action in ("accept", "request-supplement", "supplement-received", "refuse", "forward", "transfer", "extend",
                   "stop", "approve", "sign", "finish", "return", "withdraw", "rate"):
        operation = paths[f"/api/v1/dossiers/{{code}}/{action}"]["post"]
        assert {"200", "401", "403", "404", "409", "422"} <= set(operation["responses"]), action
        assert operation["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    assert {"get", "post"} <= set(paths["/api/v1/dossiers"])
    assert "201" in paths["/api/v1/dossiers"]["post"]["responses"]
    assert "multipart/form-data" in paths["/api/v1/dossiers/{code}/attachments"]["post"]["requestBody"]["content"]
    assert "/api/v1/dossiers/{code}/history" in paths
    assert "/api/v1/dossiers/{code}/attachments/{attachment_id}" in paths


def test_docs_page_answers(db):
    assert Client().get("/api/v1/docs").status_code == 200
