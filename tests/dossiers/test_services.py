"""The dossier services against the database, at fixed instants in Asia/Ho_Chi_Minh so every
due moment is exact: receipt and codes, the supplement clock, extension, the turns that need a
reason, transfer, finish, rating, online intake, history and audit, the after-commit signal and
attachments.

March 2026: Monday the 2nd to Friday the 6th is an ordinary working week; 30 April and 1 May are
public holidays. Office hours 07:00–11:30 and 13:30–17:00 (8 working hours a day).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.factories import ProcedureFactory, citizen, staff
from tinhso.agencies.models import Role
from tinhso.audit.models import AuditEntry
from tinhso.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Attachment, AttachmentKind, Channel, Dossier, DossierEvent, Status
from tinhso.dossiers.selectors import dossiers_visible
from tinhso.dossiers.signals import dossier_changed
from tinhso.workcalendar.selectors import calendar_for_agency

VN = ZoneInfo("Asia/Ho_Chi_Minh")
HOUR = 3600


def vn(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


MON = vn(3, 2, 10)  # Monday 2 March 2026, 10:00

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The `world` hashes a password per person; the default hasher would take seconds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def receive(world, at: datetime = MON, *, procedure=None, agency=None, principal=None, channel=Channel.COUNTER,
            **kwargs) -> Dossier:
    return s.dossier_receive(
        principal=principal or world.reception, procedure=procedure or world.procedure, agency=agency or world.commune,
        channel=channel, applicant=citizen(), at=at, **kwargs,
    ).dossier


def fresh(code: str) -> Dossier:
    return Dossier.objects.get(code=code)


def walk_to_issue(world, code: str, at: datetime, result_kind: str = "paper") -> None:
    """Appraise, review, approve, sign: the dossier waits at the issue step (records clerk)."""
    s.dossier_forward(principal=world.specialist, code=code, at=at)
    s.dossier_forward(principal=world.head, code=code, at=at)
    s.dossier_approve(principal=world.leader, code=code, at=at)
    s.dossier_sign(principal=world.leader, code=code, at=at, result_number="12/QĐ-UBND", result_kind=result_kind)


def audit_of(code: str, action: str) -> AuditEntry:
    return AuditEntry.objects.get(object_id=code, action=f"dossier.{action}")


# --- receipt: the due moment per unit ------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "amount", "at", "due"),
    [
        pytest.param("working_days", 3, MON, vn(3, 5, 10), id="3-working-days-monday-10h"),
        pytest.param("working_days", 3, vn(3, 6, 10), vn(3, 11, 10), id="3-working-days-over-the-weekend"),
        pytest.param("working_days", 1, vn(3, 2, 7), vn(3, 2, 17), id="1-working-day-at-opening"),
        pytest.param("working_days", 1, vn(3, 2, 12), vn(3, 3, 11, 30), id="received-at-lunch-starts-13h30"),
        pytest.param("working_days", 1, vn(3, 7, 9), vn(3, 9, 17), id="received-saturday-starts-monday"),
        pytest.param("working_days", 2, vn(4, 29, 10), vn(5, 5, 10), id="2-working-days-over-30-4-and-1-5"),
        pytest.param("working_days", Decimal("0.5"), MON, vn(3, 2, 16), id="half-a-working-day"),
        pytest.param("calendar_days", 2, MON, vn(3, 4, 10), id="2-calendar-days"),
        pytest.param("calendar_days", 5, MON, vn(3, 9, 17), id="calendar-due-saturday-moves-to-monday-close"),
        pytest.param("calendar_days", 1, vn(3, 2, 16), vn(3, 3, 16), id="1-calendar-day"),
        pytest.param("same_day", 1, vn(3, 2, 14, 59), vn(3, 2, 17), id="same-day-before-15h"),
        pytest.param("same_day", 1, vn(3, 2, 15), vn(3, 2, 17), id="same-day-at-15h"),
        pytest.param("same_day", 1, vn(3, 2, 15, 1), vn(3, 3, 17), id="same-day-after-15h-next-day"),
        pytest.param("same_day", 1, vn(3, 6, 15, 30), vn(3, 9, 17), id="same-day-friday-after-15h-monday"),
        pytest.param("working_hours", 4, MON, vn(3, 2, 16), id="4-working-hours-over-lunch"),
        pytest.param("working_hours", 4, vn(3, 2, 16), vn(3, 3, 10), id="4-working-hours-overnight"),
        pytest.param("working_hours", 8, vn(3, 6, 13, 30), vn(3, 9, 11, 30), id="8-working-hours-over-weekend"),
    ],
)
def test_receive_computes_due(world, unit, amount, at, due):
    procedure = ProcedureFactory(code="9.100001", processing_unit=unit, processing_amount=Decimal(amount))
    d = receive(world, at, procedure=procedure)
    assert d.status == Status.RECEIVED
    assert d.received_at == at and d.submitted_at == at
    assert d.due_at == due
    assert d.legal_due_at == due
    assert fresh(d.code).due_at == due  # as stored, not only in memory


def test_online_dossier_gets_the_shorter_online_time(world):
    procedure = ProcedureFactory(code="9.100002", processing_amount=Decimal(3), online_processing_amount=Decimal(1))
    online = receive(world, procedure=procedure, channel=Channel.ONLINE)
    counter = receive(world, procedure=procedure, channel=Channel.COUNTER)
    postal = receive(world, procedure=procedure, channel=Channel.POSTAL)
    assert online.due_at == vn(3, 3, 10)
    assert counter.due_at == postal.due_at == vn(3, 5, 10)


def test_receive_enters_the_first_step_with_its_budget(world):
    d = receive(world)
    assert d.current_step.kind == "appraise" and d.current_step.order == 1
    budget = int(d.current_step.budget_hours * HOUR)
    assert d.step_due_at == calendar_for_agency(world.commune).add_working_seconds(MON, budget)
    assert d.fee_due == world.procedure.fee_vnd


def test_receive_returns_form_01_and_one_event_and_audit(world):
    r = s.dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                          channel=Channel.COUNTER, applicant=citizen(), at=MON)
    assert r.form == "01"
    ev = r.dossier.events.get()
    assert (ev.action, ev.from_status, ev.to_status, ev.at) == ("receive", None, Status.RECEIVED, MON)
    assert ev.due_before is None and ev.due_after == vn(3, 5, 10)
    assert ev.actor_id == world.reception.user.pk
    assert audit_of(r.dossier.code, "receive").actor_id == world.reception.user.pk


def test_receive_rejects_bad_applicant_and_writes_nothing(world):
    with pytest.raises(InvalidInput) as exc:
        s.dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                          channel=Channel.COUNTER, applicant=citizen(id_number="12345", name=" "), at=MON)
    assert set(exc.value.fields) == {"applicant_id_number", "applicant_name"}
    assert exc.value.status == 422
    assert not Dossier.objects.exists() and not DossierEvent.objects.exists()
    # The rolled-back receipt did not use up a number.
    assert receive(world).code == "H44.100-260302-0001"


def test_receive_at_another_communes_counter_is_not_found(world):
    with pytest.raises(NotFound):
        receive(world, principal=world.other_reception)
    assert not Dossier.objects.exists()


# --- codes ---------------------------------------------------------------------------------


def test_codes_sequence_per_agency_per_local_day(world):
    a1 = receive(world, vn(3, 2, 8))
    a2 = receive(world, vn(3, 2, 9))
    b1 = receive(world, vn(3, 2, 9, 30), agency=world.other_commune, principal=world.other_reception)
    a3 = receive(world, vn(3, 2, 23, 30))  # 16:30 UTC, still the 2nd in Việt Nam
    next_day = receive(world, vn(3, 3, 0, 30))  # 17:30 UTC on the 2nd, but the 3rd in Việt Nam
    b2 = receive(world, vn(3, 3, 8), agency=world.other_commune, principal=world.other_reception)
    assert [a1.code, a2.code, a3.code] == ["H44.100-260302-0001", "H44.100-260302-0002", "H44.100-260302-0003"]
    assert b1.code == "H44.101-260302-0001"
    assert next_day.code == "H44.100-260303-0001"
    assert b2.code == "H44.101-260303-0001"


def test_online_submission_takes_a_number_too(world):
    receive(world)
    submitted = s.dossier_submit(principal=None, procedure=world.procedure, agency=world.commune,
                                 applicant=citizen(), at=MON + timedelta(minutes=5)).dossier
    assert submitted.code == "H44.100-260302-0002"


# --- supplement: pause or restart ------------------------------------------------------------


def test_supplement_pauses_and_moves_due_by_the_paused_working_time(world):
    d = receive(world)  # due Thursday 5 March 10:00
    step_due = d.step_due_at
    r = s.dossier_request_supplement(principal=world.specialist, code=d.code, reason="Thiếu giấy khai sinh",
                                     documents=["Giấy khai sinh"], at=vn(3, 3, 10))
    assert r.form == "02"
    d = fresh(d.code)
    assert d.status == Status.SUPPLEMENT_REQUESTED
    assert d.paused_at == vn(3, 3, 10) and d.is_paused
    assert not d.is_overdue(at=vn(3, 20, 10))  # a paused dossier is never overdue
    assert audit_of(d.code, "request_supplement").data["documents"] == ["Giấy khai sinh"]

    # Tuesday 10:00 → Thursday 10:00 is 16 working hours.
    s.dossier_supplement_received(principal=world.reception, code=d.code, at=vn(3, 5, 10))
    d = fresh(d.code)
    calendar = calendar_for_agency(world.commune)
    assert d.status == Status.IN_PROGRESS
    assert d.paused_at is None and d.paused_seconds == 16 * HOUR
    assert d.due_at == vn(3, 9, 10)  # Thursday 10:00 + 16 working hours = Monday 10:00
    assert d.due_at == calendar.add_working_seconds(vn(3, 5, 10), 16 * HOUR)
    assert d.legal_due_at == vn(3, 9, 10)
    assert d.step_due_at == calendar.add_working_seconds(step_due, 16 * HOUR)
    ev = d.events.get(action="supplement_received")
    assert (ev.due_before, ev.due_after) == (vn(3, 5, 10), vn(3, 9, 10))
    assert audit_of(d.code, "supplement_received").data["paused_working_seconds"] == 16 * HOUR


def test_second_pause_adds_up(world):
    d = receive(world)
    s.dossier_request_supplement(principal=world.specialist, code=d.code, reason="a", at=vn(3, 2, 11))
    s.dossier_supplement_received(principal=world.reception, code=d.code, at=vn(3, 2, 14))  # 0.5 + 0.5 h
    s.dossier_request_supplement(principal=world.specialist, code=d.code, reason="b", at=vn(3, 3, 16))
    s.dossier_supplement_received(principal=world.specialist, code=d.code, at=vn(3, 4, 8))  # 1 + 1 h
    d = fresh(d.code)
    assert d.paused_seconds == 3 * HOUR
    assert d.due_at == vn(3, 5, 15)  # Thursday 10:00 + 3 working hours (lunch skipped)


def test_supplement_restart_starts_the_full_time_again(world):
    procedure = ProcedureFactory(code="9.100003", supplement_clock="restart")
    d = receive(world, procedure=procedure)
    s.dossier_request_supplement(principal=world.specialist, code=d.code, reason="Thiếu", at=vn(3, 3, 10))
    s.dossier_supplement_received(principal=world.reception, code=d.code, at=vn(3, 5, 10))
    d = fresh(d.code)
    assert d.due_at == d.legal_due_at == vn(3, 10, 10)  # Thursday 10:00 + 3 working days
    assert d.paused_seconds == 0 and d.paused_at is None
    assert d.received_at == MON  # the receipt itself does not move


def test_supplement_requested_at_intake_returns_to_registered(world):
    d = s.dossier_submit(principal=None, procedure=world.procedure, agency=world.commune, applicant=citizen(),
                         at=vn(3, 2, 8)).dossier
    s.dossier_request_supplement(principal=world.reception, code=d.code, reason="Ảnh mờ", at=vn(3, 2, 9))
    d = fresh(d.code)
    assert d.status == Status.SUPPLEMENT_REQUESTED
    assert d.paused_at is None  # no clock to pause before receipt
    s.dossier_supplement_received(principal=world.reception, code=d.code, at=vn(3, 4, 9))
    d = fresh(d.code)
    assert d.status == Status.REGISTERED
    assert d.received_at is None and d.due_at is None and d.paused_seconds == 0
    assert list(d.events.values_list("action", "from_status", "to_status")) == [
        ("submit", None, 1), ("request_supplement", 1, 5), ("supplement_received", 5, 1)]
    s.dossier_accept(principal=world.reception, code=d.code, at=vn(3, 4, 10))
    assert fresh(d.code).due_at == vn(3, 9, 10)  # Wednesday 10:00 + 3 working days


# --- online intake ---------------------------------------------------------------------------


def test_online_submit_then_accept_starts_the_clock_at_acceptance(world):
    procedure = ProcedureFactory(code="9.100004", processing_amount=Decimal(3), online_processing_amount=Decimal(2))
    r = s.dossier_submit(principal=None, procedure=procedure, agency=world.commune, applicant=citizen(),
                         at=vn(3, 7, 21))  # Saturday night
    d = r.dossier
    assert (d.status, d.channel) == (Status.REGISTERED, Channel.ONLINE)
    assert d.received_at is None and d.due_at is None and d.current_step is None
    assert d.events.get().actor_name  # the applicant, named in the history
    r = s.dossier_accept(principal=world.reception, code=d.code, at=vn(3, 10, 9))
    assert r.form == "01"
    d = fresh(d.code)
    assert d.status == Status.RECEIVED
    assert d.submitted_at == vn(3, 7, 21) and d.received_at == vn(3, 10, 9)
    assert d.due_at == vn(3, 12, 9)  # Tuesday 09:00 + 2 (online) working days
    assert d.current_step.kind == "appraise"


def test_accept_by_specialist_is_refused(world):
    d = s.dossier_submit(principal=None, procedure=world.procedure, agency=world.commune, applicant=citizen()).dossier
    with pytest.raises(PermissionDenied):
        s.dossier_accept(principal=world.specialist, code=d.code)
    assert fresh(d.code).status == Status.REGISTERED


# --- extension -------------------------------------------------------------------------------


def test_extend_once(world):
    d = receive(world)  # due Thursday 10:00
    r = s.dossier_extend(principal=world.head, code=d.code, new_due_at=vn(3, 6, 10), reason="Cần xác minh",
                         at=vn(3, 3, 10))
    assert r.form == "04"
    d = fresh(d.code)
    assert d.extended and d.extension_reason == "Cần xác minh"
    assert d.due_at == vn(3, 6, 10)
    assert d.legal_due_at == vn(3, 5, 10)  # the legal time is what it was
    assert d.status == Status.RECEIVED  # extension does not move the status
    ev = d.events.get(action="extend")
    assert (ev.due_before, ev.due_after) == (vn(3, 5, 10), vn(3, 6, 10))
    data = audit_of(d.code, "extend").data
    assert datetime.fromisoformat(data["old_due_at"]) == vn(3, 5, 10)
    assert datetime.fromisoformat(data["new_due_at"]) == vn(3, 6, 10)

    with pytest.raises(Conflict) as exc:
        s.dossier_extend(principal=world.leader, code=d.code, new_due_at=vn(3, 9, 10), reason="Lần nữa",
                         at=vn(3, 4, 8))
    assert exc.value.code == "already_extended"
    assert fresh(d.code).due_at == vn(3, 6, 10)
    assert d.events.filter(action="extend").count() == 1


@pytest.mark.parametrize("new_due", [vn(3, 5, 9), vn(3, 5, 10)], ids=["before-old-due", "equal-to-old-due"])
def test_extend_needs_a_later_due(world, new_due):
    d = receive(world)
    with pytest.raises(InvalidInput) as exc:
        s.dossier_extend(principal=world.head, code=d.code, new_due_at=new_due, reason="x", at=vn(3, 3, 10))
    assert "new_due_at" in exc.value.fields
    d = fresh(d.code)
    assert not d.extended and d.version == 1


@pytest.mark.parametrize(
    ("at", "allowed"),
    [
        pytest.param(vn(3, 4, 10), True, id="exactly-8-working-hours-before"),
        pytest.param(vn(3, 4, 10, 1), False, id="one-minute-under-8-hours"),
        pytest.param(vn(3, 4, 16), False, id="afternoon-before"),
        pytest.param(vn(3, 5, 11), False, id="after-the-due"),
    ],
)
def test_extend_too_late(world, at, allowed):
    d = receive(world)  # due Thursday 10:00
    call = lambda: s.dossier_extend(  # noqa: E731
        principal=world.head, code=d.code, new_due_at=vn(3, 9, 10), reason="x", at=at)
    if allowed:
        call()
        assert fresh(d.code).extended
    else:
        with pytest.raises(Conflict) as exc:
            call()
        assert exc.value.code == "too_late_to_extend"
        assert not fresh(d.code).extended


def test_extend_late_allowed_when_notice_is_switched_off(world, settings):
    settings.TINHSO_EXTENSION_MIN_NOTICE_HOURS = 0
    d = receive(world)
    s.dossier_extend(principal=world.head, code=d.code, new_due_at=vn(3, 9, 10), reason="x", at=vn(3, 4, 16))
    assert fresh(d.code).due_at == vn(3, 9, 10)


def test_extend_while_paused_is_allowed(world):
    d = receive(world)
    s.dossier_request_supplement(principal=world.specialist, code=d.code, reason="x", at=vn(3, 2, 11))
    s.dossier_extend(principal=world.leader, code=d.code, new_due_at=vn(3, 9, 10), reason="y", at=vn(3, 2, 14))
    assert fresh(d.code).status == Status.SUPPLEMENT_REQUESTED


# --- turns that need a reason ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "call"),
    [
        pytest.param("reception", lambda p, c, r: s.dossier_refuse(principal=p, code=c, reason=r), id="refuse"),
        pytest.param("head", lambda p, c, r: s.dossier_stop(principal=p, code=c, reason=r), id="stop"),
        pytest.param("reception", lambda p, c, r: s.dossier_withdraw(principal=p, code=c, reason=r), id="withdraw"),
        pytest.param("specialist", lambda p, c, r: s.dossier_request_supplement(principal=p, code=c, reason=r),
                     id="request-supplement"),
        pytest.param("head", lambda p, c, r: s.dossier_extend(
            principal=p, code=c, reason=r, new_due_at=vn(3, 9, 10), at=MON), id="extend"),
    ],
)
@pytest.mark.parametrize("reason", ["", "   \n"], ids=["empty", "blank"])
def test_reason_required(world, who, call, reason):
    d = receive(world)
    with pytest.raises(InvalidInput) as exc:
        call(getattr(world, who), d.code, reason)
    assert exc.value.status == 422
    assert "reason" in exc.value.fields
    d = fresh(d.code)
    assert d.status == Status.RECEIVED and d.version == 1 and d.events.count() == 1


def test_transfer_reason_required(world):
    d = receive(world)
    with pytest.raises(InvalidInput) as exc:
        s.dossier_transfer(principal=world.specialist, code=d.code, to_agency=world.department, reason=" ")
    assert "reason" in exc.value.fields


@pytest.mark.parametrize(
    ("who", "service", "status"),
    [
        pytest.param("reception", s.dossier_refuse, Status.REFUSED, id="refuse"),
        pytest.param("leader", s.dossier_stop, Status.STOPPED, id="stop"),
        pytest.param("reception", s.dossier_withdraw, Status.WITHDRAWN, id="withdraw"),
    ],
)
def test_turns_record_their_reason(world, who, service, status):
    d = receive(world)
    r = service(principal=getattr(world, who), code=d.code, reason="  Lý do cụ thể  ", at=vn(3, 3, 9))
    d = fresh(d.code)
    assert d.status == status and d.stop_reason == "Lý do cụ thể"
    assert r.event.note == "Lý do cụ thể"
    assert not d.is_open and not d.is_overdue(at=vn(4, 1, 9))


def test_stop_while_paused_clears_the_pause(world):
    d = receive(world)
    s.dossier_request_supplement(principal=world.specialist, code=d.code, reason="x", at=vn(3, 2, 11))
    s.dossier_stop(principal=world.head, code=d.code, reason="Quá hạn bổ sung", at=vn(3, 20, 9))
    d = fresh(d.code)
    assert d.paused_at is None and d.finished_at == vn(3, 20, 9)


# --- transfer --------------------------------------------------------------------------------


def test_transfer_to_another_agency(world):
    dept_specialist = staff("cv_sotuphap", world.department, Role.SPECIALIST)
    d = receive(world)
    assert not dossiers_visible(dept_specialist).filter(code=d.code).exists()
    with pytest.raises(NotFound):  # not in their scope yet: not even found
        s.dossier_forward(principal=dept_specialist, code=d.code)

    s.dossier_transfer(principal=world.specialist, code=d.code, to_agency=world.department,
                       reason="Thuộc thẩm quyền Sở Tư pháp", at=vn(3, 2, 14))
    d = fresh(d.code)
    assert d.handling_agency == world.department and d.receiving_agency == world.commune
    assert d.status == Status.IN_PROGRESS
    assert d.due_at == vn(3, 5, 10)  # the appointment does not move
    ev = d.events.get(action="transfer")
    assert (ev.from_agency, ev.to_agency) == (world.commune, world.department)
    assert audit_of(d.code, "transfer").data["to_agency"] == "H44.03"

    # The department sees it and acts on it; the commune still sees it (it received it) ...
    assert dossiers_visible(dept_specialist).filter(code=d.code).exists()
    assert dossiers_visible(world.reception).filter(code=d.code).exists()
    assert not dossiers_visible(world.other_reception).filter(code=d.code).exists()
    s.dossier_forward(principal=dept_specialist, code=d.code, at=vn(3, 3, 9))
    d = fresh(d.code)
    assert d.current_step.kind == "review" and d.handling_agency == world.department
    # ... but its own workflow staff no longer act on it.
    with pytest.raises(PermissionDenied):
        s.dossier_forward(principal=world.head, code=d.code)


def test_transfer_to_the_same_agency_is_invalid(world):
    d = receive(world)
    with pytest.raises(InvalidInput) as exc:
        s.dossier_transfer(principal=world.specialist, code=d.code, to_agency=world.commune, reason="x")
    assert "to_agency" in exc.value.fields
    assert fresh(d.code).version == 1


# --- finish, return, rate --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("finished", "late"),
    [pytest.param(vn(3, 5, 10), False, id="at-the-due-is-on-time"), pytest.param(vn(3, 5, 10, 1), True, id="late")],
)
def test_finish_records_finished_at_and_lateness(world, finished, late):
    d = receive(world)
    walk_to_issue(world, d.code, vn(3, 3, 9))
    s.dossier_finish(principal=world.clerk, code=d.code, at=finished)
    d = fresh(d.code)
    assert d.status == Status.PROCESSED
    assert d.finished_at == finished
    assert d.current_step is None and d.step_due_at is None
    assert audit_of(d.code, "finish").data["late"] is late
    assert d.is_overdue(at=vn(12, 31, 9)) is late


def test_finish_with_result_file(world):
    d = receive(world)
    walk_to_issue(world, d.code, vn(3, 3, 9), result_kind="electronic")
    s.dossier_finish(principal=world.clerk, code=d.code, result=s.Upload("Giấy chứng nhận", "kq.pdf", PDF),
                     at=vn(3, 4, 9))
    att = Attachment.objects.get(dossier__code=d.code)
    assert att.kind == AttachmentKind.RESULT and att.digitised
    assert fresh(d.code).result_kind == "electronic"


def test_rate_only_once_and_only_after_return(world):
    d = receive(world)
    walk_to_issue(world, d.code, vn(3, 3, 9))
    s.dossier_finish(principal=world.clerk, code=d.code, at=vn(3, 4, 9))
    with pytest.raises(Conflict) as exc:
        s.dossier_rate(principal=None, code=d.code, rating="satisfied")
    assert exc.value.code == "invalid_transition"
    s.dossier_return(principal=world.reception, code=d.code, at=vn(3, 4, 10))
    assert fresh(d.code).returned_at == vn(3, 4, 10)
    with pytest.raises(InvalidInput):
        s.dossier_rate(principal=None, code=d.code, rating="meh")
    s.dossier_rate(principal=None, code=d.code, rating="unsatisfied", comment="Chờ lâu", complained=True,
                   at=vn(3, 5, 8))
    with pytest.raises(Conflict) as exc:
        s.dossier_rate(principal=world.reception, code=d.code, rating="very_satisfied")
    assert exc.value.code == "already_rated"
    d = fresh(d.code)
    assert (d.rating, d.rated_at, d.complained) == ("unsatisfied", vn(3, 5, 8), True)
    assert d.events.filter(action="rate").count() == 1
    assert audit_of(d.code, "rate").actor_id is None  # the applicant, not a member of staff


# --- history and audit -----------------------------------------------------------------------


def test_every_action_appends_one_event_and_one_audit_entry(world):
    d = receive(world)
    code = d.code
    steps = [
        ("request_supplement", lambda: s.dossier_request_supplement(principal=world.specialist, code=code,
                                                                    reason="x", at=vn(3, 2, 11)), 2, 5),
        ("supplement_received", lambda: s.dossier_supplement_received(principal=world.reception, code=code,
                                                                      at=vn(3, 2, 14)), 5, 4),
        ("extend", lambda: s.dossier_extend(principal=world.head, code=code, new_due_at=vn(3, 9, 10), reason="y",
                                            at=vn(3, 2, 15)), 4, 4),
        ("transfer", lambda: s.dossier_transfer(principal=world.specialist, code=code, to_agency=world.department,
                                                reason="z", at=vn(3, 2, 16)), 4, 4),
        ("transfer", lambda: s.dossier_transfer(principal=world.province_leader, code=code,
                                                to_agency=world.commune, reason="back", at=vn(3, 3, 8)), 4, 4),
        ("forward", lambda: s.dossier_forward(principal=world.specialist, code=code, at=vn(3, 3, 9)), 4, 4),
        ("forward", lambda: s.dossier_forward(principal=world.head, code=code, at=vn(3, 3, 10)), 4, 4),
        ("approve", lambda: s.dossier_approve(principal=world.leader, code=code, at=vn(3, 3, 11)), 4, 4),
        ("sign", lambda: s.dossier_sign(principal=world.leader, code=code, result_number="12/QĐ",
                                        result_kind="paper", at=vn(3, 3, 14)), 4, 4),
        ("finish", lambda: s.dossier_finish(principal=world.clerk, code=code, at=vn(3, 3, 15)), 4, 9),
        ("return", lambda: s.dossier_return(principal=world.reception, code=code, at=vn(3, 3, 16)), 9, 10),
        ("rate", lambda: s.dossier_rate(principal=None, code=code, rating="satisfied", at=vn(3, 4, 9)), 10, 10),
    ]
    for action, call, from_status, to_status in steps:
        events_before = DossierEvent.objects.filter(dossier__code=code).count()
        audits_before = AuditEntry.objects.filter(object_id=code).count()
        version_before = fresh(code).version
        result = call()
        assert DossierEvent.objects.filter(dossier__code=code).count() == events_before + 1, action
        assert AuditEntry.objects.filter(object_id=code).count() == audits_before + 1, action
        assert fresh(code).version == version_before + 1, action
        ev = result.event
        assert (ev.action, ev.from_status, ev.to_status) == (action, from_status, to_status)
        entry = AuditEntry.objects.filter(object_id=code).order_by("-id").first()
        assert entry.action == f"dossier.{action}"
        assert (entry.data["from_status"], entry.data["to_status"]) == (from_status, to_status)
    d = fresh(code)
    assert d.result_number == "12/QĐ"
    assert d.events.count() == 13 and d.version == 13


def test_history_and_audit_are_append_only(world):
    d = receive(world)
    ev = d.events.get()
    ev.note = "sửa lịch sử"
    with pytest.raises(ValueError, match="append-only"):
        ev.save()
    with pytest.raises(ValueError, match="append-only"):
        ev.delete()
    entry = AuditEntry.objects.get(object_id=d.code)
    entry.data = {"forged": True}
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
    assert DossierEvent.objects.get(pk=ev.pk).note == ""
    assert AuditEntry.objects.get(pk=entry.pk).data["to_status"] == Status.RECEIVED


# --- the after-commit signal -----------------------------------------------------------------


@pytest.fixture
def received_signals():
    calls: list[dict] = []

    def receiver(sender, **kwargs):
        calls.append({"sender": sender, **kwargs})

    dossier_changed.connect(receiver, dispatch_uid="test-services-receiver")
    yield calls
    dossier_changed.disconnect(dispatch_uid="test-services-receiver")


def test_signal_is_sent_only_after_commit(world, received_signals, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        d = receive(world)
    assert received_signals == []  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(received_signals) == 1
    payload = received_signals[0]
    assert payload["sender"] is Dossier
    assert {k: payload[k] for k in ("dossier_id", "code", "action", "from_status", "to_status", "at")} == {
        "dossier_id": d.pk, "code": d.code, "action": "receive", "from_status": None,
        "to_status": Status.RECEIVED, "at": MON,
    }

    received_signals.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        s.dossier_request_supplement(principal=world.specialist, code=d.code, reason="x", at=vn(3, 2, 11))
    assert len(callbacks) == 1
    assert [(p["action"], p["from_status"], p["to_status"], p["at"]) for p in received_signals] == [
        ("request_supplement", Status.RECEIVED, Status.SUPPLEMENT_REQUESTED, vn(3, 2, 11))]


def test_no_signal_when_the_action_fails(world, received_signals, django_capture_on_commit_callbacks):
    d = receive(world)
    received_signals.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Conflict):
            s.dossier_return(principal=world.reception, code=d.code)
        with pytest.raises(PermissionDenied):
            s.dossier_stop(principal=world.reception, code=d.code, reason="x")
        with pytest.raises(InvalidInput):
            s.dossier_extend(principal=world.head, code=d.code, new_due_at=vn(3, 1, 9), reason="x", at=MON)
    assert callbacks == [] and received_signals == []


# --- attachments -----------------------------------------------------------------------------


def test_pdf_attachment_is_stored_with_digest_size_and_type(world):
    d = receive(world, uploads=[s.Upload("Tờ khai", "to-khai.pdf", PDF)])
    att = Attachment.objects.get(dossier=d)
    assert att.sha256 == hashlib.sha256(PDF).hexdigest()
    assert att.size == len(PDF)
    assert att.content_type == "application/pdf"
    assert (att.name, att.filename, att.kind, att.digitised) == ("Tờ khai", "to-khai.pdf", "component", True)
    with att.file.open("rb") as fh:
        assert fh.read() == PDF
    assert d.components_digitised
    added = AuditEntry.objects.get(object_id=d.code, action="dossier.attachment_added")
    assert added.data["sha256"] == att.sha256


def test_undigitised_component_marks_the_dossier(world):
    d = receive(world, uploads=[s.Upload("Tờ khai", "a.pdf", PDF), s.Upload("Bản giấy", "b.pdf", PDF + b" ",
                                                                           digitised=False)])
    assert not fresh(d.code).components_digitised
    assert Attachment.objects.filter(dossier=d).count() == 2


def test_text_renamed_pdf_is_rejected_and_nothing_is_written(world):
    with pytest.raises(InvalidInput) as exc:
        receive(world, uploads=[s.Upload("Tờ khai", "to-khai.pdf", b"just some text, not a PDF at all\n" * 10)])
    assert exc.value.status == 422
    assert "file" in exc.value.fields
    assert not Dossier.objects.exists() and not Attachment.objects.exists()


def test_too_large_attachment_is_rejected(world, settings):
    settings.TINHSO_MAX_ATTACHMENT_BYTES = 64
    d = receive(world)
    with pytest.raises(InvalidInput) as exc:
        s.dossier_add_attachment(principal=world.specialist, code=d.code,
                                 upload=s.Upload("Tờ khai", "big.pdf", PDF + b"0" * 64))
    assert exc.value.status == 422 and "file" in exc.value.fields
    assert not Attachment.objects.exists()


def test_empty_attachment_is_rejected(world):
    d = receive(world)
    with pytest.raises(InvalidInput):
        s.dossier_add_attachment(principal=world.specialist, code=d.code, upload=s.Upload("x", "x.pdf", b""))


def test_add_attachment_needs_a_role_and_an_open_dossier(world):
    d = receive(world)
    att = s.dossier_add_attachment(principal=world.specialist, code=d.code, upload=s.Upload("Biên bản", "bb.pdf", PDF))
    assert att.uploaded_by_id == world.specialist.user.pk
    with pytest.raises(NotFound):
        s.dossier_add_attachment(principal=world.other_reception, code=d.code, upload=s.Upload("x", "x.pdf", PDF))
    s.dossier_refuse(principal=world.reception, code=d.code, reason="x")
    with pytest.raises(Conflict):
        s.dossier_add_attachment(principal=world.specialist, code=d.code, upload=s.Upload("y", "y.pdf", PDF))
    assert Attachment.objects.filter(dossier=d).count() == 1
