"""Spreadsheet cells cannot be formulas: the helper (`core.spreadsheet`) and every CSV and XLSX
download that writes text a citizen or an administrator typed."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from tests.factories import citizen
from tinhso.core.spreadsheet import looks_like_formula, safe_cell, safe_row, text_cell, text_row
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel
from tinhso.feedback.defaults import load_default_categories
from tinhso.feedback.models import Category
from tinhso.feedback.services import NewReport, report_submit

VN = ZoneInfo("Asia/Ho_Chi_Minh")
HYPERLINK = '=HYPERLINK("http://x","y")'
FORMULAS = [HYPERLINK, "+SUM(1,2)", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


# --- the helper -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", FORMULAS)
def test_csv_field_that_could_be_a_formula_gets_an_apostrophe(value):
    """Returns the text with a leading `'`, the rest unchanged."""
    assert looks_like_formula(value)
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Nguyễn Văn An", "", "a=b", "'=already", 12, -3, 2.5, None, True,
                                   date(2026, 3, 2)])
def test_csv_field_that_is_not_a_formula_is_unchanged(value):
    """Returns other text, numbers (negative ones too), dates, booleans and None as given."""
    assert safe_cell(value) == value


def test_safe_row():
    """Returns each field made safe, in order."""
    assert safe_row([HYPERLINK, 1, "ok"]) == ["'" + HYPERLINK, 1, "ok"]


@pytest.mark.parametrize("write_only", [False, True])
def test_xlsx_text_is_a_string_cell_and_numbers_and_dates_stay_typed(write_only):
    """Returns, read back with openpyxl, every formula-looking text as a string cell with its
    value unchanged, and numbers and dates with their own types."""
    # (A carriage return is left out: XML itself reads it back as a line feed.)
    formulas = [f for f in FORMULAS if not f.startswith("\r")]
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("t") if write_only else workbook.active
    moment = datetime(2026, 3, 2, 10, 0, tzinfo=VN).replace(tzinfo=None)  # XLSX holds wall-clock times
    sheet.append(text_row(sheet, [*formulas, "plain", 7, -3, 2.5, moment, None]))
    out = io.BytesIO()
    workbook.save(out)
    row = next(load_workbook(io.BytesIO(out.getvalue())).worksheets[0].iter_rows())
    cells = list(row)
    for cell, value in zip(cells, formulas, strict=False):
        assert (cell.data_type, cell.value) == ("s", value)
    rest = cells[len(formulas):]
    assert [(c.data_type, c.value) for c in rest[:5]] == [("s", "plain"), ("n", 7), ("n", -3), ("n", 2.5), ("d", moment)]
    assert text_cell(sheet, 7) == 7 and text_cell(sheet, "plain") == "plain"


# --- the downloads -------------------------------------------------------------------------


def _signed_in(principal) -> Client:
    client = Client()
    client.force_login(principal.user)
    return client


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx_cells(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    workbook = load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def test_register_xlsx_writes_a_formula_name_as_text(world):
    """Returns the register with the applicant named `=HYPERLINK(…)` as a string cell holding
    exactly that text; the row number stays a number and the receipt a date."""
    d = s.dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                          channel=Channel.COUNTER, applicant=citizen(name=HYPERLINK),
                          at=datetime(2026, 3, 2, 10, 0, tzinfo=VN)).dossier
    response = _signed_in(world.reception).get(f"/forms/register/{world.commune.code}.xlsx",
                                               {"from": "2026-03-01", "to": "2026-04-01"})
    assert response.status_code == 200
    cells = _xlsx_cells(response)
    name = next(c for c in cells if c.value == HYPERLINK)
    assert name.data_type == "s"
    assert not any(c.data_type == "f" for c in cells)
    row = [c for c in cells if c.row == name.row]
    assert (row[0].data_type, row[0].value) == ("n", 1)
    assert row[1].value == d.code and row[4].data_type == "d"


@pytest.fixture
def formula_category(world):
    load_default_categories()
    Category.objects.update(agency=world.province)
    Category.objects.filter(code="chieu-sang").update(name=HYPERLINK)
    report_submit(data=NewReport(category_code="chieu-sang", description="Đèn đường hỏng ba ngày nay.",
                                 channel="hotline", commune_code="07900", address="Hùng Vương"),
                  principal=world.reception)
    return world


def test_feedback_overview_csv_writes_a_formula_as_text(formula_category):
    """Returns the by-category CSV with the category named `=HYPERLINK(…)` prefixed by `'`."""
    rows = _csv(_signed_in(formula_category.province_leader).get("/phan-anh/tong-quan/", {"csv": "category"}))
    names = [r[0] for r in rows[1:]]
    assert "'" + HYPERLINK in names and HYPERLINK not in names


@pytest.fixture
def formula_procedure(world):
    """A dossier of a procedure whose name starts with `+`, still open long after its due moment."""
    world.procedure.name = "+SUM(1,2)"
    world.procedure.save(update_fields=["name"])
    d = s.dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                          channel=Channel.COUNTER, applicant=citizen(), at=datetime(2026, 3, 2, 10, 0, tzinfo=VN))
    return world, d.dossier


def test_operations_centre_exports_write_formulas_as_text(formula_procedure):
    """Returns the due table as CSV with `'+SUM(1,2)` and as XLSX with a string cell `+SUM(1,2)`."""
    world, d = formula_procedure
    client = _signed_in(world.province_leader)
    rows = _csv(client.get("/dieu-hanh/bang/den-han/", {"agency": "H44", "format": "csv"}))
    row = next(r for r in rows if d.code in r)
    assert "'+SUM(1,2)" in row
    cells = _xlsx_cells(client.get("/dieu-hanh/bang/den-han/", {"agency": "H44", "format": "xlsx"}))
    procedure = next(c for c in cells if c.value == "+SUM(1,2)")
    assert procedure.data_type == "s"


def test_explain_csv_writes_a_formula_as_text(formula_procedure):
    """Returns the index explain CSV with the procedure name prefixed by `'`, numbers unchanged."""
    world, d = formula_procedure
    rows = _csv(_signed_in(world.province_leader).get(
        "/api/v1/indicators/service-index/explain",
        {"agency": "H44", "period": "2026-03", "metric": "PROGRESS", "format": "csv"},
    ))
    header, body = rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert "procedure_name" in header
    row = next(r for r in body if r["code"] == d.code)
    assert row["procedure_name"] == "'+SUM(1,2)" and row["channel"] == "1"


def test_rankings_csv_and_xlsx_write_formulas_as_text(world):
    """Returns the ranking with the agency named `@SUM(A1)` prefixed in CSV and a string cell in
    XLSX."""
    world.other_commune.name = "@SUM(A1)"
    world.other_commune.save(update_fields=["name"])
    client = _signed_in(world.province_leader)
    params = {"agency": "H44", "period": "2026-03"}
    rows = _csv(client.get("/api/v1/indicators/rankings", {**params, "format": "csv"}))
    assert any("'@SUM(A1)" in r for r in rows)
    cells = _xlsx_cells(client.get("/api/v1/indicators/rankings", {**params, "format": "xlsx"}))
    assert next(c for c in cells if c.value == "@SUM(A1)").data_type == "s"
