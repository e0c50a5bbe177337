"""Reads of the index: counts for an agency tree and a period, assembled with the formulas.

A request reads the counters of the agencies in the tree for the period's months (grouped by
agency, and by agency and procedure for the procedure-level parts), plus the open dossiers that
are past due right now (a bounded scan of the open-dossier index). Parents add their children's
counts — never their scores.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from tinhso.agencies.models import Agency, AgencyKind
from tinhso.catalogue.models import OnlineLevel, Procedure, ProcedureLevel
from tinhso.indicators import formulas
from tinhso.indicators.contributions import COLUMNS, OPEN_STATUSES
from tinhso.indicators.models import DossierCounter, IndicatorInput
from tinhso.indicators.periods import Period

# Metrics tinhso measures itself from its dossiers and catalogue; the rest come from inputs.
MEASURED = frozenset(
    {
        "PROGRESS",
        "ONLINE_SERVICE_A",
        "ONLINE_SERVICE_B",
        "ONLINE_SERVICE_C",
        "ONLINE_PAYMENT_A",
        "ONLINE_PAYMENT_B",
        "ONLINE_PAYMENT_C",
        "ORIGINAL_RESULT_AVAILABLE",
        "SO_HOA_GIAY_TO_GIAI_QUYET",
        "DOSSIER_RECEIVING_SATISFACTION",
    }
)
# Measured from the citizen feedback (tinhso.feedback) rather than the dossiers.
PETITION_METRICS = frozenset(
    {"PETITION_PROCESSING_ON_TIME", "PETITION_HANDLING_SATISFACTION", "PETITION_CLASSIFICATION_TTHC",
     "PETITION_CLASSIFICATION_STAFF"}
)
INPUT_METRICS = tuple(m.code for m in formulas.METRICS if m.code not in MEASURED | PETITION_METRICS)


@dataclass
class Counts:
    """The counts of one agency's subtree for a period."""

    columns: dict[str, int]
    overdue_open: int
    overdue_open_not_dissatisfied: int
    # procedure id → (received, online, paid_online) within the subtree
    by_procedure: dict[int, tuple[int, int, int]]
    # citizen feedback: total, on_time, satisfied, procedures, staff
    petitions: dict[str, int] | None = None


def _zero() -> dict[str, int]:
    return dict.fromkeys(COLUMNS, 0)


def subtree(root: Agency) -> list[Agency]:
    return list(Agency.objects.filter(path__startswith=root.path).only("id", "code", "name", "path", "kind", "parent_id"))


def _counter_rows(agency_ids: list[int], period: Period) -> Iterable[dict[str, Any]]:
    return (
        DossierCounter.objects.filter(agency_id__in=agency_ids, month__gte=period.first_month, month__lt=period.end_month)
        .values("agency_id", "procedure_id")
        .annotate(**{c: Sum(c) for c in COLUMNS})
        .order_by()
    )


def open_overdue(agency_ids: list[int], period: Period, now: datetime) -> dict[int, tuple[int, int]]:
    """Open, unpaused dossiers received in the period whose due moment has passed, per agency:
    (all, those not already counted as dissatisfied)."""
    from tinhso.dossiers.models import Dossier

    rows = (
        Dossier.objects.filter(
            status__in=OPEN_STATUSES,
            due_at__lt=now,
            paused_at__isnull=True,
            received_at__gte=period.start,
            received_at__lt=period.end,
            receiving_agency_id__in=agency_ids,
        )
        .values("receiving_agency_id")
        .annotate(n=Count("id"), fresh=Count("id", filter=~Q(rating="unsatisfied") & Q(complained=False)))
        .order_by()
    )
    return {r["receiving_agency_id"]: (r["n"], r["fresh"]) for r in rows}


def counts_for_tree(root: Agency, nodes: list[Agency], period: Period, now: datetime) -> dict[int, Counts]:
    """Counts for each node (root and its children), each summing its own subtree."""
    agencies = subtree(root)
    ids = [a.pk for a in agencies]
    path_of = {a.pk: a.path for a in agencies}
    own: dict[int, dict[str, int]] = defaultdict(_zero)
    own_proc: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for row in _counter_rows(ids, period):
        target = own[row["agency_id"]]
        for c in COLUMNS:
            target[c] += row[c] or 0
        p = own_proc[row["agency_id"]][row["procedure_id"]]
        p[0] += row["received"] or 0
        p[1] += row["online"] or 0
        p[2] += row["paid_online"] or 0
    overdue = open_overdue(ids, period, now)
    from tinhso.feedback.selectors import petition_counts

    petitions = petition_counts(ids, period.start, period.end, now)
    result: dict[int, Counts] = {}
    for node in nodes:
        members = [a for a in ids if path_of[a].startswith(node.path)]
        columns = _zero()
        by_procedure: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
        late_open = fresh = 0
        for a in members:
            for c, v in own.get(a, {}).items():
                columns[c] += v
            for pid, (r, o, po) in own_proc.get(a, {}).items():
                acc = by_procedure[pid]
                acc[0] += r
                acc[1] += o
                acc[2] += po
            n, f = overdue.get(a, (0, 0))
            late_open += n
            fresh += f
        petition_totals = dict.fromkeys(("total", "on_time", "satisfied", "procedures", "staff"), 0)
        for a in members:
            for key, value in petitions.get(a, {}).items():
                petition_totals[key] += value
        result[node.pk] = Counts(columns, late_open, fresh, {k: (v[0], v[1], v[2]) for k, v in by_procedure.items()},
                                 petition_totals)
    return result


