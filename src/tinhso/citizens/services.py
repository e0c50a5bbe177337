"""What a citizen does in the portal: keep documents, draft and submit online dossiers, answer a
supplement request, choose how to receive the result — each through the dossiers' one door.

Every function takes the `Citizen` acting and touches only what is theirs: another citizen's
document or dossier is `NotFound`, as if it did not exist. Dossier changes are made by the dossier
services with `Principal.for_applicant(user)`, so the one door checks the status, records the
history (actor: the citizen) and the audit entry, and the index counts it.

"Declare once": the applicant's data is taken from the profile (never asked again), and every
file a citizen hands in goes into their store first; a dossier's attachment then points at the
stored file (`Upload.stored`). A document picked from the store is a *reuse* (counted by
REUSED_DIGITIZED_DATA); a document uploaded for this dossier is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.agencies.models import Agency
from tinhso.agencies.principals import Principal
from tinhso.audit.services import audit_record
from tinhso.catalogue.models import Component, OnlineLevel, Procedure
from tinhso.citizens.models import AccountKind, Citizen, Document, DocumentOrigin, DocumentUse, Draft
from tinhso.core.boundary import text_problem
from tinhso.core.errors import Conflict, InvalidInput, NotFound
from tinhso.dossiers import services as dossier_services
from tinhso.dossiers.models import ApplicantType, Attachment, AttachmentKind, Dossier, ResultDelivery, Status
from tinhso.dossiers.services import ActionResult, Applicant, StoredFile, Upload

ONLINE_LEVELS = (OnlineLevel.FULL, OnlineLevel.PARTIAL)
# The extensions a component's `file_types` may name → the types read from the bytes.
EXTENSION_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "zip": "application/zip",
}


@dataclass
class NewFile:
    """A file a citizen hands in: its bytes (`content`) or an upload spooled by Django (`file`)."""

    filename: str
    content: bytes = b""
    file: File | None = None
    name: str = ""
    document_type: str = ""
    number: str = ""
    issuer: str = ""
    issued_on: date | None = None
    expires_on: date | None = None


def principal_of(citizen: Citizen) -> Principal:
    return Principal.for_applicant(citizen.user)


# --- the document store ----------------------------------------------------------------------


def _stored(document: Document, *, reused: bool) -> StoredFile:
    return StoredFile(
        name=document.file.name, sha256=document.sha256, size=document.size, content_type=document.content_type,
        reused=reused,
    )


def _check_document_fields(new: NewFile) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field in ("name", "document_type", "number", "issuer"):
        problem = text_problem(getattr(new, field), multiline=False)
        if problem:
            errors[field] = problem
    if new.issued_on and new.expires_on and new.expires_on < new.issued_on:
        errors["expires_on"] = _("Ngày hết hạn phải sau ngày cấp.")
    if new.issued_on and new.issued_on > timezone.localdate():
        errors["issued_on"] = _("Ngày cấp không được sau hôm nay.")
    return errors


def document_store(*, citizen: Citizen, new: NewFile, origin: str = DocumentOrigin.UPLOADED,
                   result_of: Dossier | None = None) -> Document:
    """Put a file into the citizen's store: size, type (from the bytes) and SHA-256 checked as for
    any attachment; streamed to storage. The same bytes stored twice by one citizen are one
    document (the existing one is returned, undeleted)."""
    errors = _check_document_fields(new)
    if errors:
        raise InvalidInput(_("Thông tin giấy tờ không hợp lệ."), fields=errors)
    upload = Upload(name=new.name, filename=new.filename, content=new.content, file=new.file)
    checked = dossier_services.checked_file(upload)
    assert checked is not None
    with transaction.atomic():
        existing = (
            Document.objects.select_for_update()
            .filter(citizen=citizen, sha256=checked.sha256, origin=origin, result_of=result_of)
            .first()
        )
        if existing is not None:
            if existing.deleted_at is not None:
                existing.deleted_at = None
                fields = ["deleted_at"]
                if not default_storage.exists(existing.file.name):  # removed when it was deleted
                    dossier_services.file_save(existing.file, upload, checked)
                    fields.append("file")
                existing.save(update_fields=fields)
            return existing
        document = Document(
            citizen=citizen,
            origin=origin,
            document_type=new.document_type.strip(),
            name=(new.name or new.filename).strip()[:500],
            number=new.number.strip(),
            issuer=new.issuer.strip(),
            issued_on=new.issued_on,
            expires_on=new.expires_on,
            filename=new.filename[:255],
            sha256=checked.sha256,
            size=checked.size,
            content_type=checked.content_type,
            result_of=result_of,
        )
        dossier_services.file_save(document.file, upload, checked)
        document.save()
        audit_record(
            principal=principal_of(citizen), action="citizen.document_stored", object_type="document",
            object_id=document.pk, data={"sha256": checked.sha256, "type": document.document_type, "origin": origin},
        )
        return document


def documents_of(citizen: Citizen) -> QuerySet[Document]:
    """The citizen's documents they can see (not deleted), newest first."""
    return Document.objects.filter(citizen=citizen, deleted_at__isnull=True)


