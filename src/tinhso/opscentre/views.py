"""Pages of the operations centre: the dashboard (also on a wall screen and, read-only, for the
public), its live fragment and chart data, the metric drill-down, the table exports and the
month's PDF report.

Views are thin: they find the caller's scope (`selectors.root_for`, 404 outside it), read through
`tinhso.opscentre.selectors` and render. The public variant shows the index only — no dossier,
no personal data, no explanation.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tinhso.agencies.models import Agency
from tinhso.agencies.principals import Principal
from tinhso.agencies.scoping import visible_agencies
from tinhso.indicators import formulas
from tinhso.indicators.periods import LOCAL_TZ, Period
from tinhso.indicators.selectors import DEFINITIONS, explain
from tinhso.opscentre import reports, tables
from tinhso.opscentre import selectors as sel
from tinhso.workspace.views import _header

EXPLAIN_PAGE_SIZE = 50
DUE_LIST_LENGTH = 8


# --- scope and parameters ------------------------------------------------------------------


def _principal(request: HttpRequest) -> Principal:
    principal = Principal.for_user(request.user)
    if principal is None or not (principal.roles or principal.is_superuser):
        raise PermissionDenied(_("Tài khoản chưa được gán vai trò ở cơ quan nào."))
    return principal


def _period(value: str | None) -> Period:
    try:
        return sel.period_from(value)
    except ValueError:
        raise Http404(_("Kỳ không hợp lệ.")) from None


def _scope(request: HttpRequest, *, public: bool) -> tuple[Principal | None, Agency, Period]:
    """The caller, the agency watched and the period, from the query string; 404 outside scope."""
    code = request.GET.get("agency") or None
    try:
        if public:
            principal, root = None, sel.public_root(code)
        else:
            principal = _principal(request)
            root = sel.root_for(principal, code)
    except sel.OutOfScope:
        raise Http404(_("Không tìm thấy cơ quan.")) from None
    return principal, root, _period(request.GET.get("period"))


def _by(request: HttpRequest) -> str:
    by = request.GET.get("by", "total")
    return by if by in sel.RANK_KEYS else "total"


def _query(root: Agency, period: Period, **extra: Any) -> str:
    return urlencode({"agency": root.code, "period": period.key, **{k: v for k, v in extra.items() if v}})


def _breadcrumbs(principal: Principal | None, root: Agency) -> list[Agency]:
    """The agencies above `root` the viewer may also watch, top first, then `root`."""
    codes = [c for c in root.path.split("/") if c]
    qs = Agency.objects.filter(code__in=codes) if principal is None else visible_agencies(principal).filter(code__in=codes)
    by_code = {a.code: a for a in qs}
    return [by_code[c] for c in codes if c in by_code]


# --- the board -----------------------------------------------------------------------------


def _no_data(group: dict[str, Any]) -> bool:
    """A group none of whose points rest on data: shown as "chưa có số liệu", not as 0."""
    return bool(group["unmeasured_points"] >= group["max_score"])


def _standing(score: float | None, max_score: float, unmeasured: float) -> str:
    """ok / warn / bad for a score against the points that rest on data (80 % and 50 %), or
    no_data: a total is never red for the points nobody measured."""
    measured = max_score - unmeasured
    if score is None or measured <= 0:
        return "no_data"
    share = score / measured
    return "ok" if share >= 0.8 else "warn" if share >= 0.5 else "bad"


def _kpis(reader: sel.IndexReader, root: Agency, period: Period) -> dict[str, Any]:
    index = reader.index(root, period)
    progress = sel.metric_of(index, "PROGRESS") or {}
    names = sel.group_names()
    received = progress.get("denominator") or 0
    on_time = progress.get("numerator") or 0
    return {
        "index": index,
        "groups": [{**g, "name": names.get(g["code"], g["code"]), "no_data": _no_data(g)} for g in index["groups"]],
        "unmeasured": index.get("unmeasured_points") or 0,
        "standing": _standing(index["total_score"], index["max_score"], index.get("unmeasured_points") or 0),
        "received": received,
        "on_time": on_time,
        "late": received - on_time,
        "on_time_ratio": progress.get("ratio"),
    }


def _chart_data(reader: sel.IndexReader, root: Agency, period: Period) -> dict[str, Any]:
    index = reader.index(root, period)
    names = sel.group_names()
    unmeasured = index.get("unmeasured_points") or 0
    return {
        "total": index["total_score"],
        "max": index["max_score"],
        "unmeasured": unmeasured,
        "standing": _standing(index["total_score"], index["max_score"], unmeasured),
        "groups": [{"code": g["code"], "name": names.get(g["code"], g["code"]),
                    "score": None if _no_data(g) else g["score"], "max": g["max_score"],
                    "ratio": None if _no_data(g) else g["ratio"], "unmeasured": g["unmeasured_points"]}
                   for g in index["groups"]],
        "trend": sel.trend(reader, root, period),
        "labels": {"total": _("Tổng điểm"), "ratio": _("Tỷ lệ đạt (%)"), "trend": _("Tổng điểm theo tháng"),
                   "no_data": _("chưa có số liệu"), "no_dossiers": _("không có hồ sơ"),
                   "unmeasured": _("%(x)s/%(y)s điểm chưa có số liệu")},
    }


def _board(request: HttpRequest, *, public: bool, wall: bool = False) -> dict[str, Any]:
    principal, root, period = _scope(request, public=public)
    now = timezone.now()
    reader = sel.IndexReader(now=now)
    by = _by(request)
    context: dict[str, Any] = {
        "public": public,
        "wall": wall,
        "root": root,
        "period": period,
        "period_label": sel.label(period),
        "by": by,
        "query": _query(root, period),
        "period_choices": sel.period_choices(timezone.localdate(now, LOCAL_TZ), period),
        "breadcrumbs": _breadcrumbs(principal, root),
        "rank_keys": [("total", _("Tổng điểm")), *sel.group_names().items()],
        "ranking": sel.ranking(reader, root, period, by),
        "chart_data": _chart_data(reader, root, period),
        "updated_at": timezone.localtime(now, LOCAL_TZ),
        "explainable": set(sel.EXPLAINABLE) if not public else set(),
        **_kpis(reader, root, period),
    }
    if not public:
        assert principal is not None
        context["due"] = sel.due_lists(principal, root, now, limit=DUE_LIST_LENGTH)
        context["targets"] = sel.targets(root, period, now)
        context.update(_header(principal))
    return context


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The index of the watched agency for the period, its trend, the ranking of the units under
    it, targets and the dossiers due soon or overdue. `?wall=1` for the wall screen."""
    wall = request.GET.get("wall") == "1"
    context = _board(request, public=False, wall=wall)
    return render(request, "opscentre/wall.html" if wall else "opscentre/dashboard.html", context)


