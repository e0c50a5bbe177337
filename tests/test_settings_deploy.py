"""Production settings pass Django's deployment checklist, and refuse to start without a secret."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    env.update(TINHSO_VAR_DIR=str(tmp_path), TINHSO_ENV="production", **extra)
    return env


def _tinhso(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tinhso", *args], env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_passes_in_production(tmp_path):
    env = _env(tmp_path, SECRET_KEY=secrets.token_urlsafe(48), ALLOWED_HOSTS="example.org")
    result = _tinhso("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_secret_key_refuses_to_start(tmp_path):
    result = _tinhso("check", env=_env(tmp_path, ALLOWED_HOSTS="example.org"))
    assert result.returncode != 0
    assert "SECRET_KEY must be set when TINHSO_ENV=production" in result.stderr
    assert not (tmp_path / "secret_key").exists()  # no key is made up in production


def test_production_without_allowed_hosts_is_flagged(tmp_path):
    result = _tinhso("check", "--deploy", "--fail-level", "WARNING",
                     env=_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(48)))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr
