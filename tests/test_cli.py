"""The command line: `tinhso setup` is idempotent, `tinhso apikey create` prints a working key
(only its digest is stored) and names `--agency` when the agency is unknown; and the real console
script, run as a process, exits with code 2 on that error."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory

import tinhso
from tests.factories import AgencyFactory, UnitFactory
from tinhso.agencies.models import ApiKey
from tinhso.api.auth import BearerKey
from tinhso.catalogue.models import Procedure, WorkflowStep
from tinhso.units.models import AdministrativeUnit

TINHSO = Path(sys.executable).with_name("tinhso")  # the console script of this environment
AGENCIES_CSV = Path(tinhso.__file__).resolve().parent / "data" / "agencies-phu-tho.csv"


@pytest.fixture
def _static_in_tmp(settings, tmp_path):
    settings.STATIC_ROOT = str(tmp_path / "static")


def _counts() -> dict[str, int]:
    return {
        "units": AdministrativeUnit.objects.count(),
        "distinct_units": AdministrativeUnit.objects.values("code").distinct().count(),
        "procedures": Procedure.objects.count(),
        "distinct_procedures": Procedure.objects.values("code").distinct().count(),
        "steps": WorkflowStep.objects.count(),
    }


@pytest.mark.usefixtures("_static_in_tmp")
def test_setup_twice_is_idempotent(db):
    first = StringIO()
    call_command("setup", verbosity=0, stdout=first)
    after_first = _counts()
    assert after_first["units"] == after_first["distinct_units"] > 3000  # 34 provinces + the communes
    assert AdministrativeUnit.objects.filter(level="province").count() == 34
    assert after_first["procedures"] == after_first["distinct_procedures"] > 0
    assert after_first["steps"] == 5 * after_first["procedures"]  # the default workflow, once each
    out = first.getvalue()
    assert f"divisions: {after_first['units']} created, 0 updated" in out
    assert f"catalogue: {after_first['procedures']} created, 0 updated" in out

    second = StringIO()
    call_command("setup", verbosity=0, stdout=second)
    assert _counts() == after_first
    out = second.getvalue()
    assert "divisions: 0 created, 0 updated" in out
    assert "catalogue: 0 created, 0 updated" in out  # the same rows again change nothing
    assert "setup done" in out


def test_setup_without_catalogue(db, _static_in_tmp):
    call_command("setup", "--no-catalogue", verbosity=0, stdout=StringIO())
    assert AdministrativeUnit.objects.exists()
    assert not Procedure.objects.exists()


@pytest.fixture
def commune(db):
    return AgencyFactory(code="H44.100", unit=UnitFactory(code="07900"))


def test_apikey_create_prints_a_key_whose_digest_is_stored(commune):
    out, err = StringIO(), StringIO()
    call_command("apikey", "create", "  Cổng dịch vụ công  ", "--agency", "H44.100", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert secret.startswith("ts_") and "\n" not in secret
    key = ApiKey.objects.get()
    assert key.digest == ApiKey.digest_of(secret)
    assert secret not in (key.digest, key.prefix)  # the key itself is not stored
    assert secret.startswith(f"ts_{key.prefix}_")
    assert (key.name, key.agency, key.revoked_at) == ("Cổng dịch vụ công", commune, None)
    assert key.prefix in err.getvalue() and secret not in err.getvalue()
    # The printed key authenticates as a principal of that agency.
    request = RequestFactory().get("/api/v1/dossiers", HTTP_AUTHORIZATION=f"Bearer {secret}")
    principal = BearerKey().authenticate(request, secret)
    assert principal is not None and principal.api_key == key
    assert BearerKey().authenticate(request, secret + "x") is None


def test_apikey_revoke(commune):
    out = StringIO()
    call_command("apikey", "create", "x", "--agency", "H44.100", stdout=out, stderr=StringIO())
    secret = out.getvalue().strip()
    key = ApiKey.objects.get()
    call_command("apikey", "revoke", key.prefix, stdout=StringIO())
    key.refresh_from_db()
    assert key.revoked_at is not None
    request = RequestFactory().get("/")
    assert BearerKey().authenticate(request, secret) is None
    with pytest.raises(CommandError) as exc:
        call_command("apikey", "revoke", key.prefix, stdout=StringIO())
    assert exc.value.returncode == 2


def test_apikey_unknown_agency(db):
    with pytest.raises(CommandError) as exc:
        call_command("apikey", "create", "x", "--agency", "NOPE", stdout=StringIO(), stderr=StringIO())
    assert exc.value.returncode == 2
    assert "--agency" in str(exc.value) and "NOPE" in str(exc.value)
    assert not ApiKey.objects.exists()


# --- the real console script, in its own process and its own var dir -------------------------


def _run(var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TEST_DATABASE_NAME"}}
    env.update(TINHSO_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="tinhso.settings", PYTHONUNBUFFERED="1")
    return subprocess.run([str(TINHSO), *args], env=env, cwd=var_dir, capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory):
    if not TINHSO.exists():
        pytest.skip(f"console script not installed at {TINHSO}")
    path = tmp_path_factory.mktemp("tinhso-var")
    done = _run(path, "setup", "-v", "0")
    assert done.returncode == 0, done.stderr
    assert (path / "tinhso.sqlite3").exists()
    return path


def test_console_script_unknown_agency_exits_2(var_dir):
    done = _run(var_dir, "apikey", "create", "x", "--agency", "NOPE")
    assert done.returncode == 2
    assert "--agency" in done.stderr and "NOPE" in done.stderr
    assert done.stdout == ""


def test_console_script_creates_a_key_after_import(var_dir):
    imported = _run(var_dir, "import", "agencies", str(AGENCIES_CSV))
    assert imported.returncode == 0, imported.stderr
    assert "rejected 0" in imported.stdout
    done = _run(var_dir, "apikey", "create", "cong-dvc", "--agency", "H44")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("ts_")
