"""Reads of the index: counts for an agency tree and a period, assembled with the formulas.

A request reads the counters of the agencies in the tree for the period's months (grouped by
agency, and by procedure for the procedure-level parts), plus the open dossiers that turned past
due since the worker's last sweep marked them (a range scan of a tiny partial index). Parents add
their children's counts — never their scores.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy

from tinhso.agencies.models import SUBTREE_SQL, Agency, AgencyKind, subtree_pattern
from tinhso.catalogue.models import OnlineLevel, Procedure, ProcedureLevel
from tinhso.indicators import formulas
from tinhso.indicators.contributions import COLUMNS, OPEN_STATUSES
from tinhso.indicators.models import AgencyMonthCounter, DossierCounter, IndicatorInput
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
        "ELECTRONIC_CERTIFIED_COPY",
        "REUSED_DIGITIZED_DATA",
        "SYNCED_WITH_DVCQG_PERSONAL_STORAGE",
        "CITIZEN_DATA_CONNECTED_DOSSIER",
        "CITIZEN_DATA_CONNECTED_FORMALITY",
    }
)
# Measured from the citizen feedback (tinhso.feedback) rather than the dossiers.
PETITION_METRICS = frozenset(
    {"PETITION_PROCESSING_ON_TIME", "PETITION_HANDLING_SATISFACTION", "PETITION_CLASSIFICATION_TTHC",
     "PETITION_CLASSIFICATION_STAFF"}
)
INPUT_METRICS = tuple(m.code for m in formulas.METRICS if m.code not in MEASURED | PETITION_METRICS)

# The n and d of the "declare once" metrics (issue 11), as the metric page and the explain API
# state them (docs/architecture.md says the same). Counted per month of receipt, like the others.
DEFINITIONS: dict[str, tuple[Any, Any]] = {
    # Signed results (issue 12): a signature that validated, not a flag.
    "ORIGINAL_RESULT_AVAILABLE": (
        gettext_lazy("Hồ sơ tiếp nhận trong kỳ đã giải quyết xong, có kết quả điện tử được ký số và xác thực hợp lệ "
                     "(bản gốc điện tử)"),
        gettext_lazy("Hồ sơ tiếp nhận trong kỳ đã giải quyết xong"),
    ),
    "ELECTRONIC_CERTIFIED_COPY": (
        gettext_lazy("Hồ sơ chứng thực bản sao tiếp nhận trong kỳ đã giải quyết xong, có bản sao điện tử được ký số "
                     "và xác thực hợp lệ"),
        gettext_lazy("Hồ sơ chứng thực bản sao từ bản chính tiếp nhận trong kỳ đã giải quyết xong"),
    ),
    "REUSED_DIGITIZED_DATA": (
        gettext_lazy("Hồ sơ tiếp nhận trong kỳ có dùng lại ít nhất một giấy tờ từ kho dữ liệu của người nộp"),
        gettext_lazy("Hồ sơ tiếp nhận trong kỳ của thủ tục có yêu cầu giấy tờ (thành phần hồ sơ)"),
    ),
    "SYNCED_WITH_DVCQG_PERSONAL_STORAGE": (
        gettext_lazy("Hồ sơ tiếp nhận trong kỳ đã giải quyết xong, có kết quả điện tử đã đưa vào kho dữ liệu "
                     "của người nộp"),
        gettext_lazy("Hồ sơ tiếp nhận trong kỳ đã giải quyết xong, có kết quả điện tử"),
    ),
    "CITIZEN_DATA_CONNECTED_DOSSIER": (
        gettext_lazy("Hồ sơ tiếp nhận trong kỳ có thông tin người nộp lấy từ định danh điện tử"),
        gettext_lazy("Hồ sơ tiếp nhận trong kỳ"),
    ),
    "CITIZEN_DATA_CONNECTED_FORMALITY": (
        gettext_lazy("Thủ tục thuộc thẩm quyền của cơ quan có ít nhất một hồ sơ tiếp nhận trong kỳ với thông tin "
                     "người nộp lấy từ định danh điện tử"),
        gettext_lazy("Thủ tục thuộc thẩm quyền của cơ quan có hồ sơ tiếp nhận trong kỳ"),
    ),
}


@dataclass
class Counts:
    """The counts of one agency's subtree for a period: the counter columns (`overdue_open` and
    `dissatisfied` include the dossiers past due but not marked yet, counted live), per procedure
    (received, online, paid_online, applicant_verified), and the citizen feedback counts."""

    columns: dict[str, int]
    by_procedure: dict[int, tuple[int, int, int, int]]
    # citizen feedback: total, on_time, satisfied, procedures, staff
    petitions: dict[str, int] | None = None


_SUBTREE = f"agency_id IN ({SUBTREE_SQL})"
_COUNTER = DossierCounter._meta.db_table
_ROLLUP = AgencyMonthCounter._meta.db_table
# The subtree's roll-up rows for the period: (agency, month, version, every column).
_ROLLUP_ROWS = (
    f"SELECT agency_id, month, version, {', '.join(COLUMNS)} FROM {_ROLLUP} "
    f"WHERE month >= %s AND month < %s AND {_SUBTREE}"
)
# Procedure-level counts (received, online, paid_online, applicant_verified) of (agency, month) pairs.
_PROC_COLUMNS = (
    f"SELECT agency_id, month, procedure_id, received, online, paid_online, applicant_verified FROM {_COUNTER} WHERE "
)
_PROC_ROWS = _PROC_COLUMNS + f"month >= %s AND month < %s AND {_SUBTREE}"

ProcedureCounts = dict[int, tuple[int, int, int, int]]
# (agency id, month) → (roll-up version, procedure id → (received, online, paid_online,
# applicant_verified)): the
# procedure-level counts of this process, re-read only for the pairs whose version moved.
_PROCEDURE_CACHE: dict[tuple[int, date], tuple[int, ProcedureCounts]] = {}
_PROCEDURE_CACHE_LIMIT = 200_000
# A node's merged procedure counts, by the versions of the (agency, month) pairs merged.
_MERGED_CACHE: dict[int, tuple[tuple[tuple[int, date, int], ...], ProcedureCounts]] = {}


def _procedure_counts(root: AgencyLike, period: Period, versions: dict[tuple[int, date], int]) -> None:
    """Bring `_PROCEDURE_CACHE` up to date for the (agency, month) pairs of `versions`."""
    stale = [key for key, version in versions.items() if _PROCEDURE_CACHE.get(key, (None,))[0] != version]
    if not stale:
        return
    if len(_PROCEDURE_CACHE) > _PROCEDURE_CACHE_LIMIT:
        _PROCEDURE_CACHE.clear()
        _MERGED_CACHE.clear()
        stale = list(versions)
    fresh: dict[tuple[int, date], ProcedureCounts] = {key: {} for key in stale}
    with connection.cursor() as cursor:
        if len(stale) > 40:
            cursor.execute(_PROC_ROWS, (period.first_month, period.end_month, subtree_pattern(root.path)))
        else:
            cursor.execute(
                _PROC_COLUMNS + " OR ".join(["(agency_id = %s AND month = %s)"] * len(stale)),
                [v for key in stale for v in key],
            )
        for aid, month, pid, r, o, po, v in cursor.fetchall():
            month = month.date() if isinstance(month, datetime) else month
            target = fresh.get((aid, month))
            if target is not None:
                target[pid] = (r, o, po, v)
    for key, counts in fresh.items():
        _PROCEDURE_CACHE[key] = (versions[key], counts)


def _merged(node_id: int, keys: list[tuple[int, date]], versions: dict[tuple[int, date], int]) -> ProcedureCounts:
    """The procedure counts of `keys` added up (memoised by their versions)."""
    stamp = tuple((aid, month, versions[(aid, month)]) for aid, month in keys)
    cached = _MERGED_CACHE.get(node_id)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    if len(keys) == 1:
        merged = _PROCEDURE_CACHE[keys[0]][1]
    else:
        acc: dict[int, list[int]] = {}
        for key in keys:
            for pid, (r, o, po, v) in _PROCEDURE_CACHE[key][1].items():
                a = acc.get(pid)
                if a is None:
                    acc[pid] = [r, o, po, v]
                else:
                    a[0] += r
                    a[1] += o
                    a[2] += po
                    a[3] += v
        merged = {pid: (a[0], a[1], a[2], a[3]) for pid, a in acc.items()}
    _MERGED_CACHE[node_id] = (stamp, merged)
    return merged


def open_overdue(agency_ids: Iterable[int], period: Period, now: datetime) -> dict[int, tuple[int, int]]:
    """Open, unpaused dossiers received in the period whose due moment has passed but which are
    not marked overdue yet (the sweep marks them every minute), per receiving agency among
    `agency_ids`: (all, those not otherwise counted as dissatisfied).

    Reads only the small partial index `dossier_overdue_pending` (its condition is this query's;
    the agency is filtered here, not joined, so the planner has no other index to prefer)."""
    from tinhso.dossiers.models import Dossier

    wanted = set(agency_ids)
    rows = Dossier.objects.filter(
        status__in=OPEN_STATUSES,
        marked_overdue=False,
        paused_at__isnull=True,
        due_at__lt=now,
        received_at__gte=period.start,
        received_at__lt=period.end,
    ).values_list("receiving_agency_id", "rating", "complained")
    out: dict[int, list[int]] = {}
    for aid, rating, complained in rows:
        if aid in wanted:
            acc = out.setdefault(aid, [0, 0])
            acc[0] += 1
            acc[1] += int(rating != "unsatisfied" and not complained)
    return {aid: (n, fresh) for aid, (n, fresh) in out.items()}


class Node(NamedTuple):
    """An agency as the index reads it (163 model instances per request cost milliseconds)."""

    pk: int
    code: str
    name: str
    path: str
    kind: str


AgencyLike = Agency | Node


def counts_for_tree(root: AgencyLike, nodes: Sequence[AgencyLike], period: Period, now: datetime) -> dict[int, Counts]:
    """Counts for each node (`root` and children of it), each summing its own subtree.

    Reads the (agency, month) roll-up of the subtree (~500 rows for a province's quarter), the
    procedure-level counters only for the (agency, month) pairs whose version moved since this
    process last read them, the not-yet-marked overdue dossiers and the feedback counts."""
    agencies = list(Agency.objects.filter(path__startswith=root.path).values_list("id", "path"))
    # Each agency belongs to the root and to at most one of the other nodes (a child of the root).
    root_id = root.pk
    node_by_path = {n.path: n.pk for n in nodes if n.pk != root_id}
    cut = len(root.path)
    node_of: dict[int, int] = {}
    for aid, path in agencies:
        head = path[cut:].split("/", 1)[0]
        node_id = node_by_path.get(root.path + head + "/") if head else None
        if node_id is not None:
            node_of[aid] = node_id

    with connection.cursor() as cursor:
        cursor.execute(_ROLLUP_ROWS, (period.first_month, period.end_month, subtree_pattern(root.path)))
        rollup = cursor.fetchall()
    versions: dict[tuple[int, date], int] = {}
    rows_of: dict[int, list[tuple[int, ...]]] = defaultdict(list)  # node → its members' roll-up rows
    keys_of: dict[int, list[tuple[int, date]]] = defaultdict(list)
    for aid, month, version, *values in rollup:
        month = month.date() if isinstance(month, datetime) else month
        versions[(aid, month)] = version
        node_id = node_of.get(aid)
        if node_id is not None:
            rows_of[node_id].append(values)
            keys_of[node_id].append((aid, month))
    _procedure_counts(root, period, versions)
    root_keys = sorted(versions)

    overdue = open_overdue((aid for aid, _ in agencies), period, now)
    from tinhso.feedback.selectors import petition_counts_under

    petitions = petition_counts_under(root.path, period.start, period.end, now)
    i_overdue, i_dissatisfied = COLUMNS.index("overdue_open"), COLUMNS.index("dissatisfied")

    def summed(rows: list[Any], ids: Iterable[int]) -> tuple[dict[str, int], dict[str, int]]:
        totals = [sum(column) for column in zip(*rows, strict=True)] if rows else [0] * len(COLUMNS)
        feedback = dict.fromkeys(("total", "on_time", "satisfied", "procedures", "staff"), 0)
        for aid in ids:
            late = overdue.get(aid)
            if late is not None:
                totals[i_overdue] += late[0]
                totals[i_dissatisfied] += late[1]
            for key, value in petitions.get(aid, {}).items():
                feedback[key] += value
        return dict(zip(COLUMNS, totals, strict=True)), feedback

    members: dict[int, list[int]] = defaultdict(list)
    for aid, node_id in node_of.items():
        members[node_id].append(aid)
    result: dict[int, Counts] = {}
    for node in nodes:
        node_id = node.pk
        if node_id == root_id:
            all_rows = [values for _aid, _month, _version, *values in rollup]
            columns, feedback = summed(all_rows, (aid for aid, _ in agencies))
            keys = root_keys
        else:
            columns, feedback = summed(rows_of.get(node_id, []), members.get(node_id, []))
            keys = sorted(keys_of.get(node_id, []))
        result[node_id] = Counts(columns, _merged(node_id, keys, versions) if keys else {}, feedback)
    return result


@dataclass(frozen=True)
class CatalogueView:
    """What the procedure-level metrics need of the procedures under an agency's authority."""

    size: int
    online_ids: frozenset[int]  # offered online (full or partial)
    fee_ids: frozenset[int]  # with a fee or charge
    ids: frozenset[int] = frozenset()  # every procedure of the view


def catalogues_by_kind() -> dict[str, CatalogueView]:
    """Agency kind → the procedures under its authority: the whole catalogue for the province
    committee, the commune-level procedures for commune committees, the province-level ones
    otherwise (one query for every kind)."""
    rows = list(Procedure.objects.filter(is_active=True).values_list("id", "level", "online_level", "fee_vnd"))
    online_levels = (OnlineLevel.FULL, OnlineLevel.PARTIAL)

    def view(levels: set[str] | None) -> CatalogueView:
        chosen = [r for r in rows if levels is None or r[1] in levels]
        return CatalogueView(
            size=len(chosen),
            online_ids=frozenset(r[0] for r in chosen if r[2] in online_levels),
            fee_ids=frozenset(r[0] for r in chosen if r[3] > 0),
            ids=frozenset(r[0] for r in chosen),
        )

    province, commune = view({ProcedureLevel.PROVINCE}), view({ProcedureLevel.COMMUNE})
    out = {kind: province for kind in AgencyKind.values}
    out[AgencyKind.PROVINCE_COMMITTEE] = view(None)
    out[AgencyKind.COMMUNE_COMMITTEE] = commune
    return out


def measured_inputs(agency: AgencyLike, counts: Counts, catalogue: CatalogueView) -> dict[str, tuple[int, int]]:
    """n/d of every metric tinhso measures, from the counts (definitions: service-index-766.md)."""
    c = counts.columns
    received = c["received"]
    late = c["finished_late"] + c["overdue_open"]
    dissatisfied = c["dissatisfied"]
    online_ids, fee_ids, catalogue_ids = catalogue.online_ids, catalogue.fee_ids, catalogue.ids
    b_online = b_received = paid_procedures = used_procedures = 0
    connected_procedures = receiving_procedures = 0
    for pid, (r, o, po, v) in counts.by_procedure.items():
        if pid in online_ids:
            b_received += r
            b_online += o
        if pid in fee_ids:
            paid_procedures += po > 0
            used_procedures += r > 0
        if pid in catalogue_ids and r > 0:
            receiving_procedures += 1
            connected_procedures += v > 0
    return {
        "PROGRESS": (received - late, received),
        "ONLINE_SERVICE_A": (len(online_ids), catalogue.size),
        "ONLINE_SERVICE_B": (b_online, b_received),
        "ONLINE_SERVICE_C": (c["online"], received),
        "ONLINE_PAYMENT_A": (c["paid_online"], c["with_fee"]),
        "ONLINE_PAYMENT_B": (paid_procedures, len(fee_ids)),
        "ONLINE_PAYMENT_C": (used_procedures, len(fee_ids)),
        # Signed results (issue 12; definitions in DEFINITIONS and docs/architecture.md).
        "ORIGINAL_RESULT_AVAILABLE": (c["result_original"], c["finished"]),
        "ELECTRONIC_CERTIFIED_COPY": (c["certified_copies_original"], c["certified_copies"]),
        "SO_HOA_GIAY_TO_GIAI_QUYET": (c["digitised"], received),
        "DOSSIER_RECEIVING_SATISFACTION": (received - dissatisfied, received),
        # "Declare once" (definitions: docs/architecture.md, "The declare-once metrics").
        "REUSED_DIGITIZED_DATA": (c["documents_reused"], c["documents_required"]),
        "SYNCED_WITH_DVCQG_PERSONAL_STORAGE": (c["result_in_store"], c["result_electronic"]),
        "CITIZEN_DATA_CONNECTED_DOSSIER": (c["applicant_verified"], received),
        "CITIZEN_DATA_CONNECTED_FORMALITY": (connected_procedures, receiving_procedures),
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


def entered_inputs(nodes: Sequence[AgencyLike], period: Period) -> dict[int, dict[str, tuple[int, int]]]:
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
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def _dec(value: Any) -> float | None:
    return None if value is None else float(value)


def score(agency: AgencyLike, counts: Counts, inputs: dict[str, tuple[int, int]], catalogue: CatalogueView) -> dict[str, Any]:
    """The index of one agency (without period and children). The result may be shared with
    other callers (see `_scored`): read it, do not change it."""
    values = measured_inputs(agency, counts, catalogue)
    for code in INPUT_METRICS:
        if code in inputs:
            values[code] = inputs[code]
    return _scored(agency.code, agency.name, _language(), tuple(values.items()))


@functools.lru_cache(maxsize=_SCORED_CACHE_SIZE)
def _scored(code: str, name: str, language: str, values: tuple[tuple[str, tuple[int, int]], ...]) -> dict[str, Any]:
    total, groups = formulas.score_index(dict(values), sources=_SOURCES)
    names = _NAMES[language]
    # The points resting on metrics without data (`formulas.has_data`): shown as such, apart
    # from a real zero; the scores themselves are the portal's.
    unmeasured = {
        g.code: formulas.unmeasured_points(g.code, {m.code: (m.numerator, m.denominator) for m in g.metrics})
        for g in groups
    }
    return {
        "agency": {"code": code, "name": name},
        "total_score": float(total),
        "max_score": float(formulas.MAX_TOTAL),
        "unmeasured_points": float(sum(unmeasured.values())),
        "groups": [
            {
                "code": g.code,
                "score": float(g.score),
                "max_score": float(g.max_score),
                "ratio": float(g.ratio),
                "unmeasured_points": float(unmeasured[g.code]),
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
                        "has_data": formulas.has_data(m.code, m.numerator, m.denominator),
                    }
                    for m in g.metrics
                ],
            }
            for g in groups
        ],
    }


