"""The officers' "unmatched transactions" page: scoped to the accounts of their agencies, assign
(audited, pays the dossier) or mark not ours."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.payments.conftest import received, transfer
from tinhso.payments.models import TransactionState
from tinhso.payments.services import bank_transaction_record

pytestmark = pytest.mark.django_db


def signed_in(principal) -> Client:
    client = Client()
    client.force_login(principal.user)
    return client


def test_list_assign_and_dismiss(world, account):
    d = received(world)
    tx = bank_transaction_record(transfer=transfer("chuyen tien le phi", 50_000)).transaction
    other = bank_transaction_record(transfer=transfer("ung ho", 10_000)).transaction
    page = signed_in(world.reception).get("/thanh-toan/")
    assert page.status_code == 200 and "chuyen tien le phi" in page.content.decode()
    outsider = signed_in(world.other_reception).get("/thanh-toan/")
    assert outsider.status_code == 200 and "chuyen tien le phi" not in outsider.content.decode()
    assert signed_in(world.specialist).get("/thanh-toan/").status_code == 403
    refused = signed_in(world.other_reception).post(f"/thanh-toan/{tx.pk}/gan-ho-so/", {"code": d.code})
    assert refused.status_code == 302
    tx.refresh_from_db()
    assert tx.state == TransactionState.UNMATCHED
    done = signed_in(world.reception).post(f"/thanh-toan/{tx.pk}/gan-ho-so/", {"code": d.code.lower()}, follow=True)
    assert done.status_code == 200
    tx.refresh_from_db()
    d.refresh_from_db()
    assert tx.state == TransactionState.MATCHED and d.fee_paid_online
    signed_in(world.clerk).post(f"/thanh-toan/{other.pk}/khong-thuoc/", {"note": "Ủng hộ, không phải phí"})
    other.refresh_from_db()
    assert other.state == TransactionState.NOT_OURS
    assert signed_in(world.reception).post("/thanh-toan/abc/khong-thuoc/", {}).status_code == 302
