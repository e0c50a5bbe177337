"""Writes of the payments room: fee accounts, the webhook's secret, bank transactions and their
reconciliation with dossiers (đối soát).

A transfer the bank reported (`Transfer`, from the webhook or a statement line) is recorded once
(`bank_transaction_record`: unique by the provider's id and by the bank's reference on the
account) and matched: the accounts it reached name the agencies it may be for; a dossier code of
those agencies found in its content (`matching.candidate_codes`) names the dossier. The money
received for a dossier adds up: while it is less than the fee the dossier is partly paid (not
paid); once it reaches the fee the dossier is paid through the one door
(`dossiers.services.dossier_fee_paid`, reconciled: `fee_paid_online`), the excess flagged on the
transaction. Whatever cannot be matched waits for an officer (`bank_transaction_assign`,
`bank_transaction_dismiss`), each decision audited.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.agencies.models import Agency, Role
from tinhso.agencies.principals import Principal
from tinhso.agencies.scoping import roles_at
from tinhso.audit.services import audit_record
from tinhso.core.boundary import text_problem
from tinhso.core.codes import dossier_code_candidates
from tinhso.core.errors import ApplicationError, Conflict, InvalidInput, NotFound
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.services import dossier_fee_paid
from tinhso.payments.banks import bank_by_bin, receives_vietqr
from tinhso.payments.matching import candidate_codes
from tinhso.payments.models import BankTransaction, FeeAccount, Outcome, TransactionState, WebhookSecret
from tinhso.throttling.services import rule, throttle_exceeded, throttle_hit

# Who may settle an unmatched transaction by hand: the counter and the records clerk (who take
# fees), and the heads and leaders above them.
SETTLING_ROLES = frozenset({Role.RECEPTION, Role.RECORDS_CLERK, Role.HEAD, Role.LEADER})
_ACCOUNT_RE = re.compile(r"^[0-9A-Za-z]{1,19}\Z")


# --- fee accounts ----------------------------------------------------------------------------


def fee_account_problems(*, bank_bin: str, account_number: str, account_name: str) -> dict[str, str]:
    """Why these cannot be a receiving account, by field (empty when they can): a BIN of the
    Napas list whose bank receives VietQR transfers, an account number of 1–19 letters or digits,
    a name of one line within 100 characters."""
    problems: dict[str, str] = {}
    bank_bin, account_number, account_name = bank_bin.strip(), account_number.strip(), account_name.strip()
    if bank_by_bin(bank_bin) is None:
        problems["bank_bin"] = _("Mã ngân hàng (BIN) %(bin)s không có trong danh sách Napas.") % {"bin": bank_bin}
    elif not receives_vietqr(bank_bin):
        problems["bank_bin"] = _("Ngân hàng %(bin)s không nhận chuyển khoản VietQR.") % {"bin": bank_bin}
    if not _ACCOUNT_RE.match(account_number):
        problems["bank_account"] = _("Số tài khoản phải gồm 1 đến 19 chữ số hoặc chữ cái, không có dấu cách.")
    problem = text_problem(account_name, multiline=False) if account_name else None
    if not account_name:
        problems["bank_account_name"] = _("Bắt buộc.")
    elif problem is not None:
        problems["bank_account_name"] = problem
    elif len(account_name) > 100:
        problems["bank_account_name"] = _("Tối đa 100 ký tự.")
    return problems


def fee_account_save(
    *, principal: Principal | None, agency: Agency, bank_bin: str, account_number: str, account_name: str,
    is_active: bool = True,
) -> tuple[FeeAccount, bool]:
    """Create or update (by agency, BIN and number) an agency's receiving account; (account,
    created). InvalidInput naming the field when it is not a valid account."""
    problems = fee_account_problems(bank_bin=bank_bin, account_number=account_number, account_name=account_name)
    if problems:
        raise InvalidInput(_("Tài khoản thu phí không hợp lệ."), fields=problems)
    with transaction.atomic():
        account, created = FeeAccount.objects.select_for_update().get_or_create(
            agency=agency, bank_bin=bank_bin.strip(), account_number=account_number.strip(),
            defaults={"account_name": account_name.strip(), "is_active": is_active},
        )
        if not created and (account.account_name, account.is_active) == (account_name.strip(), is_active):
            return account, False
        old = {"account_name": account.account_name, "is_active": account.is_active}
        account.account_name, account.is_active = account_name.strip(), is_active
        account.save()
        audit_record(principal=principal, action="payments.fee_account_saved", object_type="feeaccount",
                     object_id=account.pk, data={"agency": agency.code, "bank_bin": account.bank_bin,
                                                 "account_number": account.account_number, "created": created,
                                                 **({} if created else {"before": old})})
        return account, created


def receiving_account(agency: Agency) -> FeeAccount | None:
    """The account a VietQR code of `agency` names: its first active one."""
    return FeeAccount.objects.filter(agency=agency, is_active=True).order_by("id").first()


# --- the webhook's secret ----------------------------------------------------------------------


def _secret_of(salt: str) -> str:
    """The secret a salt stands for: keyed with the site's `SECRET_KEY`, so a copy of the
    database alone can neither read it nor sign with it."""
    key = hashlib.sha256(f"tinhso.payments.webhook:{settings.SECRET_KEY}".encode()).digest()
    return "tsw_" + hmac.new(key, salt.encode(), hashlib.sha256).hexdigest()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def webhook_secret_rotate(*, principal: Principal | None = None) -> str:
    """A new secret for the payment intermediary's webhook, in force at once; the previous one
    stops working. Returns the secret: shown once, never stored (only its digest)."""
    with transaction.atomic():
        now = timezone.now()
        revoked = WebhookSecret.objects.filter(revoked_at__isnull=True).update(revoked_at=now)
        salt = secrets.token_hex(16)
        secret = _secret_of(salt)
        row = WebhookSecret.objects.create(salt=salt, digest=_digest(secret))
        audit_record(principal=principal, action="payments.webhook_secret_rotated", object_type="webhooksecret",
                     object_id=row.pk, data={"revoked": revoked})
    return secret


def _current_secret() -> WebhookSecret | None:
    return WebhookSecret.objects.filter(revoked_at__isnull=True).order_by("-created_at", "-id").first()


def webhook_apikey_valid(given: str) -> bool:
    """`Authorization: Apikey <secret>`: the secret in force (compared by digest, in constant time)."""
    current = _current_secret()
    return current is not None and hmac.compare_digest(_digest(given), current.digest)


def webhook_signature_valid(body: bytes, signature: str) -> bool:
    """The HMAC variant: `signature` is the hex HMAC-SHA256 of the raw body keyed with the secret
    in force (optionally written `sha256=<hex>`)."""
    current = _current_secret()
    if current is None:
        return False
    secret = _secret_of(current.salt)
    if not hmac.compare_digest(_digest(secret), current.digest):  # SECRET_KEY changed: rotate again
        return False
    given = signature.strip().lower().removeprefix("sha256=")
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(given.encode(), expected.encode())


def webhook_authenticate(*, authorization: str, signature: str, body: bytes, client_address: str | None) -> bool:
    """The webhook's caller holds the secret in force: `Authorization: Apikey <secret>`, or a
    signature of the body (`webhook_signature_valid`). Wrong secrets are counted per client
    address (`PAYMENT_WEBHOOK_PER_ADDRESS`, a budget of its own: a stranger knocking at the
    webhook does not lock that address's API keys out) and audited; past the limit, 429."""
    limit = rule("PAYMENT_WEBHOOK_PER_ADDRESS")
    blocked = throttle_exceeded(limit, client_address) if client_address else None
    if blocked is not None:
        raise ApplicationError(
            _("Quá nhiều lần xác thực sai từ địa chỉ này. Vui lòng thử lại sau %(minutes)s phút.")
            % {"minutes": blocked.retry_minutes},
            code="rate_limited", status=429,
        )
    scheme, _sep, given = authorization.strip().partition(" ")
    if scheme.lower() == "apikey" and given.strip() and webhook_apikey_valid(given.strip()):
        return True
    if signature and webhook_signature_valid(body, signature):
        return True
    if client_address:
        throttle_hit(limit, client_address)
    audit_record(principal=None, action="payments.webhook_refused", object_type="webhooksecret", object_id="*",
                 data={"address": client_address, "scheme": scheme[:20], "signed": bool(signature)})
    return False


# --- bank transactions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Transfer:
    """One movement on an account, as a bank or an intermediary reported it."""

    provider: str
    provider_id: str
    account_number: str
    amount: int
    content: str
    occurred_at: datetime
    credit: bool = True
    gateway: str = ""
    bank_reference: str = ""


@dataclass(frozen=True)
class Recorded:
    transaction: BankTransaction
    created: bool  # False: already known (the same notification or statement line again)


def _existing(transfer: Transfer) -> BankTransaction | None:
    found = BankTransaction.objects.filter(provider=transfer.provider, provider_id=transfer.provider_id).first()
    if found is None and transfer.bank_reference:
        found = BankTransaction.objects.filter(account_number=transfer.account_number,
                                               bank_reference=transfer.bank_reference).first()
    return found


def bank_transaction_record(*, transfer: Transfer, principal: Principal | None = None) -> Recorded:
    """Record a transfer once and reconcile it. The same transfer again (same provider id, or the
    same bank reference on the account) changes nothing and answers the first record."""
    with transaction.atomic():
        existing = _existing(transfer)
        if existing is not None:
            return Recorded(existing, False)
        fee_account = FeeAccount.objects.filter(account_number=transfer.account_number).order_by("-is_active", "id").first()
        tx = BankTransaction(
            provider=transfer.provider, provider_id=transfer.provider_id[:100], gateway=transfer.gateway[:100],
            account_number=transfer.account_number, fee_account=fee_account, amount=transfer.amount,
            credit=transfer.credit, content=transfer.content[:500], bank_reference=transfer.bank_reference[:100],
            occurred_at=transfer.occurred_at,
            state=TransactionState.UNMATCHED if transfer.credit else TransactionState.DEBIT,
        )
        try:
            with transaction.atomic():
                tx.save()
        except IntegrityError:  # recorded meanwhile by a parallel request
            again = _existing(transfer)
            if again is None:
                raise
            return Recorded(again, False)
        audit_record(principal=principal, action="payments.transaction_recorded", object_type="banktransaction",
                     object_id=tx.pk, data={"provider": tx.provider, "provider_id": tx.provider_id,
                                            "account_number": tx.account_number, "amount": tx.amount,
                                            "credit": tx.credit})
        if tx.credit:
            _reconcile(tx)
        return Recorded(tx, True)


def _reconcile(tx: BankTransaction) -> None:
    accounts = list(FeeAccount.objects.filter(account_number=tx.account_number).select_related("agency"))
    if not accounts:
        _leave_unmatched(tx, "unknown_account")
        return
    agencies = {a.agency_id: a.agency for a in accounts}
    codes = candidate_codes(tx.content, [a.code for a in agencies.values()])
    found = list(Dossier.objects.filter(code__in=codes, receiving_agency_id__in=agencies).values_list("code", flat=True)[:2])
    if len(found) != 1:
        _leave_unmatched(tx, "ambiguous" if found else "no_code")
        return
    problem = _apply(tx, found[0], principal=None)
    if problem:
        _leave_unmatched(tx, problem)


def _leave_unmatched(tx: BankTransaction, reason: str) -> None:
    tx.state, tx.unmatched_reason, tx.dossier, tx.outcome, tx.excess = TransactionState.UNMATCHED, reason, None, "", 0
    tx.save(update_fields=["state", "unmatched_reason", "dossier", "outcome", "excess"])


def received_for(dossier: Dossier, *, excluding: int | None = None) -> int:
    """The money matched to `dossier` so far (every transfer, partial ones included)."""
    qs = BankTransaction.objects.filter(dossier=dossier, state=TransactionState.MATCHED)
    if excluding is not None:
        qs = qs.exclude(pk=excluding)
    return int(qs.aggregate(total=Sum("amount"))["total"] or 0)


def _apply(tx: BankTransaction, code: str, *, principal: Principal | None) -> str:
    """Count `tx` for the dossier `code`; the reason it cannot be ("no_fee", "closed"), or ""."""
    dossier = Dossier.objects.select_for_update(of=("self",)).get(code=code)
    if dossier.fee_due <= 0:
        return "no_fee"
    before = received_for(dossier, excluding=tx.pk)
    total = before + tx.amount
    if dossier.fee_paid:
        tx.outcome, tx.excess = Outcome.AFTER_PAID, tx.amount
    elif total < dossier.fee_due:
        tx.outcome, tx.excess = Outcome.PARTIAL, 0
    else:
        try:
            with transaction.atomic():
                dossier_fee_paid(principal=principal, code=code, amount=total, reconciled=True,
                                 reference=tx.bank_reference or f"{tx.provider}:{tx.provider_id}")
        except (Conflict, InvalidInput):  # a dossier closed (refused, withdrawn, stopped, returned)
            return "closed"
        tx.outcome = Outcome.EXCESS if total > dossier.fee_due else Outcome.PAID
        tx.excess = total - dossier.fee_due
    tx.state, tx.dossier, tx.unmatched_reason = TransactionState.MATCHED, dossier, ""
    tx.matched_by = principal.user if principal is not None else None
    tx.handled_at = timezone.now() if principal is not None else None
    tx.save(update_fields=["state", "dossier", "unmatched_reason", "outcome", "excess", "matched_by", "handled_at"])
    audit_record(principal=principal, action="payments.transaction_matched", object_type="banktransaction",
                 object_id=tx.pk, data={"dossier": code, "amount": tx.amount, "received": total,
                                        "fee_due": dossier.fee_due, "outcome": tx.outcome, "excess": tx.excess,
                                        "by_hand": principal is not None})
    return ""


def _settleable(principal: Principal, transaction_id: int) -> BankTransaction:
    """The unmatched transaction, locked, if it reached an account of an agency where the
    officer may settle fees (else 404: scope does not leak existence)."""
    tx = (BankTransaction.objects.select_for_update(of=("self",)).select_related("fee_account__agency")
          .filter(pk=transaction_id).first())
    if tx is None or not _may_settle(principal, tx):
        raise NotFound(_("Không tìm thấy giao dịch %(id)s.") % {"id": transaction_id})
    if tx.state != TransactionState.UNMATCHED:
        raise Conflict(_("Giao dịch đã được xử lý."), code="already_handled")
    return tx


def _may_settle(principal: Principal, tx: BankTransaction) -> bool:
    if principal.is_superuser:
        return True
    if tx.fee_account is None:
        return False
    return bool(roles_at(principal, tx.fee_account.agency) & SETTLING_ROLES)


def bank_transaction_assign(*, principal: Principal, transaction_id: int, code: str) -> BankTransaction:
    """An officer says which dossier an unmatched transfer paid for: the dossier must have been
    received by the agency whose account the money reached. Counted as reconciliation would have
    (partial, paid, excess), audited with the officer's name."""
    with transaction.atomic():
        tx = _settleable(principal, transaction_id)
        # The code however typed (`core.codes.dossier_code_candidates`), at the account's agency.
        found = list(Dossier.objects.filter(
            code__in=dossier_code_candidates(code), receiving_agency_id=getattr(tx.fee_account, "agency_id", None),
        )[:2])
        dossier = found[0] if len(found) == 1 else None
        if dossier is None or tx.fee_account is None:
            raise InvalidInput(
                _("Không có hồ sơ %(code)s tiếp nhận tại cơ quan sở hữu tài khoản này.") % {"code": code},
                fields={"code": _("Không có hồ sơ này tại cơ quan sở hữu tài khoản.")},
            )
        problem = _apply(tx, dossier.code, principal=principal)
        if problem:
            messages = {"no_fee": _("Hồ sơ không có phí, lệ phí phải nộp."),
                        "closed": _("Hồ sơ đã kết thúc; không ghi nhận nộp phí được.")}
            raise Conflict(messages.get(problem, problem), code=problem)
        return tx


def bank_transaction_dismiss(*, principal: Principal, transaction_id: int, note: str = "") -> BankTransaction:
    """An officer marks an unmatched transfer as not the agency's business (a refund to make, a
    transfer for something else); it leaves the list, audited."""
    note = note.strip()
    with transaction.atomic():
        tx = _settleable(principal, transaction_id)
        tx.state, tx.matched_by, tx.handled_at = TransactionState.NOT_OURS, principal.user, timezone.now()
        tx.save(update_fields=["state", "matched_by", "handled_at"])
        audit_record(principal=principal, action="payments.transaction_dismissed", object_type="banktransaction",
                     object_id=tx.pk, data={"note": note[:500]})
        return tx


# --- statements --------------------------------------------------------------------------------


@dataclass
class ImportReport:
    recorded: int = 0
    duplicates: int = 0
    matched: int = 0
    unmatched: int = 0
    rejected: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"recorded": self.recorded, "duplicates": self.duplicates, "matched": self.matched,
                "unmatched": self.unmatched, "rejected": self.rejected,
                "errors": [{"line": line, "message": message} for line, message in self.errors]}