_NODE_FIELDS = ("id", "code", "name", "path", "kind")


def service_index(*, root: Agency, period: Period, now: datetime | None = None, with_children: bool = True) -> dict[str, Any]:
    """The index of `root` and (one level down) of each child agency, for `period`."""
    now = now or timezone.now()
    children = (
        [Node(*row) for row in Agency.objects.filter(parent=root).order_by("code").values_list(*_NODE_FIELDS)]
        if with_children
        else []
    )
    nodes: list[AgencyLike] = [root, *children]
    counts = counts_for_tree(root, nodes, period, now)
    inputs = entered_inputs(nodes, period)
    period_out = {"key": period.key, "start": period.start.isoformat(), "end": period.end.isoformat()}
    catalogues = catalogues_by_kind()
    result = {**score(root, counts[root.pk], inputs.get(root.pk, {}), catalogues[root.kind]), "period": period_out}
    result["children"] = [
        {**score(child, counts[child.pk], inputs.get(child.pk, {}), catalogues[child.kind]), "period": period_out}
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
        "ORIGINAL_RESULT_AVAILABLE": Q(status__in=(9, 10)) & ~Q(result_kind="electronic", result_original=True),
        "ELECTRONIC_CERTIFIED_COPY": Q(status__in=(9, 10), certified_copy=True)
        & ~Q(result_kind="electronic", result_original=True),
        "SO_HOA_GIAY_TO_GIAI_QUYET": Q(components_digitised=False),
        "REUSED_DIGITIZED_DATA": Q(documents_required=True, documents_reused=False),
        "SYNCED_WITH_DVCQG_PERSONAL_STORAGE": Q(status__in=(9, 10), result_kind="electronic", result_in_store=False),
        "CITIZEN_DATA_CONNECTED_DOSSIER": Q(applicant_verified=False),
    }.get(metric)


EXPLAINABLE = ("PROGRESS", "DOSSIER_RECEIVING_SATISFACTION", "ONLINE_SERVICE_B", "ONLINE_SERVICE_C",
               "ONLINE_PAYMENT_A", "ORIGINAL_RESULT_AVAILABLE", "SO_HOA_GIAY_TO_GIAI_QUYET",
               "REUSED_DIGITIZED_DATA", "SYNCED_WITH_DVCQG_PERSONAL_STORAGE", "CITIZEN_DATA_CONNECTED_DOSSIER",
               "ELECTRONIC_CERTIFIED_COPY")


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
