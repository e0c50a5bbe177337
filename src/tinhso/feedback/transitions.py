"""The one transition table of a report: which action may move it from which status, by whom.

`target` None: the status stays (a private note). Roles are staff roles; `reporter` is the person
who filed it (acting through the survey link); `system` is the platform itself (routing on
arrival, closing when the survey window ends).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tinhso.agencies.models import Role
from tinhso.feedback.models import ReportStatus as S

REPORTER = "reporter"
SYSTEM = "system"
HANDLERS = frozenset({Role.RECEPTION, Role.SPECIALIST, Role.HEAD, Role.LEADER, Role.ADMINISTRATOR})


class ReportAction(StrEnum):
    SUBMIT = "submit"
    ASSIGN = "assign"
    TRANSFER = "transfer"
    START = "start"
    ANSWER = "answer"
    REJECT = "reject"
    RATE = "rate"
    REOPEN = "reopen"
    CLOSE = "close"
    NOTE = "note"


@dataclass(frozen=True)
class ReportMove:
    sources: frozenset[str | None]
    target: str | None
    roles: frozenset[str]


OPEN = frozenset({S.RECEIVED, S.ASSIGNED, S.IN_PROGRESS, S.REOPENED})

REPORT_TRANSITIONS: dict[ReportAction, ReportMove] = {
    ReportAction.SUBMIT: ReportMove(frozenset({None}), S.RECEIVED, frozenset({REPORTER, *HANDLERS})),
    # Routing on arrival (system) or a head assigning by hand.
    ReportAction.ASSIGN: ReportMove(frozenset({S.RECEIVED, S.REOPENED}), S.ASSIGNED,
                                    frozenset({SYSTEM, Role.HEAD, Role.LEADER, Role.ADMINISTRATOR})),
    # To another agency: it lands there as assigned, with the same deadline.
    ReportAction.TRANSFER: ReportMove(OPEN, S.ASSIGNED, frozenset({Role.SPECIALIST, Role.HEAD, Role.LEADER,
                                                                   Role.ADMINISTRATOR})),
    ReportAction.START: ReportMove(frozenset({S.ASSIGNED, S.REOPENED}), S.IN_PROGRESS, HANDLERS),
    # A public answer; the reporter is asked whether it satisfied them.
    ReportAction.ANSWER: ReportMove(frozenset({S.ASSIGNED, S.IN_PROGRESS, S.REOPENED}), S.ANSWERED, HANDLERS),
    # Duplicate, out of scope or invalid, with its reason.
    ReportAction.REJECT: ReportMove(frozenset({S.RECEIVED, S.ASSIGNED, S.IN_PROGRESS}), S.REJECTED,
                                    frozenset({Role.HEAD, Role.LEADER, Role.ADMINISTRATOR, Role.SPECIALIST})),
    # The reporter's answer to "did this satisfy you?": satisfied closes, unsatisfied reopens.
    ReportAction.RATE: ReportMove(frozenset({S.ANSWERED, S.CLOSED}), None, frozenset({REPORTER, Role.RECEPTION})),
    ReportAction.REOPEN: ReportMove(frozenset({S.ANSWERED, S.CLOSED}), S.REOPENED,
                                    frozenset({REPORTER, SYSTEM, Role.HEAD, Role.LEADER})),
    # When the survey window ends without an unhappy answer (system), or by a head.
    ReportAction.CLOSE: ReportMove(frozenset({S.ANSWERED}), S.CLOSED, frozenset({SYSTEM, Role.HEAD, Role.LEADER})),
    ReportAction.NOTE: ReportMove(frozenset({*OPEN, S.ANSWERED, S.CLOSED, S.REJECTED}), None, HANDLERS),
}
