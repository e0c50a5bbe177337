"""Spreadsheet cells that cannot be formulas: every CSV and XLSX tinhso writes goes through here.

A spreadsheet program reads a cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage
return before them) as a formula, so a citizen who types `=HYPERLINK("http://…","…")` as a name
would put a live link, or worse, in an officer's register. Only text is concerned: numbers,
dates and booleans keep their type.

- `safe_cell(value)` for CSV: such text gets a leading `'` (as OWASP recommends), which the
  program shows as text; everything else is returned unchanged.
- `text_cell(sheet, value)` for openpyxl: text that could be read as a formula becomes a cell of
  type string (`data_type "s"`), written as text with its value unchanged; anything else is
  returned as given (openpyxl already types other text as a string, and numbers and dates by
  their own type). Works for ordinary and write-only worksheets alike.

Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# What a spreadsheet program may take for the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: Any) -> bool:
    """True for text that a spreadsheet program would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_cell(value: Any) -> Any:
    """A CSV field: text that could be read as a formula gets a leading `'`; anything else
    (other text, numbers, dates, None) is returned unchanged."""
    if looks_like_formula(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """`safe_cell` of each field of a CSV row."""
    return [safe_cell(v) for v in values]


def text_cell(sheet: Any, value: Any) -> Any:
    """An openpyxl cell value: text that could be read as a formula becomes a string cell of
    `sheet` (value unchanged); anything else — other text, numbers, dates, None, cells already
    made — is returned as is, and openpyxl types it (other text as a string)."""
    if not looks_like_formula(value):
        return value
    from openpyxl.cell.cell import Cell

    # Row and column are placeholders: `append` sets them (as openpyxl's own WriteOnlyCell does).
    cell = Cell(sheet, row=1, column=1, value=value)
    # openpyxl types text starting with "=" as a formula when the value is set; a string cell is
    # written as an inline string, which no spreadsheet program evaluates.
    cell.data_type = "s"
    return cell


def text_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """`text_cell` of each value of a row, for `sheet.append`."""
    return [text_cell(sheet, v) for v in values]
