"""The webhook (`POST /api/v1/payments/bank-transactions`) and a dossier's payment endpoints."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.test import Client

from tests.payments.conftest import ACCOUNT, received
from tinhso.audit.models import AuditEntry
from tinhso.dossiers.models import Dossier, DossierEvent
from tinhso.payments.models import BankTransaction, WebhookSecret
from tinhso.payments.services import webhook_secret_rotate
from tinhso.throttling.services import rule, throttle_exceeded

pytestmark = pytest.mark.django_db
URL = "/api/v1/payments/bank-transactions"


def sepay(code: str, amount: int = 50_000, **overrides):
    body = {"id": 92704, "gateway": "Vietcombank", "transactionDate": "2026-03-25 14:02:37",
            "accountNumber": ACCOUNT, "code": None, "content": f"{code.replace('-', '')} nop phi",
            "transferType": "in", "transferAmount": amount, "accumulated": 19_077_000, "subAccount": None,
            "referenceCode": "MBVCB.3278907687", "description": ""}
    body.update(overrides)
    return body


def post(body, *, secret: str | None = None, signature: str | None = None, address: str = "203.0.113.5"):
    headers = {}
    if secret is not None:
        headers["Authorization"] = f"Apikey {secret}"
    if signature is not None:
        headers["X-Signature"] = signature
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Client(REMOTE_ADDR=address).post(URL, raw, content_type="application/json", headers=headers)


def test_apikey_pays_once_and_answers_success(world, account):
    d = received(world)
    secret = webhook_secret_rotate()
    first = post(sepay(d.code), secret=secret)
    again = post(sepay(d.code), secret=secret)
    assert first.status_code == again.status_code == 200 and first.json() == {"success": True}
    assert BankTransaction.objects.count() == 1
    assert DossierEvent.objects.filter(dossier=d, action="fee_paid").count() == 1
    d.refresh_from_db()
    assert d.fee_paid_online


def test_hmac_variant(world, account):
    d = received(world)
    secret = webhook_secret_rotate()
    raw = json.dumps(sepay(d.code)).encode()
    signature = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    assert post(raw, signature=signature).status_code == 200
    assert post(raw, signature="sha256=" + "0" * 64).status_code == 401


def test_secret_is_stored_as_digest_and_rotation_revokes(world, account):
    d = received(world)
    old = webhook_secret_rotate()
    new = webhook_secret_rotate()
    stored = list(WebhookSecret.objects.values_list("salt", "digest"))
    assert all(old not in v and new not in v for row in stored for v in row)
    assert hashlib.sha256(new.encode()).hexdigest() in [digest for _salt, digest in stored]
    assert post(sepay(d.code), secret=old).status_code == 401
    assert post(sepay(d.code), secret=new).status_code == 200


def test_wrong_secrets_are_throttled_and_audited(world, account, settings):
    settings.TINHSO_PAYMENT_WEBHOOK_MAX_FAILURES_PER_IP = 3
    d = received(world)
    secret = webhook_secret_rotate()
    codes = [post(sepay(d.code), secret="tsw_wrong").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    assert post(sepay(d.code), secret=secret).status_code == 429  # the address waits out its window
    assert post(sepay(d.code), secret=secret, address="203.0.113.9").status_code == 200
    assert AuditEntry.objects.filter(action="payments.webhook_refused").count() == 3
    # A budget of its own: the API keys of that address are not locked out.
    assert throttle_exceeded(rule("API_KEY_PER_ADDRESS"), "203.0.113.5") is None


def test_no_secret_configured_refuses(world, account):
    d = received(world)
    assert post(sepay(d.code), secret="anything").status_code == 401
    assert post(sepay(d.code)).status_code == 401


def test_bad_body_names_the_field(world, account):
    secret = webhook_secret_rotate()
    response = post(sepay("x", transactionDate="25 March"), secret=secret)
    assert response.status_code == 422 and "transactionDate" in response.json()["error"]["fields"]
    response = post(sepay("x", transferAmount=-5), secret=secret)
    assert response.status_code == 422
    response = post(sepay("x", content="a\x00b"), secret=secret)
    assert response.status_code == 422


def test_payment_endpoint_is_public_and_without_personal_data(world, account):
    d = received(world)
    client = Client()
    body = client.get(f"/api/v1/dossiers/{d.code.lower().replace('-', ' ')}/payment")
    assert body.status_code == 200, body.content
    data = body.json()
    assert data["amount"] == 50_000 and data["currency"] == "VND" and data["status"] == "unpaid"
    assert data["account"] == {"bank_bin": "970436", "account_number": ACCOUNT, "account_name": "UBND PHUONG VIET TRI"}
    assert data["vietqr"].startswith("000201010212") and d.code in data["vietqr"]
    assert data["qr_png"].endswith(f"/api/v1/dossiers/{d.code}/payment/qr.png")
    text = json.dumps(data, ensure_ascii=False)
    assert "Nguyễn" not in text and "025090001234" not in text and "0912345678" not in text
    png = client.get(f"/api/v1/dossiers/{d.code}/payment/qr.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    svg = client.get(f"/api/v1/dossiers/{d.code}/payment/qr.svg")
    assert svg.status_code == 200 and svg.content.startswith(b"<svg")
    assert client.get(f"/api/v1/dossiers/{d.code}/payment/receipt.pdf").status_code == 409
    assert client.get("/api/v1/dossiers/H44.100-260101-9999/payment").status_code == 404


def test_paid_dossier_has_a_receipt(world, account):
    d = received(world)
    secret = webhook_secret_rotate()
    post(sepay(d.code), secret=secret)
    client = Client()
    data = client.get(f"/api/v1/dossiers/{d.code}/payment").json()
    assert data["status"] == "paid" and data["paid_online"] and data["vietqr"] is None and data["amount"] == 0
    assert client.get(f"/api/v1/dossiers/{d.code}/payment/qr.png").status_code == 409
    pdf = client.get(f"/api/v1/dossiers/{d.code}/payment/receipt.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert d.code in text and "50.000" in text and "MBVCB.3278907687" in text
    assert "Nguyễn Văn An" not in text


def test_no_account_means_no_code(world):
    d = received(world)
    data = Client().get(f"/api/v1/dossiers/{d.code}/payment").json()
    assert data["status"] == "unpaid" and data["vietqr"] is None and data["account"] is None


def test_receipt_refuses_a_declared_online_payment(world):
    """`fee_paid_online: true` at receipt is 422 pointing to reconciliation; false is accepted."""
    from tests.api.conftest import URL as DOSSIERS
    from tests.api.conftest import as_officer, dossier_body

    client = as_officer(world.reception)
    refused = client.post(DOSSIERS, dossier_body(world, fee_paid_online=True), content_type="application/json")
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "paid_online_by_reconciliation" and "fee_paid_online" in error["fields"]
    ok = client.post(DOSSIERS, dossier_body(world, fee_paid_online=False), content_type="application/json")
    assert ok.status_code == 201
    assert Dossier.objects.get(code=ok.json()["code"]).fee_paid_online is False
