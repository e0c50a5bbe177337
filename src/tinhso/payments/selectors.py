"""Reads of the payments room: what a dossier's applicant must pay and how (the VietQR code),
and the unmatched transactions an officer may settle.

`dossier_payment` shows nothing personal — the amount, the status, the agency's account and the
code — so the public tracking page and `GET /api/v1/dossiers/{code}/payment` give it to whoever
has the dossier's code, as the tracking page gives the status.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.db.models import QuerySet

from tinhso.agencies.principals import Principal
from tinhso.agencies.scoping import visible_agencies
from tinhso.core.codes import dossier_code_candidates
from tinhso.core.money import money_text
from tinhso.dossiers.forms.data import FeePayment
from tinhso.dossiers.models import Dossier, Status
from tinhso.payments import vietqr
from tinhso.payments.banks import bank_by_bin
from tinhso.payments.models import BankTransaction, FeeAccount, TransactionState
from tinhso.payments.services import SETTLING_ROLES, received_for, receiving_account

# No code for a dossier that ended without a result or was already returned.
CLOSED_STATUSES = (Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED)


class PaymentStatus:
    NONE = "none"  # no fee
    UNPAID = "unpaid"
    PARTIAL = "partial"  # some money arrived, less than the fee
    PAID = "paid"


@dataclass(frozen=True)
class PaymentView:
    code: str
    fee_due: int
    received: int
    amount: int  # still to pay: what the VietQR code asks for
    status: str
    online: bool  # paid, and the bank confirmed it
    account: FeeAccount | None
    payload: str | None  # the VietQR payload; None when there is nothing to pay or no account
    notice: bool = False  # a payment notice was issued (status 6 was entered): downloadable

    # Amounts as a page writes them, in the reader's language ("50.000 đồng").
    @property
    def amount_text(self) -> str:
        return money_text(self.amount)

    @property
    def fee_text(self) -> str:
        return money_text(self.fee_due)

    @property
    def received_text(self) -> str:
        return money_text(self.received)


def public_dossier(text: str) -> Dossier | None:
    """The dossier `text` names, however typed (as the tracking page finds it); None if none."""
    candidates = dossier_code_candidates(text)
    if not candidates:
        return None
    found = list(Dossier.objects.select_related("procedure", "receiving_agency").filter(code__in=candidates)[:2])
    return found[0] if len(found) == 1 else None


def dossier_payment(dossier: Dossier) -> PaymentView:
    received = received_for(dossier) if dossier.fee_due > 0 else 0
    if dossier.fee_due <= 0:
        status = PaymentStatus.NONE
    elif dossier.fee_paid:
        status = PaymentStatus.PAID
    elif received > 0:
        status = PaymentStatus.PARTIAL
    else:
        status = PaymentStatus.UNPAID
    amount = 0 if status in (PaymentStatus.NONE, PaymentStatus.PAID) else max(dossier.fee_due - received, 0)
    account = receiving_account(dossier.receiving_agency) if dossier.fee_due > 0 else None
    payload = None
    if amount > 0 and account is not None and dossier.status not in CLOSED_STATUSES:
        try:
            payload = vietqr.payload(bank_bin=account.bank_bin, account_number=account.account_number, amount=amount,
                                     purpose=vietqr.purpose_for(dossier.code))
        except vietqr.PayloadError:
            payload = None
    notice = dossier.fee_due > 0 and notice_issued(dossier)
    return PaymentView(code=dossier.code, fee_due=dossier.fee_due, received=received, amount=amount, status=status,
                       online=dossier.fee_paid_online, account=account, payload=payload, notice=notice)


def notice_issued(dossier: Dossier) -> bool:
    """The dossier entered status 6 at least once: it has a payment notice (thông báo nộp phí)."""
    return dossier.status == Status.PAYMENT_REQUESTED or dossier.events.filter(action="request_payment").exists()


def form_payment(dossier: Dossier) -> FeePayment | None:
    """What form 01 prints to pay a fee due and unpaid (None when there is no code to scan)."""
    view = dossier_payment(dossier) if dossier.fee_due > 0 and not dossier.fee_paid else None
    if view is None or view.payload is None or view.account is None:
        return None
    bank = bank_by_bin(view.account.bank_bin)
    return FeePayment(payload=view.payload, amount=view.amount, bank=bank.short_name if bank else view.account.bank_bin,
                      account_number=view.account.account_number, account_name=view.account.account_name,
                      purpose=vietqr.purpose_for(dossier.code))


def dossier_transactions(dossier: Dossier) -> QuerySet[BankTransaction]:
    """The transfers counted for a dossier, oldest first (its page, for officers who act on it)."""
    return (BankTransaction.objects.filter(dossier=dossier).select_related("fee_account", "matched_by")
            .order_by("occurred_at", "id"))


def unmatched_transactions(principal: Principal) -> QuerySet[BankTransaction]:
    """The unmatched credits on the accounts of agencies where `principal` may settle fees
    (every one for a superuser), newest first."""
    qs = BankTransaction.objects.filter(state=TransactionState.UNMATCHED).select_related("fee_account__agency")
    if principal.is_superuser:
        return qs
    # The agencies its settling roles reach, as the one scoping rule reads them.
    settling = dataclasses.replace(principal, roles=[(a, r) for a, r in principal.roles if r in SETTLING_ROLES],
                                   memo={})
    return qs.filter(fee_account__agency__in=visible_agencies(settling))
