"""The one write of monitoring: a process's heartbeat.

A heartbeat is telemetry, not a change anyone made: it writes no audit entry (one a minute would
bury the audit log) and touches nothing but its own row.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime

from django.utils import timezone

from tinhso.monitoring.models import Heartbeat

WORKER = "worker"


def heartbeat_beat(*, name: str = WORKER, now: datetime | None = None) -> Heartbeat:
    """Record that the process `name` is alive now (one upsert)."""
    beat, _created = Heartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": now or timezone.now(), "host": socket.gethostname()[:255], "pid": os.getpid()}
    )
    return beat