def documents_usable(citizen: Citizen, document_type: str = "", *, today: date | None = None) -> list[Document]:
    """The documents that may be offered for a new dossier: not deleted, not expired; those of
    `document_type` first when given."""
    today = today or timezone.localdate()
    usable = [d for d in documents_of(citizen) if d.is_usable(today)]
    if document_type:
        usable.sort(key=lambda d: d.document_type != document_type)
    return usable


def document_of(citizen: Citizen, document_id: Any) -> Document:
    try:
        return documents_of(citizen).get(pk=int(document_id))
    except (Document.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("Không tìm thấy giấy tờ.")) from None


def document_delete(*, citizen: Citizen, document_id: Any) -> None:
    """Delete one of the citizen's own uploads (an issued result cannot be deleted). Dossiers that
    used it keep their copy: the stored file stays while any attachment points at it."""
    document = document_of(citizen, document_id)
    if document.origin == DocumentOrigin.RESULT:
        raise Conflict(_("Không thể xoá kết quả giải quyết do cơ quan cấp."), code="result_document")
    with transaction.atomic():
        document.deleted_at = timezone.now()
        document.save(update_fields=["deleted_at"])
        audit_record(principal=principal_of(citizen), action="citizen.document_deleted", object_type="document",
                     object_id=document.pk, data={"sha256": document.sha256})
    name = document.file.name
    still_used = (
        Attachment.objects.filter(file=name).exists()
        or Document.objects.filter(file=name, deleted_at__isnull=True).exists()
    )
    if not still_used:
        default_storage.delete(name)


def document_dossiers(document: Document) -> list[Dossier]:
    """The dossiers that used the document, most recent use first, each once (a document
    submitted with a dossier and given again for its supplement is two uses of one dossier)."""
    seen: dict[int, Dossier] = {}
    for use in document.uses.select_related("dossier").order_by("-at", "-pk"):
        seen.setdefault(use.dossier_id, use.dossier)
    return list(seen.values())


# --- the applicant, from the profile ------------------------------------------------------------


def applicant_of(citizen: Citizen) -> Applicant:
    """The applicant as the dossier records it, from the profile: never typed again."""
    return Applicant(
        type=ApplicantType.BUSINESS if citizen.kind == AccountKind.BUSINESS else ApplicantType.CITIZEN,
        name=citizen.full_name,
        id_number=citizen.id_number,
        birth_date=citizen.birth_date,
        address=citizen.address,
        phone=citizen.phone,
        email=citizen.email,
    )


def applicant_verified(citizen: Citizen) -> bool:
    """The applicant's data came from the identity provider: the ID number and the name."""
    return citizen.is_verified("id_number") and citizen.is_verified("full_name")


def profile_missing(citizen: Citizen) -> list[str]:
    """The profile fields a dossier needs that are still empty (the citizen completes them once)."""
    missing = []
    if not citizen.full_name.strip():
        missing.append("full_name")
    if not citizen.id_number:
        missing.append("id_number")
    return missing


# --- online submission ---------------------------------------------------------------------------


def procedure_for_online(code: str) -> Procedure:
    try:
        procedure = Procedure.objects.prefetch_related("components").get(code=code, is_active=True)
    except Procedure.DoesNotExist:
        raise NotFound(_("Không tìm thấy thủ tục %(code)s.") % {"code": code}) from None
    if procedure.online_level not in ONLINE_LEVELS:
        raise Conflict(_("Thủ tục này chưa cho phép nộp trực tuyến."), code="not_online")
    return procedure


def receiving_agencies(procedure: Procedure) -> list[Agency]:
    from tinhso.catalogue.selectors import receiving_agencies as catalogue_receiving_agencies

    return list(catalogue_receiving_agencies(procedure))


def _agency_for(procedure: Procedure, agency_code: str) -> Agency:
    for agency in receiving_agencies(procedure):
        if agency.code == agency_code:
            return agency
    raise InvalidInput(_("Hãy chọn nơi tiếp nhận hồ sơ."), fields={"agency": _("Cơ quan không tiếp nhận thủ tục này.")})


