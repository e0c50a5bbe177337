"""The one-stop-shop forms 01–07 (TT 01/2018 text, TT 03/2025 names) built from dossiers.

- `data` turns a dossier (and its history) into a `FormDocument`: the header, the title and a
  list of blocks (fields, paragraphs, tables, signatures, a QR code). The form wording is
  versioned template data (`FORM_TEXT`, `VERSION`).
- `pdf` draws a `FormDocument` on A5 with fpdf2 and the vendored DejaVu fonts.
- `register` builds form 07 (the register of an agency for a period) and writes it as PDF (A4
  landscape) or XLSX, streaming the dossiers.

The HTML pages render the same `FormDocument` through the templates in
`tinhso/dossiers/templates/forms/`, so the screen, the print-out and the PDF say the same thing.
"""

from tinhso.dossiers.forms.data import (
    FORM_NUMBERS,
    FORM_TEXT,
    VERSION,
    FormDocument,
    FormNotApplicable,
    build_form,
)

__all__ = ["FORM_NUMBERS", "FORM_TEXT", "VERSION", "FormDocument", "FormNotApplicable", "build_form"]
