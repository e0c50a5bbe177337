"""The payments API: the bank webhook and what a dossier's applicant must pay.

- `POST /api/v1/payments/bank-transactions` — a payment intermediary watching an agency's account
  (SePay's shape: `id, gateway, transactionDate, accountNumber, content, transferType,
  transferAmount, referenceCode`) reports a transfer. Authenticated by `Authorization: Apikey
  <secret>` or `X-Signature: sha256=<hex HMAC-SHA256 of the body>` with the secret of `tinhso
  payments webhook-secret`; wrong secrets are throttled per address (429) and audited. Answers
  `{"success": true}`, also for a notification already recorded (it pays once).
- `GET /api/v1/dossiers/{code}/payment` — public through the dossier's code, like the tracking
  page: the amount still due, the status, the VietQR payload and the receiving account; nothing
  personal. `…/payment/qr.png`, `…/payment/qr.svg` draw the code; `…/payment/notice.pdf` is the
  payment notice once status 6 was entered; `…/payment/receipt.pdf` is the electronic fee
  receipt once paid.

Thin: parse, call one service or selector, render.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema

from tinhso.api.api import PUBLIC_ERRORS, ErrorOut
from tinhso.api.boundary import InputSchema
from tinhso.core.boundary import INT64_MAX
from tinhso.core.clients import client_address
from tinhso.core.errors import Conflict, InvalidInput, NotFound
from tinhso.payments import selectors, services, vietqr
from tinhso.payments.notices import payment_notice_pdf
from tinhso.payments.receipts import receipt_pdf

router = Router(tags=["payments"])
dossier_router = Router(tags=["payments"])

DossierCode = Annotated[str, Path(max_length=64, description="A dossier code, e.g. H44.100-260315-0007.")]


# --- the webhook -------------------------------------------------------------------------------


def webhook_auth(request: HttpRequest) -> bool | None:
    ok = services.webhook_authenticate(
        authorization=request.headers.get("Authorization", ""),
        signature=request.headers.get("X-Signature", "") or request.headers.get("X-Webhook-Signature", ""),
        body=request.body, client_address=client_address(request),
    )
    return True if ok else None


class BankTransactionIn(InputSchema):
    id: Annotated[int, Field(ge=0, le=INT64_MAX)] | Annotated[str, Field(min_length=1, max_length=100)] = Field(
        description="The intermediary's transaction id: the same id twice is one transfer.")
    gateway: str = Field(default="", max_length=100, description="The bank, e.g. Vietcombank.")
    transactionDate: str = Field(max_length=40, description="Local time: `2026-03-25 14:02:37` (or ISO 8601).")  # noqa: N815
    accountNumber: str = Field(max_length=19, description="The account the money reached.")  # noqa: N815
    content: str = Field(default="", max_length=1000, description="The transfer's content (the dossier code).")
    transferType: Literal["in", "out"]  # noqa: N815
    transferAmount: int = Field(ge=0, le=INT64_MAX, description="Whole đồng.")  # noqa: N815
    referenceCode: str | None = Field(default=None, max_length=100, description="The bank's reference.")  # noqa: N815


class SuccessOut(Schema):
    success: bool


def _moment(text: str) -> datetime:
    from tinhso.payments.statements import LineProblem, parse_moment

    try:
        return parse_moment(text.strip(), "transactionDate")
    except LineProblem as exc:
        raise InvalidInput(_("Thời điểm giao dịch không hợp lệ."), fields={"transactionDate": str(exc)}) from None


@router.post("/bank-transactions", response={200: SuccessOut, 401: ErrorOut, 429: ErrorOut, **PUBLIC_ERRORS},
             auth=webhook_auth, summary="A transfer a payment intermediary saw on an agency's account")
def bank_transaction(request: HttpRequest, payload: BankTransactionIn) -> Any:
    """Recorded once (by `id`, and by the bank's `referenceCode` on the account) and reconciled:
    the dossier whose code the content carries is paid when the money reaches its fee."""
    account = payload.accountNumber.strip()
    if not (account.isascii() and account.isalnum()):
        raise InvalidInput(_("Số tài khoản không hợp lệ."), fields={"accountNumber": _("Chỉ gồm chữ số hoặc chữ cái.")})
    services.bank_transaction_record(transfer=services.Transfer(
        provider="sepay", provider_id=str(payload.id), account_number=account, amount=payload.transferAmount,
        content=" ".join(payload.content.split()), occurred_at=_moment(payload.transactionDate),
        credit=payload.transferType == "in", gateway=payload.gateway.strip(),
        bank_reference=(payload.referenceCode or "").strip(),
    ))
    return {"success": True}


# --- a dossier's payment -----------------------------------------------------------------------


class AccountOut(Schema):
    bank_bin: str
    account_number: str
    account_name: str


class PaymentOut(Schema):
    amount: int = Field(description="Still to pay, in whole đồng: what the VietQR code asks for.")
    currency: Literal["VND"]
    status: Literal["none", "unpaid", "partial", "paid"]
    fee_due: int
    received: int
    paid_online: bool = Field(description="Paid, and the bank confirmed it (reconciliation).")
    vietqr: str | None = Field(description="The VietQR payload; null when there is nothing to pay or no account.")
    qr_png: str | None
    qr_svg: str | None
    receipt_pdf: str | None
    account: AccountOut | None


def _public(code: str) -> Any:
    dossier = selectors.public_dossier(code)
    if dossier is None:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    return dossier


@dossier_router.get("/{code}/payment", response={200: PaymentOut, 404: ErrorOut, **PUBLIC_ERRORS}, auth=None,
                    summary="What the applicant must pay, with the VietQR code")
def dossier_payment(request: HttpRequest, code: DossierCode) -> Any:
    """Public through the dossier's code (as the tracking page): no personal data."""
    dossier = _public(code)
    view = selectors.dossier_payment(dossier)
    account = view.account
    base = f"/api/v1/dossiers/{dossier.code}/payment"
    return {
        "amount": view.amount, "currency": "VND", "status": view.status, "fee_due": view.fee_due,
        "received": view.received, "paid_online": view.online and view.status == "paid", "vietqr": view.payload,
        "qr_png": request.build_absolute_uri(f"{base}/qr.png") if view.payload else None,
        "qr_svg": request.build_absolute_uri(f"{base}/qr.svg") if view.payload else None,
        "receipt_pdf": request.build_absolute_uri(f"{base}/receipt.pdf") if view.status == "paid" else None,
        "account": {"bank_bin": account.bank_bin, "account_number": account.account_number,
                    "account_name": account.account_name} if account is not None else None,
    }


def _qr(code: str) -> str:
    view = selectors.dossier_payment(_public(code))
    if view.payload is None:
        raise Conflict(_("Hồ sơ không có khoản nào cần thanh toán bằng VietQR."), code="nothing_to_pay")
    return view.payload


@dossier_router.get("/{code}/payment/qr.png", response={200: None, 404: ErrorOut, 409: ErrorOut, **PUBLIC_ERRORS},
                    auth=None, summary="The VietQR code as PNG")
def dossier_payment_png(request: HttpRequest, code: DossierCode) -> HttpResponse:
    response = HttpResponse(vietqr.png(_qr(code)), content_type="image/png")
    response["Cache-Control"] = "no-store"
    return response


@dossier_router.get("/{code}/payment/qr.svg", response={200: None, 404: ErrorOut, 409: ErrorOut, **PUBLIC_ERRORS},
                    auth=None, summary="The VietQR code as SVG")
def dossier_payment_svg(request: HttpRequest, code: DossierCode) -> HttpResponse:
    response = HttpResponse(vietqr.svg(_qr(code)), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@dossier_router.get("/{code}/payment/notice.pdf", response={200: None, 404: ErrorOut, 409: ErrorOut, **PUBLIC_ERRORS},
                    auth=None, summary="The payment notice of a dossier that entered status 6")
def dossier_payment_notice(request: HttpRequest, code: DossierCode) -> HttpResponse:
    dossier = _public(code)
    if dossier.fee_due <= 0 or not selectors.notice_issued(dossier):
        raise Conflict(_("Hồ sơ chưa có thông báo nộp phí, lệ phí."), code="no_payment_notice")
    response = HttpResponse(payment_notice_pdf(dossier), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="thong-bao-nop-phi-{dossier.code}.pdf"'
    return response


@dossier_router.get("/{code}/payment/receipt.pdf", response={200: None, 404: ErrorOut, 409: ErrorOut, **PUBLIC_ERRORS},
                    auth=None, summary="The electronic fee receipt of a paid dossier")
def dossier_payment_receipt(request: HttpRequest, code: DossierCode) -> HttpResponse:
    dossier = _public(code)
    if not dossier.fee_paid or dossier.fee_due <= 0:
        raise Conflict(_("Hồ sơ chưa nộp đủ phí, lệ phí; chưa có biên lai."), code="not_paid")
    response = HttpResponse(receipt_pdf(dossier), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-lai-{dossier.code}.pdf"'
    return response

