"""The public catalogue of procedures under /dich-vu-cong/ (danh mục thủ tục hành chính): search
and filters, and one procedure's page with what to hand in, how long it takes, what it costs and
where to submit it.

Anonymous and read-only; nothing personal is shown. Views are thin: the search and its ranking
are `tinhso.catalogue.search` (insensitive to diacritics and case), the receiving agencies
`tinhso.catalogue.selectors.receiving_agencies` (the rule the online submission applies too).
The list works without JavaScript (a GET form and a pager); with htmx the form asks for the
results only (`HX-Request`) and they replace the results container as the citizen types.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from tinhso.catalogue import search
from tinhso.catalogue.models import Component, OnlineLevel, Procedure, ProcedureLevel, ProcessingUnitChoice
from tinhso.catalogue.selectors import receiving_agencies
from tinhso.core.money import money_text
from tinhso.dossiers.forms.data import fmt_amount
from tinhso.dossiers.models import Channel

PAGE_SIZE = 20
MAX_QUERY_CHARS = 200
# The "online" filter: any level that allows an online submission, then each level.
ONLINE_CHOICES: list[tuple[str, Any]] = [
    (search.ANY_ONLINE, gettext_lazy("Nộp trực tuyến được")),
    *OnlineLevel.choices,
]
# How a filter is named in the "no result" message's "drop this filter" links.
FILTER_NAMES: dict[str, Any] = {
    "field": gettext_lazy("Bỏ lọc lĩnh vực"),
    "level": gettext_lazy("Bỏ lọc cấp thực hiện"),
    "online": gettext_lazy("Bỏ lọc mức trực tuyến"),
}


@dataclass(frozen=True)
class ComponentRow:
    """A component as the citizen reads it: its number, name, requirement, copies and file types."""

    number: int
    name: str
    notes: str
    requirement: str
    requirement_label: str
    copies: int
    file_types: list[str]


def _component_row(c: Component) -> ComponentRow:
    return ComponentRow(
        number=c.order, name=c.name, notes=c.notes, requirement=c.requirement,
        requirement_label=str(c.get_requirement_display()), copies=c.copies,
        file_types=[t.strip().upper() for t in c.file_types.split(",") if t.strip()],
    )


def time_text(amount: Decimal, unit: str) -> str:
    """A legal time with its unit in words: "1 ngày làm việc", "4 giờ làm việc", "Trong ngày"."""
    if unit == ProcessingUnitChoice.SAME_DAY:
        return _("Trong ngày")
    label = ProcessingUnitChoice(unit).label if unit in ProcessingUnitChoice.values else unit
    return f"{fmt_amount(amount)} {label}"


def online_time_text(p: Procedure) -> str:
    """The legal time of an online dossier when it differs from the counter's; else ""."""
    amount = p.processing_time_for(Channel.ONLINE)
    return time_text(amount, p.processing_unit) if amount != p.processing_amount else ""


def fee_text(fee_vnd: int) -> str:
    return money_text(fee_vnd) if fee_vnd else _("Miễn phí")


def _one_of(value: str, allowed: list[str] | tuple[str, ...]) -> str:
    """`value` when it is one of `allowed`; else "" (a stale or edited link shows every procedure)."""
    return value if value in allowed else ""


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """The list, filtered and ranked; only the results (`_results.html`) for an htmx request."""
    all_fields = search.fields()
    q = request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
    field = _one_of(request.GET.get("field", ""), all_fields)
    level = _one_of(request.GET.get("level", ""), ProcedureLevel.values)
    online = _one_of(request.GET.get("online", ""), [value for value, _label in ONLINE_CHOICES])
    found = search.procedure_search(q=q, field=field, level=level, online=online)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {k: v for k, v in (("q", q), ("field", field), ("level", level), ("online", online)) if v}
    context = {
        "q": q, "field": field, "level": level, "online": online, "filtered": bool(field or level or online),
        "page": page, "procedures": [(p, search.allows_online(p)) for p in page.object_list],
        "fields": all_fields, "levels": ProcedureLevel.choices, "online_choices": ONLINE_CHOICES,
        "query": urlencode(filters),
        # Each filter set, and the query without it, for the "no result" message.
        "drops": [(FILTER_NAMES[k], urlencode({n: v for n, v in filters.items() if n != k}))
                  for k in FILTER_NAMES if k in filters],
    }
    partial = request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")
    template = "citizenweb/portal/_results.html" if partial else "citizenweb/portal/catalogue.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def procedure(request: HttpRequest, code: str) -> HttpResponse:
    """One active procedure; 404 for an unknown or inactive code."""
    p = get_object_or_404(Procedure.objects.filter(is_active=True), code=code)
    online = search.allows_online(p)
    agencies = list(receiving_agencies(p).values_list("name", flat=True))
    return render(request, "citizenweb/portal/procedure.html", {
        "p": p,
        "allows_online": online,
        "legal_time": time_text(p.processing_amount, p.processing_unit),
        # Shown when the catalogue gives an online submission a time of its own (usually shorter).
        "online_time": online_time_text(p) if online else "",
        "fee": fee_text(p.fee_vnd),
        "legal_basis": [part.strip() for part in p.legal_basis.replace("\n", ";").split(";") if part.strip()],
        "components": [_component_row(c) for c in p.components.order_by("order")],
        "agencies": agencies,
    })
