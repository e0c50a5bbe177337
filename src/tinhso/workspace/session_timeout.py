"""Staff sessions end after a working day without activity, and say so.

`TINHSO_STAFF_SESSION_SECONDS` (9 h by default) of inactivity end a signed-in session: the
middleware keeps the moment of the last request that counted as activity in the session
(refreshed at most once a minute, so a busy officer's session row is not rewritten on every
click), and the first request after the limit signs the person out and sends them to the
sign-in page, which says "Phiên làm việc đã hết hạn" and leads back to the page they were on.

The page warns before: base.html carries the seconds left (`session_context`), `session.js`
shows a banner `TINHSO_SESSION_WARNING_SECONDS` before the end with a "keep working" button that
posts to `session_keep` (which counts as activity); `session_status` answers the seconds left
without counting as activity, so a banner in another tab reads the truth. What the officer typed
is kept by the browser: `session.js` saves a form's fields when the session is about to end or a
form is sent after it ended, and puts them back on the page once signed in again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

# In the session: when the last request that counted as activity came (epoch seconds).
SEEN_KEY = "tinhso_seen"
# In the fresh session after an expiry: the sign-in page says why it is shown.
EXPIRED_KEY = "tinhso_session_expired"
# Where every form needs a signed-in officer (the dossier pages, the counter).
STAFF_FORM_PATHS = ("/ho-so/", "/tiep-nhan/")


def _limit() -> int:
    return int(settings.TINHSO_STAFF_SESSION_SECONDS)


def _touch_every() -> int:
    """How stale the stamp may be before a request rewrites it: a minute, or less for short limits."""
    return max(1, min(60, _limit() // 10))


def seconds_left(request: HttpRequest, now: float | None = None) -> int:
    """Seconds until the signed-in session ends without activity (the limit if never stamped)."""
    seen = request.session.get(SEEN_KEY)
    if not isinstance(seen, int | float):
        return _limit()
    return max(0, int(seen + _limit() - (time.time() if now is None else now)))


def _passive(request: HttpRequest) -> bool:
    """Requests that do not count as the officer's activity: asking how long is left."""
    return request.path == reverse("workspace:session_status")


def _back_path(request: HttpRequest) -> str:
    """Where to return after signing in again: this page (GET), or the page the form was on."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return ""


class StaffSessionTimeoutMiddleware:
    """After `AuthenticationMiddleware`: ends a session idle for `TINHSO_STAFF_SESSION_SECONDS`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method == "POST" and request.path.startswith(STAFF_FORM_PATHS)
            and not request.user.is_authenticated and request.session.get(EXPIRED_KEY)
        ):
            # A desk or counter form sent from a page whose session already ended (the banner's
            # question ended it): back through the sign-in page to that page, not to the
            # POST-only action.
            return self._to_sign_in(request, _back_path(request))
        if request.user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(SEEN_KEY)
            if isinstance(seen, int) and now - seen >= _limit():
                return self._expired(request)
            if not _passive(request) and (not isinstance(seen, int) or now - seen >= _touch_every()):
                request.session[SEEN_KEY] = now
        return self.get_response(request)

    def _expired(self, request: HttpRequest) -> HttpResponse:
        back = _back_path(request)
        logout(request)
        request.session[EXPIRED_KEY] = True
        if request.path.startswith("/api/") or _passive(request):
            # Machine clients and the banner's question get their own answer (401, seconds 0).
            return self.get_response(request)
        return self._to_sign_in(request, back)

    def _to_sign_in(self, request: HttpRequest, back: str) -> HttpResponse:
        login = reverse("workspace:login")
        target = f"{login}?{urlencode({'next': back})}" if back else login
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)


def session_context(request: HttpRequest) -> dict[str, Any]:
    """For base.html: the seconds left and when to warn, for a signed-in person only."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "session_timer": True,
        "session_seconds_left": seconds_left(request),
        "session_warning_seconds": min(int(settings.TINHSO_SESSION_WARNING_SECONDS), _limit() // 2),
    }


@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """How long the session has left (0: signed out). Does not count as activity."""
    if not request.user.is_authenticated:
        return JsonResponse({"seconds_left": 0})
    return JsonResponse({"seconds_left": seconds_left(request)})


@require_POST
def session_keep(request: HttpRequest) -> JsonResponse:
    """"Tiếp tục làm việc": counts as activity, so the session starts a new working day's wait."""
    if not request.user.is_authenticated:
        return JsonResponse({"seconds_left": 0}, status=401)
    request.session[SEEN_KEY] = int(time.time())
    return JsonResponse({"seconds_left": seconds_left(request)})


def was_expired(request: HttpRequest) -> bool:
    """Whether the sign-in page is shown because the session ended (read once)."""
    return bool(request.session.pop(EXPIRED_KEY, False))
