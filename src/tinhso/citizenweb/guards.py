"""Who the citizen pages are for: `current_citizen(request)`, the `citizen_required` view
decorator, the `?next=` rule (same-site paths under /cong-dan/ or /dich-vu-cong/ only) and the
idle expiry of a citizen's session (`CitizenSessionTimeoutMiddleware`,
`TINHSO_CITIZEN_SESSION_SECONDS`, 30 minutes by default)."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from tinhso.citizens.models import Citizen

SEEN_KEY = "tinhso_citizen_seen"
EXPIRED_KEY = "tinhso_citizen_expired"
NEXT_PREFIXES = ("/cong-dan/", "/dich-vu-cong/")


def current_citizen(request: HttpRequest) -> Citizen | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff:
        return None
    try:
        return user.citizen  # type: ignore[no-any-return]
    except Citizen.DoesNotExist:
        return None


def safe_next(value: str | None) -> str:
    """`value` when it is a same-site path under the citizen's pages; else ""."""
    if not value or not value.startswith(NEXT_PREFIXES) or "\\" in value:
        return ""
    if not url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        return ""
    return value


def login_url(next_path: str = "") -> str:
    url = reverse("citizen:login")
    wanted = safe_next(next_path)
    return f"{url}?{urlencode({'next': wanted})}" if wanted else url


def citizen_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if current_citizen(request) is None:
            return redirect(login_url(request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapped


def stamp(request: HttpRequest) -> None:
    request.session[SEEN_KEY] = int(time.time())


class CitizenSessionTimeoutMiddleware:
    """A citizen's session idle for `TINHSO_CITIZEN_SESSION_SECONDS` ends (staff sessions are
    the workspace's own middleware's)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if current_citizen(request) is not None:
            now = int(time.time())
            seen = request.session.get(SEEN_KEY)
            if seen is not None and now - int(seen) > int(settings.TINHSO_CITIZEN_SESSION_SECONDS):
                from tinhso.agencies.principals import Principal
                from tinhso.audit.services import audit_record

                user = request.user
                audit_record(principal=Principal.for_applicant(user), action="citizen.signed_out",
                             object_type="citizen", object_id=user.citizen.pk, data={"by": "idle"})  # type: ignore[union-attr]
                logout(request)
                request.session[EXPIRED_KEY] = True
                if request.path.startswith(NEXT_PREFIXES):
                    return redirect(login_url(request.get_full_path()))
            elif seen is None or now - int(seen) >= 30:
                request.session[SEEN_KEY] = now
        return self.get_response(request)
