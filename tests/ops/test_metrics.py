"""`/metrics`: off (404) unless a token or addresses are set; latencies, actions, queue, sweep lag."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import citizen
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel

MON = datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus' text format, or None when it is absent."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = re.fullmatch(r"([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(3))
    return None


def test_metrics_are_off_without_a_token_or_addresses(client, db, settings):
    settings.TINHSO_METRICS_TOKEN = ""
    settings.TINHSO_METRICS_ALLOWED_IPS = []
    assert client.get("/metrics").status_code == 404


def test_a_wrong_or_missing_token_is_refused(client, db, settings):
    settings.TINHSO_METRICS_TOKEN = "s3cret-token"
    settings.TINHSO_METRICS_ALLOWED_IPS = []
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200


def test_an_allowed_network_may_scrape_without_a_token(client, db, settings):
    settings.TINHSO_METRICS_TOKEN = ""
    settings.TINHSO_METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1").status_code == 403


@pytest.mark.django_db
def test_metrics_count_latencies_actions_and_the_sweep_lag(client, world, settings, django_capture_on_commit_callbacks):
    settings.TINHSO_METRICS_TOKEN = "t"
    auth = {"HTTP_AUTHORIZATION": "Bearer t"}
    before = client.get("/metrics", **auth).content.decode()
    receipts_before = sample(before, "tinhso_dossier_receipts_total") or 0
    forwards_before = sample(before, "tinhso_dossier_actions_total", action="forward") or 0
    client.get("/api/v1/health")
    with django_capture_on_commit_callbacks(execute=True):
        code = s.dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                                 channel=Channel.COUNTER, applicant=citizen(), at=MON).dossier.code
        s.dossier_forward(principal=world.specialist, code=code, at=MON)
    answer = client.get("/metrics", **auth)
    assert answer["Content-Type"].startswith("text/plain")
    text = answer.content.decode()
    assert sample(text, "tinhso_dossier_receipts_total") == receipts_before + 1
    assert sample(text, "tinhso_dossier_actions_total", action="forward") == forwards_before + 1
    assert (sample(text, "tinhso_http_request_duration_seconds_count", view="api:health", status="2xx") or 0) >= 1
    assert sample(text, "tinhso_queue_depth") is not None
    # Received in March 2026 and due days later: past due now, not marked by a sweep yet.
    assert (sample(text, "tinhso_sweep_lag_seconds") or 0) > 24 * 3600
