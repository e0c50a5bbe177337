"""The one export helper (`core.exports`): instants and dates as dates, labels instead of codes,
translated headers, no formula — and the downloads that use it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from tests.factories import citizen
from tinhso.core.exports import (
    Column,
    Export,
    choice_labels,
    csv_lines,
    csv_response,
    csv_value,
    write_xlsx,
    xlsx_response,
)
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel, Status

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# 03:00 UTC is 10:00 in Hà Nội: an export that forgot the time zone would say 03:00.
MOMENT = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


# --- cells ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "labels", "machine", "expected"), [
    (MOMENT, None, False, "2026-03-02T10:00:00+07:00"),
    (MOMENT.astimezone(VN), None, True, "2026-03-02T10:00:00+07:00"),
    (datetime(2026, 12, 31, 17, 30, tzinfo=UTC), None, False, "2027-01-01T00:30:00+07:00"),  # next local day
    (date(2026, 3, 2), None, False, "2026-03-02"),
    (None, None, False, ""),
    (Status.IN_PROGRESS.value, choice_labels(Status), False, "Đang xử lý"),
    (Status.IN_PROGRESS.value, choice_labels(Status), True, Status.IN_PROGRESS.value),
    ("counter", {"counter": "Trực tiếp"}, False, "Trực tiếp"),
    ("unknown", {"counter": "Trực tiếp"}, False, "unknown"),
    (True, None, False, "Có"),
    (False, None, False, "Không"),
    (True, None, True, True),
    (12.5, None, False, 12.5),
    (-3, None, False, -3),
    ("=1+1", None, False, "'=1+1"),
    ("-2", None, True, "'-2"),
])
def test_csv_value(value, labels, machine, expected):
    """Returns instants as ISO in Asia/Ho_Chi_Minh, dates as ISO, labels for people (codes for
    machines), "Có"/"Không" for people's booleans, numbers unchanged, formulas as text."""
    with translation.override("vi"):
        assert csv_value(value, labels, machine=machine) == expected


def test_labels_follow_the_language_of_the_request():
    """Returns the English label under English, the Vietnamese one under Vietnamese."""
    labels = choice_labels(Channel)
    with translation.override("vi"):
        vi = csv_value(Channel.COUNTER, labels)
    with translation.override("en"):
        en = csv_value(Channel.COUNTER, labels)
    assert vi == str(Channel.COUNTER.label) and isinstance(en, str) and en


def _table() -> Export:
    return Export(
        name="t", title="Bảng thử", columns=[
            Column("Mã", key="code"), Column.of_choices("Trạng thái", Status, key="status"),
            Column("Nhận lúc", key="received_at"), Column("Ngày", key="day"), Column("Số", key="n"),
        ],
        rows=[["=HYPERLINK(1)", Status.IN_PROGRESS.value, MOMENT, date(2026, 3, 2), 7],
              ["B", Status.RETURNED.value, None, None, None]],
    )


def test_csv_for_people_has_headers_and_labels_and_for_machines_keys_codes_and_labels():
    """Returns the people's CSV with the headers and labels; the machine's with the keys, each code
    followed by its label in `<key>_label`."""
    with translation.override("vi"):
        people = list(csv.reader(io.StringIO("".join(csv_lines(_table())).removeprefix("\ufeff"))))
        machine = list(csv.reader(io.StringIO("".join(csv_lines(_table(), machine=True)).removeprefix("\ufeff"))))
    assert people[0] == ["Mã", "Trạng thái", "Nhận lúc", "Ngày", "Số"]
    assert people[1] == ["'=HYPERLINK(1)", "Đang xử lý", "2026-03-02T10:00:00+07:00", "2026-03-02", "7"]
    assert people[2] == ["B", "Đã trả kết quả", "", "", ""]
    assert machine[0] == ["code", "status", "status_label", "received_at", "day", "n"]
    assert machine[1][1:3] == [str(Status.IN_PROGRESS.value), "Đang xử lý"]


def test_csv_response_starts_with_a_bom_and_names_the_file():
    response = csv_response(_table())
    assert response["Content-Type"].startswith("text/csv") and 't.csv"' in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())