def _accepted_types(component: Component) -> set[str]:
    names = [t.strip().lower().lstrip(".") for t in (component.file_types or "").split(",") if t.strip()]
    return {EXTENSION_TYPES[n] for n in names if n in EXTENSION_TYPES} or set(EXTENSION_TYPES.values())


def _component_files(
    *, citizen: Citizen, components: list[Component], picks: Mapping[int, Any], files: Mapping[int, NewFile],
    require: bool, kind: str = AttachmentKind.COMPONENT,
) -> tuple[list[Upload], list[tuple[Document, bool]], dict[str, str]]:
    """Uploads for the components (a picked stored document, or a new file put into the store
    first), the documents used (with "reused"), and per-component errors."""
    errors: dict[str, str] = {}
    uploads: list[Upload] = []
    used: list[tuple[Document, bool]] = []
    by_number = {c.order: c for c in components}
    for number in set(picks) | set(files):
        if number not in by_number:
            errors[f"components.{number}"] = _("Không có thành phần số %(n)s.") % {"n": number}
    today = timezone.localdate()
    for component in components:
        key = f"components.{component.order}"
        pick, new = picks.get(component.order), files.get(component.order)
        if pick not in (None, "") and new is not None:
            errors[key] = _("Chọn giấy tờ trong kho hoặc tải tệp lên, không cả hai.")
            continue
        if pick not in (None, ""):
            try:
                document = document_of(citizen, pick)
            except NotFound:
                errors[key] = _("Không tìm thấy giấy tờ đã chọn.")
                continue
            if not document.is_usable(today):
                errors[key] = _("Giấy tờ đã hết hạn.")
                continue
            reused = True
        elif new is not None:
            try:
                document = document_store(
                    citizen=citizen,
                    new=NewFile(**{**new.__dict__, "name": new.name or component.name[:500],
                                   "document_type": new.document_type or component.document_type}),
                )
            except InvalidInput as exc:
                errors[key] = str(exc.fields.get("file") or exc.message)
                continue
            reused = False
        else:
            if require and component.is_required:
                errors[key] = _("Bắt buộc: %(name)s.") % {"name": component.name[:120]}
            continue
        if document.content_type not in _accepted_types(component):
            errors[key] = _("Thành phần này chỉ nhận tệp: %(types)s.") % {"types": component.file_types}
            continue
        uploads.append(Upload(
            name=component.name[:500], filename=document.filename, kind=kind, stored=_stored(document, reused=reused),
            component=component.order,
        ))
        used.append((document, reused))
    return uploads, used, errors


def _record_uses(dossier: Dossier, used: list[tuple[Document, bool]]) -> None:
    attachments = {a.sha256: a for a in dossier.attachments.all()}
    DocumentUse.objects.bulk_create([
        DocumentUse(document=doc, dossier=dossier, attachment=attachments.get(doc.sha256), reused=reused)
        for doc, reused in used
    ])


def _delivery(citizen: Citizen, delivery: str, address: str) -> tuple[str, str]:
    delivery = delivery or ResultDelivery.ELECTRONIC
    if delivery not in ResultDelivery.values:
        raise InvalidInput(_("Hình thức nhận kết quả không hợp lệ."),
                           fields={"result_delivery": _("electronic, post hoặc counter.")})
    if delivery == ResultDelivery.POST:
        address = (address or citizen.address).strip()
        if not address:
            raise InvalidInput(_("Cần địa chỉ nhận kết quả qua bưu chính."), fields={"result_address": _("Bắt buộc.")})
        return delivery, address
    return delivery, ""


