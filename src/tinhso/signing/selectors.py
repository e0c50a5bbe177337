"""Reads of the signing room for the public faces: a checked upload verified, an issued document
shown without personal data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core.codes import mask_name
from tinhso.core.errors import ApplicationError, InvalidInput, NotFound
from tinhso.signing.models import IssuedDocument
from tinhso.throttling.services import rule, throttle_hit

if TYPE_CHECKING:
    from tinhso.signing.verification import Verification


def _read_pdf(upload: UploadedFile | None) -> bytes:
    """The upload's bytes, checked like attachments: present, not empty, within
    `TINHSO_MAX_ATTACHMENT_BYTES`, a PDF by its bytes (not its name)."""
    if upload is None:
        raise InvalidInput(_("Chưa chọn tệp."), fields={"file": _("Chọn tệp PDF cần xác thực.")})
    limit = settings.TINHSO_MAX_ATTACHMENT_BYTES
    if upload.size is not None and upload.size > limit:
        raise InvalidInput(_("Tệp quá lớn (tối đa %(max)s MB).") % {"max": limit // (1024 * 1024)},
                           fields={"file": _("Tệp quá lớn.")})
    data = b"".join(upload.chunks())
    if len(data) > limit:
        raise InvalidInput(_("Tệp quá lớn (tối đa %(max)s MB).") % {"max": limit // (1024 * 1024)},
                           fields={"file": _("Tệp quá lớn.")})
    if not data:
        raise InvalidInput(_("Tệp rỗng."), fields={"file": _("Tệp rỗng.")})
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime != "application/pdf":
        raise InvalidInput(_("Tệp không phải PDF."), fields={"file": _("Chỉ nhận tệp PDF.")})
    return data


def verify_upload(upload: UploadedFile | None, *, address: str | None) -> Verification:
    """Verify an uploaded PDF for anyone; each try counts against the address's hourly budget
    (`VERIFY_PER_ADDRESS`), since each one costs a full validation."""
    if address:
        verdict = throttle_hit(rule("VERIFY_PER_ADDRESS"), address)
        if not verdict.allowed:
            raise ApplicationError(
                _("Đã kiểm tra quá nhiều tệp từ địa chỉ này. Vui lòng thử lại sau %(minutes)s phút.")
                % {"minutes": verdict.retry_minutes}, code="rate_limited", status=429,
            )
    from tinhso.signing.verification import verify_pdf  # pyHanko, loaded when a PDF is checked

    return verify_pdf(_read_pdf(upload))


@dataclass
class IssuedSummary:
    """What the public page says of an issued document: nothing personal beyond a masked name."""

    id: uuid.UUID
    document_name: str
    number: str
    agency: str
    signed_at: str
    signer_name: str
    applicant: str


def issued_summary(document_id: uuid.UUID) -> IssuedSummary:
    document = IssuedDocument.objects.select_related("agency", "dossier").filter(pk=document_id).first()
    if document is None:
        raise NotFound(_("Không tìm thấy văn bản này trong hệ thống."))
    dossier = document.dossier
    return IssuedSummary(
        id=document.id, document_name=document.document_name, number=document.number, agency=document.agency.name,
        signed_at=f"{timezone.localtime(document.signed_at):%H:%M %d/%m/%Y}", signer_name=document.signer_name,
        applicant=mask_name(dossier.applicant_name) if dossier is not None else "",
    )
