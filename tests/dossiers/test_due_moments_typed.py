"""Due moments an officer types (the extension's new appointment, form 04) are checked against
the working calendar, and a pause of no working time moves no due moment.

March 2026: Monday the 2nd to Friday the 6th is an ordinary week; office hours 07:00–11:30 and
13:30–17:00. Received Monday 10:00, a 3-working-day procedure is due Thursday 10:00.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import citizen
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel, Dossier

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


def receive(world, at: datetime) -> Dossier:
    return s.dossier_receive(
        principal=world.reception, procedure=world.procedure, agency=world.commune, channel=Channel.COUNTER,
        applicant=citizen(), at=at,
    ).dossier


def fresh(code: str) -> Dossier:
    return Dossier.objects.get(code=code)


@pytest.mark.parametrize(
    ("typed", "proposal", "why"),
    [
        pytest.param(vn(3, 8, 10), "07:00 09/03/2026", "ngày nghỉ", id="sunday"),
        pytest.param(vn(3, 7, 9), "07:00 09/03/2026", "ngày nghỉ", id="saturday"),
        pytest.param(vn(4, 30, 10), "07:00 04/05/2026", "ngày nghỉ", id="reunification-day"),
        pytest.param(vn(3, 6, 12), "13:30 06/03/2026", "ngoài giờ làm việc", id="lunch"),
        pytest.param(vn(3, 6, 20), "07:00 09/03/2026", "ngoài giờ làm việc", id="evening"),
        pytest.param(vn(3, 5, 10), "17:00 05/03/2026", "sau ngày hẹn hiện tại", id="same-as-current"),
        pytest.param(vn(3, 4, 10), "17:00 05/03/2026", "sau ngày hẹn hiện tại", id="earlier"),
    ],
)
def test_a_typed_due_moment_outside_working_time_is_refused_with_a_proposal(world, typed, proposal, why):
    """Refused (422, field `new_due_at`), saying why and proposing the next valid instant;
    nothing changes."""
    d = receive(world, vn(3, 2, 10))
    with pytest.raises(s.DueMomentRefused) as exc:
        s.dossier_extend(principal=world.head, code=d.code, new_due_at=typed, reason="Cần xác minh", at=vn(3, 3, 9))
    error = exc.value
    assert error.status == 422 and error.code == "due_moment_not_working_time"
    assert why in error.message and proposal in error.message
    assert proposal in error.fields["new_due_at"]
    assert f"{error.proposal.astimezone(VN):%H:%M %d/%m/%Y}" == proposal
    after = fresh(d.code)
    assert not after.extended and after.version == 1 and after.due_at == vn(3, 5, 10)


def test_the_proposal_is_accepted(world):
    """The proposal, typed back, is a valid new appointment."""
    d = receive(world, vn(3, 2, 10))
    with pytest.raises(s.DueMomentRefused) as exc:
        s.dossier_extend(principal=world.head, code=d.code, new_due_at=vn(3, 8, 10), reason="x", at=vn(3, 3, 9))
    s.dossier_extend(principal=world.head, code=d.code, new_due_at=exc.value.proposal, reason="x", at=vn(3, 3, 9))
    assert fresh(d.code).due_at == vn(3, 9, 7)


@pytest.mark.parametrize("typed", [vn(3, 9, 7), vn(3, 9, 17), vn(3, 5, 11, 30), vn(3, 5, 10, 1)],
                         ids=["opening", "closing", "end-of-morning", "a-minute-later"])
def test_working_instants_after_the_current_due_are_accepted(world, typed):
    d = receive(world, vn(3, 2, 10))
    s.dossier_extend(principal=world.head, code=d.code, new_due_at=typed, reason="x", at=vn(3, 3, 9))
    assert fresh(d.code).due_at == typed


def test_the_bound_in_years_is_checked_before_the_calendar(world, settings):
    """A far date names the bound (no calendar tables are built for it)."""
    d = receive(world, vn(3, 2, 10))
    with pytest.raises(s.InvalidInput) as exc:
        s.dossier_extend(principal=world.head, code=d.code, new_due_at=vn(3, 2, 10).replace(year=2099),
                         reason="x", at=vn(3, 3, 9))
    assert not isinstance(exc.value, s.DueMomentRefused)
    assert "năm" in exc.value.message


# --- pauses of no working time --------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "asked", "brought", "due"),
    [
        # Received Monday 07:00: due Wednesday 17:00, exactly at a close.
        pytest.param(vn(3, 2, 7), vn(3, 3, 12), vn(3, 3, 13), vn(3, 4, 17), id="over-lunch"),
        pytest.param(vn(3, 2, 7), vn(3, 3, 17, 30), vn(3, 4, 6, 45), vn(3, 4, 17), id="overnight"),
        pytest.param(vn(3, 2, 7), vn(3, 3, 10), vn(3, 3, 10), vn(3, 4, 17), id="same-instant"),
        pytest.param(vn(3, 4, 7), vn(3, 7, 9), vn(3, 8, 15), vn(3, 6, 17), id="weekend"),
    ],
)
def test_a_pause_of_no_working_time_moves_no_due_moment(world, received, asked, brought, due):
    """Asked for a supplement and brought back with no working time between: the appointment,
    the legal due moment and the step's due moment stay as they were."""
    d = receive(world, received)
    assert d.due_at == due
    step_due = d.step_due_at
    s.dossier_request_supplement(principal=world.specialist, code=d.code, reason="Thiếu", at=asked)
    s.dossier_supplement_received(principal=world.reception, code=d.code, at=brought)
    d = fresh(d.code)
    assert (d.due_at, d.legal_due_at, d.step_due_at) == (due, due, step_due)
    assert d.paused_seconds == 0 and d.paused_at is None
    assert d.events.get(action="supplement_received").due_after == due


def test_a_pause_with_working_time_still_moves_the_due_moment(world):
    """One working hour paused moves a 17:00 appointment by one working hour (next morning)."""
    d = receive(world, vn(3, 2, 7))
    s.dossier_request_supplement(principal=world.specialist, code=d.code, reason="Thiếu", at=vn(3, 3, 10))
    s.dossier_supplement_received(principal=world.reception, code=d.code, at=vn(3, 3, 11))
    assert fresh(d.code).due_at == vn(3, 5, 8)
