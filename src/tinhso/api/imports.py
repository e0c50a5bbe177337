"""`POST /api/v1/dossiers/import` (written next)."""

from ninja import Router

router = Router(tags=["import"])
