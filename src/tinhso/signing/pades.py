"""PAdES signing of a result PDF with pyHanko (ký số văn bản kết quả).

`sign_result` adds one signature as an incremental update, so a second one (the agency's seal
added by the records clerk at issue) keeps the first valid. The signature is PAdES
(ETSI.CAdES.detached) with SHA-256; it carries a visible stamp in Vietnamese — signer, title,
agency, time in Asia/Ho_Chi_Minh, in an embedded DejaVu Sans (the project's fonts) — with a QR
code to the public verification page; an RFC 3161 time-stamp when a TSA is configured; and,
when the signer's certificate validates against the trust roots, its chain and revocation
information in the document's DSS (long-term validation).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.pdf_utils import generic, text
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.stamp import QRStampStyle
from pyhanko_certvalidator import CertificateValidator
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, ValidationError

from tinhso.core.errors import ApplicationError, InvalidInput
from tinhso.signing.keys import signer_for
from tinhso.signing.models import SigningKey
from tinhso.signing.remote import RemoteSigningClient
from tinhso.signing.trust import validation_context

log = logging.getLogger(__name__)
# fontTools logs every font subset at INFO (as in dossiers.forms.pdf).
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT = Path(__file__).resolve().parent.parent / "fonts" / "DejaVuSans.ttf"
LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
# The stamp's size in points (A4 is 595 × 842) and its distance from the page's edges.
STAMP_WIDTH, STAMP_HEIGHT, MARGIN = 250, 90, 36


def _stamp_style() -> QRStampStyle:
    return QRStampStyle(
        stamp_text=_("Ký bởi: %(signer)s\nChức vụ: %(title)s\nCơ quan: %(agency)s\nThời gian ký: %(ts)s\n"
                     "Quét mã QR để xác thực"),
        text_box_style=text.TextBoxStyle(font=GlyphAccumulatorFactory(str(FONT), font_size=7)),
        border_width=1,
        innsep=4,
        qr_inner_size=70,
        background=None,
    )


def _stamp_box(writer: IncrementalPdfFileWriter, slot: int) -> tuple[int, int, int, int]:
    """Bottom right of the last page; each further signature sits one stamp higher."""
    page_ref, _resources = writer.find_page_for_modification(-1)
    node, media = page_ref.get_object(), [0.0, 0.0, 595.0, 842.0]
    for _depth in range(32):  # MediaBox may be inherited from the page tree
        if "/MediaBox" in node:
            media = [float(v) for v in node["/MediaBox"]]
            break
        if "/Parent" not in node:
            break
        node = node["/Parent"]
    right, bottom = int(media[2]) - MARGIN, int(media[1]) + MARGIN + slot * (STAMP_HEIGHT + 8)
    return right - STAMP_WIDTH, bottom, right, bottom + STAMP_HEIGHT


def _link(writer: IncrementalPdfFileWriter, box: tuple[int, int, int, int], url: str) -> None:
    """A link over the stamp to the verification page (signed with the rest of the revision):
    on a phone, tapping the stamp opens the page the QR code leads to."""
    page_ref, _resources = writer.find_page_for_modification(-1)
    annotation = generic.DictionaryObject({
        generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
        generic.pdf_name("/Subtype"): generic.pdf_name("/Link"),
        generic.pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in box]),
        generic.pdf_name("/Border"): generic.ArrayObject([generic.NumberObject(0)] * 3),
        generic.pdf_name("/A"): generic.DictionaryObject({
            generic.pdf_name("/S"): generic.pdf_name("/URI"), generic.pdf_name("/URI"): generic.pdf_string(url),
        }),
    })
    writer.register_annotation(page_ref, writer.add_object(annotation))


def _writer(pdf_bytes: bytes) -> IncrementalPdfFileWriter:
    try:
        return IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
    except (PdfError, ValueError, KeyError, TypeError):
        raise InvalidInput(_("Tệp kết quả không phải PDF hợp lệ."), fields={"result": _("Tệp PDF bị hỏng.")}) from None


def sign_result(
    pdf_bytes: bytes, key: SigningKey, *, signer_name: str, title: str, agency_name: str, verify_url: str,
    tsa_url: str | None = None, field_name: str = "", signed_at: datetime | None = None,
    remote_client: RemoteSigningClient | None = None,
) -> bytes:
    """The PDF with one more PAdES signature by `key` and its visible stamp. `field_name` names
    the signature field (it carries the issued document's id); `tsa_url` defaults to
    `TINHSO_SIGNING_TSA_URL` (empty: no time-stamp)."""
    tsa_url = tsa_url if tsa_url is not None else settings.TINHSO_SIGNING_TSA_URL
    writer = _writer(pdf_bytes)
    try:
        existing = len(writer.prev.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, AttributeError):
        raise InvalidInput(_("Tệp kết quả không phải PDF hợp lệ."), fields={"result": _("Tệp PDF bị hỏng.")}) from None
    at = (signed_at or datetime.now(tz=LOCAL_TIME)).astimezone(LOCAL_TIME)
    field = field_name or f"Signature{existing + 1}"
    box = _stamp_box(writer, existing)
    with signer_for(key, remote_client=remote_client) as signer:
        context = validation_context()
        embed = True
        try:  # LTV only for a chain the province trusts (an untrusted one is still signed, as is)
            assert signer.signing_cert is not None
            context.certificate_registry.register_multiple(signer.cert_registry)
            validator = CertificateValidator(signer.signing_cert, validation_context=context)
            asyncio.run(validator.async_validate_usage({"non_repudiation"}))
        except (PathBuildingError, PathValidationError, ValidationError, AssertionError) as exc:
            log.info("signing without validation info: %s", type(exc).__name__)
            embed = False
        meta = signers.PdfSignatureMetadata(
            field_name=field,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=_("Ký số văn bản kết quả giải quyết thủ tục hành chính"),
            location=agency_name[:200],
            name=signer_name[:200],
            contact_info=verify_url,
            embed_validation_info=embed,
            validation_context=context if embed else None,
            use_pades_lta=False,
        )
        pdf_signer = signers.PdfSigner(
            meta, signer=signer, stamp_style=_stamp_style(),
            timestamper=HTTPTimeStamper(tsa_url, timeout=settings.TINHSO_SIGNING_TSA_TIMEOUT_SECONDS) if tsa_url else None,
            new_field_spec=fields.SigFieldSpec(sig_field_name=field, on_page=-1, box=box),
        )
        if not existing:  # a later revision may add only its signature, or the first one breaks
            _link(writer, box, verify_url)
        out = BytesIO()
        try:
            pdf_signer.sign_pdf(
                writer, output=out,
                appearance_text_params={
                    "url": verify_url, "signer": signer_name, "title": title or "—", "agency": agency_name,
                    "ts": f"{at:%H:%M:%S %d/%m/%Y} (GMT+7)",
                },
            )
        except TimestampRequestError as exc:
            log.warning("time-stamping authority failed: %s", exc)
            raise ApplicationError(
                _("Không lấy được dấu thời gian từ máy chủ cấp dấu thời gian (TSA); chưa ký. Vui lòng thử lại."),
                code="timestamp_failed", status=502,
            ) from None
    return out.getvalue()
