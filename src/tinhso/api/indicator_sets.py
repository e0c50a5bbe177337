"""`/api/v1/indicators/sets…` and `/api/v1/indicators/rankings`: a province's own indicator sets
evaluated for an agency tree and a period, and the ranking of an agency's child units (JSON, CSV
or XLSX for the dashboard's export links). Scoped: an agency outside the caller's scope is 404.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from tinhso.agencies.models import AgencyKind
from tinhso.api.api import ERRORS
from tinhso.api.auth import AUTH
from tinhso.api.boundary import InputSchema
from tinhso.api.indicators import _agency_and_period
from tinhso.core.errors import NotFound
from tinhso.core.exports import Column, Export, choice_labels, csv_response, xlsx_response
from tinhso.indicators.models import IndicatorSet
from tinhso.indicators.rankings import direction_of, rankings
from tinhso.indicators.sets import evaluate_set

router = Router(tags=["indicators"], auth=AUTH)


class AgencyOut(Schema):
    code: str
    name: str
    kind: str


class PeriodOut(Schema):
    key: str
    start: str
    end: str


class IndicatorDefinition(Schema):
    code: str
    name: str
    kind: str
    numerator: str
    denominator: str
    metric_code: str
    applies_to: str
    target: float
    direction: str
    warning: float | None


class SetOut(Schema):
    code: str
    name: str
    description: str
    is_public: bool
    indicators: list[IndicatorDefinition]


class SetList(Schema):
    items: list[SetOut]


@router.get("/sets", response={200: SetList, **ERRORS})
def list_sets(request: HttpRequest) -> Any:
    """The province's indicator sets and their definitions (formulas, targets, thresholds)."""
    sets = IndicatorSet.objects.prefetch_related("indicators").order_by("code")
    return {
        "items": [
            {
                "code": s.code,
                "name": s.name,
                "description": s.description,
                "is_public": s.is_public,
                "indicators": list(s.indicators.all()),
            }
            for s in sets
        ]
    }


class AgencyValue(Schema):
    agency: AgencyOut
    numerator: int | None
    denominator: int | None
    value: float | None
    status: Literal["met", "warning", "missed", "no_data"]


class IndicatorEvaluation(Schema):
    code: str
    name: str
    kind: str
    applies_to: str
    target: float
    direction: str
    warning: float | None
    values: list[AgencyValue]


SetCode = Annotated[str, Path(max_length=64, description="An indicator set's code.")]


class SetRef(Schema):
    code: str
    name: str
    description: str


class SetEvaluation(Schema):
    set: SetRef
    agency: AgencyOut
    period: PeriodOut
    indicators: list[IndicatorEvaluation]


class EvaluationQuery(InputSchema):
    agency: str = Field(max_length=40)
    period: str = Field(max_length=7)


@router.get("/sets/{code}", response={200: SetEvaluation, **ERRORS})
def get_set(request: HttpRequest, code: SetCode, query: Query[EvaluationQuery]) -> Any:
    """Each indicator of the set for the agency and each of its child units: numerator,
    denominator, value (%, 2 decimals; null without data) and status against the target."""
    agency, period = _agency_and_period(request, query.agency, query.period)
    indicator_set = IndicatorSet.objects.filter(code=code).first()
    if indicator_set is None:
        raise NotFound(f"Indicator set {code!r} not found.")
    return evaluate_set(indicator_set=indicator_set, root=agency, period=period)


class RankingQuery(InputSchema):
    agency: str = Field(max_length=40)
    period: str = Field(max_length=7)
    by: str = Field("total", max_length=40)
    kind: str | None = Field(None, max_length=40)
    format: Literal["json", "csv", "xlsx"] = "json"


class RankingRow(Schema):
    rank: int | None
    agency: AgencyOut
    value: float | None
    previous_value: float | None
    previous_rank: int | None
    movement: int | None


class RankingOut(Schema):
    by: str
    direction: str
    period: PeriodOut
    previous_period: str
    items: list[RankingRow]


def _export_columns() -> list[Column]:
    """The ranking's columns: JSON names for the CSV (machines), translated headers for the XLSX."""
    return [
        Column(_("Hạng"), key="rank"), Column(_("Mã cơ quan"), key="agency_code"),
        Column(_("Tên cơ quan"), key="agency_name", width=40),
        Column(_("Loại"), key="agency_kind", labels=choice_labels(AgencyKind), width=24),
        Column(_("Giá trị"), key="value"), Column(_("Hạng kỳ trước"), key="previous_rank"),
        Column(_("Giá trị kỳ trước"), key="previous_value"), Column(_("Thay đổi hạng"), key="movement"),
    ]


def _flat(row: dict[str, Any]) -> list[Any]:
    agency = row["agency"]
    return [row["rank"], agency["code"], agency["name"], agency["kind"], row["value"], row["previous_rank"],
            row["previous_value"], row["movement"]]


def _csv(rows: list[dict[str, Any]], filename: str) -> HttpResponse:
    return csv_response(Export(name=filename, columns=_export_columns(), rows=[_flat(r) for r in rows]), machine=True)


def _xlsx(rows: list[dict[str, Any]], filename: str, title: str) -> HttpResponse:
    return xlsx_response(Export(name=filename, title=title, sheet=_("Xếp hạng"), columns=_export_columns(),
                                rows=[_flat(r) for r in rows]))


@router.get("/rankings", response={200: RankingOut, **ERRORS})
def get_rankings(request: HttpRequest, query: Query[RankingQuery]) -> Any:
    """The agency's child units ranked by `by` — `total`, a group code, a 766 metric code or
    `set:<set code>:<indicator code>` — with the previous period's rank and the movement
    (positive = up). `kind` keeps only departments or commune committees; `format=csv|xlsx`
    downloads the table."""
    agency, period = _agency_and_period(request, query.agency, query.period)
    rows = rankings(root=agency, period=period, by=query.by, kind=query.kind or None)
    if query.format != "json":
        filename = f"xep-hang-{agency.code}-{period.key}-{query.by.replace(':', '-')}"
        if query.format == "csv":
            return _csv(rows, filename)
        title = _("Xếp hạng %(agency)s theo %(by)s, kỳ %(period)s") % {"agency": agency.name, "by": query.by, "period": period.key}
        return _xlsx(rows, filename, title)
    return {
        "by": query.by,
        "direction": direction_of(query.by),
        "period": {"key": period.key, "start": period.start.isoformat(), "end": period.end.isoformat()},
        "previous_period": period.previous().key,
        "items": rows,
    }
