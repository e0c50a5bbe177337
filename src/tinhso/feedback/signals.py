"""Events of the feedback domain. `report_changed` is sent after commit with: report_id, action,
from_status, to_status, at — the notifications (SMS with the survey link) listen here."""

from django.dispatch import Signal

report_changed = Signal()