def online_submit(
    *,
    citizen: Citizen,
    procedure_code: str,
    agency_code: str,
    picks: Mapping[int, Any] | None = None,
    files: Mapping[int, NewFile] | None = None,
    summary: str = "",
    result_delivery: str = "",
    result_address: str = "",
    at: datetime | None = None,
) -> ActionResult:
    """Submit an online dossier (status 1, channel online) through `dossier_submit`.

    `picks` maps a component number to a document id of the citizen's store; `files` to a new
    file. Every required component needs one. Everything is checked before anything is
    written; a new file is kept in the store even when the submission fails for another reason
    only if it was stored (nothing is stored unless every check passed)."""
    procedure = procedure_for_online(procedure_code)
    picks, files = dict(picks or {}), dict(files or {})
    errors: dict[str, str] = {}
    missing = profile_missing(citizen)
    if missing:
        raise InvalidInput(_("Hãy hoàn thiện thông tin cá nhân trước khi nộp hồ sơ."),
                           fields={f"profile.{m}": _("Bắt buộc.") for m in missing})
    try:
        agency = _agency_for(procedure, agency_code)
    except InvalidInput as exc:
        errors.update(exc.fields)
        agency = None
    try:
        delivery, address = _delivery(citizen, result_delivery, result_address)
    except InvalidInput as exc:
        errors.update(exc.fields)
        delivery, address = "", ""
    components = list(procedure.components.all())
    with transaction.atomic():
        uploads, used, problems = _component_files(
            citizen=citizen, components=components, picks=picks, files=files, require=True
        )
        errors.update(problems)
        if errors or agency is None:
            transaction.set_rollback(True)
            count = len(errors)
            raise InvalidInput(
                _("Hồ sơ chưa nộp được: %(count)s chỗ cần sửa.") % {"count": count} if count > 1
                else next(iter(errors.values())),
                fields=errors,
            )
        result = dossier_services.dossier_submit(
            principal=principal_of(citizen), procedure=procedure, agency=agency, applicant=applicant_of(citizen),
            summary=summary, uploads=uploads, at=at, applicant_verified=applicant_verified(citizen),
            result_delivery=delivery, result_delivery_address=address,
        )
        _record_uses(result.dossier, used)
        Draft.objects.filter(citizen=citizen, procedure=procedure).delete()
        return result


# --- drafts --------------------------------------------------------------------------------------


def draft_save(
    *, citizen: Citizen, procedure_code: str, agency_code: str = "", picks: Mapping[int, Any] | None = None,
    summary: str = "", result_delivery: str = "",
) -> Draft:
    """Keep what the citizen chose so far (an agency, stored documents per component, the summary)."""
    procedure = procedure_for_online(procedure_code)
    agency = next((a for a in receiving_agencies(procedure) if a.code == agency_code), None) if agency_code else None
    problem = text_problem(summary)
    if problem:
        raise InvalidInput(problem, fields={"summary": problem})
    valid_numbers = {c.order for c in procedure.components.all()}
    choices: dict[str, int] = {}
    for number, pick in (picks or {}).items():
        if pick in (None, "") or int(number) not in valid_numbers:
            continue
        choices[str(int(number))] = document_of(citizen, pick).pk
    draft, _created = Draft.objects.update_or_create(
        citizen=citizen, procedure=procedure,
        defaults={"agency": agency, "choices": choices, "summary": summary[:1000],
                  "result_delivery": result_delivery if result_delivery in ResultDelivery.values else ""},
    )
    return draft


def draft_of(citizen: Citizen, procedure: Procedure) -> Draft | None:
    return Draft.objects.filter(citizen=citizen, procedure=procedure).first()


def drafts_of(citizen: Citizen) -> QuerySet[Draft]:
    return Draft.objects.filter(citizen=citizen).select_related("procedure", "agency")


def draft_delete(*, citizen: Citizen, draft_id: Any) -> None:
    deleted, _rows = Draft.objects.filter(citizen=citizen, pk=draft_id).delete()
    if not deleted:
        raise NotFound(_("Không tìm thấy hồ sơ nháp."))


# --- my dossiers -------------------------------------------------------------------------------


def dossiers_of(citizen: Citizen) -> QuerySet[Dossier]:
    """The dossiers the citizen submitted online (their account), newest first."""
    return (
        Dossier.objects.filter(applicant_account=citizen.user)
        .select_related("procedure", "receiving_agency", "handling_agency")
        .order_by("-submitted_at", "-id")
    )


def dossier_of(citizen: Citizen, code: str) -> Dossier:
    try:
        return dossiers_of(citizen).get(code=code)
    except Dossier.DoesNotExist:
        raise NotFound(_("Không tìm thấy hồ sơ %(code)s.") % {"code": code}) from None


def expected_now(dossier: Dossier) -> str:
    """What is expected of the applicant now: "supplement", "rate", "collect" (a paper result
    waits at the counter or in the post), or "" (nothing: the officers are working)."""
    if dossier.status == Status.SUPPLEMENT_REQUESTED:
        return "supplement"
    if dossier.status == Status.PAYMENT_REQUESTED:
        return "payment"
    if dossier.status == Status.RETURNED and not dossier.rating:
        return "rate"
    if dossier.status == Status.PROCESSED and dossier.result_delivery in (ResultDelivery.COUNTER, ResultDelivery.POST):
        return "collect"
    return ""


