"""Nothing but the second factor for a signed-in person whose role requires one and who has not
entered it in this session: every page (the admin included) sends them to enrol or to enter the
code, keeping where they were going. The sign-in, sign-out and second-factor pages themselves,
static files and the language switch stay reachable; the API refuses the session there itself
(`api/auth.SessionAuth`), so a machine client gets its error shape, not a redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from tinhso.identity.second_factor import confirmed_device, second_factor_pending

_OPEN_PREFIXES = ("/api/", "/open311/", "/i18n/")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not self._open(request.path_info)
                and second_factor_pending(user)):
            return self.redirect(request)
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        static = "/" + settings.STATIC_URL.lstrip("/")
        own = (reverse("identity:second_factor"), reverse("identity:second_factor_enrol"),
               reverse("workspace:logout"), reverse("workspace:login"))
        return path.startswith((*_OPEN_PREFIXES, static, *own))

    @staticmethod
    def redirect(request: HttpRequest) -> HttpResponse:
        name = "identity:second_factor" if confirmed_device(request.user) else "identity:second_factor_enrol"
        return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
