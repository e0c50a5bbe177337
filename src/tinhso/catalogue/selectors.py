"""Reads of the catalogue that other parts ask for: which agencies receive a procedure's dossiers.

The 2025 rule: a dossier may be handed in at any agency of the province that receives the
procedure, whatever the applicant's address. A commune-level procedure is received by every
commune committee; a province-level one by the public administrative service centres, or by the
departments where the province has no centre. The online submission uses this exact function.
"""

from __future__ import annotations

from django.db.models import QuerySet

from tinhso.agencies.models import Agency, AgencyKind
from tinhso.catalogue.models import Procedure, ProcedureLevel


def receiving_agencies(procedure: Procedure) -> QuerySet[Agency]:
    """The active agencies that receive the procedure's dossiers, ordered by name (then code)."""
    active = Agency.objects.filter(is_active=True)
    if procedure.level == ProcedureLevel.COMMUNE:
        return active.filter(kind=AgencyKind.COMMUNE_COMMITTEE).order_by("name", "code")
    centres = active.filter(kind=AgencyKind.SERVICE_CENTRE)
    if centres.exists():
        return centres.order_by("name", "code")
    return active.filter(kind=AgencyKind.DEPARTMENT).order_by("name", "code")
