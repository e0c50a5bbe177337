"""Receiving accounts: checked against the Napas list, saved (audited) from the admin and from the
optional bank columns of `tinhso import agencies`."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tests.factories import UserFactory
from tinhso.audit.models import AuditEntry
from tinhso.payments.models import FeeAccount
from tinhso.payments.services import fee_account_problems

pytestmark = pytest.mark.django_db


def test_problems_by_field():
    assert fee_account_problems(bank_bin="970436", account_number="0011001932418", account_name="UBND") == {}
    problems = fee_account_problems(bank_bin="999999", account_number="00 11", account_name="")
    assert set(problems) == {"bank_bin", "bank_account", "bank_account_name"}
    assert "bank_account_name" in fee_account_problems(bank_bin="970436", account_number="1", account_name="a\nb")


def test_import_agencies_with_bank_columns(world, tmp_path, capsys):
    path = tmp_path / "agencies.csv"
    path.write_text(
        "code,name,kind,unit_code,parent_code,bank_bin,bank_account,bank_account_name\n"
        "H44.100,UBND phường Việt Trì,commune_committee,07900,H44,970436,0011001932418,UBND PHUONG VIET TRI\n"
        "H44.101,UBND phường Nông Trang,commune_committee,07901,H44,123456,8800205123456,UBND NONG TRANG\n"
        "H44.03,Sở Tư pháp,department,25,H44,,,\n"
        "H44.04,Sở Y tế,department,25,H44,970405,,\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("import", "agencies", str(path))
    assert exc.value.returncode == 2
    err = capsys.readouterr().err
    assert f"{path}:3: bank_bin" in err and f"{path}:5: bank_bin, bank_account and bank_account_name go together" in err
    account = FeeAccount.objects.get()
    assert (account.agency, account.bank_bin, account.account_number) == (world.commune, "970436", "0011001932418")
    assert AuditEntry.objects.filter(action="payments.fee_account_saved").count() == 1
    capsys.readouterr()
    path.write_text("code,name,kind,unit_code,parent_code,bank_bin,bank_account,bank_account_name\n"
                    "H44.100,UBND phường Việt Trì,commune_committee,07900,H44,970436,0011001932418,UBND PHUONG VIET TRI\n",
                    encoding="utf-8")
    call_command("import", "agencies", str(path))
    assert FeeAccount.objects.count() == 1
    assert AuditEntry.objects.filter(action="payments.fee_account_saved").count() == 1  # nothing changed


def test_admin_refuses_unknown_bin_and_audits_the_add(world):
    admin = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    url = "/admin/payments/feeaccount/add/"
    form = {"agency": world.commune.pk, "bank_bin": "123456", "account_number": "0011001932418",
            "account_name": "UBND PHUONG VIET TRI", "is_active": "on"}
    refused = client.post(url, form)
    assert refused.status_code == 200 and not FeeAccount.objects.exists()
    assert "Napas" in refused.content.decode()
    form["bank_bin"] = "970436"
    assert client.post(url, form).status_code == 302
    assert FeeAccount.objects.get().bank_bin == "970436"
    assert AuditEntry.objects.filter(action="admin.add", object_type="feeaccount").exists()
    assert client.get("/admin/payments/banktransaction/").status_code == 200
