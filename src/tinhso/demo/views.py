"""The demo's own page: `/demo/messages/`, what the demo would have sent (SMS, verification
codes, e-mails). It exists only in demo mode (`TINHSO_DEMO`); anywhere else it is a 404.

Open to anyone in demo mode: the visitor who tries the public feedback form is not signed in
and needs the verification code the demo "sent" to the phone they typed. The demo's people and
phones are made up.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tinhso.demo.outbox import recent_emails, recent_sms
from tinhso.demo.progress import demo_progress


@require_GET
def messages(request: HttpRequest) -> HttpResponse:
    if not getattr(settings, "TINHSO_DEMO", False):
        raise Http404()
    return render(request, "demo/messages.html", {
        "sms": recent_sms(), "emails": recent_emails(), "progress": demo_progress(),
    })
