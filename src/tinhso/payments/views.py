"""The officers' "unmatched transactions" page (giao dịch chưa đối soát), at `/thanh-toan/`.

Transfers reconciliation could not match (no dossier code in the content, an ambiguous one, a
closed dossier) wait here for an officer of the agency whose account received them: assign to
a dossier (the money then counts as reconciliation would have counted it) or mark as not ours.
A face: parse, call one service or selector, render; each decision is audited by the service.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tinhso.agencies.principals import Principal
from tinhso.core.errors import ApplicationError
from tinhso.payments import selectors, services

PAGE_SIZE = 50


class AssignForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Mã hồ sơ"), max_length=64)


class DismissForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=500, required=False)


def _settler(request: HttpRequest) -> Principal:
    principal = Principal.for_user(request.user)
    if principal is None or not (principal.is_superuser
                                 or any(r in services.SETTLING_ROLES for _a, r in principal.roles)):
        raise DjangoPermissionDenied(_("Bạn không có vai trò đối soát phí, lệ phí."))
    return principal


@login_required
@require_GET
def unmatched(request: HttpRequest) -> HttpResponse:
    principal = _settler(request)
    page = Paginator(selectors.unmatched_transactions(principal), PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(request, "payments/unmatched.html", {"page": page, "assign_form": AssignForm(),
                                                       "dismiss_form": DismissForm()})


def _transaction_id(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 19 else 0


@login_required
@require_POST
def assign(request: HttpRequest, transaction_id: str) -> HttpResponse:
    principal = _settler(request)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Cần mã hồ sơ."))
        return redirect("payments:unmatched")
    try:
        tx = services.bank_transaction_assign(principal=principal, transaction_id=_transaction_id(transaction_id),
                                              code=form.cleaned_data["code"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã ghi nhận giao dịch cho hồ sơ %(code)s.") % {"code": tx.dossier})
    return redirect("payments:unmatched")


@login_required
@require_POST
def dismiss(request: HttpRequest, transaction_id: str) -> HttpResponse:
    principal = _settler(request)
    form = DismissForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.bank_transaction_dismiss(principal=principal, transaction_id=_transaction_id(transaction_id), note=note)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã đánh dấu giao dịch không thuộc cơ quan."))
    return redirect("payments:unmatched")