@pytest.mark.parametrize("value", [MOMENT, MOMENT.astimezone(VN)])
def test_xlsx_instants_are_date_cells_in_local_time(value):
    """Returns an instant as a date cell holding the Hà Nội wall-clock time with a date format,
    a date as a date cell, a label for a code, text that could be a formula as a string cell."""
    out = io.BytesIO()
    table = _table()
    table.rows = [["=HYPERLINK(1)", Status.IN_PROGRESS.value, value, date(2026, 3, 2), 7]]
    with translation.override("vi"):
        write_xlsx(table, out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    rows = list(sheet.iter_rows())
    assert rows[0][0].value == "Bảng thử" and [c.value for c in rows[1]] == ["Mã", "Trạng thái", "Nhận lúc", "Ngày", "Số"]
    code, status, received, day, number = rows[2]
    assert (code.data_type, code.value) == ("s", "=HYPERLINK(1)")
    assert status.value == "Đang xử lý"
    assert received.is_date and received.value == datetime(2026, 3, 2, 10, 0, tzinfo=VN).replace(tzinfo=None) and received.number_format == "dd/mm/yyyy hh:mm"
    assert day.is_date and day.value.date() == date(2026, 3, 2) and day.number_format == "dd/mm/yyyy"
    assert (number.data_type, number.value) == ("n", 7)
    assert sheet.freeze_panes == "A3"


def test_xlsx_after_lines_come_once_the_rows_are_written():
    """Returns the `after` lines computed after the rows were read (a tally of a streamed table)."""
    seen: list[int] = []

    def rows():
        for i in range(3):
            seen.append(i)
            yield [f"r{i}"]

    out = io.BytesIO()
    write_xlsx(Export(name="t", columns=[Column("A")], rows=rows(), after=lambda: [f"{len(seen)} dòng"]), out)
    values = [r[0] for r in load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True)]
    assert values == ["A", "r0", "r1", "r2", None, "3 dòng"]
    assert xlsx_response(Export(name="x", columns=[Column("A")], rows=[]))["Content-Type"].startswith(
        "application/vnd.openxmlformats")


# --- the downloads ---------------------------------------------------------------------------


@pytest.fixture
def open_dossier(world):
    """A dossier received on 2 March 2026 at 10:00 (Hà Nội), still open long after its due moment."""
    return s.dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                             channel=Channel.COUNTER, applicant=citizen(),
                             at=datetime(2026, 3, 2, 10, 0, tzinfo=VN)).dossier


def _signed_in(principal) -> Client:
    client = Client()
    client.force_login(principal.user)
    return client


def _content(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_due_table_writes_the_due_moment_as_a_date(world, open_dossier):
    """Returns the due table with the due moment as ISO (CSV) and as a date cell (XLSX)."""
    client = _signed_in(world.province_leader)
    due_local = open_dossier.due_at.astimezone(VN)
    rows = list(csv.reader(io.StringIO(_content(client.get("/dieu-hanh/bang/den-han/",
                                                           {"agency": "H44", "format": "csv"})).decode("utf-8-sig"))))
    row = next(r for r in rows if open_dossier.code in r)
    assert row[-1] == due_local.isoformat(timespec="seconds")
    sheet = load_workbook(io.BytesIO(_content(client.get("/dieu-hanh/bang/den-han/",
                                                         {"agency": "H44", "format": "xlsx"})))).active
    row = next(r for r in sheet.iter_rows() if r[1].value == open_dossier.code)
    assert row[-1].is_date and row[-1].value == due_local.replace(tzinfo=None, microsecond=row[-1].value.microsecond)


def test_explain_csv_has_each_code_with_its_label_and_local_instants(world, open_dossier):
    """Returns the explain CSV with `status` 2 and `status_label` "Đã tiếp nhận", `channel_label`
    and the receipt in Asia/Ho_Chi_Minh."""
    response = _signed_in(world.province_leader).get(
        "/api/v1/indicators/service-index/explain",
        {"agency": "H44", "period": "2026-03", "metric": "PROGRESS", "format": "csv"},
    )
    rows = list(csv.reader(io.StringIO(_content(response).decode("utf-8-sig"))))
    header, body = rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert {"status", "status_label", "channel", "channel_label"} <= set(header)
    row = next(r for r in body if r["code"] == open_dossier.code)
    assert (row["status"], row["status_label"]) == (str(Status.RECEIVED.value), str(Status.RECEIVED.label))
    assert row["channel_label"] == str(Channel.COUNTER.label)
    assert row["received_at"] == "2026-03-02T10:00:00+07:00"


def test_rankings_xlsx_shows_the_agency_kind_label(world, open_dossier):
    """Returns the ranking XLSX with the agency kind as its label ("UBND xã/phường"), not the code."""
    response = _signed_in(world.province_leader).get(
        "/api/v1/indicators/rankings", {"agency": "H44", "period": "2026-03", "format": "xlsx"})
    values = list(load_workbook(io.BytesIO(_content(response))).active.iter_rows(values_only=True))
    kinds = {r[3] for r in values[2:]}
    assert "UBND xã/phường" in kinds and "commune_committee" not in kinds
