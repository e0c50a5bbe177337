"""Fee accounts (tài khoản thu phí), bank transactions and the webhook's secret.

- `FeeAccount`: an agency's receiving bank account. A dossier's VietQR code names the first
  active account of its receiving agency; a transfer counts for a dossier only when it reached
  an account of that agency.
- `BankTransaction`: one credit a bank reported, by the webhook of a payment intermediary or a
  statement file. Unique by (provider, provider id) and by (account, the bank's own reference),
  so the same notification twice, or a webhook and a statement reporting one transfer, pay once.
  Matched to a dossier by reconciliation (`services.bank_transaction_record`) or by an officer.
- `WebhookSecret`: the intermediary's secret, stored only as its SHA-256 digest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FeeAccount(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="fee_accounts", verbose_name=_("cơ quan")
    )
    bank_bin = models.CharField(_("mã ngân hàng (BIN)"), max_length=6)
    account_number = models.CharField(_("số tài khoản"), max_length=19)
    account_name = models.CharField(_("tên tài khoản"), max_length=100)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tài khoản thu phí")
        verbose_name_plural = _("tài khoản thu phí")
        ordering = ["agency", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "bank_bin", "account_number"], name="fee_account_unique"),
        ]
        indexes = [models.Index(fields=["account_number"], name="fee_account_number")]

    def __str__(self) -> str:
        return f"{self.bank_bin} {self.account_number} ({self.account_name})"


class TransactionState(models.TextChoices):
    MATCHED = "matched", _("Đã đối soát")
    UNMATCHED = "unmatched", _("Chưa khớp hồ sơ")
    NOT_OURS = "not_ours", _("Không thuộc cơ quan")
    DEBIT = "debit", _("Tiền ra (không đối soát)")


class Outcome(models.TextChoices):
    """What a matched transaction did to its dossier's fee."""

    PAID = "paid", _("Đủ phí")
    PARTIAL = "partial", _("Nộp thiếu")
    EXCESS = "excess", _("Nộp thừa")
    AFTER_PAID = "after_paid", _("Nộp sau khi đã đủ phí")


class BankTransaction(models.Model):
    provider = models.CharField(_("nguồn"), max_length=40)  # "sepay", "statement"…
    provider_id = models.CharField(_("mã giao dịch của nguồn"), max_length=100)
    gateway = models.CharField(_("ngân hàng"), max_length=100, blank=True)
    account_number = models.CharField(_("số tài khoản"), max_length=19)
    fee_account = models.ForeignKey(FeeAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveBigIntegerField(_("số tiền"))
    credit = models.BooleanField(_("tiền vào"), default=True)
    content = models.CharField(_("nội dung chuyển khoản"), max_length=500, blank=True)
    bank_reference = models.CharField(_("mã tham chiếu ngân hàng"), max_length=100, blank=True)
    occurred_at = models.DateTimeField(_("thời điểm giao dịch"))
    recorded_at = models.DateTimeField(_("thời điểm ghi nhận"), auto_now_add=True)

    state = models.CharField(_("tình trạng"), max_length=10, choices=TransactionState.choices)
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.PROTECT, related_name="bank_transactions"
    )
    outcome = models.CharField(_("kết quả"), max_length=10, choices=Outcome.choices, blank=True)
    # The part of this transfer beyond the fee still due when it arrived (to refund or explain).
    excess = models.PositiveBigIntegerField(_("số tiền thừa"), default=0)
    # Why reconciliation left it unmatched ("no_code", "ambiguous", "unknown_account", "closed").
    unmatched_reason = models.CharField(max_length=20, blank=True)
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # None: matched automatically
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("giao dịch ngân hàng")
        verbose_name_plural = _("giao dịch ngân hàng")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_id"], name="bank_transaction_provider_unique"),
            models.UniqueConstraint(
                fields=["account_number", "bank_reference"], name="bank_transaction_reference_unique",
                condition=~Q(bank_reference=""),
            ),
        ]
        indexes = [
            # The officers' "unmatched transactions" page, per account.
            models.Index(fields=["fee_account", "-occurred_at"], name="bank_transaction_unmatched",
                         condition=Q(state="unmatched")),
            models.Index(fields=["dossier"], name="bank_transaction_dossier"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.provider_id} {self.amount}"


class WebhookSecret(models.Model):
    """The secret a payment intermediary sends (`Authorization: Apikey …`) or signs with (HMAC).
    The secret itself is derived from `salt` and the site's `SECRET_KEY` (so the database alone
    never holds it); `digest` is its SHA-256. The newest row not revoked is the one in force."""

    salt = models.CharField(max_length=64, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("khoá webhook thanh toán")
        verbose_name_plural = _("khoá webhook thanh toán")

    def __str__(self) -> str:
        return f"{self.digest[:8]}… {self.created_at:%Y-%m-%d}"
