"""`/api/v1/procedures/{code}`: one procedure of the catalogue as a client needs it to receive a
dossier — its legal time, fee, online level and numbered components (required, conditional,
optional). The catalogue is public information; the route is authenticated like the rest of
the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema

from tinhso.api.api import ERRORS
from tinhso.api.auth import AUTH
from tinhso.catalogue.models import Procedure, Requirement
from tinhso.core.errors import NotFound

router = Router(tags=["procedures"], auth=AUTH)

ProcedureCode = Annotated[str, Path(max_length=20, description="A procedure's code, e.g. 1.000894.")]


class ComponentOut(Schema):
    number: int
    name: str
    requirement: str
    requirement_label: str
    notes: str


class ProcedureOut(Schema):
    code: str
    name: str
    name_en: str
    field: str
    level: str
    online_level: str
    processing_amount: Decimal
    processing_unit: str
    fee_vnd: int
    result_document: str
    is_active: bool
    components: list[ComponentOut]


@router.get("/{code}", response={200: ProcedureOut, **ERRORS}, url_name="procedure_detail")
def procedure_detail(request: HttpRequest, code: ProcedureCode) -> dict[str, Any]:
    """The procedure and its components, numbered as `components[].number` of a receipt expects."""
    procedure = Procedure.objects.filter(code=code.strip()).first()
    if procedure is None:
        raise NotFound(_("Không có thủ tục có mã này."))
    labels = dict(Requirement.choices)
    return {
        **{f: getattr(procedure, f) for f in ("code", "name", "name_en", "field", "level", "online_level",
                                            "processing_amount", "processing_unit", "fee_vnd", "result_document",
                                            "is_active")},
        "components": [
            {"number": c.order, "name": c.name, "requirement": c.requirement,
             "requirement_label": str(labels.get(c.requirement, c.requirement)), "notes": c.notes}
            for c in procedure.components.order_by("order")
        ],
    }
