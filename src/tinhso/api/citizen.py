"""The citizen's JSON API (`/api/v1/citizen/`), for a mobile or Zalo mini-app: profile, the
personal document store, the online form of a procedure, drafts, online submission, my dossiers
(timeline, what is expected now, supplement, result delivery, rating, the result's file).

Authenticated by `CitizenAuth` (the citizen's session or the identity provider's bearer token);
every endpoint answers only the citizen's own data: another's dossier or document is a 404 (the
services in `tinhso.citizens.services` look everything up through the citizen). The work is done
by those services, so the one door checks, records and counts every change.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile as DjangoUploadedFile
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Path, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status as Answer

from tinhso.agencies.principals import Principal
from tinhso.api.api import ERRORS, error_response
from tinhso.api.boundary import InputSchema
from tinhso.api.citizen_auth import CitizenAuth, citizen_of
from tinhso.api.idempotency import PARAMETER as IDEMPOTENCY_PARAMETER
from tinhso.api.idempotency import operation_of, owner_of, rendered, reused
from tinhso.citizens import services as cs
from tinhso.citizens.models import Citizen, Document, Draft
from tinhso.core.boundary import INT64_MAX
from tinhso.core.errors import InvalidInput, NotFound
from tinhso.dossiers.models import AttachmentKind, Dossier, Status
from tinhso.idempotency import services as idempotency
from tinhso.idempotency.services import KeyProblem

router = Router(tags=["citizen"], auth=CitizenAuth())

DocumentId = Annotated[int, Path(ge=1, le=INT64_MAX, description="A document's id in the citizen's store.")]
DossierCode = Annotated[str, Path(max_length=64, description="A dossier code, e.g. H44.100-260315-0007.")]
ProcedureCode = Annotated[str, Path(max_length=50, description="A procedure code, e.g. 1.000894.")]
MAX_COMPONENTS = 30
FILE_RESPONSE = {
    "responses": {
        "200": {
            "description": "The file's bytes, with its content type and file name.",
            "content": {kind: {"schema": {"type": "string", "format": "binary"}}
                        for kind in settings.TINHSO_ATTACHMENT_TYPES},
        }
    }
}


class CitizenProfileOut(Schema):
    kind: str
    id_number: str
    full_name: str
    birth_date: date | None
    address: str
    phone: str
    email: str
    sources: dict[str, str]
    missing: list[str]


class CitizenDocumentOut(Schema):
    id: int
    origin: str
    document_type: str
    name: str
    number: str
    issuer: str
    issued_on: date | None
    expires_on: date | None
    filename: str
    sha256: str
    size: int
    content_type: str
    usable: bool
    used_in: list[str]


class CitizenDraftIn(InputSchema):
    agency_code: str = Field("", max_length=50)
    summary: str = Field("", max_length=1000)
    result_delivery: Literal["", "electronic", "post", "counter"] = ""
    picks: dict[Annotated[str, Field(max_length=3)], Annotated[int, Field(ge=1, le=INT64_MAX)]] = Field(
        default_factory=dict, max_length=MAX_COMPONENTS,
        description="Component number → the id of a stored document chosen for it.",
    )


class CitizenDraftOut(Schema):
    id: int
    procedure_code: str
    agency_code: str
    summary: str
    result_delivery: str
    picks: dict[str, int]
    updated_at: datetime


class CitizenComponentOut(Schema):
    number: int
    name: str
    required: bool
    copies: int
    document_type: str
    file_types: str
    documents: list[CitizenDocumentOut]


class CitizenAgencyOut(Schema):
    code: str
    name: str


class CitizenApplicantOut(Schema):
    name: str
    id_number: str
    address: str
    verified: bool


class CitizenFormOut(Schema):
    procedure_code: str
    procedure_name: str
    components: list[CitizenComponentOut]
    agencies: list[CitizenAgencyOut]
    applicant: CitizenApplicantOut
    profile_missing: list[str]
    draft: CitizenDraftOut | None


class CitizenSubmittedOut(Schema):
    code: str
    status: int
    form: str | None = None


class CitizenEventOut(Schema):
    at: datetime
    action: str
    label: str
    status: int


class CitizenAttachmentOut(Schema):
    id: int
    name: str
    filename: str
    kind: str
    component: int | None
    reused: bool


class CitizenDossierOut(Schema):
    code: str
    procedure_code: str
    procedure_name: str
    agency: str
    status: int
    status_label: str
    submitted_at: datetime | None
    due_at: datetime | None
    expected_now: str
    result_delivery: str
    result_in_store: bool
    rating: str


class CitizenDossierDetailOut(CitizenDossierOut):
    timeline: list[CitizenEventOut]
    attachments: list[CitizenAttachmentOut]
    results: list[CitizenDocumentOut]


class CitizenDeliveryIn(InputSchema):
    delivery: Literal["electronic", "post", "counter"]
    address: str = Field("", max_length=500, description="For `post`; empty: the profile's address.")


class CitizenRatingIn(InputSchema):
    rating: str = Field(max_length=30)
    comment: str = Field("", max_length=2000)


class CitizenWithdrawIn(InputSchema):
    reason: str = Field(min_length=1, max_length=2000)


def _document(d: Document) -> dict[str, Any]:
    return {
        "id": d.pk, "origin": d.origin, "document_type": d.document_type, "name": d.name, "number": d.number,
        "issuer": d.issuer, "issued_on": d.issued_on, "expires_on": d.expires_on, "filename": d.filename,
        "sha256": d.sha256, "size": d.size, "content_type": d.content_type, "usable": d.is_usable(),
        "used_in": [dossier.code for dossier in cs.document_dossiers(d)],
    }


def _draft(d: Draft) -> dict[str, Any]:
    return {"id": d.pk, "procedure_code": d.procedure.code, "agency_code": d.agency.code if d.agency else "",
            "summary": d.summary, "result_delivery": d.result_delivery, "picks": d.choices, "updated_at": d.updated_at}


def _dossier(d: Dossier) -> dict[str, Any]:
    return {
        "code": d.code, "procedure_code": d.procedure.code, "procedure_name": d.procedure.name,
        "agency": d.receiving_agency.name, "status": d.status, "status_label": str(Status(d.status).label),
        "submitted_at": d.submitted_at, "due_at": d.due_at, "expected_now": cs.expected_now(d),
        "result_delivery": d.result_delivery, "result_in_store": d.result_in_store, "rating": d.rating or "",
    }


def _new_file(file: DjangoUploadedFile, **fields: Any) -> cs.NewFile:
    limit = settings.TINHSO_MAX_ATTACHMENT_BYTES
    if file.size is not None and file.size > limit:
        raise InvalidInput(_("Tệp quá lớn (tối đa %(max)s MB).") % {"max": limit // (1024 * 1024)},
                           fields={"file": _("Tệp quá lớn.")})
    return cs.NewFile(filename=(file.name or "")[:255], file=file, **fields)


def _component_inputs(request: HttpRequest) -> tuple[dict[int, Any], dict[int, cs.NewFile]]:
    """`pick_<n>` (a stored document's id) and `file_<n>` (a new file) of a multipart form."""
    picks: dict[int, Any] = {}
    files: dict[int, cs.NewFile] = {}
    errors: dict[str, str] = {}
    for prefix, source in (("pick_", request.POST), ("file_", request.FILES)):
        for key in source:
            if not key.startswith(prefix):
                continue
            number = key[len(prefix):]
            if not number.isdigit() or not 0 < int(number) <= 999:
                errors[key] = _("Số thành phần không hợp lệ.")
                continue
            if prefix == "pick_":
                value = request.POST[key]
                if value:
                    if not value.isdigit() or int(value) > INT64_MAX:
                        errors[key] = _("Mã giấy tờ không hợp lệ.")
                        continue
                    picks[int(number)] = int(value)
            else:
                upload = request.FILES.get(key)
                if isinstance(upload, DjangoUploadedFile):
                    files[int(number)] = _new_file(upload)
    if len(picks) + len(files) > MAX_COMPONENTS:
        errors["components"] = _("Quá nhiều thành phần.")
    if errors:
        raise InvalidInput(next(iter(errors.values())), fields=errors)
    return picks, files


def _download(document_file: Any, content_type: str, filename: str) -> FileResponse:
    return FileResponse(document_file.open("rb"), content_type=content_type, as_attachment=True, filename=filename)


# --- profile and documents ---------------------------------------------------------------------


@router.get("/profile", response={200: CitizenProfileOut, **ERRORS}, summary="My profile")
def citizen_profile(request: HttpRequest) -> Any:
    """What the State knows of the signed-in citizen, with each field's source."""
    c: Citizen = citizen_of(request)
    return {"kind": c.kind, "id_number": c.id_number, "full_name": c.full_name, "birth_date": c.birth_date,
            "address": c.address, "phone": c.phone, "email": c.email,
            "sources": {k: str(v) for k, v in c.sources.items()}, "missing": cs.profile_missing(c)}


@router.get("/documents", response={200: list[CitizenDocumentOut], **ERRORS}, summary="My documents")
def citizen_documents(request: HttpRequest) -> Any:
    """The citizen's document store: uploads and received results (deleted ones are not listed)."""
    return [_document(d) for d in cs.documents_of(citizen_of(request))]


@router.post("/documents", response={201: CitizenDocumentOut, **ERRORS}, summary="Store a document")
def citizen_document_store(
    request: HttpRequest,
    file: File[UploadedFile],
    name: Annotated[str, Form(max_length=500)] = "",
    document_type: Annotated[str, Form(max_length=50)] = "",
    number: Annotated[str, Form(max_length=100)] = "",
    issuer: Annotated[str, Form(max_length=255)] = "",
    issued_on: Form[date | None] = None,
    expires_on: Form[date | None] = None,
) -> Any:
    """Multipart upload into the store. The type is read from the bytes (PDF, JPEG, PNG, TIFF,
    ZIP), up to the size limit; anything else is 422 on `file`."""
    new = _new_file(file, name=name, document_type=document_type, number=number, issuer=issuer,
                    issued_on=issued_on, expires_on=expires_on)
    return Answer(201, _document(cs.document_store(citizen=citizen_of(request), new=new)))


@router.get("/documents/{document_id}", response={200: CitizenDocumentOut, **ERRORS}, summary="One of my documents")
def citizen_document_get(request: HttpRequest, document_id: DocumentId) -> Any:
    return _document(cs.document_of(citizen_of(request), document_id))


@router.get("/documents/{document_id}/file", response={**ERRORS}, summary="Download my document",
            openapi_extra=FILE_RESPONSE)
def citizen_document_file(request: HttpRequest, document_id: DocumentId) -> Any:
    d = cs.document_of(citizen_of(request), document_id)
    return _download(d.file, d.content_type, d.filename or d.sha256)


@router.delete("/documents/{document_id}", response={204: None, **ERRORS}, summary="Delete my upload")
def citizen_document_delete(request: HttpRequest, document_id: DocumentId) -> Any:
    """Hide an upload from the store (dossiers that used it keep their copy); a received result
    cannot be deleted (409)."""
    cs.document_delete(citizen=citizen_of(request), document_id=document_id)
    return Answer(204, None)


# --- the online form and drafts ----------------------------------------------------------------


@router.get("/procedures/{code}/form", response={200: CitizenFormOut, **ERRORS}, summary="The online form of a procedure")
def citizen_procedure_form(request: HttpRequest, code: ProcedureCode) -> Any:
    """The procedure's components with the citizen's usable documents that match, the agencies
    that receive it, the applicant as pre-filled from the profile, and the draft if any."""
    c = citizen_of(request)
    procedure = cs.procedure_for_online(code)
    usable = cs.documents_usable(c)
    draft = cs.draft_of(c, procedure)
    return {
        "procedure_code": procedure.code, "procedure_name": procedure.name,
        "components": [
            {"number": comp.order, "name": comp.name, "required": comp.is_required, "copies": comp.copies,
             "document_type": comp.document_type, "file_types": comp.file_types,
             "documents": [_document(d) for d in usable if not comp.document_type or d.document_type == comp.document_type]}
            for comp in procedure.components.order_by("order")
        ],
        "agencies": [{"code": a.code, "name": a.name} for a in cs.receiving_agencies(procedure)],
        "applicant": {"name": c.full_name, "id_number": c.id_number, "address": c.address,
                      "verified": cs.applicant_verified(c)},
        "profile_missing": cs.profile_missing(c),
        "draft": _draft(draft) if draft else None,
    }


DraftRef = Annotated[str, Path(max_length=50, description="PUT: the procedure's code; DELETE: the draft's id.")]


@router.put("/drafts/{ref}", response={200: CitizenDraftOut, **ERRORS}, summary="Keep a draft")
def citizen_draft_put(request: HttpRequest, ref: DraftRef, payload: CitizenDraftIn) -> Any:
    """The draft of the procedure whose code is `ref` (one per procedure, replaced each time).
    `picks` maps a component number to a stored document's id."""
    picks: dict[int, Any] = {}
    for number, pick in payload.picks.items():
        if not number.isdigit() or not 0 < int(number) <= 999:
            raise InvalidInput(_("Số thành phần không hợp lệ."), fields={f"picks.{number}": _("Số thành phần không hợp lệ.")})
        picks[int(number)] = pick
    draft = cs.draft_save(citizen=citizen_of(request), procedure_code=ref, agency_code=payload.agency_code,
                          picks=picks, summary=payload.summary, result_delivery=payload.result_delivery)
    return _draft(draft)


@router.get("/drafts", response={200: list[CitizenDraftOut], **ERRORS}, summary="My drafts")
def citizen_drafts(request: HttpRequest) -> Any:
    return [_draft(d) for d in cs.drafts_of(citizen_of(request))]


@router.delete("/drafts/{ref}", response={204: None, **ERRORS}, summary="Delete a draft")
def citizen_draft_delete(request: HttpRequest, ref: DraftRef) -> Any:
    """The draft whose id is `ref`."""
    if not ref.isdigit() or int(ref) > INT64_MAX:
        raise NotFound(_("Không tìm thấy hồ sơ nháp."))
    cs.draft_delete(citizen=citizen_of(request), draft_id=int(ref))
    return Answer(204, None)


# --- my dossiers -------------------------------------------------------------------------------


@router.post("/dossiers", response={201: CitizenSubmittedOut, **ERRORS}, summary="Submit a dossier online",
             openapi_extra={"parameters": [IDEMPOTENCY_PARAMETER]})
def citizen_dossier_submit(
    request: HttpRequest,
    procedure_code: Annotated[str, Form(max_length=50)],
    agency_code: Annotated[str, Form(max_length=50)] = "",
    summary: Annotated[str, Form(max_length=1000)] = "",
    result_delivery: Annotated[str, Form(max_length=10)] = "",
    result_address: Annotated[str, Form(max_length=500)] = "",
) -> Any:
    """Multipart: for component n, `pick_<n>` = a stored document's id or `file_<n>` = a new file
    (type read from the bytes). The applicant comes from the profile. 201 with the dossier code
    (status 1, channel online). Send an `Idempotency-Key` to retry safely."""
    c = citizen_of(request)

    def submit() -> dict[str, Any]:
        picks, files = _component_inputs(request)
        result = cs.online_submit(citizen=c, procedure_code=procedure_code, agency_code=agency_code, picks=picks,
                                  files=files, summary=summary, result_delivery=result_delivery,
                                  result_address=result_address)
        return {"code": result.dossier.code, "status": result.dossier.status, "form": result.form}

    try:
        key = idempotency.request_key(request)
    except KeyProblem as exc:
        return error_response(request, exc.status, exc.code, exc.message, {"Idempotency-Key": exc.message})
    operation = operation_of(request)
    return idempotency.idempotent(
        key=key, owner=owner_of(Principal.for_applicant(c.user)), operation=operation,
        fingerprint=lambda: idempotency.fingerprint_form(operation, request),
        handle=lambda: rendered(request, CitizenSubmittedOut, 201, submit()),
        reused=reused(request),
    )


@router.get("/dossiers", response={200: list[CitizenDossierOut], **ERRORS}, summary="My dossiers")
def citizen_dossiers(request: HttpRequest) -> Any:
    return [_dossier(d) for d in cs.dossiers_of(citizen_of(request))[:500]]


@router.get("/dossiers/{code}", response={200: CitizenDossierDetailOut, **ERRORS}, summary="One of my dossiers")
def citizen_dossier_get(request: HttpRequest, code: DossierCode) -> Any:
    """Status, due moment, the public timeline (when, what, the status after it; no officer
    names), what is expected of me now, my files and the result documents."""
    c = citizen_of(request)
    d = cs.dossier_of(c, code)
    from tinhso.citizens.timeline import EVENT_TEXT

    return {
        **_dossier(d),
        "timeline": [{"at": e.at, "action": e.action, "label": str(EVENT_TEXT.get(e.action, e.action)),
                      "status": e.to_status}
                     for e in d.events.order_by("at", "id")],
        "attachments": [{"id": a.pk, "name": a.name, "filename": a.filename, "kind": a.kind,
                         "component": a.component_number, "reused": a.reused}
                        for a in d.attachments.exclude(kind=AttachmentKind.RESULT).order_by("id")],
        "results": [_document(r) for r in cs.result_documents(c, d)],
    }


@router.post("/dossiers/{code}/supplement", response={200: CitizenSubmittedOut, **ERRORS}, summary="Answer a supplement request")
def citizen_dossier_supplement(request: HttpRequest, code: DossierCode, note: Annotated[str, Form(max_length=2000)] = "") -> Any:
    """Multipart, `pick_<n>` / `file_<n>` as for the submission; the clock resumes."""
    c = citizen_of(request)
    cs.dossier_of(c, code)
    picks, files = _component_inputs(request)
    result = cs.supplement_answer(citizen=c, code=code, picks=picks, files=files, note=note)
    return {"code": result.dossier.code, "status": result.dossier.status, "form": result.form}


@router.post("/dossiers/{code}/result-delivery", response={200: CitizenDossierOut, **ERRORS}, summary="How I receive the result")
def citizen_dossier_result_delivery(request: HttpRequest, code: DossierCode, payload: CitizenDeliveryIn) -> Any:
    """`electronic`, `post` (to `address`, by default the profile's) or `counter`."""
    d = cs.result_delivery_choose(citizen=citizen_of(request), code=code, delivery=payload.delivery,
                                  address=payload.address)
    return _dossier(cs.dossier_of(citizen_of(request), d.code))


@router.post("/dossiers/{code}/withdraw", response={200: CitizenDossierOut, **ERRORS}, summary="Withdraw my dossier")
def citizen_dossier_withdraw(request: HttpRequest, code: DossierCode, payload: CitizenWithdrawIn) -> Any:
    """Before the result: the dossier ends as withdrawn (status 12) with the reason given."""
    result = cs.dossier_withdraw(citizen=citizen_of(request), code=code, reason=payload.reason)
    return _dossier(cs.dossier_of(citizen_of(request), result.dossier.code))


@router.post("/dossiers/{code}/rating", response={200: CitizenDossierOut, **ERRORS}, summary="Rate my dossier")
def citizen_dossier_rating(request: HttpRequest, code: DossierCode, payload: CitizenRatingIn) -> Any:
    result = cs.dossier_rate(citizen=citizen_of(request), code=code, rating=payload.rating, comment=payload.comment)
    return _dossier(cs.dossier_of(citizen_of(request), result.dossier.code))


@router.get("/dossiers/{code}/result", response={**ERRORS}, summary="Download my result", openapi_extra=FILE_RESPONSE)
def citizen_dossier_result(request: HttpRequest, code: DossierCode) -> Any:
    c = citizen_of(request)
    d = cs.dossier_of(c, code)
    results = cs.result_documents(c, d)
    if not results:
        raise NotFound(_("Chưa có kết quả điện tử."))
    r = results[0]
    return _download(r.file, r.content_type, r.filename or r.sha256)
