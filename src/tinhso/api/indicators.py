"""`/api/v1/indicators/…`: the Decision 766 index of an agency tree for a period, and the
dossiers that cost each metric its points (JSON or CSV). Scoped: a caller sees the agencies in
its scope only."""

from __future__ import annotations

from typing import Any, Literal

import orjson
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from tinhso.agencies.models import Agency
from tinhso.agencies.scoping import visible_agencies
from tinhso.api.api import ERRORS
from tinhso.api.auth import AUTH, principal_of
from tinhso.api.boundary import InputSchema, limit_field, offset_field
from tinhso.core.errors import InvalidInput, NotFound
from tinhso.core.exports import Column, Export, choice_labels, csv_streaming_response
from tinhso.dossiers.models import Channel, Rating, ResultKind, Status
from tinhso.indicators.periods import Period, parse_period
from tinhso.indicators.selectors import DEFINITIONS, explain, service_index

router = Router(tags=["indicators"], auth=AUTH)


class AgencyRef(Schema):
    code: str
    name: str


class PeriodOut(Schema):
    key: str
    start: str
    end: str


class MetricOut(Schema):
    code: str
    name: str
    numerator: int | None
    denominator: int | None
    ratio: float | None
    score: float | None
    max_score: float | None
    source: str
    has_data: bool = Field(description="False when nothing was measured (no counts, or d = 0 with no score of its "
                                       "own): shown as \"no data\", apart from a real zero.")


class GroupOut(Schema):
    code: str
    score: float | None
    max_score: float | None
    ratio: float | None
    unmeasured_points: float = Field(description="Points of the group on metrics without data.")
    metrics: list[MetricOut]


class ChildIndexOut(Schema):
    agency: AgencyRef
    period: PeriodOut
    total_score: float | None
    max_score: float
    unmeasured_points: float = Field(description="Points of the index on metrics without data.")
    groups: list[GroupOut]


class IndexOut(ChildIndexOut):
    children: list[ChildIndexOut]


class IndexQuery(InputSchema):
    agency: str = Field(max_length=40, description="An agency code, e.g. H44.")
    period: str = Field(max_length=7, description="`2026-08`, `2026-Q3` or `2026`.")


def _agency_and_period(request: HttpRequest, agency_code: str, period_key: str) -> tuple[Agency, Period]:
    try:
        period = parse_period(period_key)
    except ValueError as exc:
        raise InvalidInput(str(exc), fields={"period": str(exc)}) from None
    agency = visible_agencies(principal_of(request)).filter(code=agency_code).first()
    if agency is None:
        raise NotFound(f"Agency {agency_code!r} not found.")
    return agency, period


@router.get("/service-index", response={200: IndexOut, **ERRORS})
def get_service_index(request: HttpRequest, query: Query[IndexQuery]) -> Any:
    """The index of an agency and each of its child agencies for a month (`2026-08`), quarter
    (`2026-Q3`) or year (`2026`): counts roll up from dossiers; `source` says whether a metric is
    measured by tinhso or taken from the province's input table."""
    agency, period = _agency_and_period(request, query.agency, query.period)
    # Serialised directly: the dict is built to the documented schema (`IndexOut`, tested against
    # the OpenAPI document), and re-validating ~4,000 metric objects through pydantic cost more
    # than computing them.
    body = orjson.dumps(service_index(root=agency, period=period))
    return HttpResponse(body, content_type="application/json")


class ExplainQuery(InputSchema):
    agency: str = Field(max_length=40)
    period: str = Field(max_length=7)
    metric: str = Field(max_length=40)
    format: Literal["json", "csv"] = "json"
    limit: int = limit_field(50, 500)
    offset: int = offset_field()


class ExplainItem(Schema):
    code: str
    procedure_code: str
    procedure_name: str
    agency_code: str
    channel: int
    status: int
    received_at: str | None
    due_at: str | None
    finished_at: str | None
    rating: str
    complained: bool
    fee_paid_online: bool
    components_digitised: bool
    result_kind: str


# The display labels that follow each code in the CSV (`<field>_label`).
EXPLAIN_LABELS = {
    "channel": choice_labels(Channel), "status": choice_labels(Status), "rating": choice_labels(Rating),
    "result_kind": choice_labels(ResultKind),
}


class MetricDefinition(Schema):
    numerator: str
    denominator: str


class ExplainPage(Schema):
    metric: str
    # What the metric's n and d count, for the metrics whose definition tinhso chose (the
    # "declare once" ones); null for the others (see docs/architecture.md).
    definition: MetricDefinition | None = None
    count: int
    items: list[ExplainItem]


def _iso(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _item(d: Any) -> dict[str, Any]:
    return {
        "code": d.code,
        "procedure_code": d.procedure.code,
        "procedure_name": d.procedure.name,
        "agency_code": d.receiving_agency.code,
        "channel": d.channel,
        "status": d.status,
        "received_at": _iso(d.received_at),
        "due_at": _iso(d.due_at),
        "finished_at": _iso(d.finished_at),
        "rating": d.rating,
        "complained": d.complained,
        "fee_paid_online": d.fee_paid_online,
        "components_digitised": d.components_digitised,
        "result_kind": d.result_kind,
    }


@router.get("/service-index/explain", response={200: ExplainPage, **ERRORS})
def explain_metric(request: HttpRequest, query: Query[ExplainQuery]) -> Any:
    """The dossiers in a metric's denominator but not its numerator (paginated), or all of them as
    CSV with `format=csv` (no cell a formula). No personal data."""
    agency, period = _agency_and_period(request, query.agency, query.period)
    qs = explain(root=agency, period=period, metric=query.metric)
    if query.format == "csv":
        # The JSON fields as the header; instants in Asia/Ho_Chi_Minh; each code followed by its label.
        columns = [Column(f, key=f, labels=EXPLAIN_LABELS.get(f)) for f in ExplainItem.model_fields]
        rows = ([d.code, d.procedure.code, d.procedure.name, d.receiving_agency.code, d.channel, d.status,
                 d.received_at, d.due_at, d.finished_at, d.rating, d.complained, d.fee_paid_online,
                 d.components_digitised, d.result_kind] for d in qs.iterator(chunk_size=2000))
        return csv_streaming_response(
            Export(name=f"{agency.code}-{period.key}-{query.metric}", columns=columns, rows=rows), machine=True
        )
    definition = DEFINITIONS.get(query.metric)
    return {
        "metric": query.metric,
        "definition": None if definition is None else {"numerator": str(definition[0]), "denominator": str(definition[1])},
        "count": qs.count(),
        "items": [_item(d) for d in qs[query.offset : query.offset + query.limit]],
    }
