"""Reconciliation: a transfer the bank reported pays the dossier its content names, through the
one door (history, audit, counters), once — partial, excess and unmatched transfers included."""

from __future__ import annotations

import pytest

from tests.payments.conftest import received, transfer
from tinhso.audit.models import AuditEntry
from tinhso.catalogue.models import FeeTiming
from tinhso.core.errors import Conflict, InvalidInput, NotFound
from tinhso.dossiers import services as dossier_services
from tinhso.dossiers.models import DossierEvent, Status
from tinhso.indicators.models import DossierCounter
from tinhso.payments import services
from tinhso.payments.models import Outcome, TransactionState
from tinhso.payments.selectors import PaymentStatus, dossier_payment, unmatched_transactions

pytestmark = pytest.mark.django_db


def record(*args, **kwargs):
    return services.bank_transaction_record(transfer=transfer(*args, **kwargs)).transaction


@pytest.mark.parametrize("mangle", [
    lambda c: c,
    lambda c: c.lower(),
    lambda c: c.replace("-", ""),
    lambda c: c.replace("-", " "),
    lambda c: c.replace(".", "").replace("-", ""),
    lambda c: " ".join(c.replace(".", "").replace("-", "")),
    lambda c: f"MBVCB.3278907687.nop phi {c.replace('-', '')}.CT tu 0123456789 NGUYEN VAN AN",
])
def test_code_found_however_mangled(world, account, mangle):
    """Returns paid: fee_paid and fee_paid_online, history line, audit rows, counted online."""
    d = received(world)
    tx = record(mangle(d.code), 50_000)
    d.refresh_from_db()
    assert tx.state == TransactionState.MATCHED and tx.dossier == d and tx.outcome == Outcome.PAID
    assert d.fee_paid and d.fee_paid_online
    event = DossierEvent.objects.get(dossier=d, action="fee_paid")
    assert event.from_status == event.to_status == Status.RECEIVED
    assert AuditEntry.objects.filter(action="dossier.fee_paid", object_id=d.code).count() == 1
    assert AuditEntry.objects.filter(action="payments.transaction_matched").count() == 1
    assert DossierCounter.objects.get(agency=world.commune).paid_online == 1


def test_same_notification_twice_pays_once(world, account):
    d = received(world)
    first = services.bank_transaction_record(transfer=transfer(d.code, 50_000, provider_id="92704"))
    again = services.bank_transaction_record(transfer=transfer(d.code, 50_000, provider_id="92704"))
    assert first.created and not again.created and again.transaction.pk == first.transaction.pk
    assert DossierEvent.objects.filter(dossier=d, action="fee_paid").count() == 1


def test_same_bank_reference_from_another_source_is_the_same_transfer(world, account):
    d = received(world)
    services.bank_transaction_record(transfer=transfer(d.code, 50_000, reference="FT26338123"))
    again = services.bank_transaction_record(transfer=transfer(d.code, 50_000, provider_id="other", reference="FT26338123"))
    assert not again.created


def test_partial_then_the_rest(world, account):
    """Less than the fee: recorded as partial, not paid; the rest completes it."""
    d = received(world)
    first = record(d.code, 20_000)
    d.refresh_from_db()
    assert first.outcome == Outcome.PARTIAL and not d.fee_paid
    view = dossier_payment(d)
    assert view.status == PaymentStatus.PARTIAL and view.amount == 30_000 and view.payload
    second = record(d.code, 30_000)
    d.refresh_from_db()
    assert second.outcome == Outcome.PAID and d.fee_paid_online
    assert dossier_payment(d).status == PaymentStatus.PAID and dossier_payment(d).payload is None


def test_excess_is_flagged_and_a_later_transfer_too(world, account):
    d = received(world)
    tx = record(d.code, 70_000)
    assert tx.outcome == Outcome.EXCESS and tx.excess == 20_000
    later = record(d.code, 50_000)
    assert later.outcome == Outcome.AFTER_PAID and later.excess == 50_000
    assert DossierEvent.objects.filter(dossier=d, action="fee_paid").count() == 1


