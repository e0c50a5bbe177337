"""Helpers for the import tests: a valid dossier line, realistic lines by the thousand, a JSON
Lines file writer, and a database of its own for tests that run `tinhso` as a process."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def _english_reports():
    """The import's line reports are read here in English, as `tinhso import` prints them (its
    command runs in English; through the API they follow the request's language)."""
    from django.utils import translation

    with translation.override("en"):
        yield


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


# --- a `tinhso` process with a database of its own -------------------------------------------

REPO = Path(__file__).resolve().parents[2]
TINHSO = Path(sys.executable).with_name("tinhso")  # the console script of this environment
# The world's agencies and procedure (the ones `line()` names), made in the scratch database.
SEED = f"""
import sys
sys.path.insert(0, {str(REPO)!r})
from tests.factories import AgencyFactory, ProcedureFactory, UnitFactory
from tinhso.agencies.models import AgencyKind
from tinhso.units.models import UnitLevel, UnitType
province_unit = UnitFactory(code="25", name="Phú Thọ", level=UnitLevel.PROVINCE, type=UnitType.PROVINCE)
province = AgencyFactory(code="H44", name="UBND tỉnh Phú Thọ", kind=AgencyKind.PROVINCE_COMMITTEE, unit=province_unit)
for code, unit_code, name in (("H44.100", "07900", "Việt Trì"), ("H44.101", "07901", "Nông Trang")):
    unit = UnitFactory(code=unit_code, name="Phường " + name, parent=province_unit)
    AgencyFactory(code=code, name="UBND phường " + name, kind=AgencyKind.COMMUNE_COMMITTEE, unit=unit, parent=province)
ProcedureFactory(code="1.000894", name="Đăng ký kết hôn")
"""


@dataclass
class ScratchDatabase:
    """A database of its own for `tinhso` subprocesses: `env` runs a command against it, `sql`
    reads it (PostgreSQL through psycopg, SQLite through sqlite3)."""

    env: dict[str, str]
    vendor: str
    dsn: str

    def run(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(TINHSO), *args], env=self.env, cwd=REPO, capture_output=True, text=True,
                              timeout=timeout)

    def popen(self, *args: str, **kwargs: Any) -> subprocess.Popen[bytes]:
        return subprocess.Popen([str(TINHSO), *args], env=self.env, cwd=REPO, **kwargs)

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        if self.vendor == "postgresql":
            import psycopg

            with psycopg.connect(self.dsn, autocommit=True) as conn:
                return conn.execute(query).fetchall()
        import sqlite3

        conn = sqlite3.connect(self.dsn)
        try:
            return conn.execute(query).fetchall()
        finally:
            conn.close()


def _postgres_admin_dsn() -> dict[str, Any]:
    db = settings.DATABASES["default"]
    return {"host": db.get("HOST") or "127.0.0.1", "port": db.get("PORT") or 5432, "user": db.get("USER") or "postgres",
            "password": db.get("PASSWORD") or None}


@pytest.fixture(scope="module")
def scratch_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScratchDatabase]:
    """A migrated database holding the world's agencies and procedure, for `tinhso` processes:
    on PostgreSQL (when the tests run there) a fresh one with a unique name, dropped at the end;
    otherwise a SQLite file."""
    folder = tmp_path_factory.mktemp("scratch")
    env = {**os.environ, "TINHSO_VAR_DIR": str(folder), "TINHSO_ENV": "development", "DEBUG": "0"}
    env.pop("TEST_DATABASE_NAME", None)
    postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    name = f"tinhso_scratch_{uuid.uuid4().hex[:12]}"
    if postgres:
        import psycopg

        admin = _postgres_admin_dsn()
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        password = f":{admin['password']}" if admin["password"] else ""
        env["DATABASE_URL"] = f"postgres://{admin['user']}{password}@{admin['host']}:{admin['port']}/{name}"
        database = ScratchDatabase(env=env, vendor="postgresql", dsn=env["DATABASE_URL"].replace("postgres://", "postgresql://", 1))
    else:
        env["DATABASE_URL"] = f"sqlite:///{folder / 'db.sqlite3'}"
        database = ScratchDatabase(env=env, vendor="sqlite", dsn=str(folder / "db.sqlite3"))
    try:
        for args in (("migrate", "--verbosity", "0"), ("shell", "-c", SEED)):
            result = database.run(*args)
            assert result.returncode == 0, f"tinhso {args[0]} failed:\n{result.stdout}\n{result.stderr}"
        yield database
    finally:
        if postgres:
            import psycopg

            with psycopg.connect(dbname="postgres", autocommit=True, **_postgres_admin_dsn()) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def realistic_lines(n: int, *, seed: int = 7, prefix: str = "R") -> Iterator[dict[str, Any]]:
    """N valid dossier lines of the two communes, received over 2024–2025: every status, the
    three channels, about one in eight finished late, fees, ratings and complaints; codes unique."""
    rng = random.Random(seed)
    first = datetime(2024, 1, 1, 7, 30, tzinfo=VN)
    for i in range(n):
        agency = "H44.100" if rng.random() < 0.6 else "H44.101"
        received = first + timedelta(days=rng.randrange(730), minutes=rng.randrange(9 * 60))
        due = received + timedelta(days=rng.choice([1, 3, 5, 15]))
        status = rng.choices((10, 9, 2, 4, 5, 3, 7, 8), (70, 8, 3, 8, 2, 3, 3, 3))[0]
        finished = returned = None
        if status in (9, 10):
            late = rng.random() < 0.12
            finished = due + timedelta(hours=rng.randrange(1, 96)) if late else received + (due - received) * rng.random()
            if status == 10:
                returned = finished + timedelta(hours=rng.randrange(0, 72))
        fee = rng.choice([0, 0, 20_000, 50_000])
        yield line(
            f"{agency}-{prefix}{received:%y%m%d}-{i:06d}", agency_code=agency,
            channel=rng.choices(("counter", "online", "postal"), (45, 50, 5))[0],
            applicant_type="business" if rng.random() < 0.15 else "citizen",
            received_at=received.isoformat(), due_at=due.isoformat(),
            finished_at=finished.isoformat() if finished else None, returned_at=returned.isoformat() if returned else None,
            status=status, fee_due=fee, fee_paid_online=fee > 0 and rng.random() < 0.4,
            components_digitised=rng.random() < 0.7, result_electronic=rng.random() < 0.5,
            rating=rng.choice(["very_satisfied", "satisfied", "unsatisfied", None]) if status == 10 else None,
            complained=rng.random() < 0.01,
        )
