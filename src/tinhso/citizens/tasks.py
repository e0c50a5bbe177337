"""Background work of the citizens' room, run by huey (`tinhso worker`): every five minutes,
results that finished but did not reach their applicant's store yet are delivered."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tinhso.citizens.services import results_deliver_pending


@db_periodic_task(crontab(minute="*/5"))
def deliver_results() -> int:
    return results_deliver_pending()
