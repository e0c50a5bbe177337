"""Form 07, the register ("Sổ theo dõi hồ sơ") of an agency for a period, as rows, PDF and XLSX.

The register lists every dossier the agency received in [start, end) (local days,
Asia/Ho_Chi_Minh), in order of receipt, through the `dossier_register` index. Rows are streamed
with `.iterator()`, so a register of tens of thousands of dossiers is never held as model
objects: the PDF (A4 landscape) is drawn row by row and the XLSX is written by openpyxl's
write-only workbook, every text cell as text (`core.spreadsheet`: a name typed as `=…` is never a
formula).

`personal` (every writer takes it): the applicants' names in full, for those who act at the
agency (`scoping.may_see_personal_data`); masked (`mask_name`) otherwise, e.g. for viewers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import IO, NamedTuple

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.agencies.models import Agency
from tinhso.core.codes import mask_name
from tinhso.core.errors import InvalidInput
from tinhso.core.exports import Column, Export, write_xlsx
from tinhso.dossiers.forms.data import (
    FORM_TEXT,
    VERSION,
    VN_TZ,
    Header,
    local,
    make_header,
    status_text,
    timeliness,
)
from tinhso.dossiers.models import Dossier, Status

# (heading, relative width, alignment): widths fit A4 landscape.
COLUMNS: list[tuple[str, float, str]] = [
    ("TT", 9, "C"),
    ("Mã hồ sơ", 36, "L"),
    ("Tên thủ tục hành chính", 62, "L"),
    ("Tên cá nhân, tổ chức", 38, "L"),
    ("Nhận hồ sơ", 20, "C"),
    ("Hẹn trả kết quả", 20, "C"),
    ("Xử lý xong", 20, "C"),
    ("Trả kết quả", 20, "C"),
    ("Trạng thái", 22, "L"),
    ("Đúng hạn / Quá hạn", 16, "C"),
]
MAX_PERIOD_DAYS = 366
NOT_TIMED = (Status.REFUSED, Status.WITHDRAWN, Status.STOPPED)


@dataclass
class RegisterPeriod:
    agency: Agency
    start: date
    end: date  # exclusive

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=VN_TZ)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.end, time.min, tzinfo=VN_TZ)

    @property
    def label(self) -> str:
        last = self.end - timedelta(days=1)
        return f"Từ ngày {self.start:%d/%m/%Y} đến ngày {last:%d/%m/%Y}"

    @property
    def slug(self) -> str:
        return f"so-theo-doi-{self.agency.code}-{self.start:%Y%m%d}-{self.end:%Y%m%d}"


@dataclass
class Tally:
    """Counts gathered while the rows stream by."""

    total: int = 0
    on_time: int = 0
    late: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return tally_text(self)


def month_of(day: date) -> tuple[date, date]:
    """The calendar month holding `day`: its first day and the first day of the next (exclusive)."""
    start = day.replace(day=1)
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, end


def parse_period(agency: Agency, start_text: str | None, end_text: str | None) -> RegisterPeriod:
    """`from` and `to` as YYYY-MM-DD, `to` exclusive and after `from`, at most a year apart."""
    errors: dict[str, str] = {}
    days: dict[str, date] = {}
    for name, text in (("from", start_text), ("to", end_text)):
        if not text:
            errors[name] = _("Bắt buộc, dạng YYYY-MM-DD.")
            continue
        try:
            days[name] = date.fromisoformat(text)
        except ValueError:
            errors[name] = _("“%(text)s” không phải ngày dạng YYYY-MM-DD.") % {"text": text}
    if not errors and days["to"] <= days["from"]:
        errors["to"] = _("Ngày kết thúc (to) phải sau ngày bắt đầu (from).")
    if not errors and (days["to"] - days["from"]).days > MAX_PERIOD_DAYS:
        errors["to"] = _("Kỳ theo dõi tối đa %(days)s ngày.") % {"days": MAX_PERIOD_DAYS}
    if errors:
        raise InvalidInput(_("Khoảng thời gian của sổ theo dõi không hợp lệ."), fields=errors, status=400)
    return RegisterPeriod(agency=agency, start=days["from"], end=days["to"])


def register_queryset(period: RegisterPeriod) -> QuerySet[Dossier]:
    return (
        Dossier.objects.filter(
            receiving_agency=period.agency, received_at__gte=period.start_at, received_at__lt=period.end_at
        )
        .select_related("procedure")
        .only(
            "id", "code", "applicant_name", "status", "received_at", "due_at", "finished_at", "returned_at",
            "paused_at", "procedure__name",
        )
        .order_by("received_at", "id")
    )


def _timeliness(d: Dossier, now: datetime) -> str:
    if d.status in NOT_TIMED or d.due_at is None:
        return ""
    if d.finished_at is not None:
        return timeliness(d.finished_at, d.due_at)
    if d.paused_at is None and now > d.due_at:
        return "Quá hạn"
    return "Trong hạn"


def _day_time(at: datetime | None) -> str:
    t = local(at)
    return f"{t:%d/%m/%Y %H:%M}" if t is not None else ""


class RegisterRecord(NamedTuple):
    """One dossier of the register; moments in local time (Asia/Ho_Chi_Minh)."""

    number: int
    code: str
    procedure: str
    applicant: str
    received: datetime | None
    due: datetime | None
    finished: datetime | None
    returned: datetime | None
    status: str
    timeliness: str

    def cells(self) -> list[str]:
        return [
            str(self.number), self.code, self.procedure, self.applicant, _day_time(self.received), _day_time(self.due),
            _day_time(self.finished), _day_time(self.returned), self.status, self.timeliness,
        ]


def register_records(
    period: RegisterPeriod, tally: Tally | None = None, *, personal: bool = True, chunk_size: int = 2000
) -> Iterator[RegisterRecord]:
    """The register's dossiers in order of receipt, streamed from the database; the applicant's
    name in full when `personal`, masked otherwise."""
    now = timezone.now()
    statuses: dict[int, str] = {}
    for i, d in enumerate(register_queryset(period).iterator(chunk_size=chunk_size), start=1):
        status = statuses.get(d.status)
        if status is None:
            status = statuses[d.status] = status_text(d.status)
        timely = _timeliness(d, now)
        if tally is not None:
            tally.total += 1
            if timely == "Quá hạn":
                tally.late += 1
            elif timely:
                tally.on_time += 1
            tally.by_status[status] = tally.by_status.get(status, 0) + 1
        applicant = d.applicant_name if personal else mask_name(d.applicant_name)
        yield RegisterRecord(
            i, d.code, d.procedure.name, applicant, local(d.received_at), local(d.due_at), local(d.finished_at),
            local(d.returned_at), status, timely,
        )


def register_rows(period: RegisterPeriod, tally: Tally | None = None, *, personal: bool = True) -> Iterator[list[str]]:
    """One list of cell texts per dossier (HTML and PDF)."""
    for record in register_records(period, tally, personal=personal):
        yield record.cells()


def register_header(period: RegisterPeriod) -> Header:
    return make_header(period.agency, "07", timezone.now())


def register_footer() -> str:
    return f"Mẫu số 07 (TT01/2018: Mẫu số {FORM_TEXT['07']['number_2018']}) · {VERSION}"


def tally_text(tally: Tally) -> str:
    return (
        f"Tổng cộng: {tally.total} hồ sơ; đúng hạn, trước hạn hoặc trong hạn: {tally.on_time}; quá hạn: {tally.late}."
    )


def register_pdf(period: RegisterPeriod, *, personal: bool = True) -> bytes:
    """The register on A4 landscape, paginated, the heading row repeated on each page."""
    from tinhso.dossiers.forms.pdf import FAMILY, FormPdf, TableWriter

    pdf = FormPdf(orientation="L", format="A4", footer_text=register_footer())
    pdf.set_margins(10, 10, 10)
    pdf.set_title(f"{FORM_TEXT['07']['title']} — {period.agency.name}")
    pdf.add_page()
    pdf.draw_header(register_header(period), left_width=110)
    pdf.draw_title(FORM_TEXT["07"]["title"], period.label, size=13)
    writer = TableWriter(pdf, COLUMNS, font_size=7.5)
    writer.heading()
    tally = Tally()
    for row in register_rows(period, tally, personal=personal):
        writer.row(row)
    pdf.ln(2)
    pdf.set_font(FAMILY, "I", 8.5)
    pdf.multi_cell(0, 4.5, tally_text(tally), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def register_xlsx(period: RegisterPeriod, out: IO[bytes], *, personal: bool = True) -> Tally:
    """The register as an XLSX workbook written to `out` through `core.exports` (write-only,
    row by row): instants as date cells, no text cell a formula."""
    widths = [6, 26, 60, 28, 17, 17, 17, 17, 18, 14]
    tally = Tally()
    rows = ([r.number, r.code, r.procedure, r.applicant, r.received, r.due, r.finished, r.returned, r.status,
             r.timeliness] for r in register_records(period, tally, personal=personal))
    write_xlsx(Export(
        name=period.slug, sheet="So theo doi", title=FORM_TEXT["07"]["title"],
        before=[f"{period.agency.name} ({period.agency.code})", period.label, ""],
        columns=[Column(name, width=w) for (name, _w, _a), w in zip(COLUMNS, widths, strict=True)],
        rows=rows, after=lambda: [tally_text(tally), register_footer()],
    ), out)
    return tally


__all__ = [
    "COLUMNS",
    "RegisterPeriod",
    "Tally",
    "RegisterRecord",
    "parse_period",
    "register_pdf",
    "register_queryset",
    "register_records",
    "register_rows",
    "register_xlsx",
]
