"""Events the dossier domain emits after a change commits; other apps (indicators, national
sync, notifications) listen here instead of being imported by the domain."""

from django.dispatch import Signal

# Sent after commit with: dossier_id, code, action, from_status, to_status, at.
dossier_changed = Signal()
