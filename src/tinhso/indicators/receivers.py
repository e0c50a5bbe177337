"""The counters listen to the dossier domain's in-transaction events (the domain does not import
the indicators)."""

from __future__ import annotations

from typing import Any


def _on_dossier_changing(sender: Any, before: Any = None, after: Any = None, **_: Any) -> None:
    from tinhso.indicators.contributions import delta
    from tinhso.indicators.services import counters_apply

    counters_apply(delta(before, after))


def _on_dossiers_bulk_changing(sender: Any, pairs: Any = (), **_: Any) -> None:
    from tinhso.indicators.contributions import delta, merge
    from tinhso.indicators.services import counters_apply

    total: dict[Any, dict[str, int]] = {}
    for before, after in pairs:
        merge(total, delta(before, after))
    counters_apply({k: v for k, v in total.items() if any(v.values())})


def connect() -> None:
    from django.conf import settings

    from tinhso.dossiers.signals import dossier_changing, dossiers_bulk_changing

    if not getattr(settings, "TINHSO_LIVE_COUNTERS", True):  # switched off for measurements only
        return
    dossier_changing.connect(_on_dossier_changing, dispatch_uid="indicators-counters")
    dossiers_bulk_changing.connect(_on_dossiers_bulk_changing, dispatch_uid="indicators-counters-bulk")
