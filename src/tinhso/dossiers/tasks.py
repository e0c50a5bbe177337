"""Background work of the dossier domain, run by huey (`tinhso worker`).

Every minute, `mark_overdue` marks the open dossiers whose due moment has passed
(`services.dossiers_mark_overdue`): the index then counts them from its counters and only the
dossiers that turned late within the last minute live. Idempotent: a marked dossier is never
picked again, and two runs at once skip each other's locked rows.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tinhso.dossiers.services import dossiers_mark_overdue


@db_periodic_task(crontab(minute="*"))
def mark_overdue() -> int:
    return dossiers_mark_overdue()
