"""Parallel writes on PostgreSQL: receipts at one agency never share a number, and of two people
acting on one dossier at once exactly one wins; the other gets `Conflict`.

Each thread has its own database connection (Django's connections are per thread) and closes it
when done. SQLite serialises writers on the whole file, so these only prove something on
PostgreSQL and are skipped elsewhere.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from tests.factories import citizen, finish, sign
from tinhso.core.errors import ApplicationError, Conflict
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel, Dossier, DossierEvent, Status

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and parallel upserts need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MON = datetime(2026, 3, 2, 10, 0, tzinfo=VN)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_together(jobs: list[Callable[[], Any]], timeout: float = 60) -> tuple[list[Any], list[BaseException]]:
    """Run the jobs in threads released at once by a barrier; each closes its connection."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            value = job()
            with lock:
                results.append(value)
        except BaseException as exc:  # noqa: BLE001 (collected and asserted on by the test)
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a thread is stuck (deadlock?)"
    return results, errors


def receive(world, at: datetime = MON) -> str:
    return s.dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                             channel=Channel.COUNTER, applicant=citizen(), at=at).dossier.code


def test_parallel_receipts_get_unique_consecutive_codes(world):
    def five() -> list[str]:
        return [receive(world) for _ in range(5)]

    results, errors = run_together([five] * 8)
    assert errors == []
    codes = [code for batch in results for code in batch]
    assert len(codes) == 40
    assert sorted(codes) == [f"H44.100-260302-{n:04d}" for n in range(1, 41)]
    for batch in results:  # within one thread the numbers only grow
        assert batch == sorted(batch)
    assert Dossier.objects.count() == 40
    assert DossierEvent.objects.filter(action="receive").count() == 40


def _one_wins(results: list[Any], errors: list[BaseException]) -> Conflict:
    assert len(results) == 1, errors
    assert len(errors) == 1
    assert isinstance(errors[0], Conflict), repr(errors[0])
    return errors[0]


def test_two_specialists_forward_at_once_one_wins(world):
    code = receive(world)
    assert Dossier.objects.get(code=code).current_step.kind == "appraise"
    forward = lambda: s.dossier_forward(principal=world.specialist, code=code)  # noqa: E731
    conflict = _one_wins(*run_together([forward, forward]))
    # The loser waited for the lock and found the dossier at the head's review step.
    assert conflict.code == "wrong_step"
    d = Dossier.objects.get(code=code)
    assert d.current_step.kind == "review"
    assert d.events.filter(action="forward").count() == 1
    assert d.version == 2


def test_two_forwards_with_the_version_they_saw(world):
    code = receive(world)
    seen = Dossier.objects.get(code=code).version
    forward = lambda: s.dossier_forward(principal=world.specialist, code=code, expected_version=seen)  # noqa: E731
    conflict = _one_wins(*run_together([forward, forward]))
    assert conflict.code == "stale_version"
    assert Dossier.objects.get(code=code).events.filter(action="forward").count() == 1


def test_two_ratings_at_once_one_wins(world):
    code = receive(world)
    s.dossier_forward(principal=world.specialist, code=code)
    s.dossier_forward(principal=world.head, code=code)
    s.dossier_approve(principal=world.leader, code=code)
    sign(principal=world.leader, code=code)
    finish(principal=world.clerk, code=code)
    s.dossier_return(principal=world.reception, code=code)
    jobs = [
        lambda: s.dossier_rate(principal=None, code=code, rating="very_satisfied"),
        lambda: s.dossier_rate(principal=None, code=code, rating="unsatisfied"),
    ]
    results, errors = run_together(jobs)
    conflict = _one_wins(results, errors)
    assert conflict.code == "already_rated"
    d = Dossier.objects.get(code=code)
    assert d.status == Status.RETURNED
    assert d.rating == results[0].dossier.rating
    assert d.events.filter(action="rate").count() == 1


def test_refuse_against_stop_one_wins(world):
    """Different actions racing: whichever commits first, the other finds the state moved on."""
    code = receive(world)
    jobs = [
        lambda: s.dossier_refuse(principal=world.head, code=code, reason="Không đủ điều kiện"),
        lambda: s.dossier_stop(principal=world.leader, code=code, reason="Dừng"),
    ]
    results, errors = run_together(jobs)
    _one_wins(results, errors)
    assert all(isinstance(e, ApplicationError) for e in errors)
    d = Dossier.objects.get(code=code)
    assert d.status in (Status.REFUSED, Status.STOPPED)
    assert d.events.count() == 2 and d.version == 2
