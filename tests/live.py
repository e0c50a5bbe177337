"""A live tinhso for tests that need what a user would have: a real `tinhso serve` on a real
database of its own (a fresh PostgreSQL database when the suite runs on PostgreSQL, else an SQLite
file), set up by the real commands, and stopped — or killed — by the test.

`LiveSite.create(tmp_path)` makes the database and runs `tinhso setup` and the agency import;
`site.run("apikey", …)` runs any command against it; `site.start()` / `site.kill()` /
`site.stop()` drive the server on a fixed port, so a restarted server answers where clients
were talking to the killed one.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import connection

REPO = Path(__file__).resolve().parents[1]
TINHSO = Path(sys.executable).with_name("tinhso")
AGENCIES_CSV = REPO / "src/tinhso/data/agencies-phu-tho.csv"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_url() -> str | None:
    """The PostgreSQL server of the suite's DATABASE_URL, or None on SQLite."""
    if connection.vendor != "postgresql":
        return None
    settings = connection.settings_dict
    user = settings.get("USER") or "postgres"
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}"


def _admin(sql: str) -> None:
    import psycopg

    url = _server_url()
    assert url is not None
    with psycopg.connect(f"{url}/postgres", autocommit=True) as conn:
        conn.execute(sql)


@dataclass
class LiveSite:
    directory: Path
    database_url: str
    database_name: str | None
    port: int = field(default_factory=free_port)
    server: subprocess.Popen[bytes] | None = None
    log: IO[str] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(cls, directory: Path, *, agencies: bool = True, **env: str) -> LiveSite:
        """A new site in `directory`: its own database, `tinhso setup`, the Phú Thọ agencies."""
        base = _server_url()
        if base is not None:
            name = f"tinhso_live_{uuid.uuid4().hex[:12]}"
            _admin(f'CREATE DATABASE "{name}"')
            site = cls(directory, f"{base}/{name}", name, extra_env=env)
        else:
            site = cls(directory, f"sqlite:///{directory / 'db.sqlite3'}", None, extra_env=env)
        site.run("setup", "--verbosity", "0")
        if agencies:
            site.run("import", "agencies", str(AGENCIES_CSV))
        return site

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {**os.environ, "TINHSO_VAR_DIR": str(self.directory), "DATABASE_URL": self.database_url,
               "TINHSO_ENV": "development", "DEBUG": "0", **self.extra_env}
        env.pop("TEST_DATABASE_NAME", None)
        return env

    def run(self, *args: str, timeout: float = 600) -> str:
        """Run `tinhso <args>` against this site; its standard output (fails the test on error)."""
        result = subprocess.run([str(TINHSO), *args], env=self.env(), cwd=REPO, capture_output=True, text=True,
                                timeout=timeout)
        assert result.returncode == 0, f"tinhso {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def api_key(self, agency: str = "H44") -> str:
        return self.run("apikey", "create", f"test-{uuid.uuid4().hex[:6]}", "--agency", agency).strip()

    def start(self, workers: int = 2) -> None:
        if self.log is None:
            self.log = open(self.directory / "server.log", "a")  # noqa: SIM115 - closed in stop()
        self.server = subprocess.Popen(
            [str(TINHSO), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)],
            env=self.env(), cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.wait_healthy()

    def wait_healthy(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.server is not None and self.server.poll() is not None:
                raise AssertionError(f"the server exited with {self.server.returncode}:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/v1/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"the server did not answer /api/v1/health in time:\n{self.log_text()}")

    def kill(self) -> None:
        """SIGKILL to the server and all its workers, as a power cut would."""
        if self.server is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.server.pid, signal.SIGKILL)
            self.server.wait(timeout=10)
            self.server = None

    def stop(self) -> None:
        if self.server is not None:
            try:
                os.killpg(self.server.pid, signal.SIGTERM)
                self.server.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self.kill()
            self.server = None
        if self.log is not None:
            self.log.close()
            self.log = None

    def log_text(self) -> str:
        if self.log is not None:
            self.log.flush()
        path = self.directory / "server.log"
        return path.read_text(errors="replace")[-8000:] if path.exists() else ""

    def sql(self, query: str) -> list[tuple]:
        """Rows of a query on this site's database (psycopg or sqlite3, outside the test's own)."""
        if self.database_name is not None:
            import psycopg

            with psycopg.connect(self.database_url) as conn:
                return list(conn.execute(query).fetchall())
        import sqlite3

        with sqlite3.connect(self.directory / "db.sqlite3") as conn:
            return list(conn.execute(query).fetchall())

    def destroy(self) -> None:
        self.stop()
        if self.database_name is not None:
            _admin(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')
