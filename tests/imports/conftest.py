"""Helpers for the import tests: a valid dossier line and a JSON Lines file writer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


def line(code: str = "H44.100-240105-0001", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": code,
        "procedure_code": "1.000894",
        "agency_code": "H44.100",
        "channel": "counter",
        "applicant_type": "citizen",
        "received_at": "2024-01-05T08:00:00+07:00",
        "due_at": "2024-01-08T08:00:00+07:00",
        "finished_at": "2024-01-06T15:00:00+07:00",
        "returned_at": "2024-01-07T09:00:00+07:00",
        "status": 10,
        "fee_due": 0,
        "fee_paid_online": False,
        "components_digitised": True,
        "result_electronic": True,
        "rating": "satisfied",
        "complained": False,
    }
    data.update(overrides)
    return data


def jsonl(*rows: dict[str, Any] | str) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows)


@pytest.fixture
def write_file(tmp_path: Path):
    def write(*rows: dict[str, Any] | str, name: str = "dossiers.jsonl") -> Path:
        path = tmp_path / name
        path.write_text(jsonl(*rows), encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The `world` fixture sets thirteen passwords; the default hasher makes that ~8 s a test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
