"""Views of the printable forms: forms 01–06 of a dossier (HTML, PDF) and the register (form 07:
HTML, PDF, XLSX) of an agency for a period.

Thin: the dossier comes through `dossier_get` (out of scope → 404), the agency through
`visible_agencies`; whether the applicants' personal data is shown or masked is decided by
`may_see_personal_data` (the dossier's agencies, or the register's agency); the content is built
by `tinhso.dossiers.forms`.
"""

from __future__ import annotations

import tempfile
from itertools import islice
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.agencies.models import Agency, Role
from tinhso.agencies.principals import Principal
from tinhso.agencies.scoping import may_see_personal_data, visible_agencies
from tinhso.core.codes import is_agency_code
from tinhso.core.errors import ApplicationError, NotFound
from tinhso.dossiers.forms import FormDocument, build_form
from tinhso.dossiers.forms.data import FORM_TEXT
from tinhso.dossiers.forms.pdf import form_pdf
from tinhso.dossiers.forms.register import (
    COLUMNS,
    RegisterPeriod,
    Tally,
    month_of,
    parse_period,
    register_footer,
    register_header,
    register_pdf,
    register_queryset,
    register_rows,
    register_xlsx,
)
from tinhso.dossiers.selectors import dossier_get
from tinhso.payments.selectors import form_payment

# The page shows at most this many rows; the PDF and the XLSX always hold the whole register.
HTML_ROW_LIMIT = 5000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _error(request: HttpRequest, error: ApplicationError, status: int | None = None) -> HttpResponse:
    return render(
        request,
        "forms/error.html",
        {"message": error.message, "fields": error.fields},
        status=status or error.status,
    )


def _document(request: HttpRequest, code: str, form: str) -> FormDocument:
    principal = Principal.for_user(request.user)
    try:
        dossier = dossier_get(principal=principal, code=code)
    except NotFound:
        raise NotFound(_("Không tìm thấy hồ sơ %(code)s, hoặc bạn không có quyền xem hồ sơ này.") % {"code": code}) from None
    personal = may_see_personal_data(principal, {dossier.receiving_agency_id, dossier.handling_agency_id})
    payment = form_payment(dossier) if form == "01" else None
    return build_form(dossier, form, personal=personal, base_url=request.build_absolute_uri("/"), payment=payment)


@login_required
def form_html(request: HttpRequest, code: str, form: str) -> HttpResponse:
    try:
        document = _document(request, code, form)
    except ApplicationError as error:
        return _error(request, error)
    pdf_url = reverse("workspace:form_pdf", kwargs={"code": code, "form": form})
    return render(request, "forms/form.html", {"doc": document, "pdf_url": pdf_url})


@login_required
def form_pdf_view(request: HttpRequest, code: str, form: str) -> HttpResponse:
    try:
        document = _document(request, code, form)
    except ApplicationError as error:
        return _error(request, error)
    response = HttpResponse(form_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.filename}"'
    return response


def _period(request: HttpRequest, agency_code: str) -> tuple[RegisterPeriod, bool]:
    """The register asked for, and whether the caller may see its applicants' names in full."""
    principal = Principal.for_user(request.user)
    agency = visible_agencies(principal).select_related("parent", "unit").filter(code=agency_code).first()
    if agency is None:
        raise NotFound(
            _("Không tìm thấy cơ quan %(code)s, hoặc bạn không có quyền xem sổ theo dõi của cơ quan này.")
            % {"code": agency_code}
        )
    start_text, end_text = request.GET.get("from"), request.GET.get("to")
    if not start_text and not end_text:
        # No period asked for: this month (what the menu's link opens).
        start, end = month_of(timezone.localdate())
        start_text, end_text = start.isoformat(), end.isoformat()
    period = parse_period(agency, start_text, end_text)
    return period, may_see_personal_data(principal, {agency.pk})


@login_required
def register_home(request: HttpRequest) -> HttpResponse:
    """The menu's "Sổ theo dõi": this month's register (form 07) of `?agency=` or of the first
    agency where I hold a seat (a reception seat first)."""
    principal = Principal.for_user(request.user)
    if principal is None:
        raise DjangoPermissionDenied(_("Tài khoản chưa được gán vai trò ở cơ quan nào."))
    wanted = request.GET.get("agency", "").strip()
    if wanted and not is_agency_code(wanted):
        raise Http404(_("Không có cơ quan có mã này."))
    seats = sorted(principal.roles, key=lambda seat: (seat[1] != Role.RECEPTION, seat[0].code))
    code = wanted or (seats[0][0].code if seats else "")
    if not code and principal.is_superuser:  # no seat of their own: the province, the top of the tree
        code = Agency.objects.filter(parent__isnull=True).order_by("code").values_list("code", flat=True).first() or ""
    if not code:
        raise DjangoPermissionDenied(_("Tài khoản chưa được gán vai trò ở cơ quan nào."))
    start, end = month_of(timezone.localdate())
    url = reverse("workspace:register_html", kwargs={"agency_code": code})
    return redirect(f"{url}?{urlencode({'from': start.isoformat(), 'to': end.isoformat()})}")


def _register_urls(agency: Agency, request: HttpRequest) -> dict[str, str]:
    query = request.GET.urlencode()
    return {
        "pdf_url": reverse("workspace:register_pdf", kwargs={"agency_code": agency.code}) + f"?{query}",
        "xlsx_url": reverse("workspace:register_xlsx", kwargs={"agency_code": agency.code}) + f"?{query}",
    }


@login_required
def register_html(request: HttpRequest, agency_code: str) -> HttpResponse:
    try:
        period, personal = _period(request, agency_code)
    except ApplicationError as error:
        return _error(request, error)
    tally = Tally()
    aligns = [c[2] for c in COLUMNS]
    total = register_queryset(period).count()
    rows = (
        list(zip(row, aligns, strict=True))
        for row in islice(register_rows(period, tally, personal=personal), HTML_ROW_LIMIT)
    )
    context: dict[str, Any] = {
        "period": period,
        "header": register_header(period),
        "title": FORM_TEXT["07"]["title"],
        "columns": COLUMNS,
        "rows": rows,
        "tally": tally,
        "total": total,
        "truncated": total > HTML_ROW_LIMIT,
        "row_limit": HTML_ROW_LIMIT,
        "footer": register_footer(),
        **_register_urls(period.agency, request),
    }
    return render(request, "forms/register.html", context)


@login_required
def register_pdf_view(request: HttpRequest, agency_code: str) -> HttpResponse:
    try:
        period, personal = _period(request, agency_code)
    except ApplicationError as error:
        return _error(request, error)
    response = HttpResponse(register_pdf(period, personal=personal), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{period.slug}.pdf"'
    return response


@login_required
def register_xlsx_view(request: HttpRequest, agency_code: str) -> HttpResponseBase:
    try:
        period, personal = _period(request, agency_code)
    except ApplicationError as error:
        return _error(request, error)
    # Spooled: small registers stay in memory, large ones go to a temporary file.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by FileResponse
    register_xlsx(period, out, personal=personal)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"{period.slug}.xlsx", content_type=XLSX_TYPE)
