"""Settings from the environment: one typed reader, every variable documented, bad values named.

`.env.example` must list every variable `settings.py` reads (CI runs this), settings.py must read
the environment only through the typed reader, and a wrong value makes the real `tinhso` command
print one line naming the variable and exit 2.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import tinhso

ROOT = Path(tinhso.__file__).resolve().parents[2]
SETTINGS = Path(tinhso.__file__).resolve().parent / "settings.py"
ENV_EXAMPLE = ROOT / ".env.example"
TINHSO = Path(sys.executable).with_name("tinhso")

# env("X"…), env.int("X"…), env.dj_db_url("X"…), env_bool("X"…), env_list("X"…), possibly with the
# name on the next line.
READ = re.compile(r"\benv(?:\.\w+|_bool|_list)?\(\s*\"([A-Z][A-Z0-9_]*)\"")
# A line of .env.example naming a variable: `NAME=…` or commented out `# NAME=…`.
LISTED = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def settings_reads() -> set[str]:
    return set(READ.findall(SETTINGS.read_text(encoding="utf-8")))


def test_every_variable_settings_reads_is_in_env_example():
    """Returns no variable that settings.py reads and .env.example does not list."""
    reads = settings_reads()
    assert {"DATABASE_URL", "TINHSO_MAX_DUE_YEARS", "SECRET_KEY"} <= reads  # the regex sees the reads
    listed = set(LISTED.findall(ENV_EXAMPLE.read_text(encoding="utf-8")))
    assert sorted(reads - listed) == []


def test_settings_read_the_environment_only_through_the_typed_reader():
    """settings.py has no os.environ / os.getenv read that would bypass the typed reader."""
    text = SETTINGS.read_text(encoding="utf-8")
    assert re.findall(r"os\.environ|os\.getenv|getenv\(", text) == []


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environment.update(env)
    return subprocess.run([str(TINHSO), *args], capture_output=True, text=True, env=environment, timeout=60)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TINHSO_MAX_DUE_YEARS", "abc"),
        ("DATABASE_URL", "nonsense"),
        ("DEBUG", "maybe"),
        ("TINHSO_SMS_TIMEOUT", "ten"),
    ],
)
def test_a_wrong_value_is_one_line_naming_the_variable_and_exit_2(variable, value, tmp_path):
    """Returns exit code 2 and a single stderr line naming the variable, whatever the command."""
    result = _run("check", TINHSO_VAR_DIR=str(tmp_path), **{variable: value})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert "Traceback" not in result.stderr


def test_production_without_secret_key_is_one_line_exit_2(tmp_path):
    result = _run("help", TINHSO_VAR_DIR=str(tmp_path), TINHSO_ENV="production", SECRET_KEY="")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "tinhso: configuration error: SECRET_KEY must be set when TINHSO_ENV=production"
    ]
