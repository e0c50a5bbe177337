"""`tinhso payments import FILE`: CSV, XLSX and camt.053 statements, reconciled like the webhook;
bad lines named by number (exit 2), a second import records nothing new."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from tests.payments.conftest import ACCOUNT, received
from tinhso.payments.models import BankTransaction, TransactionState
from tinhso.payments.statements import parse_amount, read_statement

pytestmark = pytest.mark.django_db

PREAMBLE = "NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM\nSAO KÊ TÀI KHOẢN\nSố tài khoản: 0011001932418\n\n"


def run(*args):
    return call_command("payments", "import", *map(str, args), "--json", verbosity=0)


@pytest.mark.parametrize(("text", "amount"), [
    ("1.500.000", 1_500_000), ("1,500,000", 1_500_000), ("1500000", 1_500_000), ("1.500.000,00", 1_500_000),
    ("1,500,000.00", 1_500_000), ("50.000 VND", 50_000), (50000.0, 50_000), ("", 0), ("-20.000", -20_000),
])
def test_amounts(text, amount):
    assert parse_amount(text, "credit") == amount


def test_csv_with_preamble_matches_and_is_idempotent(world, account, tmp_path, capsys):
    d1, d2 = received(world), received(world)
    path = tmp_path / "sao-ke.csv"
    path.write_text(PREAMBLE + "STT,Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Diễn giải\n"
                    f"1,05/03/2026 09:12:45,FT26064001,,50.000,{d1.code.replace('-', '')} NOP LE PHI\n"
                    f"2,05/03/2026 10:00:00,FT26064002,,\"20,000\",{d2.code.lower()} nop thieu\n"
                    "3,05/03/2026 11:00:00,FT26064003,100.000,,PHI DICH VU\n"
                    "4,05/03/2026 11:30:00,FT26064004,,30.000,CHUYEN TIEN\n", encoding="utf-8")
    run(path, "--account", ACCOUNT)
    d1.refresh_from_db()
    d2.refresh_from_db()
    assert d1.fee_paid_online and not d2.fee_paid
    states = dict(BankTransaction.objects.values_list("bank_reference", "state"))
    assert states == {"FT26064001": "matched", "FT26064002": "matched", "FT26064003": "debit", "FT26064004": "unmatched"}
    report = capsys.readouterr().out
    assert '"recorded": 4' in report and '"matched": 2' in report
    run(path, "--account", ACCOUNT)
    assert '"duplicates": 4' in capsys.readouterr().out and BankTransaction.objects.count() == 4


def test_bad_lines_exit_2_naming_the_line(world, account, tmp_path, capsys):
    d = received(world)
    path = tmp_path / "sao-ke.csv"
    path.write_text("Ngày giao dịch;Nội dung;Ghi có;Số tài khoản\n"
                    f"31/02/2026;{d.code};50000;{ACCOUNT}\n"
                    f"05/03/2026;{d.code};năm mươi nghìn;{ACCOUNT}\n"
                    f"05/03/2026;{d.code};50000;{ACCOUNT}\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("payments", "import", str(path), verbosity=0)
    assert exc.value.returncode == 2
    err = capsys.readouterr().err
    assert f"{path}:2: date" in err and f"{path}:3: credit" in err
    d.refresh_from_db()
    assert d.fee_paid_online  # the good line is kept


def test_no_account_anywhere_is_a_line_error(world, account, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("Ngày giao dịch,Nội dung,Ghi có\n05/03/2026,X,1000\n", encoding="utf-8")
    rows = list(read_statement(path))
    assert rows[0][0] == 2 and "account" in rows[0][2]


def test_not_a_statement(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    assert "no header row" in list(read_statement(path))[-1][2]
    path.write_bytes(b"Ng\xe0y,b\n")
    assert list(read_statement(path))[0][2] == "not UTF-8 text"
    with pytest.raises(CommandError) as exc:
        call_command("payments", "import", str(tmp_path / "missing.csv"), verbosity=0)
    assert exc.value.returncode == 2


def test_xlsx(world, account, tmp_path):
    from datetime import datetime

    d = received(world)
    book = Workbook()
    sheet = book.active
    sheet.append(["BIDV - SAO KÊ"])
    sheet.append([])
    sheet.append(["Ngày hiệu lực", "Số bút toán", "Phát sinh có", "Phát sinh nợ", "Mô tả", "Số tài khoản"])
    cell = datetime(2026, 3, 5, 9, 0)  # noqa: DTZ001 (a spreadsheet cell has no time zone)
    sheet.append([cell, "BT001", 50000, None, f"TT {d.code}", ACCOUNT])
    sheet.append([None, None, None, None, "Tổng cộng", None])
    path = tmp_path / "sao-ke.xlsx"
    book.save(path)
    run(path)
    d.refresh_from_db()
    assert d.fee_paid_online


CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>STMT-20260305</MsgId><CreDtTm>2026-03-05T18:00:00+07:00</CreDtTm></GrpHdr>
  <Stmt>
   <Id>1</Id>
   <Acct><Id><Othr><Id>{account}</Id></Othr></Id><Ccy>VND</Ccy></Acct>
   <Ntry>
    <Amt Ccy="VND">50000</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><DtTm>2026-03-05T09:12:45</DtTm></BookgDt>
    <AcctSvcrRef>FT26064777</AcctSvcrRef>
    <NtryDtls><TxDtls><RmtInf><Ustrd>{content}</Ustrd></RmtInf></TxDtls></NtryDtls>
   </Ntry>
   <Ntry>
    <Amt Ccy="USD">10</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2026-03-05</Dt></BookgDt><AcctSvcrRef>FT26064778</AcctSvcrRef>
   </Ntry>
  </Stmt>
 </BkToCstmrStmt>
</Document>
"""


def test_camt053(world, account, tmp_path, capsys):
    d = received(world)
    path = tmp_path / "camt053.xml"
    path.write_text(CAMT.format(account=ACCOUNT, content=f"NOP PHI {d.code.replace('.', '')}"), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("payments", "import", str(path), verbosity=0)
    assert "entry 2: currency USD" in capsys.readouterr().err
    d.refresh_from_db()
    assert d.fee_paid_online
    tx = BankTransaction.objects.get()
    assert tx.bank_reference == "FT26064777" and tx.state == TransactionState.MATCHED
