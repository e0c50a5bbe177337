"""Background work: purge the answers kept for `Idempotency-Key`s once their retention ends."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tinhso.idempotency.services import idempotency_purge


@db_periodic_task(crontab(minute="7"))
def purge_idempotency_keys() -> int:
    return idempotency_purge()