def supplement_answer(
    *, citizen: Citizen, code: str, picks: Mapping[int, Any] | None = None, files: Mapping[int, NewFile] | None = None,
    note: str = "", at: datetime | None = None,
) -> ActionResult:
    """Answer a supplement request online: the documents (picked or uploaded, for any component)
    go with `dossier_supplement_received`, which resumes the clock."""
    dossier = dossier_of(citizen, code)
    if dossier.status != Status.SUPPLEMENT_REQUESTED:
        raise Conflict(_("Hồ sơ không chờ bổ sung."), code="invalid_transition")
    problem = text_problem(note)
    if problem:
        raise InvalidInput(problem, fields={"note": problem})
    picks, files = dict(picks or {}), dict(files or {})
    if not picks and not files:
        raise InvalidInput(_("Hãy chọn hoặc tải lên ít nhất một giấy tờ bổ sung."), fields={"components": _("Bắt buộc.")})
    components = list(dossier.procedure.components.all())
    with transaction.atomic():
        uploads, used, errors = _component_files(
            citizen=citizen, components=components, picks=picks, files=files, require=False,
            kind=AttachmentKind.SUPPLEMENT,
        )
        if errors:
            transaction.set_rollback(True)
            raise InvalidInput(next(iter(errors.values())), fields=errors)
        result = dossier_services.dossier_supplement_received(
            principal=principal_of(citizen), code=code, note=note, uploads=uploads, at=at
        )
        _record_uses(result.dossier, used)
        return result


def result_delivery_choose(*, citizen: Citizen, code: str, delivery: str, address: str = "") -> Dossier:
    """The citizen asks for the paper result by post (address pre-filled from the profile) or at
    the counter, or electronic only."""
    dossier_of(citizen, code)
    if delivery == ResultDelivery.POST and not address.strip():
        address = citizen.address
    return dossier_services.dossier_choose_result_delivery(
        principal=principal_of(citizen), code=code, delivery=delivery, address=address
    )


def dossier_rate(*, citizen: Citizen, code: str, rating: str, comment: str = "") -> ActionResult:
    dossier_of(citizen, code)
    return dossier_services.dossier_rate(principal=principal_of(citizen), code=code, rating=rating, comment=comment)


def dossier_withdraw(*, citizen: Citizen, code: str, reason: str) -> ActionResult:
    dossier_of(citizen, code)
    return dossier_services.dossier_withdraw(principal=principal_of(citizen), code=code, reason=reason)


def result_documents(citizen: Citizen, dossier: Dossier) -> list[Document]:
    return list(Document.objects.filter(citizen=citizen, result_of=dossier, origin=DocumentOrigin.RESULT))


# --- results into the store ------------------------------------------------------------------


def result_deliver(dossier: Dossier) -> Document | None:
    """Put the electronic result of a finished dossier into its applicant's store (once) and
    record it on the dossier (`dossier_result_stored`, counted by the index). None when there is
    no account, no electronic result or it is already there."""
    if dossier.applicant_account_id is None or dossier.status not in (Status.PROCESSED, Status.RETURNED):
        return None
    citizen = Citizen.objects.filter(user_id=dossier.applicant_account_id).first()
    attachment = dossier.attachments.filter(kind=AttachmentKind.RESULT).order_by("-id").first()
    if citizen is None or attachment is None or dossier.result_kind != "electronic":
        return None
    with transaction.atomic():
        document, created = Document.objects.get_or_create(
            result_of=dossier,
            defaults={
                "citizen": citizen,
                "origin": DocumentOrigin.RESULT,
                "document_type": "ket_qua",
                "name": (dossier.procedure.result_document or attachment.name)[:500],
                "number": dossier.result_number,
                "issuer": dossier.handling_agency.name[:255],
                "issued_on": timezone.localtime(dossier.finished_at).date() if dossier.finished_at else None,
                "filename": attachment.filename,
                "file": attachment.file.name,
                "sha256": attachment.sha256,
                "size": attachment.size,
                "content_type": attachment.content_type,
            },
        )
        if created:
            audit_record(principal=None, action="citizen.result_delivered", object_type="dossier", object_id=dossier.code,
                         data={"document": document.pk, "sha256": attachment.sha256})
        dossier_services.dossier_result_stored(code=dossier.code)
    return document


def results_deliver_pending(limit: int = 500) -> int:
    """The sweep behind the after-commit delivery: finished dossiers with an electronic result and
    an account whose result is not in the store yet (a process that died before delivering)."""
    pending = Dossier.objects.filter(
        applicant_account__isnull=False, status__in=(Status.PROCESSED, Status.RETURNED), result_kind="electronic",
        result_in_store=False,
    ).select_related("procedure", "handling_agency")[:limit]
    return sum(result_deliver(d) is not None for d in pending)
