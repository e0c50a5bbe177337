"""Printable forms 01–07 (HTML and PDF) and the register as XLSX, under `/forms/`.

- `<code>/<form>/` and `<code>/<form>.pdf`: form 01–06 of a dossier;
- `register/<agency_code>/`, `register/<agency_code>.pdf`, `register/<agency_code>.xlsx`
  with `?from=YYYY-MM-DD&to=YYYY-MM-DD` (to exclusive): the register (form 07).
"""

from django.urls import re_path

from tinhso.workspace import form_views

FORM = r"(?P<form>0[1-6])"
AGENCY = r"(?P<agency_code>[A-Za-z0-9.]+?)"
CODE = r"(?P<code>[^/]+)"

urlpatterns = [
    re_path(rf"^register/{AGENCY}/$", form_views.register_html, name="register_html"),
    re_path(rf"^register/{AGENCY}\.pdf$", form_views.register_pdf_view, name="register_pdf"),
    re_path(rf"^register/{AGENCY}\.xlsx$", form_views.register_xlsx_view, name="register_xlsx"),
    re_path(rf"^{CODE}/{FORM}/$", form_views.form_html, name="form_html"),
    re_path(rf"^{CODE}/{FORM}\.pdf$", form_views.form_pdf_view, name="form_pdf"),
]
