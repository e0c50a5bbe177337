"""Reads behind the operations centre: whose tree a viewer watches, the index of a period (memoised
per request), the 12-month trend, the ranking of the children, the targets and the dossiers due
soon or overdue — every read scoped to the caller, none carrying personal data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tinhso.agencies.models import Agency
from tinhso.agencies.principals import Principal
from tinhso.agencies.scoping import visible_agencies
from tinhso.dossiers.models import OPEN_STATUSES, Dossier
from tinhso.dossiers.selectors import dossiers_visible
from tinhso.indicators import formulas
from tinhso.indicators.defaults import DEFAULT_SETS
from tinhso.indicators.models import IndicatorSet
from tinhso.indicators.periods import LOCAL_TZ, Period, add_months, current_period, parse_period, period_label
from tinhso.indicators.rankings import rankings
from tinhso.indicators.selectors import EXPLAINABLE, service_index
from tinhso.indicators.sets import evaluate_set
from tinhso.workcalendar.selectors import calendar_for_agency

TREND_MONTHS = 12
DUE_SOON_WORKING_SECONDS = 8 * 3600  # one working day of office time
GROUP_CODES = tuple(g.code for g in formulas.GROUPS)
RANK_KEYS = ("total", *GROUP_CODES)


class OutOfScope(Exception):
    """The agency asked for does not exist or is not visible to the caller (a 404)."""


def root_for(principal: Principal, code: str | None) -> Agency:
    """The agency a viewer watches: `code` if it is visible to them, else the highest agency they
    may see (the province committee for a province leader, their commune for commune staff)."""
    visible = visible_agencies(principal).select_related("unit__parent")
    if code:
        agency = visible.filter(code=code).first()
        if agency is None:
            raise OutOfScope(code)
        return agency
    candidates = list(visible.only("id", "code", "name", "path", "kind", "unit", "parent_id"))
    if not candidates:
        raise OutOfScope("")
    return min(candidates, key=lambda a: (a.path.count("/"), a.code))


def public_root(code: str | None) -> Agency:
    """The agency of the public page: any active agency by code; without one, the first top-level
    agency (the province committee)."""
    qs = Agency.objects.filter(is_active=True).select_related("unit__parent")
    agency = qs.filter(code=code).first() if code else qs.filter(parent__isnull=True).order_by("code").first()
    if agency is None:
        raise OutOfScope(code or "")
    return agency


def period_from(value: str | None, today: date | None = None) -> Period:
    """The period in the query string, or the current quarter. Raises ValueError if malformed."""
    if value:
        return parse_period(value)
    return current_period("quarter", today or timezone.localdate(timezone.now(), LOCAL_TZ))


def period_choices(today: date, selected: Period) -> list[tuple[str, str]]:
    """Periods to offer in the selector: this year's months, quarters and the years around it
    (the selected one is always included)."""
    year = today.year
    keys = [str(year), str(year - 1)]
    keys += [f"{year}-Q{q}" for q in range(4, 0, -1)] + [f"{year - 1}-Q{q}" for q in range(4, 0, -1)]
    keys += [f"{year}-{m:02d}" for m in range(12, 0, -1)] + [f"{year - 1}-{m:02d}" for m in range(12, 0, -1)]
    if selected.key not in keys:
        keys.insert(0, selected.key)
    return [(k, label(parse_period(k))) for k in keys]


def _language() -> str:
    from django.utils.translation import get_language

    return get_language() or "vi"


def label(period: Period, *, short: bool = False) -> str:
    """The period as the reader says it, in the page's language ("Quý IV/2026", "Q4 2026")."""
    return period_label(period, _language(), short=short)


@dataclass
class IndexReader:
    """`service_index` memoised for one request: the page, the ranking's previous period and the
    twelve months of the trend each read a period once."""

    now: datetime
    _memo: dict[tuple[int, str, bool], dict[str, Any]] = field(default_factory=dict)

    def index(self, root: Agency, period: Period, *, with_children: bool = True) -> dict[str, Any]:
        key = (root.pk, period.key, with_children)
        if key not in self._memo:
            if not with_children and (root.pk, period.key, True) in self._memo:
                return self._memo[(root.pk, period.key, True)]
            self._memo[key] = service_index(root=root, period=period, now=self.now, with_children=with_children)
        return self._memo[key]


def metric_of(index: dict[str, Any], code: str) -> dict[str, Any] | None:
    return next((m for g in index["groups"] for m in g["metrics"] if m["code"] == code), None)


def group_of(index: dict[str, Any], code: str) -> dict[str, Any] | None:
    return next((g for g in index["groups"] if g["code"] == code), None)


def group_names() -> dict[str, str]:
    english = _language().startswith("en")
    return {g.code: (g.name_en if english else g.name_vi) for g in formulas.GROUPS}


