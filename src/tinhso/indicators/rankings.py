"""Rankings of an agency's child units (departments, communes) for a period, with movement.

What a ranking is by (`by`):
- `total`: the Decision 766 total score;
- a group code (`transparency`, `progress`, `online_service`, `online_payment`, `digitisation`,
  `satisfaction`): the group's score;
- a 766 metric code (`PROGRESS`, `ONLINE_SERVICE_C`, …): the metric's score;
- `set:<set code>:<indicator code>`: the value of an indicator of a province's own set; an
  indicator whose direction is `lower` ranks ascending, and only the units it applies to rank.

Units share a rank on equal values (competition ranking: 1, 1, 3); units without a value come
last without a rank. The previous period (`Period.previous()`) is ranked the same way, so each row
says where the unit was and how far it moved (`previous_rank − rank`, positive = up).

The index is computed once per period for the whole tree (`selectors.service_index`), never once
per child.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from tinhso.agencies.models import Agency, AgencyKind
from tinhso.core.errors import InvalidInput
from tinhso.indicators import formulas
from tinhso.indicators.models import Direction, Indicator
from tinhso.indicators.periods import Period
from tinhso.indicators.sets import agency_ref, applies, evaluate_indicators, tree_nodes

SET_PREFIX = "set:"


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _resolve_indicator(by: str) -> Indicator:
    parts = by.split(":")
    if len(parts) != 3 or not parts[1] or not parts[2]:
        raise InvalidInput(f"{by!r}: write set:<set code>:<indicator code>", fields={"by": "set:<set code>:<indicator code>"})
    indicator = (
        Indicator.objects.select_related("indicator_set").filter(indicator_set__code=parts[1], code=parts[2]).first()
    )
    if indicator is None:
        raise InvalidInput(f"No indicator {parts[2]!r} in set {parts[1]!r}.", fields={"by": "unknown set or indicator"})
    return indicator


def check_by(by: str) -> None:
    """Raise InvalidInput (field `by`) unless `by` names something a ranking can be by."""
    if by == "total" or by in formulas.GROUPS_BY_CODE or by in formulas.METRICS_BY_CODE:
        return
    if by.startswith(SET_PREFIX):
        _resolve_indicator(by)
        return
    raise InvalidInput(
        f"Cannot rank by {by!r}.",
        fields={"by": "total, a group code, a Decision 766 metric code or set:<set code>:<indicator code>"},
    )


def _index_values(index: dict[str, Any], by: str) -> float | None:
    if by == "total":
        return _float(index["total_score"])
    for group in index["groups"]:
        if group["code"] == by:
            return _float(group["score"])
        for metric in group["metrics"]:
            if metric["code"] == by:
                return _float(metric["score"])
    raise InvalidInput(f"Cannot rank by {by!r}.", fields={"by": "unknown code"})


def _values(root: Agency, children: list[Agency], period: Period, by: str, now: datetime,
            indicator: Indicator | None) -> dict[int, float | None]:
    """Agency id → the value ranked, for each child, from one computation for the whole tree."""
    if indicator is not None:
        [evaluated] = evaluate_indicators([indicator], root=root, period=period, now=now, nodes=[root, *children])
        by_code = {row["agency"]["code"]: row["value"] for row in evaluated["values"]}
        return {c.pk: _float(by_code.get(c.code)) for c in children}
    from tinhso.indicators.selectors import service_index

    index = service_index(root=root, period=period, now=now)
    by_code = {child["agency"]["code"]: _index_values(child, by) for child in index["children"]}
    return {c.pk: by_code.get(c.code) for c in children}


def _ranks(values: dict[int, float | None], ascending: bool) -> dict[int, int | None]:
    """Competition ranks (1, 1, 3) of the non-null values; null values have no rank."""
    ordered = sorted((v, pk) for pk, v in values.items() if v is not None)
    if not ascending:
        ordered.sort(key=lambda item: -item[0])
    ranks: dict[int, int | None] = dict.fromkeys(values)
    previous: float | None = None
    rank = 0
    for position, (value, pk) in enumerate(ordered, start=1):
        if value != previous:
            rank, previous = position, value
        ranks[pk] = rank
    return ranks


def rankings(*, root: Agency, period: Period, by: str = "total", kind: str | None = None,
             now: datetime | None = None) -> list[dict[str, Any]]:
    """`root`'s children ranked by `by` for `period` (optionally only those of `kind`), each with
    its value, rank, previous value and rank (`period.previous()`) and movement."""
    now = now or timezone.now()
    if kind is not None and kind not in AgencyKind.values:
        raise InvalidInput(f"Unknown agency kind {kind!r}.", fields={"kind": ", ".join(AgencyKind.values)})
    check_by(by)
    indicator = _resolve_indicator(by) if by.startswith(SET_PREFIX) else None
    children = tree_nodes(root)[1:]
    if kind is not None:
        children = [c for c in children if c.kind == kind]
    if indicator is not None:
        children = [c for c in children if applies(indicator, c)]
    ascending = indicator is not None and indicator.direction == Direction.LOWER
    current = _values(root, children, period, by, now, indicator)
    before = _values(root, children, period.previous(), by, now, indicator)
    ranks, previous_ranks = _ranks(current, ascending), _ranks(before, ascending)
    rows = []
    for child in children:
        rank, previous_rank = ranks[child.pk], previous_ranks[child.pk]
        rows.append(
            {
                "rank": rank,
                "agency": agency_ref(child),
                "value": current[child.pk],
                "previous_value": before[child.pk],
                "previous_rank": previous_rank,
                "movement": previous_rank - rank if rank is not None and previous_rank is not None else None,
            }
        )
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["agency"]["code"]))  # type: ignore[index]
    return rows


def direction_of(by: str) -> str:
    """`higher` or `lower`: which way is better for what a ranking is by."""
    if by.startswith(SET_PREFIX):
        return _resolve_indicator(by).direction
    return Direction.HIGHER

