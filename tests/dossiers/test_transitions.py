"""The dossier transition table, pinned down cell by cell, and the services' refusal to step
outside it: a forbidden move, a wrong role or a wrong step raises and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import citizen, finish, sign, staff
from tinhso.agencies.models import Role
from tinhso.audit.models import AuditEntry
from tinhso.core.errors import Conflict, PermissionDenied
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel, Dossier, DossierEvent, Status
from tinhso.dossiers.transitions import (
    APPLICANT,
    BANK,
    TRANSITIONS,
    Action,
    actions_from,
    is_allowed,
    move_for,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=VN)

# --- the expected table, written out independently of transitions.py -----------------------
# None is "no dossier yet". Status 6 (payment requested) is reached by request_payment and left by
# fee_paid (the bank's word through reconciliation, or a payment at the counter) — issue 12.
N, REG, REC, REF, PROG, SUPP, PAY, WDR, STOP, DONE, RET = None, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
ALL_STATUSES: list[int | None] = [N, REG, REC, REF, PROG, SUPP, PAY, WDR, STOP, DONE, RET]

EXPECTED_SOURCES: dict[str, set[int | None]] = {
    "submit": {N},
    "receive": {N, REG},
    "request_supplement": {REG, REC, PROG},
    "refuse": {REG, REC, PROG, SUPP},
    "supplement_received": {SUPP},
    "forward": {REC, PROG},
    "transfer": {REC, PROG},
    "extend": {REC, PROG, SUPP},
    "stop": {REC, PROG, SUPP},
    "approve": {REC, PROG},
    "sign": {REC, PROG},
    "finish": {REC, PROG},
    "return": {DONE},
    "withdraw": {REG, REC, PROG, SUPP},
    "rate": {RET},
    "request_payment": {REC, PROG},
    "fee_paid": {REG, REC, PROG, SUPP, PAY, DONE},
}

EXPECTED_TARGET: dict[str, int | None] = {
    "submit": REG,
    "receive": REC,
    "request_supplement": SUPP,
    "refuse": REF,
    "supplement_received": PROG,
    "forward": PROG,
    "transfer": PROG,
    "extend": None,
    "stop": STOP,
    "approve": PROG,
    "sign": PROG,
    "finish": DONE,
    "return": RET,
    "withdraw": WDR,
    "rate": None,
    "request_payment": PAY,
    "fee_paid": None,
}

EXPECTED_ROLES: dict[str, set[str]] = {
    "submit": {"reception", APPLICANT},
    "receive": {"reception"},
    "request_supplement": {"reception", "specialist", "head"},
    "refuse": {"reception", "specialist", "head", "leader"},
    "supplement_received": {"reception", "specialist", "applicant"},
    "forward": {"specialist", "head", "leader", "records_clerk"},
    "transfer": {"specialist", "head", "leader"},
    "extend": {"head", "leader"},
    "stop": {"head", "leader"},
    "approve": {"leader"},
    "sign": {"leader"},
    "finish": {"records_clerk", "leader"},
    "return": {"reception", "records_clerk"},
    "withdraw": {"reception", "applicant"},
    "rate": {APPLICANT, "reception"},
    "request_payment": {"reception", "specialist", "head", "leader", "records_clerk"},
    "fee_paid": {BANK, "reception", "records_clerk"},
}

EXPECTED_STEP_KINDS: dict[str, set[str] | None] = {a: None for a in EXPECTED_SOURCES} | {
    "forward": {"appraise", "review", "consult"},
    "approve": {"approve"},
    "sign": {"sign"},
    "finish": {"issue"},
}

EXPECTED_FORM: dict[str, str | None] = {a: None for a in EXPECTED_SOURCES} | {
    "receive": "01", "request_supplement": "02", "refuse": "03", "extend": "04", "stop": "05",
}


def _status_id(status: int | None) -> str:
    return "none" if status is None else f"{status}-{Status(status).name.lower()}"


CELLS = [
    pytest.param(action, status, status in EXPECTED_SOURCES[action], id=f"{action}-from-{_status_id(status)}")
    for action in EXPECTED_SOURCES
    for status in ALL_STATUSES
]


def test_table_covers_every_action():
    assert {a.value for a in Action} == set(EXPECTED_SOURCES) == {a.value for a in TRANSITIONS}


@pytest.mark.parametrize(("action", "status", "allowed"), CELLS)
def test_cell(action, status, allowed):
    assert is_allowed(action, status) is allowed
    assert (Action(action) in actions_from(status)) is allowed


@pytest.mark.parametrize("action", list(EXPECTED_SOURCES))
def test_move_target_roles_steps_form(action):
    move = move_for(action)
    assert move.target == EXPECTED_TARGET[action]
    assert set(move.roles) == EXPECTED_ROLES[action]
    assert (None if move.step_kinds is None else set(move.step_kinds)) == EXPECTED_STEP_KINDS[action]
    assert move.form == EXPECTED_FORM[action]


def test_roles_are_real_roles():
    for move in TRANSITIONS.values():
        assert move.roles <= set(Role.values) | {APPLICANT, BANK}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        pytest.param(N, ["submit", "receive"], id="none"),
        pytest.param(REG, ["receive", "request_supplement", "refuse", "withdraw", "fee_paid"], id="registered"),
        pytest.param(SUPP, ["refuse", "supplement_received", "extend", "stop", "withdraw", "fee_paid"], id="supplement"),
        pytest.param(PAY, ["fee_paid"], id="payment"),
        pytest.param(REF, [], id="refused-final"),
        pytest.param(WDR, [], id="withdrawn-final"),
        pytest.param(STOP, [], id="stopped-final"),
        pytest.param(DONE, ["return", "fee_paid"], id="processed"),
        pytest.param(RET, ["rate"], id="returned"),
    ],
)
def test_actions_from(status, expected):
    assert [a.value for a in actions_from(status)] == expected


def test_unknown_action_and_status_raise():
    with pytest.raises(ValueError):
        is_allowed("teleport", REC)
    with pytest.raises(ValueError):
        is_allowed("forward", 11)


# --- through the services, against the database --------------------------------------------


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The `world` hashes a password per person; the default hasher would take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _receive(world, at: datetime = MONDAY) -> str:
    return s.dossier_receive(
        principal=world.reception, procedure=world.procedure, agency=world.commune, channel=Channel.COUNTER,
        applicant=citizen(), at=at,
    ).dossier.code


def _walk_to_processed(world, code: str) -> None:
    s.dossier_forward(principal=world.specialist, code=code)
    s.dossier_forward(principal=world.head, code=code)
    s.dossier_approve(principal=world.leader, code=code)
    sign(principal=world.leader, code=code)
    finish(principal=world.clerk, code=code)


def make_in_status(world, status: int) -> str:
    """A dossier of the commune in `status`, reached through the services (6 by hand: no
    service reaches it)."""
    if status == REG:
        return s.dossier_submit(principal=None, procedure=world.procedure, agency=world.commune,
                                applicant=citizen(), at=MONDAY).dossier.code
    code = _receive(world)
    if status == REF:
        s.dossier_refuse(principal=world.reception, code=code, reason="Không thuộc thẩm quyền")
    elif status == PROG:
        s.dossier_forward(principal=world.specialist, code=code)
    elif status == SUPP:
        s.dossier_request_supplement(principal=world.specialist, code=code, reason="Thiếu tờ khai")
    elif status == PAY:
        Dossier.objects.filter(code=code).update(status=PAY)
    elif status == WDR:
        s.dossier_withdraw(principal=world.reception, code=code, reason="Công dân xin rút")
    elif status == STOP:
        s.dossier_stop(principal=world.head, code=code, reason="Dừng")
    elif status in (DONE, RET):
        _walk_to_processed(world, code)
        if status == RET:
            s.dossier_return(principal=world.reception, code=code)
    assert Dossier.objects.get(code=code).status == status
    return code


# Each action as a service call with valid arguments, by a principal holding every role.
Call = Callable[..., object]
SERVICE_CALLS: dict[str, Call] = {
    "receive": lambda w, p, code: s.dossier_accept(principal=p, code=code),
    "request_supplement": lambda w, p, code: s.dossier_request_supplement(principal=p, code=code, reason="x"),
    "refuse": lambda w, p, code: s.dossier_refuse(principal=p, code=code, reason="x"),
    "supplement_received": lambda w, p, code: s.dossier_supplement_received(principal=p, code=code),
    "forward": lambda w, p, code: s.dossier_forward(principal=p, code=code),
    "transfer": lambda w, p, code: s.dossier_transfer(principal=p, code=code, to_agency=w.department, reason="x"),
    "extend": lambda w, p, code: s.dossier_extend(
        principal=p, code=code, new_due_at=datetime(2030, 1, 1, 9, 0, tzinfo=VN), reason="x"),
    "stop": lambda w, p, code: s.dossier_stop(principal=p, code=code, reason="x"),
    "approve": lambda w, p, code: s.dossier_approve(principal=p, code=code),
    "sign": lambda w, p, code: sign(principal=p, code=code),
    "finish": lambda w, p, code: finish(principal=p, code=code),
    "return": lambda w, p, code: s.dossier_return(principal=p, code=code),
    "withdraw": lambda w, p, code: s.dossier_withdraw(principal=p, code=code, reason="x"),
    "rate": lambda w, p, code: s.dossier_rate(principal=p, code=code, rating="satisfied"),
    "request_payment": lambda w, p, code: s.dossier_request_payment(principal=p, code=code),
    "fee_paid": lambda w, p, code: s.dossier_fee_paid(principal=p, code=code, amount=10**9, reconciled=False),
}

FORBIDDEN_ON_EXISTING = [
    pytest.param(action, status, id=f"{action}-from-{_status_id(status)}")
    for action in SERVICE_CALLS
    for status in ALL_STATUSES
    if status is not None and status not in EXPECTED_SOURCES[action]
]


def _footprint(code: str) -> tuple[int, int, int, int, int]:
    d = Dossier.objects.get(code=code)
    return (
        DossierEvent.objects.filter(dossier=d).count(),
        AuditEntry.objects.filter(object_id=code).count(),
        AuditEntry.objects.count(),
        d.version,
        d.status,
    )


@pytest.fixture
def everyone(world):
    """One person holding every staff role at the commune."""
    return staff("moivaitro", world.commune, *Role.values)


@pytest.mark.parametrize(("action", "status"), FORBIDDEN_ON_EXISTING)
def test_service_refuses_forbidden_move_and_writes_nothing(world, everyone, action, status):
    code = make_in_status(world, status)
    before = _footprint(code)
    with pytest.raises(Conflict) as exc:
        SERVICE_CALLS[action](world, everyone, code)
    assert exc.value.code == "invalid_transition"
    assert exc.value.status == 409
    assert _footprint(code) == before


def test_service_refuses_second_receipt_of_registered_dossier(world):
    code = make_in_status(world, REG)
    s.dossier_accept(principal=world.reception, code=code)
    before = _footprint(code)
    with pytest.raises(Conflict) as exc:
        s.dossier_accept(principal=world.reception, code=code)
    assert exc.value.code == "invalid_transition"
    assert _footprint(code) == before


WRONG_ROLES = [
    # (status the dossier is in, the principal's attribute on `world`, action)
    pytest.param(REC, "reception", "forward", id="reception-forwards"),
    pytest.param(REC, "clerk", "refuse", id="clerk-refuses"),
    pytest.param(REC, "specialist", "extend", id="specialist-extends"),
    pytest.param(REC, "reception", "stop", id="reception-stops"),
    pytest.param(REC, "specialist", "withdraw", id="specialist-withdraws"),
    pytest.param(REC, "clerk", "request_supplement", id="clerk-requests-supplement"),
    pytest.param(REC, "reception", "transfer", id="reception-transfers"),
    pytest.param(SUPP, "head", "supplement_received", id="head-records-supplement"),
    pytest.param(DONE, "specialist", "return", id="specialist-returns"),
    pytest.param(DONE, "leader", "return", id="leader-returns"),
    pytest.param(RET, "clerk", "rate", id="clerk-rates"),
    pytest.param(REG, "specialist", "receive", id="specialist-accepts"),
    pytest.param(REC, "province_viewer", "refuse", id="province-viewer-refuses"),
    pytest.param(REC, "province_viewer", "stop", id="province-viewer-stops"),
    pytest.param(REC, "specialist", "fee_paid", id="specialist-records-a-payment"),
    pytest.param(REC, "province_viewer", "request_payment", id="province-viewer-requests-payment"),
]


@pytest.mark.parametrize(("status", "who", "action"), WRONG_ROLES)
def test_service_refuses_wrong_role_and_writes_nothing(world, status, who, action):
    code = make_in_status(world, status)
    before = _footprint(code)
    with pytest.raises(PermissionDenied) as exc:
        SERVICE_CALLS[action](world, getattr(world, who), code)
    assert exc.value.code == "role_not_allowed"
    assert exc.value.status == 403
    assert _footprint(code) == before


def test_intake_by_wrong_role_is_refused_and_writes_nothing(world):
    events, audits = DossierEvent.objects.count(), AuditEntry.objects.count()
    with pytest.raises(PermissionDenied) as exc:
        s.dossier_receive(principal=world.specialist, procedure=world.procedure, agency=world.commune,
                          channel=Channel.COUNTER, applicant=citizen(), at=MONDAY)
    assert exc.value.code == "role_not_allowed"
    assert (Dossier.objects.count(), DossierEvent.objects.count(), AuditEntry.objects.count()) == (0, events, audits)


WRONG_STEPS = [
    # The dossier is at the appraise step (just received) unless walked further.
    pytest.param(0, "leader", "approve", id="approve-at-appraise"),
    pytest.param(0, "leader", "sign", id="sign-at-appraise"),
    pytest.param(0, "clerk", "finish", id="finish-at-appraise"),
    pytest.param(2, "head", "forward", id="forward-at-approve"),
    pytest.param(2, "leader", "sign", id="sign-at-approve"),
    pytest.param(3, "leader", "approve", id="approve-at-sign"),
    pytest.param(4, "leader", "forward", id="forward-at-issue"),
    pytest.param(4, "leader", "sign", id="sign-at-issue"),
    # Right kind of step, but it belongs to another role.
    pytest.param(0, "head", "forward", id="head-forwards-specialists-step"),
    pytest.param(1, "specialist", "forward", id="specialist-forwards-heads-step"),
]


@pytest.mark.parametrize(("steps_done", "who", "action"), WRONG_STEPS)
def test_service_refuses_wrong_step_and_writes_nothing(world, steps_done, who, action):
    code = _receive(world)
    walkers = [
        lambda: s.dossier_forward(principal=world.specialist, code=code),
        lambda: s.dossier_forward(principal=world.head, code=code),
        lambda: s.dossier_approve(principal=world.leader, code=code),
        lambda: sign(principal=world.leader, code=code),
    ]
    for walk in walkers[:steps_done]:
        walk()
    before = _footprint(code)
    step_before = Dossier.objects.get(code=code).current_step_id
    with pytest.raises(Conflict) as exc:
        SERVICE_CALLS[action](world, getattr(world, who), code)
    assert exc.value.code == "wrong_step"
    assert _footprint(code) == before
    assert Dossier.objects.get(code=code).current_step_id == step_before


def test_dossier_without_step_refuses_step_bound_actions(world):
    """A registered online dossier has no step yet: forward is not even a legal move from 1."""
    code = make_in_status(world, REG)
    assert Dossier.objects.get(code=code).current_step is None
    with pytest.raises(Conflict) as exc:
        s.dossier_forward(principal=world.specialist, code=code)
    assert exc.value.code == "invalid_transition"


def test_allowed_moves_land_on_the_expected_status(world):
    """Every service that changes the status lands where the table says, with one event each."""
    code = _receive(world)
    d = Dossier.objects.get(code=code)
    assert d.status == EXPECTED_TARGET["receive"]
    s.dossier_request_supplement(principal=world.specialist, code=code, reason="Thiếu", at=MONDAY + timedelta(hours=1))
    assert Dossier.objects.get(code=code).status == EXPECTED_TARGET["request_supplement"]
    s.dossier_supplement_received(principal=world.reception, code=code, at=MONDAY + timedelta(hours=2))
    assert Dossier.objects.get(code=code).status == EXPECTED_TARGET["supplement_received"]
    _walk_to_processed(world, code)
    assert Dossier.objects.get(code=code).status == EXPECTED_TARGET["finish"]
    s.dossier_return(principal=world.clerk, code=code)
    assert Dossier.objects.get(code=code).status == EXPECTED_TARGET["return"]
    s.dossier_rate(principal=None, code=code, rating="very_satisfied")
    d = Dossier.objects.get(code=code)
    assert d.status == RET
    events = list(d.events.values_list("action", "from_status", "to_status"))
    assert events == [
        ("receive", None, REC), ("request_supplement", REC, SUPP), ("supplement_received", SUPP, PROG),
        ("forward", PROG, PROG), ("forward", PROG, PROG), ("approve", PROG, PROG), ("sign", PROG, PROG),
        ("finish", PROG, DONE), ("return", DONE, RET), ("rate", RET, RET),
    ]
    assert d.version == 1 + len(events) - 1  # created at 1; every later action bumps it once
