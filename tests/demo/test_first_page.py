"""`tinhso demo` answers on its first page quickly and finishes its history in the background.

Runs the real command as a subprocess on a fresh var directory with SQLite, as a new user would
(`tinhso demo`), and polls the home page. The bound (FIRST_PAGE_BOUND) holds on a loaded CI
machine; the figure measured is printed (`pytest -s`) and reported in the notes.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

# The issue asks for < 90 s on a 2-core machine; this bound leaves room for a busy CI machine.
FIRST_PAGE_BOUND = 150.0
# The older history (about 8 working days here) must be done by then.
HISTORY_BOUND = 150.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:  # follows the home page's redirect
        return response.status, response.read().decode()


def _progress(var: Path) -> dict | None:
    try:
        return json.loads((var / "demo-seeding.json").read_text())
    except (OSError, ValueError):
        return None


@pytest.fixture
def demo(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "TINHSO_ENV", "TINHSO_DEMO", "TINHSO_SMS_BACKEND", "EMAIL_BACKEND"}}
    env["TINHSO_VAR_DIR"] = str(tmp_path)
    port = _free_port()
    log = (tmp_path / "demo.log").open("w+")
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "tinhso", "demo", "--port", str(port), "--workers", "1", "--days", "21"],
        env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        yield {"url": f"http://127.0.0.1:{port}", "var": tmp_path, "process": process, "started": started, "log": log}
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def _output(demo) -> str:
    demo["log"].flush()
    return Path(demo["var"] / "demo.log").read_text()


def test_first_page_comes_quickly_and_the_history_follows_in_the_background(demo):
    """Returns the home page (200) within FIRST_PAGE_BOUND seconds with the seeding banner; the
    background process then simulates every planned dossier, the banner goes, the demo's
    messages page lists the SMS it kept, and Ctrl-C stops the server and its helpers."""
    first = None
    while time.monotonic() - demo["started"] < FIRST_PAGE_BOUND and demo["process"].poll() is None:
        try:
            status, first = _get(demo["url"] + "/")
            if status == 200:
                break
        except OSError:
            time.sleep(0.25)
    seconds = time.monotonic() - demo["started"]
    print(f"\ntinhso demo: first page after {seconds:.1f} s")
    assert first is not None, _output(demo)[-3000:]
    assert seconds < FIRST_PAGE_BOUND
    assert "Đang tạo dữ liệu mẫu" in first and "/demo/messages/" in first
    output = _output(demo)
    for text in ("/demo/messages/", "tiepnhan", "password for all: tinhso-demo", "go on in the background"):
        assert text in output
    assert "SMS to" not in output  # SMS are kept for the messages page, not printed

    deadline = time.monotonic() + HISTORY_BOUND
    progress = _progress(demo["var"])
    while time.monotonic() < deadline and not (progress and progress["finished"]):
        assert demo["process"].poll() is None, _output(demo)[-3000:]
        time.sleep(1)
        progress = _progress(demo["var"])
    print(f"tinhso demo: history finished after {time.monotonic() - demo['started']:.1f} s")
    assert progress and progress["finished"] and progress["remaining_days"] == []
    with sqlite3.connect(demo["var"] / "tinhso.sqlite3") as db:
        # The planned history, beside the seeded citizens' own online dossiers.
        (dossiers,) = db.execute("SELECT count(*) FROM dossiers_dossier WHERE applicant_account_id IS NULL").fetchone()
        (days,) = db.execute("SELECT count(DISTINCT day) FROM dossiers_dossiersequence").fetchone()
    assert dossiers == progress["total"] and days >= 12

    status, page = _get(demo["url"] + "/")
    assert status == 200 and "Đang tạo dữ liệu mẫu" not in page
    status, messages = _get(demo["url"] + "/demo/messages/")
    assert status == 200 and "Tin nhắn của bản demo" in messages
    assert "Chưa có SMS nào" not in messages  # the demo's feedback reports sent their confirmations

    demo["process"].send_signal(signal.SIGINT)
    assert demo["process"].wait(timeout=40) == 0
