"""Events the dossier domain emits; other apps (indicators, national sync, notifications) listen
here instead of being imported by the domain.

- `dossier_changing` is sent INSIDE the transaction of every change, with `before` and `after`
  snapshots (`indicators.contributions.FIELDS`-like dicts of the dossier's fields; `before` is
  None for a new dossier): receivers that keep derived data (the index counters) write in the
  same transaction, so they can never disagree with the dossiers.
- `dossiers_bulk_changing` is the same for a batch (the import): `pairs` of (before, after).
- `dossier_changed` is sent AFTER commit with: dossier_id, code, action, from_status, to_status, at.
"""

from django.dispatch import Signal

dossier_changing = Signal()
dossiers_bulk_changing = Signal()
dossier_changed = Signal()

# The fields sent in the before/after snapshots.
SNAPSHOT_FIELDS = (
    "receiving_agency_id",
    "procedure_id",
    "channel",
    "status",
    "received_at",
    "due_at",
    "finished_at",
    "fee_due",
    "fee_paid_online",
    "components_digitised",
    "result_kind",
    "rating",
    "complained",
    "marked_overdue",
    "applicant_verified",
    "documents_required",
    "documents_reused",
    "result_in_store",
    "result_original",
    "certified_copy",
)


def snapshot(dossier: object) -> dict[str, object]:
    return {f: getattr(dossier, f) for f in SNAPSHOT_FIELDS}
