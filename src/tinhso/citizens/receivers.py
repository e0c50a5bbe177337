"""Listeners of the dossier domain's events: an electronic result, once the dossier is finished,
goes into its applicant's document store (`services.result_deliver`), after the finish commits.
A process that dies in between is caught up by the worker's sweep (`tasks.deliver_results`)."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from tinhso.dossiers.models import Dossier
from tinhso.dossiers.signals import dossier_changed

logger = logging.getLogger(__name__)


@receiver(dossier_changed, dispatch_uid="tinhso.citizens.deliver_result")
def deliver_result(sender: Any, *, dossier_id: int, action: str, **kwargs: Any) -> None:
    if action not in ("finish", "return"):
        return
    from tinhso.citizens.services import result_deliver

    dossier = (
        Dossier.objects.filter(pk=dossier_id, applicant_account__isnull=False, result_in_store=False)
        .select_related("procedure", "handling_agency")
        .first()
    )
    if dossier is None:
        return
    try:
        result_deliver(dossier)
    except Exception:  # the sweep retries; the finish itself has committed
        logger.exception("result delivery to the store failed for %s", dossier.code)
