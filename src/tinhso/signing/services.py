"""The signing room's doors: issuing a signed document (the leader's signature), adding an
agency's seal, registering keys and trust roots. Each writes its audit entry.

The dossier services call `result_sign` and `result_seal` (narrow functions: bytes in, signed
bytes and the `IssuedDocument` out); they store the attachment themselves, so this module never
imports the dossier door.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.agencies.models import Agency
from tinhso.agencies.principals import Principal
from tinhso.audit.services import audit_record
from tinhso.signing.certificates import certificate_sha256, load_certificates
from tinhso.signing.models import IssuedDocument, KeyKind, SigningKey, TrustRoot
from tinhso.signing.pades import sign_result
from tinhso.signing.remote import RemoteSigningClient
from tinhso.signing.verification import verify_pdf

if TYPE_CHECKING:
    from tinhso.dossiers.models import Dossier


def verify_url(document_id: uuid.UUID) -> str:
    return settings.TINHSO_PUBLIC_BASE_URL.rstrip("/") + reverse("signing:issued", args=[document_id])


def signatory_key(*, user: Any, agency: Agency) -> SigningKey | None:
    """The active personal key of `user`: the one registered at `agency` first, else at an agency
    above it (a province leader signing for a department)."""
    if user is None or user.pk is None:
        return None
    keys = SigningKey.objects.filter(user=user, kind=KeyKind.SIGNATORY, is_active=True).select_related("agency")
    ancestors = [a for a in agency.path.split("/") if a]
    by_agency = {k.agency.code: k for k in keys}
    for code in reversed(ancestors or [agency.code]):
        if code in by_agency:
            return by_agency[code]
    return by_agency.get(agency.code)


def seal_key(agency: Agency) -> SigningKey | None:
    return SigningKey.objects.filter(agency=agency, kind=KeyKind.SEAL, is_active=True).first()


@dataclass
class Signed:
    document: IssuedDocument
    pdf: bytes


def document_issue(
    *, pdf: bytes, key: SigningKey, document_name: str, number: str, agency: Agency, principal: Principal | None,
    dossier: Dossier | None = None, at: datetime | None = None, remote_client: RemoteSigningClient | None = None,
) -> Signed:
    """Sign `pdf` with `key` and record it as issued: the signature field carries the record's
    id, the stamp's QR its public page; the signed file is verified before it is recorded."""
    at = at or timezone.now()
    document_id = uuid.uuid4()
    document = IssuedDocument(
        id=document_id, dossier=dossier, document_name=document_name[:255], number=number[:100], agency=agency,
        key=key, signer_name=key.signer_name, signed_at=at,
    )
    signed = sign_result(
        pdf, key, signer_name=key.signer_name, title=key.title, agency_name=agency.name,
        verify_url=verify_url(document_id), field_name=document.field_name, signed_at=at, remote_client=remote_client,
    )
    check = verify_pdf(signed)
    ours = next((s for s in check.signatures if s.field_name == document.field_name), None)
    document.sha256 = hashlib.sha256(signed).hexdigest()
    document.certificate_sha256 = ours.certificate_sha256 if ours is not None else ""
    document.verified = check.valid
    with transaction.atomic():
        document.save()
        audit_record(
            principal=principal, action="signing.document_issued", object_type="issueddocument", object_id=str(document.pk),
            data={"dossier": dossier.code if dossier else None, "key": key.pk, "sha256": document.sha256,
                  "verified": document.verified, "number": number},
        )
    return Signed(document=document, pdf=signed)


def document_seal(
    *, document: IssuedDocument, pdf: bytes, key: SigningKey, principal: Principal | None,
    at: datetime | None = None, remote_client: RemoteSigningClient | None = None,
) -> Signed:
    """Add the agency's seal as a further signature of an issued document; the record then
    stands for the sealed file (its digest and verification move to it)."""
    signed = sign_result(
        pdf, key, signer_name=key.signer_name, title=key.title or _("Con dấu"), agency_name=key.agency.name,
        verify_url=verify_url(document.id), field_name=f"{document.field_name}-seal", signed_at=at,
        remote_client=remote_client,
    )
    check = verify_pdf(signed)
    with transaction.atomic():
        document.sha256 = hashlib.sha256(signed).hexdigest()
        document.verified = check.valid
        document.save(update_fields=["sha256", "verified"])
        audit_record(
            principal=principal, action="signing.document_sealed", object_type="issueddocument", object_id=str(document.pk),
            data={"key": key.pk, "sha256": document.sha256, "verified": document.verified},
        )
    return Signed(document=document, pdf=signed)