def trend(reader: IndexReader, root: Agency, period: Period) -> list[dict[str, Any]]:
    """The index total of `root` month by month: the 12 months ending with the period's last
    month (or this month, if the period runs on). A month without dossiers has no score to plot
    (`total` null: a gap in the line, not a fall to what the rules give an empty month)."""
    this_month = timezone.localdate(reader.now, LOCAL_TZ).replace(day=1)
    last = min(add_months(period.end_month, -1), this_month)
    points = []
    for back in range(TREND_MONTHS - 1, -1, -1):
        month = parse_period(f"{add_months(last, -back):%Y-%m}")
        index = reader.index(root, month, with_children=False)
        received = (metric_of(index, "PROGRESS") or {}).get("denominator") or 0
        points.append({"period": month.key, "label": label(month, short=True),
                       "total": index["total_score"] if received else None, "received": received})
    return points


def ranking(reader: IndexReader, root: Agency, period: Period, by: str = "total") -> list[dict[str, Any]]:
    """The children of `root` ranked by the total or one group's score (`indicators.rankings`),
    each row with the child's total and group scores for the table's other columns."""
    if by not in RANK_KEYS:
        by = "total"
    children = {c["agency"]["code"]: c for c in reader.index(root, period)["children"]}
    rows = []
    for row in rankings(root=root, period=period, by=by, now=reader.now):
        child = children.get(row["agency"]["code"])
        movement = row["movement"]
        rows.append({
            **row,
            "total": child["total_score"] if child else None,
            "groups": {g["code"]: g["score"] for g in child["groups"]} if child else {},
            # groups of the child none of whose points rest on data: "no data" on the page
            "groups_no_data": {g["code"] for g in child["groups"] if g["unmeasured_points"] >= g["max_score"]}
            if child else set(),
            "movement_abs": abs(movement) if movement is not None else None,
        })
    return rows


def default_indicator_set() -> IndicatorSet | None:
    """The set the dashboard shows: the province's resolution targets as loaded by `tinhso setup`
    (the first default set), else the first set defined."""
    first_default = DEFAULT_SETS[0]["code"] if DEFAULT_SETS else None
    return (IndicatorSet.objects.filter(code=first_default).first() if first_default else None) or (
        IndicatorSet.objects.order_by("id").first()
    )


def targets(root: Agency, period: Period, now: datetime) -> dict[str, Any] | None:
    """Targets met and missed under the default indicator set: per indicator the status of `root`
    itself (when the indicator applies to it) and how many of the units under it met it."""
    indicator_set = default_indicator_set()
    if indicator_set is None:
        return None
    result = evaluate_set(indicator_set=indicator_set, root=root, period=period, now=now)
    rows = []
    tally = {"met": 0, "warning": 0, "missed": 0, "no_data": 0}
    for ind in result["indicators"]:
        own = next((v for v in ind["values"] if v["agency"]["code"] == root.code), None)
        units = [v for v in ind["values"] if v["agency"]["code"] != root.code]
        status = own["status"] if own else None
        if status:
            tally[status] += 1
        measured = [v for v in units if v["status"] != "no_data"]
        rows.append({
            "code": ind["code"], "name": ind["name"], "target": ind["target"], "direction": ind["direction"],
            "value": own["value"] if own else None, "status": status,
            # units without data (no dossier in the period) are neither met nor missed
            "units_met": sum(1 for v in measured if v["status"] == "met"), "units": len(measured),
            "units_no_data": len(units) - len(measured),
        })
    return {"name": indicator_set.name, "rows": rows, "tally": tally}


@dataclass
class DueLists:
    overdue_count: int
    due_soon_count: int
    overdue: list[dict[str, Any]]
    due_soon: list[dict[str, Any]]


def _open_in_tree(principal: Principal, root: Agency) -> QuerySet[Dossier]:
    tree = Q(handling_agency__path__startswith=root.path) | Q(receiving_agency__path__startswith=root.path)
    return dossiers_visible(principal).filter(tree, status__in=OPEN_STATUSES, paused_at__isnull=True, due_at__isnull=False)


def _row(d: Dossier) -> dict[str, Any]:
    """A dossier as the dashboard lists it: code, procedure, agency, due moment — nothing personal."""
    return {
        "code": d.code,
        "procedure_code": d.procedure.code,
        "procedure": d.procedure.name,
        "agency_code": d.handling_agency.code,
        "agency": d.handling_agency.name,
        "due_at": timezone.localtime(d.due_at, LOCAL_TZ),
    }


def due_lists(principal: Principal, root: Agency, now: datetime, limit: int | None = 10) -> DueLists:
    """Open dossiers of `root`'s tree already past their due moment, and those due within one
    working day (office time of the province's calendar); the soonest due first."""
    cutoff = calendar_for_agency(root).add_working_seconds(now, DUE_SOON_WORKING_SECONDS)
    base = _open_in_tree(principal, root).select_related("procedure", "handling_agency").order_by("due_at", "id")
    overdue = base.filter(due_at__lt=now)
    soon = base.filter(due_at__gte=now, due_at__lt=cutoff)
    return DueLists(
        overdue_count=overdue.count(),
        due_soon_count=soon.count(),
        overdue=[_row(d) for d in (overdue[:limit] if limit else overdue)],
        due_soon=[_row(d) for d in (soon[:limit] if limit else soon)],
    )


def explainable(metric: str) -> bool:
    return metric in EXPLAINABLE
