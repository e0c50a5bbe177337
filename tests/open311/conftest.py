"""Open311 fixtures and the conformance checks every JSON answer goes through.

The JSON Schemas are the Open311 community's, copied into `tests/data/open311` (see
`tests/data/PROVENANCE.md`),
validated as draft-04 with a registry for their bare-name `$ref`s, a W3C-DTF check that requires
the time zone, and object-ness checks (the schemas lack `type: object`). The error body, the
discovery document and the POST/token answers have no upstream schema: small ones follow here,
written from the spec text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.factories import api_key as make_api_key
from tests.feedback.conftest import categories  # noqa: F401  (re-exported fixture)

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "open311"
W3C_DTF = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")

ERRORS_SCHEMA = {
    "type": "array", "minItems": 1,
    "items": {"type": "object", "required": ["code", "description"],
              "properties": {"code": {"type": "integer"}, "description": {"type": "string", "minLength": 1}}},
}
POST_SCHEMA = {
    "type": "array", "minItems": 1, "maxItems": 1,
    "items": {"type": "object", "required": ["service_request_id"],
              "properties": {"service_request_id": {"type": "string"}, "service_notice": {"type": ["string", "null"]},
                             "account_id": {"type": ["string", "null"]}, "token": {"type": "string"}}},
}
TOKEN_SCHEMA = {
    "type": "array", "minItems": 1,
    "items": {"type": "object", "required": ["service_request_id", "token"],
              "properties": {"service_request_id": {"type": "string"}, "token": {"type": "string"}}},
}
DISCOVERY_SCHEMA = {
    "type": "object", "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "changeset": {"type": "string", "format": "date-time"},
        "contact": {"type": "string"}, "key_service": {"type": "string"},
        "endpoints": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["specification", "url", "changeset", "type", "formats"],
            "properties": {"specification": {"type": "string", "format": "uri"}, "url": {"type": "string", "format": "uri"},
                           "changeset": {"type": "string", "format": "date-time"},
                           "type": {"enum": ["production", "test"]},
                           "formats": {"type": "array", "items": {"enum": ["application/json", "text/xml"]}}}}},
    },
}


class Conformance:
    """Validators for each kind of Open311 JSON answer."""

    def __init__(self, directory: Path) -> None:
        from jsonschema import Draft4Validator, FormatChecker
        from referencing import Registry
        from referencing.jsonschema import DRAFT4

        checker = FormatChecker()

        @checker.checks("date-time")
        def _w3c(value: object) -> bool:
            return not isinstance(value, str) or bool(W3C_DTF.match(value))

        @checker.checks("uri")
        def _uri(value: object) -> bool:
            if not isinstance(value, str):
                return True
            parts = urlparse(value)
            return parts.scheme in ("http", "https") and bool(parts.netloc)

        loaded = {name: json.loads((directory / name).read_text(encoding="utf-8"))
                  for name in ("service.json", "services.json", "service-definition.json", "request.json",
                               "requests.json")}
        registry = Registry().with_resources((name, DRAFT4.create_resource(s)) for name, s in loaded.items())

        def make(schema: dict[str, Any]) -> Any:
            return Draft4Validator(schema, registry=registry, format_checker=checker)

        self.validators = {
            "services": make(loaded["services.json"]), "service_definition": make(loaded["service-definition.json"]),
            "requests": make(loaded["requests.json"]), "errors": make(ERRORS_SCHEMA), "post": make(POST_SCHEMA),
            "token": make(TOKEN_SCHEMA), "discovery": make(DISCOVERY_SCHEMA),
        }

    def check(self, kind: str, payload: Any) -> Any:
        self.validators[kind].validate(payload)
        # Quirk 4: the upstream item schemas do not require objects.
        if kind in ("services", "requests", "errors", "post", "token"):
            assert isinstance(payload, list) and all(isinstance(item, dict) for item in payload), payload
        if kind == "service_definition":
            assert isinstance(payload, dict)
            for attribute in payload["attributes"]:
                assert isinstance(attribute, dict)
                assert all(isinstance(v, dict) for v in attribute.get("values", []))
        return payload


@pytest.fixture(scope="session")
def conformance() -> Conformance:
    return Conformance(SCHEMAS)


@pytest.fixture
def key(categories) -> str:  # noqa: F811
    return make_api_key(categories.commune)
