"""Bank statement files, read into `services.Transfer`s line by line: CSV and XLSX as Vietnamese
banks export them, and ISO 20022 camt.053 XML (read with pycamt).

Each reader yields `(line, transfer, error)`: a line that cannot be read is an error naming the
line and the column, never an exception. The CSV/XLSX header row may come after a preamble (the
bank's name, the account, the period: the first 30 rows are searched); its columns are matched
without diacritics or case. Accepted headers (any one of each):

| meaning | headers |
|---|---|
| date (required) | Ngày giao dịch, Ngày GD, Thời gian giao dịch, Ngày hạch toán, Ngày hiệu lực, Thời gian, Ngày, Date, Transaction date |
| content (required) | Nội dung, Nội dung giao dịch, Nội dung chuyển khoản, Diễn giải, Mô tả, Chi tiết giao dịch, Description |
| money in (required: this or a signed amount) | Số tiền ghi có, Ghi có, Phát sinh có, Số tiền có, Có, Tiền vào, Credit |
| money out | Số tiền ghi nợ, Ghi nợ, Phát sinh nợ, Nợ, Tiền ra, Debit |
| signed amount | Số tiền, Amount |
| the bank's reference | Số tham chiếu, Mã tham chiếu, Mã giao dịch, Số bút toán, Số GD, Reference, Transaction ID |
| account | Số tài khoản, Tài khoản, Account, Account number (else `--account`) |

Amounts are whole đồng: `1.500.000`, `1,500,000`, `1500000`, `1.500.000,00`, a number cell.
Dates: `dd/mm/yyyy [HH:MM[:SS]]`, `yyyy-mm-dd [HH:MM[:SS]]`, a date cell; local time
(Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from django.utils import timezone

from tinhso.core.boundary import text_problem
from tinhso.core.text import search_key
from tinhso.payments.services import Transfer

Row = tuple[int, Transfer | None, str | None]

HEADERS: dict[str, tuple[str, ...]] = {
    "date": ("ngay giao dich", "ngay gd", "thoi gian giao dich", "ngay hach toan", "ngay hieu luc", "thoi gian",
             "ngay", "date", "transaction date"),
    "content": ("noi dung", "noi dung giao dich", "noi dung chuyen khoan", "dien giai", "mo ta", "chi tiet giao dich",
                "description"),
    "credit": ("so tien ghi co", "ghi co", "phat sinh co", "so tien co", "co", "tien vao", "credit"),
    "debit": ("so tien ghi no", "ghi no", "phat sinh no", "no", "tien ra", "debit"),
    "amount": ("so tien", "amount"),
    "reference": ("so tham chieu", "ma tham chieu", "ma giao dich", "so but toan", "so gd", "reference",
                  "transaction id"),
    "account": ("so tai khoan", "tai khoan", "account", "account number"),
}
PREAMBLE_ROWS = 30
CONTENT_MAX = 500
_GROUPED = re.compile(r"^\d{1,3}([.,]\d{3})+$")
_ACCOUNT_RE = re.compile(r"^[0-9A-Za-z]{1,19}\Z")


class LineProblem(ValueError):
    pass


def _columns(cells: list[Any]) -> dict[str, int] | None:
    """The column of each meaning, if this row is the header row."""
    folded = [search_key(str(c)).strip(" :*") if c is not None else "" for c in cells]
    found: dict[str, int] = {}
    for meaning, names in HEADERS.items():
        for name in names:
            if name in folded:
                found[meaning] = folded.index(name)
                break
    if "date" in found and "content" in found and ("credit" in found or "amount" in found):
        return found
    return None


def parse_amount(value: Any, column: str) -> int:
    """Whole đồng from a cell (a negative signed amount is money out)."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise LineProblem(f"{column} is not an amount")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != int(value):
            raise LineProblem(f"{column} {value} is not a whole number of đồng")
        return int(value)
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    for unit in ("VND", "VNĐ", "đ", "Đ"):
        text = text.removesuffix(unit)
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    text = re.sub(r"[.,]00$", "", text) if not _GROUPED.match(text) else text
    if _GROUPED.match(text):
        text = text.replace(".", "").replace(",", "")
    if not text.isdigit() or len(text) > 15:
        raise LineProblem(f"{column} {value!r} is not a whole number of đồng")
    return sign * int(text)


def parse_moment(value: Any, column: str = "date") -> datetime:
    """An instant from a cell, read in local time when it has no offset."""
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        text = str(value or "").strip()
        for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
                    "%Y-%m-%d", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y"):
            try:
                moment = datetime.strptime(text, fmt)  # noqa: DTZ007 (made aware below)
                break
            except ValueError:
                continue
        if moment is None:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                raise LineProblem(f"{column} {text!r} is not a date (dd/mm/yyyy or yyyy-mm-dd, with a time or not)") from None
    assert moment is not None
    if not 1900 <= moment.year <= 2200:
        raise LineProblem(f"{column} {moment:%Y-%m-%d} is out of range")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _text(value: Any, column: str, *, limit: int) -> str:
    text = "" if value is None else str(value).strip()
    problem = text_problem(text, multiline=False) if text else None
    if problem is not None:
        raise LineProblem(f"{column} {problem}")
    return " ".join(text.split())[:limit]


