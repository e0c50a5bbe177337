"""The product's own answer to a refused form (CSRF failure); 403, 404 and 500 are Django's
views rendering the project's `403.html`, `404.html` and `500.html`.

A CSRF failure is what an officer meets after a page stayed open across a sign-in elsewhere or a
session that expired: the page says what happened, that nothing was saved, and leads back to the
page the form came from (when it is on this site) so the typed text can be sent again.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """`CSRF_FAILURE_VIEW`: 403 with the product's page (the reason is for logs, not people)."""
    referer = request.META.get("HTTP_REFERER", "")
    safe = url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return render(request, "403_csrf.html", {"back_url": referer if referer and safe else ""}, status=403)
