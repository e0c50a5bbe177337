"""`/api/v1/health`: the database, the queue and the worker's heartbeat; 503 names what failed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tinhso.monitoring import health
from tinhso.monitoring.models import Heartbeat
from tinhso.monitoring.services import heartbeat_beat

URL = "/api/v1/health"


@pytest.fixture
def worker_expected(monkeypatch):
    """As in production: tasks go to a queue, so a worker must be beating."""
    monkeypatch.setattr(health, "worker_expected", lambda: True)


@pytest.mark.usefixtures("worker_expected")
def test_fresh_heartbeat_is_healthy(client, db):
    heartbeat_beat()
    answer = client.get(URL)
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "queue", "worker"}
    assert body["checks"]["worker"]["ok"] is True
    assert body["checks"]["queue"]["data"]["pending"] >= 0


@pytest.mark.usefixtures("worker_expected")
def test_stale_heartbeat_is_503_naming_the_worker(client, db, settings):
    settings.TINHSO_WORKER_HEARTBEAT_MAX_AGE = 180
    heartbeat_beat(now=timezone.now() - timedelta(seconds=600))
    answer = client.get(URL)
    assert answer.status_code == 503
    error = answer.json()["error"]
    assert error["code"] == "unhealthy"
    assert list(error["fields"]) == ["worker"]
    assert "600 s old" in error["fields"]["worker"]
    assert "worker" in error["message"]


@pytest.mark.usefixtures("worker_expected")
def test_no_heartbeat_is_healthy_only_during_the_grace_period(client, db, monkeypatch, settings):
    assert not Heartbeat.objects.exists()
    monkeypatch.setattr(health, "PROCESS_STARTED", timezone.now() - timedelta(seconds=10))
    assert client.get(URL).status_code == 200
    monkeypatch.setattr(health, "PROCESS_STARTED", timezone.now() - timedelta(seconds=settings.TINHSO_WORKER_HEARTBEAT_MAX_AGE + 5))
    answer = client.get(URL)
    assert answer.status_code == 503
    assert "tinhso worker" in answer.json()["error"]["fields"]["worker"]


def test_a_queue_that_does_not_answer_is_503_naming_the_queue(client, db, monkeypatch):
    class Broken:
        immediate = True

        def put(self, key, value):
            raise OSError("disk I/O error")

    monkeypatch.setattr(health, "_huey", lambda: Broken())
    answer = client.get(URL)
    assert answer.status_code == 503
    assert list(answer.json()["error"]["fields"]) == ["queue"]


def test_a_database_that_does_not_answer_is_503_naming_it(client, db, monkeypatch):
    def broken() -> health.Check:
        return health.Check(False, "the database does not answer (OperationalError)")

    monkeypatch.setattr(health, "check_database", broken)
    fields = client.get(URL).json()["error"]["fields"]
    assert fields["database"].startswith("the database does not answer")
    assert "worker" in fields  # not checked without a database


def test_the_worker_heartbeat_task_renews_the_row(db):
    from tinhso.monitoring.tasks import worker_heartbeat

    worker_heartbeat.call_local()
    first = Heartbeat.objects.get(name="worker").beat_at
    worker_heartbeat.call_local()
    assert Heartbeat.objects.count() == 1
    assert Heartbeat.objects.get(name="worker").beat_at >= first
