"""The citizen's sign-in pages: /cong-dan/dang-nhap/ (VNeID button when configured, phone form),
/cong-dan/dang-nhap/ma/ (the one-time code sent by SMS, the feedback app's OTP with its limits)
and the sign-out (POST). Sign-in and sign-out are audited (`citizen.signed_in`,
`citizen.signed_out`). `citizen_required` and `current_citizen` live in `guards`."""

from __future__ import annotations

from django import forms
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tinhso.agencies.principals import Principal
from tinhso.audit.services import audit_record
from tinhso.citizens.accounts import citizen_for_phone
from tinhso.citizens.oidc import BACKEND, citizen_home, citizen_oidc_enabled
from tinhso.citizenweb.guards import EXPIRED_KEY, citizen_required, current_citizen, safe_next, stamp
from tinhso.core.clients import client_address
from tinhso.core.errors import ApplicationError, InvalidInput
from tinhso.feedback.verification import normalise_phone, otp_request, otp_verify

__all__ = ["citizen_required", "current_citizen", "login_page", "login_code", "logout_view"]

PHONE_KEY = "tinhso_citizen_phone"
NEXT_KEY = "tinhso_citizen_next"


class PhoneForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("Số điện thoại di động"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Mã xác minh (6 chữ số)"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


@require_http_methods(["GET", "POST"])
def login_page(request: HttpRequest) -> HttpResponse:
    wanted = safe_next(request.GET.get("next") or request.POST.get("next"))
    if current_citizen(request) is not None:
        return redirect(wanted or citizen_home())
    form = PhoneForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            phone = normalise_phone(form.cleaned_data["phone"])
            otp_request(phone=phone, client_ip=client_address(request), purpose="sign_in")
        except InvalidInput as exc:
            form.add_error("phone", str(exc.fields.get("phone", exc.message)))
            status = 400
        except ApplicationError as exc:
            form.add_error("phone", exc.message)
            status = exc.status
        else:
            request.session[PHONE_KEY] = phone
            request.session[NEXT_KEY] = wanted
            return redirect("citizen:login_code")
    elif request.method == "POST":
        status = 400
    expired = request.session.pop(EXPIRED_KEY, False)
    return render(request, "citizenweb/signin/login.html", {
        "form": form, "next": wanted, "oidc": citizen_oidc_enabled(), "expired": expired,
    }, status=status)


@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    phone = request.session.get(PHONE_KEY)
    if not phone:
        return redirect("citizen:login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            ok = otp_verify(phone=phone, code=form.cleaned_data["code"], client_ip=client_address(request))
        except ApplicationError as exc:
            form.add_error("code", exc.message)
            status = exc.status
        else:
            if ok:
                citizen = citizen_for_phone(phone)
                wanted = safe_next(request.session.get(NEXT_KEY))
                login(request, citizen.user, backend=BACKEND)
                stamp(request)
                audit_record(principal=Principal.for_applicant(citizen.user), action="citizen.signed_in",
                             object_type="citizen", object_id=citizen.pk,
                             data={"by": "phone", "address": client_address(request)})
                return redirect(wanted or citizen_home())
            form.add_error("code", _("Mã không đúng hoặc đã hết hạn. Kiểm tra tin nhắn hoặc yêu cầu mã mới."))
            status = 400
    elif request.method == "POST":
        status = 400
    masked = f"{phone[:3]}****{phone[-3:]}"
    return render(request, "citizenweb/signin/code.html", {"form": form, "phone": masked}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    citizen = current_citizen(request)
    if citizen is not None:
        audit_record(principal=Principal.for_applicant(citizen.user), action="citizen.signed_out",
                     object_type="citizen", object_id=citizen.pk, data={"by": "citizen"})
        logout(request)
    return redirect(reverse("citizen:login"))
