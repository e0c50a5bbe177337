"""Counts every dossier action (and every receipt) for /metrics, after the change committed."""

from __future__ import annotations

from typing import Any


def count_action(*, action: str = "", **_payload: Any) -> None:
    from tinhso.monitoring import metrics

    metrics.count_action(str(action or "unknown"))
