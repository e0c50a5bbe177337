"""`tinhso worker`: the background worker — huey's consumer with the periodic tasks.

It sends the queued SMS and e-mails and, every minute, marks the dossiers whose due moment has
passed (`tinhso.dossiers.tasks`), runs the feedback deadline jobs (`tinhso.feedback.tasks`) and
writes its heartbeat (`tinhso.monitoring.tasks`, read by `/api/v1/health`). The queue is the SQLite file `$TINHSO_VAR_DIR/huey.sqlite3` unless
`HUEY_REDIS_URL` is set. Run one worker per installation next to `tinhso serve` (a systemd unit
or a second container); Ctrl-C / SIGINT finishes the running tasks and exits, SIGTERM exits at
once. huey's own options (`--workers`, `--huey-verbose`, …) are accepted, as by `run_huey`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError
from huey.contrib.djhuey.management.commands.run_huey import Command as RunHueyCommand


class Command(RunHueyCommand):
    help = "Run the background worker: queued SMS and e-mails, and the every-minute deadline jobs."

    def handle(self, *args: Any, **options: Any) -> None:
        from huey.contrib.djhuey import HUEY

        if HUEY.immediate:
            raise CommandError(
                "TINHSO_HUEY_IMMEDIATE is on: tasks run inline in the web process and there is no "
                "queue to consume. Unset it to run the worker.", returncode=2)
        where = settings.HUEY_REDIS_URL or settings.HUEY.get("filename", "")
        # The health check watches this heartbeat; `tinhso.monitoring.tasks` renews it every minute.
        from tinhso.monitoring.services import heartbeat_beat

        try:
            heartbeat_beat()
        except DatabaseError as exc:  # e.g. `tinhso setup` not run yet: the tasks will say so too
            self.stderr.write(f"tinhso worker: cannot write the heartbeat ({exc}); /api/v1/health reports "
                              "the worker as down until it can.")
        self.stdout.write(f"tinhso worker: queue {HUEY.name!r} at {where}; Ctrl-C to stop.")
        self.stdout.flush()
        super().handle(*args, **options)
        self.stdout.write("tinhso worker: stopped.")
