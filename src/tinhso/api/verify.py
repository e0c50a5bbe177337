"""`POST /api/v1/verify`: anyone checks a signed PDF (multipart `file`).

The answer: `{"valid", "signatures": [{"signer", "certificate_issuer", "signed_at",
"timestamped", "intact", "trusted"}], "dossier", "issued_by_tinhso"}` — the same verification
as the public page `/xac-thuc/` (`tinhso.signing.selectors.verify_upload`): the upload checked
like attachments (size, a PDF by its bytes; 422 on `file`), each try counted per client address
(429 past `TINHSO_VERIFY_MAX_PER_IP` an hour). No key needed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from tinhso.api.api import PUBLIC_ERRORS, ErrorOut
from tinhso.core.clients import client_address
from tinhso.signing.selectors import verify_upload

router = Router(tags=["verification"])


class SignatureOut(Schema):
    signer: str
    certificate_issuer: str
    signed_at: datetime | None
    timestamped: bool
    intact: bool
    trusted: bool


class VerificationOut(Schema):
    valid: bool
    signatures: list[SignatureOut]
    dossier: str | None
    issued_by_tinhso: bool


@router.post("", response={200: VerificationOut, 429: ErrorOut, **PUBLIC_ERRORS}, auth=None,
             summary="Verify a signed PDF", url_name="verify")
def verify(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """Every signature of the PDF, validated against the province's trust roots. `valid`: at least
    one signature and all intact and trusted; `issued_by_tinhso`: a document tinhso signed."""
    result = verify_upload(file, address=client_address(request))
    return {
        "valid": result.valid, "dossier": result.dossier, "issued_by_tinhso": result.issued_by_tinhso,
        "signatures": [
            {"signer": s.signer, "certificate_issuer": s.certificate_issuer, "signed_at": s.signed_at,
             "timestamped": s.timestamped, "intact": s.intact, "trusted": s.trusted}
            for s in result.signatures
        ],
    }
