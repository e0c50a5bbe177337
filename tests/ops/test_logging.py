"""Log lines: request id from X-Request-ID (or made), echoed in the response and on every line;
JSON lines; progress bars only on a terminal."""

from __future__ import annotations

import io
import json
import logging

from tinhso.core.logging import TEXT_FORMAT, JsonFormatter, RequestIdFilter, accepted_request_id, request_id
from tinhso.core.progress import PhaseLine, progress_bar


def test_a_sane_request_id_is_kept_and_echoed(client, db):
    answer = client.get("/api/v1/units?limit=1", HTTP_X_REQUEST_ID="nginx-4f2a.17")
    assert answer["X-Request-ID"] == "nginx-4f2a.17"


def test_a_missing_or_hostile_request_id_is_replaced(client, db):
    made = client.get("/api/v1/units?limit=1")["X-Request-ID"]
    assert len(made) == 32 and int(made, 16) >= 0
    hostile = client.get("/api/v1/units?limit=1", HTTP_X_REQUEST_ID="a b\nINFO fake line")["X-Request-ID"]
    assert hostile != "a b\nINFO fake line" and len(hostile) == 32
    assert client.get("/api/v1/units?limit=1", HTTP_X_REQUEST_ID="x" * 65)["X-Request-ID"] != "x" * 65


def test_accepted_request_id_rules():
    assert accepted_request_id("abc-123") == "abc-123"
    for bad in (None, "", "a b", "é", "x" * 65, "a;b"):
        assert accepted_request_id(bad) != bad


def test_lines_logged_during_a_request_carry_its_id(client, db):
    """Django's own "Not Found" line is logged after the middleware returned: it carries the id too."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get("/khong-co-trang-nay/", HTTP_X_REQUEST_ID="rid-404")
    finally:
        logger.removeHandler(handler)
    line = stream.getvalue().strip().splitlines()[-1]
    assert "WARNING django.request [rid-404] Not Found: /khong-co-trang-nay/" in line
    assert request_id.get() == "-"  # forgotten once the response is finished


def test_json_lines_have_time_level_logger_request_id_and_message():
    record = logging.LogRecord("tinhso.x", logging.ERROR, __file__, 1, "hỏng %s", ("rồi",), None)
    token = request_id.set("r-1")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id.reset(token)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "ERROR" and entry["logger"] == "tinhso.x" and entry["request_id"] == "r-1"
    assert entry["message"] == "hỏng rồi"
    assert entry["time"].endswith("+00:00")


def test_json_lines_keep_a_traceback_on_one_line():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    text = JsonFormatter().format(record)
    assert "\n" not in text and "ValueError: boom" in json.loads(text)["exc_info"]


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_off_a_terminal_a_phase_is_two_lines():
    out = io.StringIO()
    with progress_bar(desc="divisions", total=3, unit="units", file=out) as bar:
        assert isinstance(bar, PhaseLine)
        for _ in range(3):
            bar.update()
    lines = out.getvalue().splitlines()
    assert lines[0] == "divisions: started (3 units)"
    assert lines[1].startswith("divisions: done, 3 units in ")
    assert "\r" not in out.getvalue()


def test_on_a_terminal_it_is_a_bar():
    out = _Tty()
    with progress_bar(desc="divisions", total=3, unit="units", file=out) as bar:
        bar.update(3)
    assert "\r" in out.getvalue() and "3/3" in out.getvalue()


def test_disabled_progress_writes_nothing():
    out = io.StringIO()
    with progress_bar(desc="dossiers", file=out, disable=True) as bar:
        bar.update(5)
    assert out.getvalue() == ""
