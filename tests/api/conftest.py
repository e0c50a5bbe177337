"""Helpers for the dossier API tests: clients signed in as an officer or holding an agency's key."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.factories import api_key
from tinhso.agencies.models import Agency
from tinhso.agencies.principals import Principal

URL = "/api/v1/dossiers"


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    """Files go to a temporary media root; staff passwords hash with a fast hasher (the world has
    eight officers, and the default hasher costs about a second each on a busy machine)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def as_officer(principal: Principal) -> Client:
    client = Client()
    client.force_login(principal.user)
    return client


def with_key(agency: Agency) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_key(agency)}"})


def dossier_body(world: Any, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "procedure_code": world.procedure.code,
        "agency_code": world.commune.code,
        "channel": 1,
        "applicant": {
            "type": "citizen",
            "name": "Nguyễn Văn An",
            "id_number": "025090001234",
            "birth_date": "1990-05-17",
            "address": "Số 1 đường Hùng Vương, Việt Trì",
            "phone": "0912345678",
            "email": "an@example.vn",
        },
        "summary": "Đăng ký kết hôn",
        "fee_paid": True,
        "components": [{"number": c.order} for c in world.procedure.components.order_by("order") if c.is_required],
    }
    body.update(overrides)
    return body


def receive(client: Client, world: Any, **overrides: Any) -> dict[str, Any]:
    response = client.post(URL, dossier_body(world, **overrides), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def act(client: Client, code: str, action: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{URL}/{code}/{action}", body or {}, content_type="application/json")