def test_other_agencys_account_or_no_code_stays_unmatched(world, account):
    d = received(world)
    unknown = record(d.code, 50_000, account="999999999")
    no_code = record("chuyen tien", 50_000)
    other_agency = services.fee_account_save(principal=None, agency=world.other_commune, bank_bin="970405",
                                             account_number="8800205123456", account_name="UBND NONG TRANG")[0]
    wrong_account = record(d.code, 50_000, account=other_agency.account_number)
    assert (unknown.unmatched_reason, no_code.unmatched_reason, wrong_account.unmatched_reason) == (
        "unknown_account", "no_code", "no_code")
    d.refresh_from_db()
    assert not d.fee_paid
    assert set(unmatched_transactions(world.reception)) == {no_code}
    assert set(unmatched_transactions(world.other_reception)) == {wrong_account}
    assert list(unmatched_transactions(world.specialist)) == []


def test_debit_is_not_reconciled(world, account):
    d = received(world)
    tx = record(d.code, 50_000, credit=False)
    d.refresh_from_db()
    assert tx.state == TransactionState.DEBIT and not d.fee_paid


def test_officer_assigns_or_dismisses_audited(world, account):
    d = received(world)
    tx = record("nop tien ho so", 50_000)
    with pytest.raises(NotFound):
        services.bank_transaction_assign(principal=world.other_reception, transaction_id=tx.pk, code=d.code)
    with pytest.raises(InvalidInput):
        services.bank_transaction_assign(principal=world.reception, transaction_id=tx.pk, code="H44.101-260302-0001")
    services.bank_transaction_assign(principal=world.reception, transaction_id=tx.pk, code=d.code)
    tx.refresh_from_db()
    d.refresh_from_db()
    assert tx.state == TransactionState.MATCHED and tx.matched_by == world.reception.user and d.fee_paid_online
    entry = AuditEntry.objects.get(action="payments.transaction_matched", object_id=str(tx.pk))
    assert entry.actor == world.reception.user and entry.data["by_hand"] is True
    with pytest.raises(Conflict):
        services.bank_transaction_assign(principal=world.reception, transaction_id=tx.pk, code=d.code)
    other = record("hoan tien", 10_000)
    services.bank_transaction_dismiss(principal=world.clerk, transaction_id=other.pk, note="Chuyển nhầm")
    other.refresh_from_db()
    assert other.state == TransactionState.NOT_OURS
    assert AuditEntry.objects.filter(action="payments.transaction_dismissed", actor=world.clerk.user).exists()


def test_payment_requested_before_result_goes_back_to_processing(world, account):
    world.procedure.fee_timing = FeeTiming.BEFORE_RESULT
    world.procedure.save()
    d = received(world)
    dossier_services.dossier_request_payment(principal=world.specialist, code=d.code, note="Mời nộp lệ phí")
    d.refresh_from_db()
    assert d.status == Status.PAYMENT_REQUESTED
    record(d.code, 50_000)
    d.refresh_from_db()
    assert d.status == Status.IN_PROGRESS and d.fee_paid_online
    event = DossierEvent.objects.get(dossier=d, action="fee_paid")
    assert (event.from_status, event.to_status) == (Status.PAYMENT_REQUESTED, Status.IN_PROGRESS)


def test_request_payment_only_when_due_before_result(world, account):
    d = received(world)
    with pytest.raises(Conflict) as exc:
        dossier_services.dossier_request_payment(principal=world.specialist, code=d.code)
    assert exc.value.code == "fee_not_due_before_result"


def test_counter_payment_is_not_online(world, account):
    d = received(world)
    dossier_services.dossier_fee_paid(principal=world.reception, code=d.code, amount=50_000, reconciled=False)
    d.refresh_from_db()
    assert d.fee_paid and not d.fee_paid_online
    with pytest.raises(Conflict):
        dossier_services.dossier_fee_paid(principal=None, code=d.code, amount=50_000, reconciled=True)


def test_applicant_cannot_declare_a_payment(world, account):
    d = received(world)
    with pytest.raises(Exception) as exc:
        dossier_services.dossier_fee_paid(principal=None, code=d.code, amount=50_000, reconciled=False)
    assert getattr(exc.value, "code", "") == "role_not_allowed"


def test_refused_dossier_leaves_the_transfer_for_an_officer(world, account):
    d = received(world)
    dossier_services.dossier_refuse(principal=world.reception, code=d.code, reason="Không thuộc thẩm quyền")
    tx = record(d.code, 50_000)
    assert tx.state == TransactionState.UNMATCHED and tx.unmatched_reason == "closed"