def _transfer(cells: list[Any], cols: dict[str, int], *, account: str, seen: dict[str, int]) -> Transfer | None:
    """The transfer a data row describes; None for a row to skip (an empty or a total row)."""
    def cell(meaning: str) -> Any:
        index = cols.get(meaning)
        return cells[index] if index is not None and index < len(cells) else None

    if all(c is None or str(c).strip() == "" for c in cells):
        return None
    credit = parse_amount(cell("credit"), "credit") if "credit" in cols else 0
    debit = parse_amount(cell("debit"), "debit") if "debit" in cols else 0
    if "credit" not in cols or (not credit and not debit and "amount" in cols):
        signed = parse_amount(cell("amount"), "amount")
        credit, debit = (signed, 0) if signed >= 0 else (0, -signed)
    if credit < 0 or debit < 0:
        raise LineProblem("a credit or debit amount is negative")
    if cell("date") in (None, "") and not credit and not debit:
        return None  # a closing balance or total row without a date
    occurred_at = parse_moment(cell("date"))
    content = _text(cell("content"), "content", limit=CONTENT_MAX)
    reference = _text(cell("reference"), "reference", limit=100)
    row_account = _text(cell("account"), "account", limit=19) or account
    if not row_account:
        raise LineProblem("no account: add a Số tài khoản column or pass --account")
    if not _ACCOUNT_RE.match(row_account):
        raise LineProblem(f"account {row_account!r} is not 1 to 19 letters or digits")
    if not credit and not debit:
        raise LineProblem("no amount: neither money in nor money out")
    if reference:
        provider_id = f"{row_account}:{reference}"
    else:  # no reference: the line's own content, numbered among identical lines of the file
        key = f"{row_account}|{occurred_at.isoformat()}|{credit}|{debit}|{content}"
        seen[key] = seen.get(key, 0) + 1
        provider_id = "sha256:" + hashlib.sha256(f"{key}|{seen[key]}".encode()).hexdigest()[:40]
    return Transfer(provider="statement", provider_id=provider_id, account_number=row_account,
                    amount=credit or debit, content=content, occurred_at=occurred_at, credit=bool(credit),
                    bank_reference=reference)


def _rows(table: Iterable[tuple[int, list[Any]]], *, account: str) -> Iterator[Row]:
    cols: dict[str, int] | None = None
    seen: dict[str, int] = {}
    for line, cells in table:
        if cols is None:
            cols = _columns(cells)
            if cols is None and line >= PREAMBLE_ROWS:
                yield line, None, ("no header row: expected columns for the date, the content and the money in "
                                   "(e.g. Ngày giao dịch, Nội dung, Số tiền ghi có)")
                return
            continue
        try:
            transfer = _transfer(cells, cols, account=account, seen=seen)
        except LineProblem as exc:
            yield line, None, str(exc)
            continue
        if transfer is not None:
            yield line, transfer, None
    if cols is None:
        yield 1, None, "no header row: expected columns for the date, the content and the money in"


def read_csv(path: Path, *, account: str = "") -> Iterator[Row]:
    with path.open(encoding="utf-8-sig", errors="strict", newline="") as fh:
        try:
            sample = fh.read(4096)
        except UnicodeDecodeError:
            yield 1, None, "not UTF-8 text"
            return
        fh.seek(0)
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            yield from _rows(((reader.line_num, row) for row in reader), account=account)
        except csv.Error as exc:
            yield reader.line_num, None, f"not valid CSV: {exc}"
        except UnicodeDecodeError:
            yield reader.line_num + 1, None, "not UTF-8 text"


def read_xlsx(path: Path, *, account: str = "") -> Iterator[Row]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        yield from _rows(((n, list(row)) for n, row in enumerate(sheet.iter_rows(values_only=True), start=1)),
                         account=account)
    finally:
        workbook.close()


def read_camt053(path: Path, *, account: str = "") -> Iterator[Row]:
    """ISO 20022 camt.053 (BankToCustomerStatement): one transfer per entry detail; "lines" are
    the entries' numbers in the file (1, 2, …). The account is the statement's IBAN or other id."""
    from pycamt.parser import Camt053Parser

    try:
        parser = Camt053Parser(path.read_bytes())
        transactions = parser.get_transactions()
    except Exception as exc:  # noqa: BLE001 (lxml's and pycamt's errors alike: the file is not camt.053)
        yield 1, None, f"not a camt.053 statement: {exc}"
        return
    other_ids = [e.text.strip() for e in parser.tree.iter() if isinstance(e.tag, str) and e.tag.endswith("}Id")
                 and e.getparent() is not None and str(e.getparent().tag).endswith("}Othr")
                 and str(e.getparent().getparent().getparent().tag).endswith("}Acct") and e.text]
    seen: dict[str, int] = {}
    for n, entry in enumerate(transactions, start=1):
        try:
            if (entry.get("Currency") or "VND") != "VND":
                raise LineProblem(f"currency {entry.get('Currency')} is not VND")
            cols = {"date": 0, "content": 1, "credit": 2, "debit": 3, "reference": 4, "account": 5}
            amount = parse_amount(entry.get("Amount"), "Amt")
            credit = entry.get("CreditDebitIndicator") == "CRDT"
            content = (entry.get("RemittanceInformationFull") or entry.get("RemittanceInformation")
                       or entry.get("AdditionalEntryInformation") or "")
            cells = [entry.get("BookingDate") or entry.get("ValueDate"), content, amount if credit else 0,
                     0 if credit else amount, entry.get("TransactionID") or entry.get("EndToEndId") or "",
                     entry.get("AccountIBAN") or (other_ids[0] if other_ids else "") or account]
            transfer = _transfer(cells, cols, account=account, seen=seen)
        except LineProblem as exc:
            yield n, None, f"entry {n}: {exc}"
            continue
        if transfer is not None:
            yield n, transfer, None


def read_statement(path: Path, *, account: str = "") -> Iterator[Row]:
    """The reader for the file's kind (by its extension: .csv, .xlsx, .xml)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx(path, account=account)
    if suffix == ".xml":
        return read_camt053(path, account=account)
    return read_csv(path, account=account)