def statement_import(*, rows: Any, principal: Principal | None = None, progress: Any = None) -> ImportReport:
    """Record every line of a bank statement (`statements.read_statement`): each in its own
    transaction, so an interrupted import rerun records only what is missing; bad lines are
    reported with their number and skipped."""
    report = ImportReport()
    for line, transfer, error in rows:
        if progress is not None:
            progress.update(1)
        if error is not None or transfer is None:
            report.errors.append((line, error or "empty"))
            continue
        try:
            recorded = bank_transaction_record(transfer=transfer, principal=principal)
        except ApplicationError as exc:
            report.errors.append((line, exc.message))
            continue
        if not recorded.created:
            report.duplicates += 1
            continue
        report.recorded += 1
        if recorded.transaction.state == TransactionState.MATCHED:
            report.matched += 1
        elif recorded.transaction.state == TransactionState.UNMATCHED:
            report.unmatched += 1
    report.rejected = len(report.errors)
    return report


# --- the agencies import's bank columns ------------------------------------------------------

BANK_COLUMNS = ("bank_bin", "bank_account", "bank_account_name")


class AgencyAccounts:
    """The optional columns `bank_bin, bank_account, bank_account_name` of `tinhso import
    agencies`: `check` passes the lines on, turning a line with a bad account into that line's
    error (so the agency is not imported either); `save` then records the accounts of the
    agencies that were imported (`fee_account_save`, audited)."""

    def __init__(self) -> None:
        self.accounts: dict[str, tuple[int, str, str, str]] = {}

    def check(self, rows: Any) -> Any:
        for line, row, error in rows:
            if error is None and isinstance(row, dict) and any(row.get(c) for c in BANK_COLUMNS):
                raw = {c: row.get(c) for c in BANK_COLUMNS}
                if not all(isinstance(v, str) and v.strip() for v in raw.values()):
                    yield line, None, "bank_bin, bank_account and bank_account_name go together: all three or none"
                    continue
                values = {c: str(v) for c, v in raw.items()}
                problems = fee_account_problems(bank_bin=values["bank_bin"], account_number=values["bank_account"],
                                                account_name=values["bank_account_name"])
                if problems:
                    yield line, None, "; ".join(f"{name}: {message}" for name, message in problems.items())
                    continue
                self.accounts[str(row.get("code") or "").strip()] = (
                    line, values["bank_bin"].strip(), values["bank_account"].strip(), values["bank_account_name"].strip())
            yield line, row, error

    def save(self, *, rejected_lines: set[int], principal: Principal | None = None) -> int:
        saved = 0
        agencies = Agency.objects.in_bulk([c for c, a in self.accounts.items() if a[0] not in rejected_lines],
                                          field_name="code")
        for code, agency in agencies.items():
            _line, bank_bin, number, name = self.accounts[code]
            fee_account_save(principal=principal, agency=agency, bank_bin=bank_bin, account_number=number,
                             account_name=name)
            saved += 1
        return saved