@require_GET
def public_dashboard(request: HttpRequest) -> HttpResponse:
    """The index, groups, trend and ranking for anyone — no dossiers, no explanation."""
    wall = request.GET.get("wall") == "1"
    context = _board(request, public=True, wall=wall)
    return render(request, "opscentre/wall.html" if wall else "opscentre/dashboard.html", context)


@login_required
@require_GET
@never_cache
def kpis(request: HttpRequest) -> HttpResponse:
    """The live numbers (polled by htmx every few seconds): index total, groups, dossiers received
    and on time, and the due / overdue lists."""
    principal, root, period = _scope(request, public=False)
    assert principal is not None
    now = timezone.now()
    reader = sel.IndexReader(now=now)
    context = {
        "public": False, "wall": request.GET.get("wall") == "1", "root": root, "period": period,
        "query": _query(root, period), "updated_at": timezone.localtime(now, LOCAL_TZ), "fragment": True,
        "due": sel.due_lists(principal, root, now, limit=DUE_LIST_LENGTH),
        "explainable": set(sel.EXPLAINABLE),
        **_kpis(reader, root, period),
    }
    return render(request, "opscentre/_kpis.html", context)


@require_GET
@never_cache
def public_kpis(request: HttpRequest) -> HttpResponse:
    _, root, period = _scope(request, public=True)
    now = timezone.now()
    reader = sel.IndexReader(now=now)
    context = {
        "public": True, "wall": request.GET.get("wall") == "1", "root": root, "period": period,
        "query": _query(root, period), "updated_at": timezone.localtime(now, LOCAL_TZ), "explainable": set(),
        **_kpis(reader, root, period),
    }
    return render(request, "opscentre/_kpis.html", context)


def _data(request: HttpRequest, *, public: bool) -> JsonResponse:
    _, root, period = _scope(request, public=public)
    reader = sel.IndexReader(now=timezone.now())
    return JsonResponse(_chart_data(reader, root, period))


@login_required
@require_GET
@never_cache
def data(request: HttpRequest) -> JsonResponse:
    """The charts' data: group scores and the 12-month trend of the total."""
    return _data(request, public=False)


