"""Running an action form from a page: validate, call the one service, report the outcome.

Shared by the dossier page and the report page, so both turn bad input, a stale version and
a refused move into the same kind of message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from tinhso.core.errors import ApplicationError, Conflict, NotFound


def run_page_action(
    request: HttpRequest,
    *,
    form: forms.Form,
    label: str,
    call: Callable[[dict[str, Any]], Any],
    stale_message: str,
    not_found_message: str,
) -> bool:
    """Validate `form`, then `call(cleaned_data)`; every outcome becomes a message. True on success.
    Something the caller may not see answers 404."""
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[n].label}: {' '.join(map(str, errs))}" if n in form.fields and n != "version"
            else " ".join(map(str, errs))
            for n, errs in form.errors.items()
        )
        messages.error(request, _("Chưa thực hiện “%(action)s”: %(problems)s") % {"action": label, "problems": problems})
        return False
    try:
        call(form.cleaned_data)
    except Conflict as exc:
        messages.error(request, stale_message if exc.code == "stale_version" else exc.message)
        return False
    except NotFound:
        raise Http404(not_found_message) from None
    except ApplicationError as exc:
        details = "; ".join(str(v) for v in exc.fields.values() if str(v) != exc.message)
        messages.error(request, f"{exc.message} {details}".strip())
        return False
    messages.success(request, _("Đã thực hiện “%(action)s”.") % {"action": label})
    return True
