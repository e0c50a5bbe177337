"""What one dossier adds to the counters: a pure function of the dossier's fields.

The counters are kept per (receiving agency, procedure, month of receipt). A dossier's
contribution is a vector of 0/1 over `COLUMNS`; when a dossier changes, the counters move by
`contribution(after) − contribution(before)`. The same function defines the rebuild (see
`services.counters_rebuild`, whose SQL must agree with it — a test checks that it does).

An open dossier whose due moment has passed counts in `overdue_open` once it is marked
(`Dossier.marked_overdue`, set by every change and by the worker's every-minute sweep); the
few past due but not marked yet are counted live (`selectors.open_overdue`), so the index is
exact at every instant while a request reads only counters and a tiny slice of one index.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from tinhso.dossiers.signals import SNAPSHOT_FIELDS
from tinhso.indicators.periods import month_of

# The dossier fields the contribution reads are the domain's snapshot fields.
FIELDS = SNAPSHOT_FIELDS

COLUMNS = (
    "received",  # received in the month (the index's d for most dossier metrics)
    "online",  # … through the online channel
    "finished",  # … whose processing is finished (result ready or returned)
    "finished_late",  # … finished after the due moment
    "overdue_open",  # … still open, not paused, and marked past due
    "with_fee",  # … with a financial obligation
    "paid_online",  # … paid online
    "digitised",  # … whose components were digitised
    "result_electronic",  # … finished with an electronic result (signed or not)
    "rated",  # … rated by the applicant
    "unsatisfied",  # … rated unsatisfied
    "complained",  # … complained about
    "dissatisfied",  # … unsatisfied, complained about, finished late or overdue (one count per dossier)
    # "Declare once" (issue 11): the four digitisation metrics measured from the dossiers.
    "documents_required",  # … whose procedure asks for documents (d of REUSED_DIGITIZED_DATA)
    "documents_reused",  # … that reused a document from the applicant's store (its n)
    "result_in_store",  # … finished with an electronic result delivered into the applicant's store
    "applicant_verified",  # … whose applicant data came from the identity provider
    # Signed results (issue 12): evidence a signature validated, not a flag.
    "result_original",  # … finished with an electronic original: a tinhso-signed result that validated
    "certified_copies",  # … finished, of a procedure that issues electronic certified copies
    "certified_copies_original",  # … of those, with the copy issued as a validated signed original
)

FINISHED_STATUSES = (9, 10)
OPEN_STATUSES = (1, 2, 4, 5, 6)

Key = tuple[int, int, date]


def contribution(fields: Mapping[str, Any] | None) -> tuple[Key, dict[str, int]] | None:
    """The counter key and the 0/1 vector of one dossier; None if it counts nowhere (not received)."""
    if fields is None or fields.get("received_at") is None:
        return None
    received_at: datetime = fields["received_at"]
    finished_at: datetime | None = fields.get("finished_at")
    due_at: datetime | None = fields.get("due_at")
    finished = fields["status"] in FINISHED_STATUSES
    late = bool(finished and finished_at is not None and due_at is not None and finished_at > due_at)
    overdue_open = bool(fields.get("marked_overdue")) and fields["status"] in OPEN_STATUSES
    rating = fields.get("rating") or ""
    complained = bool(fields.get("complained"))
    electronic = finished and fields.get("result_kind") == "electronic"
    vector = {
        "received": 1,
        "online": int(fields["channel"] == 2),
        "finished": int(finished),
        "finished_late": int(late),
        "overdue_open": int(overdue_open),
        "with_fee": int((fields.get("fee_due") or 0) > 0),
        "paid_online": int(bool(fields.get("fee_paid_online"))),
        "digitised": int(bool(fields.get("components_digitised"))),
        "result_electronic": int(electronic),
        "rated": int(bool(rating)),
        "unsatisfied": int(rating == "unsatisfied"),
        "complained": int(complained),
        "dissatisfied": int(rating == "unsatisfied" or complained or late or overdue_open),
        "documents_required": int(bool(fields.get("documents_required"))),
        "documents_reused": int(bool(fields.get("documents_reused"))),
        "result_in_store": int(electronic and bool(fields.get("result_in_store"))),
        "applicant_verified": int(bool(fields.get("applicant_verified"))),
        "result_original": int(electronic and bool(fields.get("result_original"))),
        "certified_copies": int(finished and bool(fields.get("certified_copy"))),
        "certified_copies_original": int(electronic and bool(fields.get("certified_copy"))
                                         and bool(fields.get("result_original"))),
    }
    key = (int(fields["receiving_agency_id"]), int(fields["procedure_id"]), month_of(received_at))
    return key, vector


def delta(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[Key, dict[str, int]]:
    """Counter changes (non-zero only) when a dossier goes from `before` to `after`."""
    changes: dict[Key, dict[str, int]] = {}
    for sign, fields in ((-1, before), (1, after)):
        c = contribution(fields)
        if c is None:
            continue
        key, vector = c
        row = changes.setdefault(key, dict.fromkeys(COLUMNS, 0))
        for column, value in vector.items():
            row[column] += sign * value
    return {k: v for k, v in changes.items() if any(v.values())}


def merge(into: dict[Key, dict[str, int]], more: dict[Key, dict[str, int]]) -> None:
    for key, row in more.items():
        target = into.setdefault(key, dict.fromkeys(COLUMNS, 0))
        for column, value in row.items():
            target[column] += value
