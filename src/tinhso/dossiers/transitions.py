"""The one transition table of a dossier: which action may move it from which status, by whom.

Every dossier service checks its move here before changing anything; nothing else decides.
`target` None means the status stays as it is (the action changes the step, the due moment or
the rating). Roles are the staff roles of `tinhso.agencies.models.Role`; `applicant` is the
person the dossier belongs to, acting on the public pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tinhso.agencies.models import Role
from tinhso.catalogue.models import StepKind
from tinhso.dossiers.models import Status

APPLICANT = "applicant"
# The bank's word, through reconciliation (`tinhso.payments`): a transfer it reported matched the
# dossier — automatically, or assigned by an officer from the unmatched transactions.
BANK = "bank"


class Action(StrEnum):
    SUBMIT = "submit"
    RECEIVE = "receive"
    REQUEST_SUPPLEMENT = "request_supplement"
    REFUSE = "refuse"
    SUPPLEMENT_RECEIVED = "supplement_received"
    FORWARD = "forward"
    TRANSFER = "transfer"
    EXTEND = "extend"
    STOP = "stop"
    APPROVE = "approve"
    SIGN = "sign"
    FINISH = "finish"
    RETURN = "return"
    WITHDRAW = "withdraw"
    RATE = "rate"
    REQUEST_PAYMENT = "request_payment"
    FEE_PAID = "fee_paid"


@dataclass(frozen=True)
class Move:
    sources: frozenset[Status | None]
    target: Status | None
    roles: frozenset[str]
    # The kinds of workflow step the dossier must be at (None: any step, or none).
    step_kinds: frozenset[str] | None = None
    # The form issued with the move.
    form: str | None = None


S = Status
OPEN_FOR_WORK = frozenset({S.RECEIVED, S.IN_PROGRESS})
WORKFLOW_ROLES = frozenset({Role.SPECIALIST, Role.HEAD, Role.LEADER, Role.RECORDS_CLERK})

TRANSITIONS: dict[Action, Move] = {
    # An online or national-portal dossier is registered, waiting to be checked.
    Action.SUBMIT: Move(frozenset({None}), S.REGISTERED, frozenset({Role.RECEPTION, APPLICANT})),
    # Complete: receipt with the appointment (form 01); the clock starts.
    Action.RECEIVE: Move(frozenset({None, S.REGISTERED}), S.RECEIVED, frozenset({Role.RECEPTION}), form="01"),
    # Incomplete: request to supplement (form 02); during processing the clock pauses.
    Action.REQUEST_SUPPLEMENT: Move(
        frozenset({S.REGISTERED, S.RECEIVED, S.IN_PROGRESS}),
        S.SUPPLEMENT_REQUESTED,
        frozenset({Role.RECEPTION, Role.SPECIALIST, Role.HEAD}),
        form="02",
    ),
    # Out of scope or not eligible: refusal (form 03).
    Action.REFUSE: Move(
        frozenset({S.REGISTERED, S.RECEIVED, S.IN_PROGRESS, S.SUPPLEMENT_REQUESTED}),
        S.REFUSED,
        frozenset({Role.RECEPTION, Role.SPECIALIST, Role.HEAD, Role.LEADER}),
        form="03",
    ),
    # The supplement arrived: back to processing (or to registration if never received).
    Action.SUPPLEMENT_RECEIVED: Move(
        frozenset({S.SUPPLEMENT_REQUESTED}), S.IN_PROGRESS, frozenset({Role.RECEPTION, Role.SPECIALIST, APPLICANT})
    ),
    # The current step is done; the next step takes over (possibly at another agency).
    Action.FORWARD: Move(
        OPEN_FOR_WORK,
        S.IN_PROGRESS,
        WORKFLOW_ROLES,
        step_kinds=frozenset({StepKind.APPRAISE, StepKind.REVIEW, StepKind.CONSULT}),
    ),
    # Hand the dossier to another agency (competence lies elsewhere).
    Action.TRANSFER: Move(OPEN_FOR_WORK, S.IN_PROGRESS, frozenset({Role.SPECIALIST, Role.HEAD, Role.LEADER})),
    # Once only, with an apology and a new appointment (form 04).
    Action.EXTEND: Move(
        frozenset({S.RECEIVED, S.IN_PROGRESS, S.SUPPLEMENT_REQUESTED}), None, frozenset({Role.HEAD, Role.LEADER}), form="04"
    ),
    # Processing stopped (form 05).
    Action.STOP: Move(
        frozenset({S.RECEIVED, S.IN_PROGRESS, S.SUPPLEMENT_REQUESTED}), S.STOPPED, frozenset({Role.HEAD, Role.LEADER}), form="05"
    ),
    Action.APPROVE: Move(OPEN_FOR_WORK, S.IN_PROGRESS, frozenset({Role.LEADER}), step_kinds=frozenset({StepKind.APPROVE})),
    Action.SIGN: Move(OPEN_FOR_WORK, S.IN_PROGRESS, frozenset({Role.LEADER}), step_kinds=frozenset({StepKind.SIGN})),
    # The result is issued: processing finished.
    Action.FINISH: Move(
        OPEN_FOR_WORK, S.PROCESSED, frozenset({Role.RECORDS_CLERK, Role.LEADER}), step_kinds=frozenset({StepKind.ISSUE})
    ),
    Action.RETURN: Move(frozenset({S.PROCESSED}), S.RETURNED, frozenset({Role.RECEPTION, Role.RECORDS_CLERK})),
    # The applicant withdraws the dossier (recorded by the reception officer, or online).
    Action.WITHDRAW: Move(
        frozenset({S.REGISTERED, S.RECEIVED, S.IN_PROGRESS, S.SUPPLEMENT_REQUESTED}), S.WITHDRAWN,
        frozenset({Role.RECEPTION, APPLICANT})
    ),
    # Satisfaction, once, after the result is returned.
    Action.RATE: Move(frozenset({S.RETURNED}), None, frozenset({APPLICANT, Role.RECEPTION})),
    # The fee is due before the result (`Procedure.fee_timing`): the applicant is asked to pay
    # (payment notice with the VietQR code); the dossier waits in status 6 until it is paid.
    Action.REQUEST_PAYMENT: Move(OPEN_FOR_WORK, S.PAYMENT_REQUESTED, WORKFLOW_ROLES | {Role.RECEPTION}),
    # The fee is paid: confirmed by the bank (reconciliation: `fee_paid_online`), or taken at the
    # counter. A dossier waiting in status 6 goes back to processing (4); otherwise the status stays.
    Action.FEE_PAID: Move(
        frozenset({S.REGISTERED, S.RECEIVED, S.IN_PROGRESS, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED, S.PROCESSED}),
        None,
        frozenset({BANK, Role.RECEPTION, Role.RECORDS_CLERK}),
    ),
}


def move_for(action: Action | str) -> Move:
    return TRANSITIONS[Action(action)]


def is_allowed(action: Action | str, status: Status | int | None) -> bool:
    sources = move_for(action).sources
    return (Status(status) if status is not None else None) in sources


def actions_from(status: Status | int | None) -> list[Action]:
    return [a for a in Action if is_allowed(a, status)]
