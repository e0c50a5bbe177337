"""Dossier endpoints (written next)."""

from ninja import Router

router = Router(tags=["dossiers"])
