"""Admin for the agencies' receiving accounts (checked against the Napas list, every change
audited by `AuditedAdmin`) and a read-only view of the bank transactions (they come from the
banks: an officer settles the unmatched ones on their own page, never by editing a row)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from tinhso.audit.admin_mixins import AuditedAdmin
from tinhso.payments.models import BankTransaction, FeeAccount
from tinhso.payments.services import fee_account_problems

# The service names the fields as the agencies import's columns do.
_FORM_FIELDS = {"bank_bin": "bank_bin", "bank_account": "account_number", "bank_account_name": "account_name"}


class FeeAccountForm(forms.ModelForm):
    class Meta:
        model = FeeAccount
        fields = ["agency", "bank_bin", "account_number", "account_name", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        problems = fee_account_problems(
            bank_bin=str(data.get("bank_bin") or ""), account_number=str(data.get("account_number") or ""),
            account_name=str(data.get("account_name") or ""),
        )
        for name, message in problems.items():
            field_name = _FORM_FIELDS[name]
            if field_name not in self.errors:
                self.add_error(field_name, message)
        for name in ("bank_bin", "account_number", "account_name"):
            if isinstance(data.get(name), str):
                data[name] = data[name].strip()
        return data


@admin.register(FeeAccount)
class FeeAccountAdmin(AuditedAdmin, admin.ModelAdmin):
    form = FeeAccountForm
    list_display = ["agency", "bank_bin", "account_number", "account_name", "is_active"]
    list_filter = ["is_active", "bank_bin"]
    search_fields = ["agency__code", "agency__name", "account_number", "account_name"]
    raw_id_fields = ["agency"]


@admin.register(BankTransaction)
class BankTransactionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["occurred_at", "account_number", "amount", "content", "state", "outcome", "dossier"]
    list_filter = ["state", "outcome", "provider"]
    search_fields = ["account_number", "content", "bank_reference", "provider_id", "dossier__code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
