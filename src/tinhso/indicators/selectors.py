"""Reads of the index: counts for an agency tree and a period, assembled with the formulas.

A request reads the counters of the agencies in the tree for the period's months (grouped by
agency, and by procedure for the procedure-level parts), plus the open dossiers that turned past
due since the worker's last sweep marked them (a range scan of a tiny partial index). Parents add
their children's counts — never their scores.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q
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
    """The counts of one agency's subtree for a period: the counter columns (`overdue_open` and
    `dissatisfied` include the dossiers past due but not marked yet, counted live), per procedure
    (received, online, paid_online), and the citizen feedback counts."""

    columns: dict[str, int]
    by_procedure: dict[int, tuple[int, int, int]]
    # citizen feedback: total, on_time, satisfied, procedures, staff
    petitions: dict[str, int] | None = None


def _zero() -> dict[str, int]:
    return dict.fromkeys(COLUMNS, 0)


def subtree(root: Agency) -> list[Agency]:
    return list(Agency.objects.filter(path__startswith=root.path).only("id", "code", "name", "path", "kind", "parent_id"))


def _like_prefix(path: str) -> str:
    return path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_SUBTREE = (
    f"agency_id IN (SELECT id FROM {Agency._meta.db_table} WHERE path LIKE %s ESCAPE '\\')"
)
_COUNTER = DossierCounter._meta.db_table
_SUMS = ", ".join(f"SUM({c})" for c in COLUMNS)
# The subtree's counters for the period: per agency (every column), per agency and procedure, and
# per procedure over the whole subtree (the three columns the procedure-level metrics read).
_BY_AGENCY = f"SELECT agency_id, {_SUMS} FROM {_COUNTER} WHERE month >= %s AND month < %s AND {_SUBTREE} GROUP BY agency_id"
_PROC_SUMS = "SUM(received), SUM(online), SUM(paid_online)"
_BY_AGENCY_PROCEDURE = (
    f"SELECT agency_id, procedure_id, {_PROC_SUMS} FROM {_COUNTER} WHERE month >= %s AND month < %s AND {_SUBTREE} "
    "GROUP BY agency_id, procedure_id"
)
_BY_PROCEDURE = (
    f"SELECT procedure_id, {_PROC_SUMS} FROM {_COUNTER} WHERE month >= %s AND month < %s AND {_SUBTREE} "
    "GROUP BY procedure_id"
)


def open_overdue(root: Agency, period: Period, now: datetime) -> dict[int, tuple[int, int]]:
    """Open, unpaused dossiers received in the period whose due moment has passed but which are
    not marked overdue yet (the sweep marks them every minute), per receiving agency of the
    subtree: (all, those not otherwise counted as dissatisfied). A range scan of the small
    `dossier_overdue_pending` index."""
    from tinhso.dossiers.models import Dossier

    rows = (
        Dossier.objects.filter(
            status__in=OPEN_STATUSES,
            marked_overdue=False,
            paused_at__isnull=True,
            due_at__lt=now,
            received_at__gte=period.start,
            received_at__lt=period.end,
            receiving_agency__path__startswith=root.path,
        )
        .values("receiving_agency_id")
        .annotate(n=Count("id"), fresh=Count("id", filter=~Q(rating="unsatisfied") & Q(complained=False)))
        .order_by()
    )
    return {r["receiving_agency_id"]: (r["n"], r["fresh"]) for r in rows}


def counts_for_tree(root: Agency, nodes: list[Agency], period: Period, now: datetime) -> dict[int, Counts]:
    """Counts for each node (`root` and children of it), each summing its own subtree.

    Three grouped reads of the counters (a few thousand rows for a province's quarter), one of
    the not-yet-marked overdue dossiers and one of the feedback; the sums per node are done here
    only where a node has more than one agency below it."""
    agencies = list(Agency.objects.filter(path__startswith=root.path).values_list("id", "path"))
    # Each agency belongs to the root and to at most one of the other nodes (a child of the root).
    node_by_path = {n.path: n.pk for n in nodes if n.pk != root.pk}
    cut = len(root.path)
    node_of: dict[int, int] = {}
    for aid, path in agencies:
        head = path[cut:].split("/", 1)[0]
        node_id = node_by_path.get(root.path + head + "/") if head else None
        if node_id is not None:
            node_of[aid] = node_id
    members: dict[int, list[int]] = defaultdict(list)
    for aid, node_id in node_of.items():
        members[node_id].append(aid)

    params = (period.first_month, period.end_month, _like_prefix(root.path))
    with connection.cursor() as cursor:
        cursor.execute(_BY_AGENCY, params)
        own = {row[0]: row[1:] for row in cursor.fetchall()}
        cursor.execute(_BY_AGENCY_PROCEDURE, params)
        own_proc: dict[int, dict[int, tuple[int, int, int]]] = defaultdict(dict)
        for aid, pid, r, o, po in cursor.fetchall():
            own_proc[aid][pid] = (int(r), int(o), int(po))
        cursor.execute(_BY_PROCEDURE, params)
        root_proc = {pid: (int(r), int(o), int(po)) for pid, r, o, po in cursor.fetchall()}
    overdue = open_overdue(root, period, now)
    from tinhso.feedback.selectors import petition_counts

    petitions = petition_counts([aid for aid, _ in agencies], period.start, period.end, now)
    i_overdue, i_dissatisfied = COLUMNS.index("overdue_open"), COLUMNS.index("dissatisfied")

    def summed(ids: Iterable[int]) -> tuple[dict[str, int], dict[str, int]]:
        totals = [0] * len(COLUMNS)
        feedback = dict.fromkeys(("total", "on_time", "satisfied", "procedures", "staff"), 0)
        for aid in ids:
            row = own.get(aid)
            if row is not None:
                for i, v in enumerate(row):
                    totals[i] += int(v or 0)
            late = overdue.get(aid)
            if late is not None:
                totals[i_overdue] += late[0]
                totals[i_dissatisfied] += late[1]
            for key, value in petitions.get(aid, {}).items():
                feedback[key] += value
        return dict(zip(COLUMNS, totals, strict=True)), feedback

    result: dict[int, Counts] = {}
    for node in nodes:
        if node.pk == root.pk:
            columns, feedback = summed(aid for aid, _ in agencies)
            result[node.pk] = Counts(columns, root_proc, feedback)
            continue
        ids = members.get(node.pk, [])
        columns, feedback = summed(ids)
        if len(ids) == 1:
            by_procedure = own_proc.get(ids[0], {})
        else:
            acc: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
            for aid in ids:
                for pid, (r, o, po) in own_proc.get(aid, {}).items():
                    a = acc[pid]
                    a[0] += r
                    a[1] += o
                    a[2] += po
            by_procedure = {k: (v[0], v[1], v[2]) for k, v in acc.items()}
        result[node.pk] = Counts(columns, by_procedure, feedback)
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
    late = c["finished_late"] + c["overdue_open"]
    dissatisfied = c["dissatisfied"]
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


_NAMES = {
    "vi": {m.code: m.name_vi for m in formulas.METRICS},
    "en": {m.code: m.name_en for m in formulas.METRICS},
}
_SOURCES = {code: ("input" if code in INPUT_METRICS else "tinhso") for code in formulas.METRICS_BY_CODE}
# Scored agencies, by everything their result depends on. Scoring is a pure function of the
# counts, so between two reads only the agencies whose counts moved are scored again (a
# dashboard polled every few seconds re-scores a handful of its 164 agencies).
_SCORED_CACHE_SIZE = 8192


def _language() -> str:
    from django.utils.translation import get_language

    return "en" if (get_language() or "vi").startswith("en") else "vi"


def _dec(value: Any) -> float | None:
    return None if value is None else float(value)


def score(agency: Agency, counts: Counts, inputs: dict[str, tuple[int, int]], procedures: list[Procedure]) -> dict[str, Any]:
    """The index of one agency (without period and children). The result may be shared with
    other callers (see `_scored`): read it, do not change it."""
    values = measured_inputs(agency, counts, procedures)
    for code in INPUT_METRICS:
        if code in inputs:
            values[code] = inputs[code]
    return _scored(agency.code, agency.name, _language(), tuple(values.items()))


@functools.lru_cache(maxsize=_SCORED_CACHE_SIZE)
def _scored(code: str, name: str, language: str, values: tuple[tuple[str, tuple[int, int]], ...]) -> dict[str, Any]:
    total, groups = formulas.score_index(dict(values), sources=_SOURCES)
    names = _NAMES[language]
    return {
        "agency": {"code": code, "name": name},
        "total_score": float(total),
        "max_score": float(formulas.MAX_TOTAL),
        "groups": [
            {
                "code": g.code,
                "score": float(g.score),
                "max_score": float(g.max_score),
                "ratio": float(g.ratio),
                "metrics": [
                    {
                        "code": m.code,
                        "name": names[m.code],
                        "numerator": m.numerator,
                        "denominator": m.denominator,
                        "ratio": None if m.ratio is None else float(m.ratio),
                        "score": None if m.score is None else float(m.score),
                        "max_score": float(m.max_score),
                        "source": _SOURCES[m.code],
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
    period_out = {"key": period.key, "start": period.start.isoformat(), "end": period.end.isoformat()}
    procedure_cache: dict[str, list[Procedure]] = {}

    def procedures_of(agency: Agency) -> list[Procedure]:
        if agency.kind not in procedure_cache:
            procedure_cache[agency.kind] = procedures_under(agency)
        return procedure_cache[agency.kind]

    result = {**score(root, counts[root.pk], inputs.get(root.pk, {}), procedures_of(root)), "period": period_out}
    result["children"] = [
        {**score(child, counts[child.pk], inputs.get(child.pk, {}), procedures_of(child)), "period": period_out}
        for child in children
    ]
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