def procedures_under(agency: Agency) -> list[Procedure]:
    """The procedures under an agency's authority: the whole catalogue for the province committee,
    the commune-level procedures for commune committees, the province-level ones otherwise."""
    qs = Procedure.objects.filter(is_active=True)
    if agency.kind == AgencyKind.COMMUNE_COMMITTEE:
        qs = qs.filter(level=ProcedureLevel.COMMUNE)
    elif agency.kind != AgencyKind.PROVINCE_COMMITTEE:
        qs = qs.filter(level=ProcedureLevel.PROVINCE)
    return list(qs.only("id", "online_level", "fee_vnd"))


def measured_inputs(agency: Agency, counts: Counts, procedures: list[Procedure]) -> dict[str, tuple[int, int]]:
    """n/d of every metric tinhso measures, from the counts (definitions: service-index-766.md)."""
    c = counts.columns
    received = c["received"]
    late = c["finished_late"] + counts.overdue_open
    dissatisfied = c["dissatisfied"] + counts.overdue_open_not_dissatisfied
    online_ids = {p.pk for p in procedures if p.online_level in (OnlineLevel.FULL, OnlineLevel.PARTIAL)}
    fee_ids = {p.pk for p in procedures if p.fee_vnd > 0}
    of_online = [v for pid, v in counts.by_procedure.items() if pid in online_ids]
    return {
        "PROGRESS": (received - late, received),
        "ONLINE_SERVICE_A": (len(online_ids), len(procedures)),
        "ONLINE_SERVICE_B": (sum(v[1] for v in of_online), sum(v[0] for v in of_online)),
        "ONLINE_SERVICE_C": (c["online"], received),
        "ONLINE_PAYMENT_A": (c["paid_online"], c["with_fee"]),
        "ONLINE_PAYMENT_B": (
            sum(1 for pid in fee_ids if counts.by_procedure.get(pid, (0, 0, 0))[2] > 0),
            len(fee_ids),
        ),
        "ONLINE_PAYMENT_C": (
            sum(1 for pid in fee_ids if counts.by_procedure.get(pid, (0, 0, 0))[0] > 0),
            len(fee_ids),
        ),
        "ORIGINAL_RESULT_AVAILABLE": (c["result_electronic"], c["finished"]),
        "SO_HOA_GIAY_TO_GIAI_QUYET": (c["digitised"], received),
        "DOSSIER_RECEIVING_SATISFACTION": (received - dissatisfied, received),
        **petition_inputs(counts.petitions or {}),
    }


def petition_inputs(p: dict[str, int]) -> dict[str, tuple[int, int]]:
    """The petition metrics from the feedback counts (d = reports received in the period)."""
    total = p.get("total", 0)
    return {
        "PETITION_PROCESSING_ON_TIME": (p.get("on_time", 0), total),
        "PETITION_HANDLING_SATISFACTION": (p.get("satisfied", 0), total),
        "PETITION_CLASSIFICATION_TTHC": (p.get("procedures", 0), total),
        "PETITION_CLASSIFICATION_STAFF": (p.get("staff", 0), total),
    }


def entered_inputs(nodes: list[Agency], period: Period) -> dict[int, dict[str, tuple[int, int]]]:
    """Inputs entered for each node; a node without its own takes the sum of its subtree's."""
    rows = IndicatorInput.objects.filter(period_key=period.key).select_related("agency").only(
        "agency__path", "metric_code", "numerator", "denominator"
    )
    entries = [(r.agency.path, r.agency_id, r.metric_code, r.numerator, r.denominator) for r in rows]
    out: dict[int, dict[str, tuple[int, int]]] = {}
    for node in nodes:
        own = {code: (n, d) for path, aid, code, n, d in entries if aid == node.pk}
        summed: dict[str, list[int]] = {}
        for path, aid, code, n, d in entries:
            if aid != node.pk and path.startswith(node.path) and code not in own:
                acc = summed.setdefault(code, [0, 0])
                acc[0] += n
                acc[1] += d
        out[node.pk] = own | {k: (v[0], v[1]) for k, v in summed.items()}
    return out


def _metric_name(code: str) -> str:
    spec = formulas.METRICS_BY_CODE[code]
    from django.utils.translation import get_language

    return spec.name_en if (get_language() or "vi").startswith("en") else spec.name_vi