@require_GET
@never_cache
def public_data(request: HttpRequest) -> JsonResponse:
    return _data(request, public=True)


# --- drill-down to a metric ----------------------------------------------------------------


@login_required
@require_GET
def metric(request: HttpRequest, code: str) -> HttpResponse:
    """One metric of the watched agency: its counts and score, the same for each unit under it,
    and the dossiers that cost it points (paginated; CSV from the API)."""
    if code not in formulas.METRICS_BY_CODE:
        raise Http404(_("Không có chỉ tiêu này."))
    principal, root, period = _scope(request, public=False)
    now = timezone.now()
    reader = sel.IndexReader(now=now)
    index = reader.index(root, period)
    children = [
        {"agency": c["agency"], "metric": sel.metric_of(c, code)} for c in index["children"]
    ]
    context: dict[str, Any] = {
        "root": root, "period": period, "period_label": sel.label(period), "query": _query(root, period), "code": code,
        "metric": sel.metric_of(index, code), "children": children,
        "group_name": sel.group_names()[formulas.METRICS_BY_CODE[code].group],
        "breadcrumbs": _breadcrumbs(principal, root), "explainable": sel.explainable(code),
        "definition": DEFINITIONS.get(code),
        **_header(principal),
    }
    if context["explainable"]:
        qs = explain(root=root, period=period, metric=code, now=now)
        page = Paginator(qs, EXPLAIN_PAGE_SIZE).get_page(request.GET.get("page"))
        context["page"] = page
        context["csv_url"] = "/api/v1/indicators/service-index/explain?" + urlencode(
            {"agency": root.code, "period": period.key, "metric": code, "format": "csv"}
        )
    return render(request, "opscentre/metric.html", context)


# --- tables and exports --------------------------------------------------------------------


def _table_response(request: HttpRequest, table: tables.Table) -> HttpResponse:
    fmt = request.GET.get("format", "csv")
    response = tables.export(table, fmt)
    if response is None:
        raise Http404(_("Định dạng không hỗ trợ: dùng csv hoặc xlsx."))
    return response


def _ranking_table(request: HttpRequest, *, public: bool) -> HttpResponse:
    _principal_unused, root, period = _scope(request, public=public)
    by = _by(request)
    rows = sel.ranking(sel.IndexReader(now=timezone.now()), root, period, by)
    return _table_response(request, tables.ranking_table(rows, agency_code=root.code, period_key=period.key, by=by))


def _metrics_table(request: HttpRequest, *, public: bool) -> HttpResponse:
    _principal_unused, root, period = _scope(request, public=public)
    index = sel.IndexReader(now=timezone.now()).index(root, period, with_children=False)
    return _table_response(request, tables.metrics_table(index, agency_code=root.code, period_key=period.key))


@login_required
@require_GET
def ranking_table(request: HttpRequest) -> HttpResponse:
    """The ranking of the units under the watched agency, `?format=csv|xlsx`."""
    return _ranking_table(request, public=False)


@require_GET
def public_ranking_table(request: HttpRequest) -> HttpResponse:
    return _ranking_table(request, public=True)


@login_required
@require_GET
def metrics_table(request: HttpRequest) -> HttpResponse:
    """Every metric of the watched agency with counts and score, `?format=csv|xlsx`."""
    return _metrics_table(request, public=False)


@require_GET
def public_metrics_table(request: HttpRequest) -> HttpResponse:
    return _metrics_table(request, public=True)


@login_required
@require_GET
def due_table(request: HttpRequest) -> HttpResponse:
    """Every overdue dossier and every one due within a working day (code, procedure, agency,
    due moment — no personal data), `?format=csv|xlsx`."""
    principal, root, _period_unused = _scope(request, public=False)
    assert principal is not None
    lists = sel.due_lists(principal, root, timezone.now(), limit=None)
    return _table_response(request, tables.due_table(lists, agency_code=root.code))


@login_required
@require_GET
def report(request: HttpRequest, period: str) -> HttpResponse:
    """The period's report of the watched agency as a PDF."""
    principal, root, _unused = _scope(request, public=False)
    the_period = _period(period)
    now = timezone.now()
    reader = sel.IndexReader(now=now)
    pdf = reports.index_report(
        root=root, period=the_period, index=reader.index(root, the_period),
        ranking=sel.ranking(reader, root, the_period, "total"), now=now,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bao-cao-{root.code}-{the_period.key}.pdf"'
    return response

