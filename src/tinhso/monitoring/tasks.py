"""The worker's heartbeat: every minute, huey's periodic task says the worker is alive.

`tinhso worker` also beats once when it starts, so a freshly started worker is healthy at once.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tinhso.monitoring.services import heartbeat_beat


@db_periodic_task(crontab(minute="*"))
def worker_heartbeat() -> None:
    heartbeat_beat()
