"""Pages of the staff second factor (enrol, enter the code) and of staff single sign-on.

Thin: they call `second_factor` and `staff_sso`, mark the session and redirect.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import django_otp
import segno
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from tinhso.core.clients import client_address
from tinhso.core.errors import ApplicationError
from tinhso.identity import second_factor as sf


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return "/"


def _go(name: str, request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': _next(request)})}")


def _check(request: HttpRequest, *, enrolling: bool) -> tuple[HttpResponse | None, dict[str, Any]]:
    """POST: check the code; on success the session is verified and the answer is the redirect."""
    if request.method != "POST":
        return None, {}
    try:
        device = sf.second_factor_check(user=request.user, code=request.POST.get("code", ""),
                                        address=client_address(request), enrolling=enrolling)
    except ApplicationError as exc:
        return None, {"error": (exc.fields or {}).get("code") or exc.message, "status": exc.status}
    django_otp.login(request, device)
    return HttpResponseRedirect(_next(request)), {}


@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """Enter the 6-digit code of the authenticator app after the password."""
    if not sf.second_factor_required(request.user) or sf.is_verified(request.user):
        return HttpResponseRedirect(_next(request))
    if sf.confirmed_device(request.user) is None:
        return _go("identity:second_factor_enrol", request)
    done, context = _check(request, enrolling=False)
    if done is not None:
        return done
    status = context.pop("status", 200)
    return render(request, "identity/second_factor.html", {**context, "next": _next(request)}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the secret), then enter a code."""
    if not sf.second_factor_required(request.user) and sf.confirmed_device(request.user) is not None:
        return HttpResponseRedirect(_next(request))
    if sf.confirmed_device(request.user) is not None:
        return _go("identity:second_factor", request)
    done, context = _check(request, enrolling=True)
    if done is not None:
        return done
    status = context.pop("status", 200)
    device = sf.enrolment_device(user=request.user)
    uri = device.config_url
    secret = uri.split("secret=", 1)[1].split("&", 1)[0]
    qr = segno.make(uri, error="m").svg_inline(scale=4, title="otpauth")
    return render(request, "identity/second_factor_enrol.html", {
        **context, "next": _next(request), "otpauth_uri": uri,
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "qr_svg": mark_safe(qr),  # noqa: S308 (segno's own SVG markup of our URI)
    }, status=status)
