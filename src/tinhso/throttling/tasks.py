"""Background work: delete throttle windows that are over."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tinhso.throttling.services import throttle_purge


@db_periodic_task(crontab(minute="*/10"))
def purge_throttle_windows() -> int:
    return throttle_purge()
