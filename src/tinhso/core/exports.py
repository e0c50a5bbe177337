"""The one way tinhso writes a table as CSV or XLSX: every download goes through here.

A table is an `Export`: a file name, an optional title, its `Column`s and its rows of plain
values (text, numbers, dates, instants, booleans, None, choice codes). The writers turn each
value into a cell by the same rules:

- **Instants** (aware `datetime`) are shown in Asia/Ho_Chi_Minh: in CSV as ISO 8601 with the
  offset (`2026-03-02T10:00:00+07:00`), in XLSX as a real date cell (the wall-clock time, format
  `dd/mm/yyyy hh:mm`) that a spreadsheet sorts and filters as a date. **Dates** likewise
  (`2026-03-02`; `dd/mm/yyyy`).
- **Labels, not codes**: a column with `labels` (a Django choices class or a mapping) writes the
  Vietnamese display label of each code. For a machine (`machine=True`, the API's CSVs, headed by
  the JSON field names) the code stays and its label follows in a column `<key>_label`.
- **Headers** are the translated `Column.header` (the column's `key` for a machine).
- **No formula**: text that a spreadsheet program would take for a formula (`=`, `+`, `-`, `@`)
  is written as text (`core.spreadsheet`). Numbers stay numbers; booleans read "Có"/"Không" for
  people.

CSV is UTF-8 with a BOM (so spreadsheet programs read the Vietnamese letters), XLSX is written by
openpyxl's write-only workbook, row by row, so a long table is never held in memory; CSV can be
streamed (`csv_streaming_response`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from tinhso.core.spreadsheet import safe_cell, text_cell

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_DATETIME = "dd/mm/yyyy hh:mm"
XLSX_DATE = "dd/mm/yyyy"
BOM = "\ufeff"


def choice_labels(choices: Any) -> dict[Any, Any]:
    """{code: label} of a Django choices class (`Status`, `Channel`, …) or of (code, label) pairs;
    lazy labels stay lazy, so each download speaks the language of its request."""
    pairs = choices.choices if hasattr(choices, "choices") else choices
    return dict(pairs)


@dataclass(frozen=True)
class Column:
    """One column: its header for people, its key for machines, and the labels of its codes."""

    header: Any  # text or a lazy translation
    key: str = ""
    labels: Mapping[Any, Any] | None = None
    width: int | None = None  # XLSX column width in characters; None: from the header

    @classmethod
    def of_choices(cls, header: Any, choices: Any, **kwargs: Any) -> Column:
        return cls(header, labels=choice_labels(choices), **kwargs)


@dataclass
class Export:
    """A table to download. `before`/`after`: lines of text above the header row and below the
    rows in XLSX (`after` may be a function, called once the rows are written — e.g. a tally)."""

    name: str  # file name stem
    columns: list[Column]
    rows: Iterable[Sequence[Any]]
    title: str = ""
    sheet: str = ""
    before: list[str] = field(default_factory=list)
    after: list[str] | Callable[[], list[str]] = field(default_factory=list)


# --- cells (pure) ---------------------------------------------------------------------------


def local_moment(value: datetime) -> datetime:
    """An instant as the wall-clock time in Asia/Ho_Chi_Minh (naive values are taken as such)."""
    return value.astimezone(LOCAL_TZ) if value.tzinfo is not None else value.replace(tzinfo=LOCAL_TZ)


def label_of(value: Any, labels: Mapping[Any, Any] | None) -> Any:
    """The label of a code (as given when it has none)."""
    if labels is None or value is None or value == "":
        return value
    try:
        return labels.get(value, value)
    except TypeError:  # an unhashable value has no label
        return value


def csv_value(value: Any, labels: Mapping[Any, Any] | None = None, *, machine: bool = False) -> Any:
    """One CSV field: label, ISO instant or date in Asia/Ho_Chi_Minh, "" for None, text that
    could be a formula made safe."""
    if not machine:
        value = label_of(value, labels)
    if value is None:
        return ""
    if isinstance(value, bool):
        return value if machine else (_("Có") if value else _("Không"))
    if isinstance(value, datetime):
        return local_moment(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Promise):
        value = str(value)
    return safe_cell(value)


def xlsx_value(sheet: Any, value: Any, labels: Mapping[Any, Any] | None = None) -> Any:
    """One XLSX cell value: label, a date cell with its number format for instants and dates,
    text that could be a formula as a string cell; numbers as numbers."""
    value = label_of(value, labels)
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, datetime | date):
        from openpyxl.cell.cell import Cell

        if isinstance(value, datetime):
            cell = Cell(sheet, row=1, column=1, value=local_moment(value).replace(tzinfo=None))
            cell.number_format = XLSX_DATETIME
        else:
            cell = Cell(sheet, row=1, column=1, value=value)
            cell.number_format = XLSX_DATE
        return cell
    if isinstance(value, Promise):
        value = str(value)
    return text_cell(sheet, value)


# --- CSV ------------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(export: Export, *, machine: bool = False) -> Iterator[str]:
    """The CSV text line by line, the first with the BOM."""
    writer = csv.writer(_Echo())
    header: list[Any] = []
    for c in export.columns:
        header.append(c.key if machine else str(c.header))
        if machine and c.labels is not None:
            header.append(f"{c.key}_label")
    yield BOM + writer.writerow([safe_cell(h) for h in header])
    for row in export.rows:
        fields: list[Any] = []
        for column, value in zip(export.columns, row, strict=True):
            fields.append(csv_value(value, column.labels, machine=machine))
            if machine and column.labels is not None:
                fields.append(csv_value(label_of(value, column.labels)))
        yield writer.writerow(fields)


def csv_response(export: Export, *, machine: bool = False) -> HttpResponse:
    """The table as a CSV download."""
    response = HttpResponse("".join(csv_lines(export, machine=machine)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.name}.csv"'
    return response


def csv_streaming_response(export: Export, *, machine: bool = False) -> StreamingHttpResponse:
    """The table as a CSV download written while the rows are read (long tables)."""
    response = StreamingHttpResponse(csv_lines(export, machine=machine), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.name}.csv"'
    return response


# --- XLSX -----------------------------------------------------------------------------------


def write_xlsx(export: Export, out: IO[bytes]) -> None:
    """The table as an XLSX workbook written to `out`: the title (bold), the `before` lines, the
    header row (bold, shaded, frozen), the rows, then the `after` lines."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet((export.sheet or export.name or "Sheet")[:31])
    for i, column in enumerate(export.columns, start=1):
        width = column.width or min(60, max(8, len(str(column.header)) + 2))
        sheet.column_dimensions[get_column_letter(i)].width = width
    line = 0
    if export.title:
        title = WriteOnlyCell(sheet, value=str(export.title))
        title.font = Font(bold=True, size=13)
        title.data_type = "s"
        line += 1
    header_row = line + len(export.before) + 1
    sheet.freeze_panes = f"A{header_row + 1}"
    if export.title:
        sheet.append([title])
    for text in export.before:
        sheet.append([xlsx_value(sheet, text)])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="EEEEEE")
    heading = []
    for column in export.columns:
        cell = WriteOnlyCell(sheet, value=str(column.header))
        cell.data_type = "s"
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        heading.append(cell)
    sheet.append(heading)
    for row in export.rows:
        sheet.append([xlsx_value(sheet, v, c.labels) for c, v in zip(export.columns, row, strict=True)])
    after = export.after() if callable(export.after) else export.after
    if after:
        sheet.append([])
        for text in after:
            sheet.append([xlsx_value(sheet, text)])
    workbook.save(out)


def xlsx_response(export: Export) -> HttpResponse:
    """The table as an XLSX download."""
    out = io.BytesIO()
    write_xlsx(export, out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{export.name}.xlsx"'
    return response


def download(export: Export, fmt: str) -> HttpResponse | None:
    """The table as `fmt` ("csv" or "xlsx"), or None for any other format."""
    if fmt == "csv":
        return csv_response(export)
    if fmt == "xlsx":
        return xlsx_response(export)
    return None
