"""`/api/v1/procedures`: the procedure catalogue, public (tra cứu thủ tục hành chính).

- `GET /api/v1/procedures?q=&field=&level=&online=&limit=&offset=`: the search a citizen types,
  insensitive to diacritics and case ("khai sinh" finds "Đăng ký khai sinh"), ranked by relevance
  (`tinhso.catalogue.search.procedure_search`); active procedures only.
- `GET /api/v1/procedures/{code}`: one procedure as a client needs it to receive or submit a
  dossier — its legal time (and the online one), fee, result, legal basis, the agencies that
  receive it, and its numbered components (required, conditional, optional; the document type,
  copies and file types of each).

The catalogue is public information: both answer without a key (`auth=None`). An unknown
`level` or `online` is 422 naming the filter, like every refused input of the API.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from tinhso.api.api import PUBLIC_ERRORS, ErrorOut
from tinhso.api.auth import AUTH
from tinhso.api.boundary import InputSchema, limit_field, offset_field
from tinhso.catalogue.models import DocumentType, OnlineLevel, Procedure, ProcedureLevel, Requirement
from tinhso.catalogue.search import ANY_ONLINE, MAX_QUERY_CHARS, allows_online, procedure_search
from tinhso.catalogue.selectors import receiving_agencies
from tinhso.core.errors import NotFound

router = Router(tags=["procedures"], auth=AUTH)

ProcedureCode = Annotated[str, Path(max_length=20, description="A procedure's code, e.g. 1.000894.")]


class ProcedureQuery(InputSchema):
    q: str = Field("", max_length=MAX_QUERY_CHARS,
                   description="Words of the name or the code, with or without diacritics: `khai sinh`.")
    field: str = Field("", max_length=200, description="A field (lĩnh vực) exactly as the catalogue names it.")
    level: str = Field("", max_length=10, description=f"One of {', '.join(ProcedureLevel.values)}; empty: any.")
    online: str = Field("", max_length=10, description=(
        f"One of {', '.join(OnlineLevel.values)}, or `{ANY_ONLINE}` (any level a citizen may submit "
        "online); empty: any."))
    limit: int = limit_field(20, 100)
    offset: int = offset_field()


class ProcedureListItem(Schema):
    code: str
    name: str
    field: str
    level: str
    online_level: str
    processing_amount: Decimal
    processing_unit: str
    fee_vnd: int
    allows_online: bool


class ProcedurePage(Schema):
    count: int
    results: list[ProcedureListItem]


class AgencyRef(Schema):
    code: str
    name: str


class ComponentOut(Schema):
    number: int
    name: str
    requirement: str
    requirement_label: str
    notes: str
    document_type: str
    document_type_label: str
    copies: int
    file_types: list[str]


class ProcedureOut(Schema):
    code: str
    name: str
    name_en: str
    field: str
    level: str
    online_level: str
    processing_amount: Decimal
    processing_unit: str
    online_processing_amount: Decimal | None
    fee_vnd: int
    result_document: str
    legal_basis: str
    is_active: bool
    allows_online: bool
    agencies: list[AgencyRef]
    components: list[ComponentOut]


_LIST_FIELDS = ("code", "name", "field", "level", "online_level", "processing_amount", "processing_unit", "fee_vnd")
_DETAIL_FIELDS = ("code", "name", "name_en", "field", "level", "online_level", "processing_amount",
                  "processing_unit", "online_processing_amount", "fee_vnd", "result_document", "legal_basis",
                  "is_active")


@router.get("", response={200: ProcedurePage, **PUBLIC_ERRORS}, auth=None, url_name="procedure_list")
def procedure_list(request: HttpRequest, query: Query[ProcedureQuery]) -> dict[str, Any]:
    """Active procedures matching `q` and the filters, best match first (then by code)."""
    found = procedure_search(q=query.q, field=query.field, level=query.level, online=query.online)
    page = found.only(*_LIST_FIELDS, "is_active")[query.offset : query.offset + query.limit]
    return {
        "count": found.count(),
        "results": [{**{f: getattr(p, f) for f in _LIST_FIELDS}, "allows_online": allows_online(p)} for p in page],
    }


@router.get("/{code}", response={200: ProcedureOut, 404: ErrorOut, **PUBLIC_ERRORS}, auth=None, url_name="procedure_detail")
def procedure_detail(request: HttpRequest, code: ProcedureCode) -> dict[str, Any]:
    """The procedure, the agencies that receive it and its components, numbered as
    `components[].number` of a receipt expects."""
    procedure = Procedure.objects.filter(code=code.strip()).first()
    if procedure is None:
        raise NotFound(_("Không có thủ tục có mã này."))
    requirements, kinds = dict(Requirement.choices), dict(DocumentType.choices)
    return {
        **{f: getattr(procedure, f) for f in _DETAIL_FIELDS},
        "allows_online": allows_online(procedure),
        "agencies": [{"code": a.code, "name": a.name} for a in receiving_agencies(procedure).only("code", "name")],
        "components": [
            {"number": c.order, "name": c.name, "requirement": c.requirement,
             "requirement_label": str(requirements.get(c.requirement, c.requirement)), "notes": c.notes,
             "document_type": c.document_type, "document_type_label": str(kinds.get(c.document_type, "")),
             "copies": c.copies, "file_types": [t.strip() for t in c.file_types.split(",") if t.strip()]}
            for c in procedure.components.order_by("order")
        ],
    }