def _dec(value: Any) -> float | None:
    return None if value is None else float(value)


def score(agency: Agency, counts: Counts, inputs: dict[str, tuple[int, int]], procedures: list[Procedure]) -> dict[str, Any]:
    values = measured_inputs(agency, counts, procedures)
    sources = dict.fromkeys(values, "tinhso")
    for code in INPUT_METRICS:
        sources[code] = "input"
        if code in inputs:
            values[code] = inputs[code]
    total, groups = formulas.score_index(values, sources=sources)
    return {
        "agency": {"code": agency.code, "name": agency.name},
        "total_score": _dec(total),
        "max_score": float(formulas.MAX_TOTAL),
        "groups": [
            {
                "code": g.code,
                "score": _dec(g.score),
                "max_score": _dec(g.max_score),
                "ratio": _dec(g.ratio),
                "metrics": [
                    {
                        "code": m.code,
                        "name": _metric_name(m.code),
                        "numerator": m.numerator,
                        "denominator": m.denominator,
                        "ratio": _dec(m.ratio),
                        "score": _dec(m.score),
                        "max_score": _dec(m.max_score),
                        "source": sources.get(m.code, "tinhso"),
                    }
                    for m in g.metrics
                ],
            }
            for g in groups
        ],
    }


def service_index(*, root: Agency, period: Period, now: datetime | None = None, with_children: bool = True) -> dict[str, Any]:
    """The index of `root` and (one level down) of each child agency, for `period`."""
    now = now or timezone.now()
    children = list(Agency.objects.filter(parent=root).order_by("code")) if with_children else []
    nodes = [root, *children]
    counts = counts_for_tree(root, nodes, period, now)
    inputs = entered_inputs(nodes, period)
    result = score(root, counts[root.pk], inputs.get(root.pk, {}), procedures_under(root))
    result["period"] = {"key": period.key, "start": period.start.isoformat(), "end": period.end.isoformat()}
    procedure_cache: dict[str, list[Procedure]] = {}
    result["children"] = []
    for child in children:
        kind_key = child.kind
        if kind_key not in procedure_cache:
            procedure_cache[kind_key] = procedures_under(child)
        child_result = score(child, counts[child.pk], inputs.get(child.pk, {}), procedure_cache[kind_key])
        child_result["period"] = result["period"]
        result["children"].append(child_result)
    return result


def _late_q(now: datetime) -> Q:
    finished_late = Q(status__in=(9, 10), finished_at__isnull=False, due_at__isnull=False, finished_at__gt=F("due_at"))
    open_overdue_now = Q(status__in=OPEN_STATUSES, due_at__lt=now, paused_at__isnull=True)
    return finished_late | open_overdue_now


# metric → the dossiers that are in its denominator but not in its numerator.
def _explain_q(metric: str, now: datetime) -> Q | None:
    online_levels = (OnlineLevel.FULL, OnlineLevel.PARTIAL)
    return {
        "PROGRESS": _late_q(now),
        "DOSSIER_RECEIVING_SATISFACTION": _late_q(now) | Q(rating="unsatisfied") | Q(complained=True),
        "ONLINE_SERVICE_B": Q(procedure__online_level__in=online_levels) & ~Q(channel=2),
        "ONLINE_SERVICE_C": ~Q(channel=2),
        "ONLINE_PAYMENT_A": Q(fee_due__gt=0, fee_paid_online=False),
        "ORIGINAL_RESULT_AVAILABLE": Q(status__in=(9, 10)) & ~Q(result_kind="electronic"),
        "SO_HOA_GIAY_TO_GIAI_QUYET": Q(components_digitised=False),
    }.get(metric)


EXPLAINABLE = ("PROGRESS", "DOSSIER_RECEIVING_SATISFACTION", "ONLINE_SERVICE_B", "ONLINE_SERVICE_C",
               "ONLINE_PAYMENT_A", "ORIGINAL_RESULT_AVAILABLE", "SO_HOA_GIAY_TO_GIAI_QUYET")


def explain(*, root: Agency, period: Period, metric: str, now: datetime | None = None) -> Any:
    """The dossiers that cost `metric` its points for `root`'s tree in `period` (a queryset)."""
    from tinhso.core.errors import InvalidInput
    from tinhso.dossiers.models import Dossier

    q = _explain_q(metric, now or timezone.now())
    if q is None:
        raise InvalidInput(
            f"{metric} is not measured from dossiers; explainable metrics: {', '.join(EXPLAINABLE)}",
            fields={"metric": "not explainable"},
        )
    return (
        Dossier.objects.filter(
            q,
            received_at__gte=period.start,
            received_at__lt=period.end,
            receiving_agency__path__startswith=root.path,
        )
        .select_related("procedure", "receiving_agency")
        .order_by("received_at", "id")
    )
