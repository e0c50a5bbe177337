"""A province's own indicator sets (targets of its resolutions, DTI components), evaluated live.

An `Indicator` is data, one of three kinds:

- `ratio`: 100 × numerator / denominator, each side an expression over the counter columns
  (`contributions.COLUMNS`, where `overdue_open` is the open dossiers of the period past due at
  the moment of measure), joined by `+` and `-` only, e.g. `received - finished_late - overdue_open`
  over `received`. Expressions are parsed here, never `eval`-ed; an unknown name is an error
  that names it.
- `metric`: the ratio of a Decision 766 metric (`formulas.METRICS`), measured or entered.
- `input`: a value entered per agency and period (`IndicatorValue`), for what tinhso cannot
  know (most DTI components: their formulas are not public).

Each value is compared with the indicator's target in its direction (`higher` / `lower`): at or
beyond the target it is `met`; short of it but at or beyond the `warning` threshold it is
`warning`; otherwise `missed`; without a value (d = 0, nothing entered, or a metric tinhso
measures for an agency that received no dossier in the period) it is `no_data` — never a target
missed.

`applies_to` picks the agencies an indicator is evaluated for: `commune` = commune People's
Committees, `province` = every other agency, `all` = both. An agency's counts are those of its
whole subtree (as for the 766 index): the root's figure for a `province` indicator is its tree's.

The counters of the whole tree are read once (`selectors.counts_for_tree`) for every indicator
of a set; the 766 scoring and the entered values are read once more each, and only when a set
has such indicators.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils import timezone

from tinhso.agencies.models import Agency, AgencyKind
from tinhso.indicators import formulas
from tinhso.indicators.contributions import COLUMNS
from tinhso.indicators.models import AgencyScope, Direction, Indicator, IndicatorSet, IndicatorValue
from tinhso.indicators.periods import Period

# The names an expression may use: the counter columns (`overdue_open` includes the live part).
VARIABLES: tuple[str, ...] = COLUMNS
KINDS: tuple[str, ...] = ("ratio", "metric", "input")


class ExpressionError(ValueError):
    """An expression that cannot be read; the message says why (and names an unknown column)."""


Expression = tuple[tuple[int, str], ...]  # (sign, variable) terms

_TOKEN = re.compile(r"\s*(?:(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[+-])|(?P<bad>\S))")


def parse_expression(text: str) -> Expression:
    """`received - finished_late - overdue_open` → ((1, "received"), (-1, "finished_late"), …).

    Grammar: variable (("+" | "-") variable)*, variables from `VARIABLES`.
    """
    terms: list[tuple[int, str]] = []
    sign: int | None = 1  # the sign of the next variable; None = an operator is expected
    for match in _TOKEN.finditer(text or ""):
        if match["bad"]:
            raise ExpressionError(f"unexpected character {match['bad']!r} in {text!r}: only column names, + and -")
        if match["name"]:
            if sign is None:
                raise ExpressionError(f"missing + or - before {match['name']!r} in {text!r}")
            if match["name"] not in VARIABLES:
                raise ExpressionError(f"unknown column {match['name']!r}; use one of: {', '.join(VARIABLES)}")
            terms.append((sign, match["name"]))
            sign = None
        elif match["op"]:
            if sign is not None:
                raise ExpressionError(f"{match['op']!r} without a column before it in {text!r}")
            sign = 1 if match["op"] == "+" else -1
    if not terms:
        raise ExpressionError("empty expression: name at least one column")
    if sign is not None:
        raise ExpressionError(f"{text!r} ends with an operator")
    return tuple(terms)


def evaluate_expression(expression: Expression, values: dict[str, int]) -> int:
    return sum(sign * values[name] for sign, name in expression)


def indicator_errors(*, kind: str, numerator: str = "", denominator: str = "", metric_code: str = "") -> dict[str, str]:
    """Field → message for an indicator definition that cannot be evaluated (empty if it can)."""
    errors: dict[str, str] = {}
    if kind not in KINDS:
        return {"kind": f"unknown kind {kind!r}; use one of: {', '.join(KINDS)}"}
    if kind == "ratio":
        for field, text in (("numerator", numerator), ("denominator", denominator)):
            try:
                parse_expression(text)
            except ExpressionError as exc:
                errors[field] = str(exc)
    elif kind == "metric" and metric_code not in formulas.METRICS_BY_CODE:
        errors["metric_code"] = f"unknown Decision 766 metric {metric_code!r}"
    return errors


def applies(indicator: Indicator, agency: Agency) -> bool:
    """Whether `indicator` is evaluated for `agency` (its `applies_to`)."""
    is_commune = agency.kind == AgencyKind.COMMUNE_COMMITTEE
    if indicator.applies_to == AgencyScope.COMMUNE:
        return is_commune
    if indicator.applies_to == AgencyScope.PROVINCE:
        return not is_commune
    return True


def status_of(value: Decimal | None, *, target: Decimal, direction: str, warning: Decimal | None) -> str:
    """`met` / `warning` / `missed` / `no_data` for a value against a target in a direction."""
    if value is None:
        return "no_data"
    if direction == Direction.LOWER:
        if value <= target:
            return "met"
        return "warning" if warning is not None and value <= warning else "missed"
    if value >= target:
        return "met"
    return "warning" if warning is not None and value >= warning else "missed"


def percent(n: int, d: int) -> Decimal | None:
    """100 × n/d half-up to 2 decimals from the exact ratio; None when d == 0."""
    return formulas.round_half_up(100 * Fraction(n, d)) if d else None


def agency_ref(agency: Agency) -> dict[str, str]:
    return {"code": agency.code, "name": agency.name, "kind": agency.kind}


@dataclass
class _Tree:
    """What one evaluation reads for the root and its children, each read at most once."""

    root: Agency
    nodes: list[Agency]
    period: Period
    now: datetime
    _counts: dict[int, Any] | None = None
    _scores: dict[int, dict[str, Any]] | None = None

    def columns(self, agency: Agency) -> dict[str, int]:
        if self._counts is None:
            from tinhso.indicators.selectors import counts_for_tree

            self._counts = counts_for_tree(self.root, self.nodes, self.period, self.now)
        return self._counts[agency.pk].columns

    def metric(self, agency: Agency, code: str) -> dict[str, Any]:
        if self._scores is None:
            from tinhso.indicators import selectors

            if self._counts is None:
                self._counts = selectors.counts_for_tree(self.root, self.nodes, self.period, self.now)
            inputs = selectors.entered_inputs(self.nodes, self.period)
            catalogues = selectors.catalogues_by_kind()
            self._scores = {}
            for node in self.nodes:
                scored = selectors.score(node, self._counts[node.pk], inputs.get(node.pk, {}), catalogues[node.kind])
                self._scores[node.pk] = {m["code"]: m for g in scored["groups"] for m in g["metrics"]}
        return self._scores[agency.pk][code]


def tree_nodes(root: Agency) -> list[Agency]:
    """The root and its children (one level down, by code), as the 766 index shows them."""
    return [root, *Agency.objects.filter(parent=root).order_by("code")]


def _entered_values(indicators: Sequence[Indicator], nodes: list[Agency], period: Period) -> dict[tuple[int, int], Decimal]:
    ids = [i.pk for i in indicators if i.kind == "input"]
    if not ids:
        return {}
    rows = IndicatorValue.objects.filter(indicator_id__in=ids, agency__in=nodes, period_key=period.key)
    return {(r.indicator_id, r.agency_id): r.value for r in rows.only("indicator_id", "agency_id", "value")}


def _value_for(indicator: Indicator, agency: Agency, tree: _Tree, entered: dict[tuple[int, int], Decimal]) -> dict[str, Any]:
    numerator: int | None = None
    denominator: int | None = None
    value: Decimal | None = None
    if indicator.kind == "ratio":
        columns = tree.columns(agency)
        numerator = evaluate_expression(parse_expression(indicator.numerator), columns)
        denominator = evaluate_expression(parse_expression(indicator.denominator), columns)
        value = percent(numerator, denominator)
    elif indicator.kind == "metric":
        metric = tree.metric(agency, indicator.metric_code)
        numerator, denominator = metric["numerator"], metric["denominator"]
        value = percent(numerator, denominator) if numerator is not None and denominator else None
        if value is not None and metric["source"] == "tinhso" and not tree.columns(agency)["received"]:
            # Measured from dossiers, but the agency received none in the period: a share of
            # the catalogue (fee-bearing procedures paid online…) is not a target missed.
            value = None
    else:
        value = entered.get((indicator.pk, agency.pk))
    return {
        "agency": agency_ref(agency),
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
        "status": status_of(value, target=indicator.target, direction=indicator.direction, warning=indicator.warning),
    }


def evaluate_indicators(
    indicators: Iterable[Indicator], *, root: Agency, period: Period, now: datetime | None = None,
    nodes: list[Agency] | None = None,
) -> list[dict[str, Any]]:
    """Each indicator with its values for the root and its children (those it applies to)."""
    indicators = list(indicators)
    nodes = nodes if nodes is not None else tree_nodes(root)
    tree = _Tree(root=root, nodes=nodes, period=period, now=now or timezone.now())
    entered = _entered_values(indicators, nodes, period)
    out = []
    for indicator in indicators:
        problems = indicator_errors(kind=indicator.kind, numerator=indicator.numerator,
                                    denominator=indicator.denominator, metric_code=indicator.metric_code)
        if problems:
            raise ExpressionError(f"indicator {indicator.code!r}: " + "; ".join(f"{k}: {v}" for k, v in problems.items()))
        out.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "kind": indicator.kind,
                "applies_to": indicator.applies_to,
                "target": indicator.target,
                "direction": indicator.direction,
                "warning": indicator.warning,
                "values": [_value_for(indicator, a, tree, entered) for a in nodes if applies(indicator, a)],
            }
        )
    return out


def evaluate_set(*, indicator_set: IndicatorSet, root: Agency, period: Period, now: datetime | None = None) -> dict[str, Any]:
    """Every indicator of the set for `root` and each child agency, for `period`.

    Values are `Decimal` percentages (half-up, 2 decimals; None when the denominator is 0 or
    nothing was entered); `status` is met / warning / missed / no_data.
    """
    nodes = tree_nodes(root)
    return {
        "set": {"code": indicator_set.code, "name": indicator_set.name, "description": indicator_set.description},
        "agency": agency_ref(root),
        "period": {"key": period.key, "start": period.start.isoformat(), "end": period.end.isoformat()},
        "indicators": evaluate_indicators(
            indicator_set.indicators.order_by("order", "code"), root=root, period=period, now=now, nodes=nodes
        ),
    }
