"""The live counters: kept in the dossier's own transaction, equal to a rebuild from the dossiers."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.factories import ProcedureFactory, citizen, finish, sign
from tinhso.agencies.principals import Principal
from tinhso.core.errors import ApplicationError
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel, Dossier
from tinhso.indicators.models import DossierCounter
from tinhso.indicators.periods import parse_period
from tinhso.indicators.selectors import service_index
from tinhso.indicators.services import (
    counters_from_dossiers,
    counters_live,
    counters_rebuild,
    rollup_live,
    rollup_of,
)
from tinhso.workcalendar.selectors import calendar_for_agency

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
                              (world.leader, s.dossier_approve), (world.leader, sign)):
            t += step
            action(principal=actor, code=code, at=t)
        t += step
        finish(principal=world.clerk, code=code, at=t)
        if rng.random() < 0.8:
            s.dossier_return(principal=world.reception, code=code, at=t + step)
            if rng.random() < 0.7:
                s.dossier_rate(principal=None, code=code, rating=rng.choice(["very_satisfied", "satisfied", "unsatisfied"]),
                               complained=rng.random() < 0.1, at=t + 2 * step)
    except ApplicationError:
        pass


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_workload_live_equals_rebuild(world, seed):
    """After a random mix of receipts, online submissions (verified or not, reusing a stored
    document or not), actions and results put in the store, the live counters equal a recount
    of the dossiers."""
    rng = random.Random(seed)
    fee_free = ProcedureFactory(code="9.100001", fee_vnd=0, processing_unit="calendar_days")
    same_day = ProcedureFactory(code="9.100002", processing_unit="same_day", processing_amount=1)
    bare = ProcedureFactory(code="9.100003", components=[])  # asks for no documents
    applicant = Principal.for_applicant(get_user_model().objects.create_user(username="congdan"))
    stored = s.StoredFile(name="kho/cccd.pdf", sha256="0" * 64, size=10, content_type="application/pdf")
    for _ in range(40):
        at = datetime(2026, 1, 5, 8, 0, tzinfo=VN) + timedelta(hours=rng.randrange(0, 24 * 100))
        procedure = rng.choice([world.procedure, fee_free, same_day, bare])
        channel = rng.choice([Channel.COUNTER, Channel.ONLINE, Channel.POSTAL])
        if rng.random() < 0.4:  # a citizen online: verified or typed-in data, a stored document or none
            uploads = [s.Upload("CCCD", "cccd.pdf", stored=stored)] if rng.random() < 0.5 else []
            d = s.dossier_submit(principal=applicant, procedure=procedure, agency=world.commune, applicant=citizen(),
                                 uploads=uploads, applicant_verified=rng.random() < 0.6, at=at).dossier
            if rng.random() < 0.9:
                s.dossier_accept(principal=world.reception, code=d.code, at=at + timedelta(minutes=20))
        else:
            paid_online = rng.random() < 0.4
            d = s.dossier_receive(principal=world.reception, procedure=procedure, agency=world.commune,
                                  channel=channel, applicant=citizen(), at=at).dossier
            if paid_online and d.fee_due:  # the bank confirmed the transfer (reconciliation)
                s.dossier_fee_paid(principal=None, code=d.code, amount=d.fee_due, reconciled=True, at=at)
        _walk(world, d.code, rng, at)
        if rng.random() < 0.6:  # the result delivered into the applicant's store (finished or not)
            s.dossier_result_stored(code=d.code)
        if rng.random() < 0.2:  # the worker's sweep, at some moment
            s.dossiers_mark_overdue(now=at)
    live = counters_live()
    assert live == counters_from_dossiers()
    assert rollup_live() == rollup_of(live)  # the (agency, month) roll-up moved with them
    received = Dossier.objects.filter(received_at__isnull=False).count()
    assert sum(v["received"] for v in live.values()) == received and 30 <= received <= 40
    assert all(sum(v[c] for v in live.values()) > 0 for c in
               ("documents_required", "documents_reused", "result_in_store", "applicant_verified"))
    # The index is the same whether the sweep has marked the overdue dossiers or not.
    later, year = datetime(2026, 7, 1, tzinfo=VN), parse_period("2026")
    before_sweep = service_index(root=world.province, period=year, now=later)
    s.dossiers_mark_overdue(now=later)
    assert service_index(root=world.province, period=year, now=later) == before_sweep
    live = counters_live()
    assert live == counters_from_dossiers()
    assert rollup_live() == rollup_of(live)  # the (agency, month) roll-up moved with them
    # Rebuilding from scratch gives the same rows.
    DossierCounter.objects.all().update(received=999)
    counters_rebuild()
    assert counters_live() == live
    assert rollup_live() == rollup_of(live)


def test_marked_dossier_leaves_the_overdue_count_when_it_moves_on(world, settings):
    """A marked dossier that is extended (later due moment), paused for a supplement or finished
    stops counting as open and overdue; finished, it counts as finished late instead."""
    settings.TINHSO_EXTENSION_MIN_NOTICE_HOURS = 0
    at = timezone.now() - timedelta(days=30)
    codes = [s.dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                               channel=Channel.COUNTER, applicant=citizen(), at=at).dossier.code for _ in range(3)]
    assert s.dossiers_mark_overdue() == 3

    def overdue_open():
        return sum(c.overdue_open for c in DossierCounter.objects.all())

    assert overdue_open() == 3
    due = Dossier.objects.get(code=codes[0]).due_at
    new_due = calendar_for_agency(world.commune).next_due_instant(timezone.now() + timedelta(days=5), after=due)
    s.dossier_extend(principal=world.leader, code=codes[0], new_due_at=new_due, reason="cần xác minh")
    assert overdue_open() == 2 and not Dossier.objects.get(code=codes[0]).marked_overdue
    s.dossier_request_supplement(principal=world.specialist, code=codes[1], reason="thiếu giấy tờ")
    assert overdue_open() == 1
    assert s.dossiers_mark_overdue() == 0  # paused: not marked again
    _finish(world, codes[2], timezone.now())
    assert overdue_open() == 0
    assert sum(c.finished_late for c in DossierCounter.objects.all()) == 1
    assert counters_live() == counters_from_dossiers()
    assert rollup_live() == rollup_of(counters_live())
    from tinhso.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="dossiers.marked_overdue", data__count=3).count() == 1


def test_counters_move_in_the_same_transaction(world):
    """A refused move leaves the counters untouched (the change and the counters commit together)."""
    at = datetime(2026, 3, 2, 9, 0, tzinfo=VN)
    d = s.dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                          channel=Channel.ONLINE, applicant=citizen(), at=at).dossier
    before = counters_live()
    with pytest.raises(ApplicationError):
        finish(principal=world.clerk, code=d.code, at=at)  # not at the issue step
    assert counters_live() == before
    (row,) = before.values()
    assert row["received"] == 1 and row["online"] == 1 and row["finished"] == 0


def _finish(world, code, at):
    t = at
    for actor, action in ((world.specialist, s.dossier_forward), (world.head, s.dossier_forward),
                          (world.leader, s.dossier_approve), (world.leader, sign)):
        t += timedelta(minutes=10)
        action(principal=actor, code=code, at=t)
    finish(principal=world.clerk, code=code, at=at)


def test_overdue_open_dossier_turns_late_by_itself(world):
    """An open dossier counts on time until its due moment passes, then late — nobody touches it:
    first counted live, then (after the worker's sweep marks it) from the counters; the score is
    the same either way."""
    d = s.dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                          channel=Channel.COUNTER, applicant=citizen()).dossier
    assert d.due_at > timezone.now() and not d.marked_overdue
    period = parse_period(timezone.localtime(d.received_at).strftime("%Y-%m"))

    def progress(now):
        index = service_index(root=world.commune, period=period, now=now)
        group = next(g for g in index["groups"] if g["code"] == "progress")
        return group["metrics"][0]

    assert progress(d.due_at - timedelta(minutes=1))["numerator"] == 1
    after_due = d.due_at + timedelta(minutes=1)
    late = progress(after_due)
    assert (late["numerator"], late["denominator"], late["score"]) == (0, 1, 0.0)
    assert DossierCounter.objects.get(agency=world.commune).overdue_open == 0  # counted live

    assert s.dossiers_mark_overdue(now=after_due) == 1
    assert s.dossiers_mark_overdue(now=after_due) == 0  # idempotent
    counter = DossierCounter.objects.get(agency=world.commune)
    assert (counter.overdue_open, counter.dissatisfied) == (1, 1)
    assert progress(after_due) == late  # now from the counters: the same figures
    marked = Dossier.objects.get(pk=d.pk)
    assert marked.marked_overdue and marked.version == 1  # untouched: no new version, no history line
    assert marked.events.count() == 1
    assert counters_live() == counters_from_dossiers()
    assert rollup_live() == rollup_of(counters_live())


def test_the_worker_runs_the_sweep_every_minute(world):
    """`tinhso worker` finds the sweep among its periodic tasks, due every minute, and running it
    marks what is past due."""
    from huey.contrib.djhuey import HUEY

    from tinhso.dossiers.tasks import mark_overdue

    assert mark_overdue.task_class in HUEY._registry._periodic_tasks
    assert mark_overdue.task_class().validate_datetime(datetime(2026, 11, 22, 9, 17, tzinfo=VN))  # any minute
    s.dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                      channel=Channel.COUNTER, applicant=citizen(), at=timezone.now() - timedelta(days=30))
    assert mark_overdue.call_local() == 1
    assert Dossier.objects.filter(marked_overdue=True).count() == 1
