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


def _inputs(schema: dict) -> list[tuple[str, dict]]:
    """(where, schema) of every parameter and request-body property of every operation."""
    components = schema.get("components", {}).get("schemas", {})

    def resolve(node: dict) -> dict:
        while "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[-1]]
        return node

    found: list[tuple[str, dict]] = []

    def walk(where: str, node: dict, depth: int = 0) -> None:
        node = resolve(node)
        for option in node.get("anyOf", []) + node.get("allOf", []):
            walk(where, option, depth + 1)
        if node.get("type") == "object" or "properties" in node:
            for name, child in node.get("properties", {}).items():
                walk(f"{where}.{name}", child, depth + 1)
        elif node.get("type") == "array":
            walk(f"{where}[]", node.get("items", {}), depth + 1)
        elif "type" in node:
            found.append((where, node))

    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                walk(f"{method.upper()} {path} {parameter['name']}", parameter.get("schema", {}))
            for media in operation.get("requestBody", {}).get("content", {}).values():
                walk(f"{method.upper()} {path} body", media.get("schema", {}))
    return found


def test_every_input_declares_the_bounds_the_boundary_enforces(db):
    """Every string a client sends has a maximum length (or is an enum, a date, a file), every
    whole number a maximum: the OpenAPI document states what the server refuses."""
    schema = Client().get("/api/v1/openapi.json").json()
    unbounded = []
    for where, node in _inputs(schema):
        if node["type"] == "string" and not (
            "maxLength" in node or "enum" in node or node.get("format") in ("date", "date-time", "binary")
            or "pattern" in node and "maxLength" in node
        ):
            unbounded.append(where)
        if node["type"] == "integer" and "maximum" not in node and "enum" not in node:
            unbounded.append(where)
    assert not unbounded, unbounded
