"""Verification of a signed PDF (xác thực văn bản điện tử): every signature, with pyHanko,
against the province's trust roots.

Per signature: who signed (`signer`, the certificate's subject), who issued the certificate,
when it says it signed, whether an RFC 3161 time-stamp vouches for the time, whether the signed
bytes are untouched and cover the file except for permitted later signatures (`intact`), and
whether the certificate chains to a trust root and was valid then (`trusted`). The file is
`valid` when it has at least one signature and every one is intact and trusted.
`issued_by_tinhso`: the file's SHA-256 is an `IssuedDocument`'s, or an intact and trusted
signature carries an issued document's id (its field name) and was made with that document's
certificate.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import ModificationLevel, SignatureCoverageLevel

from tinhso.core.errors import InvalidInput
from tinhso.signing.certificates import certificate_sha256
from tinhso.signing.models import IssuedDocument
from tinhso.signing.trust import validation_context

log = logging.getLogger(__name__)

FIELD_PREFIX = "tinhso-"


@dataclass
class SignatureCheck:
    signer: str
    certificate_issuer: str
    signed_at: datetime | None
    timestamped: bool
    intact: bool
    trusted: bool
    field_name: str = ""
    certificate_sha256: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "signer": self.signer, "certificate_issuer": self.certificate_issuer,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "timestamped": self.timestamped, "intact": self.intact, "trusted": self.trusted,
        }


@dataclass
class Verification:
    sha256: str
    signatures: list[SignatureCheck] = field(default_factory=list)
    issued: IssuedDocument | None = None

    @property
    def valid(self) -> bool:
        return bool(self.signatures) and all(s.intact and s.trusted for s in self.signatures)

    @property
    def issued_by_tinhso(self) -> bool:
        return self.issued is not None

    @property
    def dossier(self) -> str | None:
        return self.issued.dossier.code if self.issued is not None and self.issued.dossier is not None else None

    @property
    def any_altered(self) -> bool:
        return any(not s.intact for s in self.signatures)

    def as_dict(self) -> dict[str, object]:
        return {"valid": self.valid, "signatures": [s.as_dict() for s in self.signatures],
                "dossier": self.dossier, "issued_by_tinhso": self.issued_by_tinhso}


def _reader(data: bytes) -> PdfFileReader:
    if not data.lstrip()[:5] == b"%PDF-":
        raise InvalidInput(_("Tệp không phải PDF."), fields={"file": _("Chỉ nhận tệp PDF.")})
    try:
        return PdfFileReader(BytesIO(data), strict=False)
    except (PdfError, ValueError, KeyError, TypeError, IndexError):
        raise InvalidInput(_("Không đọc được tệp PDF (tệp bị hỏng)."), fields={"file": _("Tệp PDF bị hỏng.")}) from None


def _display(name: Any) -> str:
    """A certificate name as people say it: its common name and organisation."""
    native = name.native if isinstance(name.native, dict) else {}
    parts = [str(native[k]) for k in ("common_name", "organization_name") if native.get(k)]
    return ", ".join(parts) or str(name.human_friendly)


def _check(embedded: object, context: object) -> SignatureCheck:
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    assert isinstance(embedded, EmbeddedPdfSignature)
    name = str(embedded.field_name or "")
    try:
        cert = embedded.signer_cert
        signer, issuer, fingerprint = _display(cert.subject), _display(cert.issuer), certificate_sha256(cert)
    except Exception:  # noqa: BLE001 — a mangled CMS blob: nothing can be said of its signer
        return SignatureCheck(signer="", certificate_issuer="", signed_at=None, timestamped=False, intact=False,
                              trusted=False, field_name=name)
    try:
        status = validate_pdf_signature(embedded, context)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 — any failure to validate is "not intact", never a 500
        log.info("signature %s could not be validated: %s", name, type(exc).__name__)
        return SignatureCheck(signer=signer, certificate_issuer=issuer, signed_at=None, timestamped=False,
                              intact=False, trusted=False, field_name=name, certificate_sha256=fingerprint)
    covered = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level is not None
        and status.modification_level <= ModificationLevel.FORM_FILLING
    )
    ts = status.timestamp_validity
    timestamped = ts is not None and ts.intact and ts.valid
    signed_at = ts.timestamp if timestamped and ts is not None else status.signer_reported_dt
    return SignatureCheck(
        signer=signer, certificate_issuer=issuer, signed_at=signed_at, timestamped=timestamped,
        intact=bool(status.intact and status.valid and covered), trusted=bool(status.trusted), field_name=name,
        certificate_sha256=fingerprint,
    )


def _issued(sha256: str, checks: list[SignatureCheck]) -> IssuedDocument | None:
    documents = IssuedDocument.objects.select_related("dossier", "agency")
    found = documents.filter(sha256=sha256).first()
    if found is not None:
        return found
    for check in checks:
        if check.intact and check.trusted and check.field_name.startswith(FIELD_PREFIX):
            try:
                candidate = documents.filter(pk=check.field_name.removeprefix(FIELD_PREFIX)).first()
            except Exception:  # noqa: BLE001 — not a UUID: not ours
                continue
            if candidate is not None and candidate.certificate_sha256 == check.certificate_sha256:
                return candidate
    return None


def verify_pdf(data: bytes) -> Verification:
    """Every signature of the PDF `data`, checked. Raises InvalidInput (field `file`) for a file
    that is not a readable PDF; a PDF without signatures verifies as not valid."""
    sha256 = hashlib.sha256(data).hexdigest()
    reader = _reader(data)
    try:
        embedded = reader.embedded_signatures
    except Exception:  # noqa: BLE001 — a broken AcroForm: a signature nobody can check
        raise InvalidInput(_("Không đọc được chữ ký trong tệp PDF."), fields={"file": _("Tệp PDF bị hỏng.")}) from None
    context = validation_context()
    checks = [_check(sig, context) for sig in embedded]
    verification = Verification(sha256=sha256, signatures=checks)
    verification.issued = _issued(sha256, checks)
    return verification