def trust_root_add(*, pem_text: str, name: str, origin: str = "admin", principal: Principal | None = None) -> TrustRoot:
    cert = load_certificates(pem_text.encode())[0]
    fingerprint = certificate_sha256(cert)
    root, created = TrustRoot.objects.get_or_create(
        sha256=fingerprint, defaults={"name": name[:255], "certificate_pem": pem_text, "origin": origin}
    )
    if created:
        audit_record(principal=principal, action="signing.trust_root_added", object_type="trustroot",
                     object_id=root.pk, data={"sha256": fingerprint, "origin": origin})
    return root


def signing_key_register(*, principal: Principal | None = None, **fields: Any) -> SigningKey:
    """Register a key (the demo CA, the admin); an active key of the same signatory or seal is
    retired first, so one stays active."""
    with transaction.atomic():
        kind, agency, user = fields.get("kind", KeyKind.SIGNATORY), fields["agency"], fields.get("user")
        SigningKey.objects.filter(kind=kind, agency=agency, user=user, is_active=True).update(is_active=False)
        key = SigningKey.objects.create(**fields)  # type: ignore[arg-type]
        audit_record(principal=principal, action="signing.key_registered", object_type="signingkey", object_id=key.pk,
                     data={"kind": key.kind, "agency": key.agency.code, "source": key.source,
                           "user": key.user.get_username() if key.user else None})
    return key


# --- the narrow functions the dossier door calls -----------------------------------------------


class ResultSigning:
    """What happened to an electronic result at the sign step, for the dossier's history."""

    def __init__(self, signed: Signed | None, reason: str = "") -> None:
        self.signed = signed
        self.reason = reason

    def as_data(self) -> dict[str, object]:
        if self.signed is None:
            return {"signed": False, "signing": self.reason}
        return {"signed": True, "issued_document": str(self.signed.document.pk), "sha256": self.signed.document.sha256,
                "verified": self.signed.document.verified}


def result_sign(*, dossier: Dossier, source_pdf: bytes | None, principal: Principal | None,
                at: datetime | None = None) -> ResultSigning:
    """The leader signs the dossier's electronic result: the specialist's PDF, or one drawn from
    the dossier. No key registered for the signer: the result stays unsigned (and is no electronic
    original). A registered key that cannot be used raises `SigningKeyUnavailable` (409)."""
    from tinhso.signing.results import result_document_name, result_pdf

    user = principal.user if principal is not None else None
    key = signatory_key(user=user, agency=dossier.handling_agency)
    if key is None:
        return ResultSigning(None, "no_key")
    pdf = source_pdf if source_pdf is not None else result_pdf(dossier, at=at)
    return ResultSigning(document_issue(
        pdf=pdf, key=key, document_name=result_document_name(dossier), number=dossier.result_number,
        agency=dossier.handling_agency, principal=principal, dossier=dossier, at=at,
    ))


def result_signed(dossier: Dossier) -> bool:
    """The dossier's result was signed by tinhso (an `IssuedDocument` stands for it)."""
    return IssuedDocument.objects.filter(dossier=dossier).exists()


def result_seal(*, dossier: Dossier, pdf: bytes, principal: Principal | None, at: datetime | None = None) -> Signed | None:
    """At issue, the agency's seal on the dossier's signed result, when the agency has a seal key
    and the result was signed by tinhso; None otherwise."""
    document = IssuedDocument.objects.filter(dossier=dossier).order_by("-signed_at").first()
    key = seal_key(dossier.handling_agency)
    if document is None or key is None or hashlib.sha256(pdf).hexdigest() != document.sha256:
        return None
    return document_seal(document=document, pdf=pdf, key=key, principal=principal, at=at)
