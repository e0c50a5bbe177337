"""The health report behind `/api/v1/health`: the database, the queue and the worker's heartbeat.

Each check answers `Check(ok, detail)`; the report is healthy only when all are. The worker fails
when its last heartbeat is older than `TINHSO_WORKER_HEARTBEAT_MAX_AGE`, or when it never beat and
the web process has been up longer than that (a grace period for both starting together). A worker
is not expected when huey runs tasks inline (`TINHSO_HUEY_IMMEDIATE`): its check says so and passes.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from tinhso.monitoring.models import Heartbeat
from tinhso.monitoring.services import WORKER

# When this process started (imported this module): the worker's grace period counts from here.
PROCESS_STARTED = timezone.now()


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HealthReport:
    checks: dict[str, Check]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks.values())

    def failures(self) -> dict[str, str]:
        return {name: check.detail for name, check in self.checks.items() if not check.ok}


def _huey() -> Any:
    from huey.contrib.djhuey import HUEY

    return HUEY


def worker_expected() -> bool:
    """False when tasks run inline in the calling process: there is no worker to watch then."""
    return not _huey().immediate


def check_database() -> Check:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # the database does not answer
        return Check(False, f"the database does not answer ({type(exc).__name__})")
    return Check(True, "ok", {"seconds": round(time.monotonic() - started, 4)})


def check_queue() -> Check:
    """Write a value into huey's storage, read it back, and count the pending tasks."""
    huey = _huey()
    key, value = f"tinhso-health-{uuid.uuid4().hex}", "ok"
    try:
        huey.put(key, value)
        read = huey.get(key)  # reading it also removes it
        pending = huey.pending_count()
    except Exception as exc:  # the queue's file or server does not answer
        return Check(False, f"the queue does not answer ({type(exc).__name__})")
    if read != value:
        return Check(False, "the queue did not give back what was written")
    return Check(True, "ok", {"pending": pending})


def check_worker(*, now: datetime | None = None) -> Check:
    if not worker_expected():
        return Check(True, "tasks run inline (TINHSO_HUEY_IMMEDIATE): no worker needed")
    now = now or timezone.now()
    limit = settings.TINHSO_WORKER_HEARTBEAT_MAX_AGE
    try:
        beat = Heartbeat.objects.filter(name=WORKER).first()
    except Exception as exc:
        return Check(False, f"the heartbeat cannot be read ({type(exc).__name__})")
    if beat is None:
        # A worker started with (or just after) the web server beats within its first seconds;
        # until this process has been up for the limit, "none yet" is not a failure.
        up = (now - PROCESS_STARTED).total_seconds()
        if up <= limit:
            return Check(True, f"no heartbeat yet (the server started {up:.0f} s ago)")
        return Check(False, "no heartbeat yet: is `tinhso worker` running?")
    age = (now - beat.beat_at).total_seconds()
    data = {"last_beat": beat.beat_at.isoformat(), "age_seconds": round(age, 1), "host": beat.host}
    if age > limit:
        return Check(False, f"the last heartbeat is {age:.0f} s old (more than {limit} s): is `tinhso worker` running?", data)
    return Check(True, "ok", data)


def health_report(*, now: datetime | None = None) -> HealthReport:
    database = check_database()
    worker = check_worker(now=now) if database.ok else Check(False, "not checked: the database does not answer")
    return HealthReport({"database": database, "queue": check_queue(), "worker": worker})
