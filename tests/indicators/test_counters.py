"""The live counters: kept in the dossier's own transaction, equal to a rebuild from the dossiers."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import ProcedureFactory, citizen
from tinhso.core.errors import ApplicationError
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel, Dossier
from tinhso.indicators.models import DossierCounter
from tinhso.indicators.periods import parse_period
from tinhso.indicators.selectors import service_index
from tinhso.indicators.services import counters_from_dossiers, counters_live, counters_rebuild

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _walk(world, code: str, rng: random.Random, at: datetime) -> None:
    """Move one dossier a random distance along its life, at random moments after `at`."""
    step = timedelta(hours=rng.choice([2, 5, 20, 40, 80]))
    choice = rng.random()
    try:
        if choice < 0.1:
            s.dossier_request_supplement(principal=world.specialist, code=code, reason="thiếu giấy tờ", at=at + step)
            if rng.random() < 0.5:
                s.dossier_supplement_received(principal=world.reception, code=code, at=at + 2 * step)
            return
        if choice < 0.15:
            s.dossier_refuse(principal=world.specialist, code=code, reason="không thuộc thẩm quyền", at=at + step)
            return
        if choice < 0.2:
            return  # left open
        t = at
        for actor, action in ((world.specialist, s.dossier_forward), (world.head, s.dossier_forward),
                              (world.leader, s.dossier_approve), (world.leader, s.dossier_sign)):
            t += step
            action(principal=actor, code=code, at=t)
        t += step
        s.dossier_finish(principal=world.clerk, code=code, at=t)
        if rng.random() < 0.8:
            s.dossier_return(principal=world.reception, code=code, at=t + step)
            if rng.random() < 0.7:
                s.dossier_rate(principal=None, code=code, rating=rng.choice(["very_satisfied", "satisfied", "unsatisfied"]),
                               complained=rng.random() < 0.1, at=t + 2 * step)
    except ApplicationError:
        pass


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_workload_live_equals_rebuild(world, seed):
    """After a random mix of receipts and actions, the live counters equal a recount of the dossiers."""
    rng = random.Random(seed)
    fee_free = ProcedureFactory(code="9.100001", fee_vnd=0, processing_unit="calendar_days")
    same_day = ProcedureFactory(code="9.100002", processing_unit="same_day", processing_amount=1)
    for _ in range(40):
        at = datetime(2026, 1, 5, 8, 0, tzinfo=VN) + timedelta(hours=rng.randrange(0, 24 * 100))
        procedure = rng.choice([world.procedure, fee_free, same_day])
        channel = rng.choice([Channel.COUNTER, Channel.ONLINE, Channel.POSTAL])
        d = s.dossier_receive(principal=world.reception, procedure=procedure, agency=world.commune, channel=channel,
                              applicant=citizen(), fee_paid_online=rng.random() < 0.4, at=at).dossier
        _walk(world, d.code, rng, at)
    live = counters_live()
    assert live == counters_from_dossiers()
    assert sum(v["received"] for v in live.values()) == 40
    # Rebuilding from scratch gives the same rows.
    DossierCounter.objects.all().update(received=999)
    counters_rebuild()
    assert counters_live() == live


def test_counters_move_in_the_same_transaction(world):
    """A refused move leaves the counters untouched (the change and the counters commit together)."""
    at = datetime(2026, 3, 2, 9, 0, tzinfo=VN)
    d = s.dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                          channel=Channel.ONLINE, applicant=citizen(), at=at).dossier
    before = counters_live()
    with pytest.raises(ApplicationError):
        s.dossier_finish(principal=world.clerk, code=d.code, at=at)  # not at the issue step
    assert counters_live() == before
    (row,) = before.values()
    assert row["received"] == 1 and row["online"] == 1 and row["finished"] == 0


def _finish(world, code, at):
    t = at
    for actor, action in ((world.specialist, s.dossier_forward), (world.head, s.dossier_forward),
                          (world.leader, s.dossier_approve), (world.leader, s.dossier_sign)):
        t += timedelta(minutes=10)
        action(principal=actor, code=code, at=t)
    s.dossier_finish(principal=world.clerk, code=code, at=at)


def test_overdue_open_dossier_turns_late_by_itself(world):
    """An open dossier counts on time until its due moment passes, then late — nobody touches it."""
    received = datetime(2026, 3, 2, 9, 0, tzinfo=VN)  # due Thursday 5 March 09:00 (3 working days)
    d = s.dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                          channel=Channel.COUNTER, applicant=citizen(), at=received).dossier
    period = parse_period("2026-03")

    def progress(now):
        index = service_index(root=world.commune, period=period, now=now)
        group = next(g for g in index["groups"] if g["code"] == "progress")
        return group["metrics"][0]

    assert d.due_at == datetime(2026, 3, 5, 9, 0, tzinfo=VN)
    assert progress(datetime(2026, 3, 5, 8, 59, tzinfo=VN))["numerator"] == 1
    late = progress(datetime(2026, 3, 5, 9, 1, tzinfo=VN))
    assert (late["numerator"], late["denominator"], late["score"]) == (0, 1, 0.0)
    assert Dossier.objects.get(pk=d.pk).version == 1  # untouched
