"""Request and response schemas of the dossier API (`/api/v1/dossiers`).

Inputs are validated here for shape only (types, lengths, allowed values); the rules of the
domain (a citizen ID has 12 digits, a reason is required, …) are the services' and come back as
422 with the field named by its path in the request body (`applicant.id_number`).

Conventions of the output: every moment is ISO 8601 with the +07:00 offset (Asia/Ho_Chi_Minh);
`status` and `channel` are `{code, label}` with the national portal's codes; agencies and
procedures are `{code, name}`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import field_validator

from tinhso.api.boundary import InputSchema, IsoDate, IsoDateTime, limit_field, offset_field
from tinhso.core.boundary import INT32_MAX

# --- shared pieces --------------------------------------------------------------------------


class RefOut(Schema):
    """A procedure or an agency, by its code and name."""

    code: str
    name: str


class ChoiceOut(Schema):
    """A coded value with its label in the request's language."""

    code: int
    label: str


class StepOut(Schema):
    name: str
    kind: str
    role: str


class FeesOut(Schema):
    due: int = Field(description="Fees and charges due, in VND.")
    paid: bool
    paid_online: bool


class VersionIn(InputSchema):
    version: int | None = Field(
        None,
        ge=1,
        le=INT32_MAX,
        description="The dossier's `version` the client last saw; if it has moved on, the answer is 409 `stale_version`.",
    )


# --- receipt --------------------------------------------------------------------------------


class ApplicantIn(InputSchema):
    type: Literal["citizen", "business"] = Field(description="`citizen` (12-digit ID) or `business` (tax code).")
    name: str = Field(min_length=1, max_length=255)
    id_number: str = Field("", max_length=14, description="Citizen ID (12 digits) or tax code (10 or 13 digits).")
    birth_date: IsoDate | None = None
    address: str = Field("", max_length=500)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    representative_name: str = Field("", max_length=255)
    representative_id_number: str = Field("", max_length=12)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value:
            try:
                validate_email(value)
            except DjangoValidationError as exc:
                raise ValueError("not a valid e-mail address") from exc
        return value


class DossierSubmitIn(InputSchema):
    procedure_code: str = Field(max_length=64, description="The procedure's code in the catalogue, e.g. 1.000894.")
    agency_code: str = Field(max_length=40, description="The receiving agency's QCVN 102:2016 code, e.g. H44.100.")
    applicant: ApplicantIn
    summary: str = Field("", max_length=1000)


class ComponentIn(InputSchema):
    """One component handed in, named by its number in the procedure's list of components.

    Only the shape is checked here; the values are the domain's rule (`dossiers.components`), so
    that a bad quantity, an unknown number and a missing required component come back together
    with the applicant's bad fields in one 422."""

    number: int = Field(ge=0, le=INT32_MAX, description="The component's number in the procedure's list (1, 2, …).")
    quantity: int = Field(1, ge=0, le=INT32_MAX, description="How many papers (or files) of it: 1 to 99.")
    copy_form: str = Field(
        "original", max_length=20, json_schema_extra={"enum": ["original", "certified_copy", "copy"]},
        description="`original` (bản chính), `certified_copy` (bản sao có chứng thực) or `copy` (bản sao).")
    medium: str = Field("paper", max_length=20, json_schema_extra={"enum": ["paper", "electronic"]},
                        description="`paper` or `electronic`.")


class DossierReceiveIn(DossierSubmitIn):
    channel: Literal[1, 2, 3] = Field(
        description="How the dossier arrived, as the national portal's code: 1 counter, 2 online, 3 postal."
    )
    fee_paid: bool = Field(default=False, description="The fee was taken at the counter.")
    fee_paid_online: bool = Field(
        default=False,
        description="Always false: a fee paid online is what a bank confirmed, recorded by reconciliation "
        "(`POST /payments/bank-transactions` or `tinhso payments import`), never declared at receipt; true is 422.",
    )
    components: list[ComponentIn] = Field(
        default_factory=list,
        max_length=100,
        description="What the applicant handed in. Every required component of the procedure must be listed, "
        "or the answer is 422 naming the missing ones under `components`; conditional and optional ones only "
        "when handed in. Form 01 lists exactly these.",
    )


# --- actions --------------------------------------------------------------------------------


class AcceptIn(VersionIn):
    pass


class NoteIn(VersionIn):
    note: str = Field("", max_length=4000)


class ReasonIn(VersionIn):
    reason: str = Field(min_length=1, max_length=4000)


class RequestSupplementIn(ReasonIn):
    documents: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list, max_length=100, description="The documents the applicant must add.")


class TransferIn(ReasonIn):
    to_agency: str = Field(max_length=40, description="Code of the agency that takes the dossier over.")


class ExtendIn(ReasonIn):
    new_due_at: IsoDateTime = Field(description="The new appointment; without an offset it is read as +07:00.")


class SignIn(NoteIn):
    result_number: str = Field(
        "", max_length=100, description="Required: the result's number and symbol (số, ký hiệu), e.g. 12/QĐ-UBND.")
    result_kind: Literal["electronic", "paper"] = "electronic"


class RateIn(VersionIn):
    rating: Literal["very_satisfied", "satisfied", "unsatisfied"]
    comment: str = Field("", max_length=4000)
    complained: bool = False


# --- outputs --------------------------------------------------------------------------------


class ApplicantOut(Schema):
    type: str
    name: str
    id_number: str
    birth_date: date | None
    address: str | None
    phone: str
    email: str | None
    representative_name: str
    representative_id_number: str
    masked: bool = Field(
        description="True when the caller has no business with the personal data: name, ID numbers and phone are "
        "masked, birth date, address and e-mail left out."
    )


class EventOut(Schema):
    id: int
    at: datetime
    actor_name: str
    action: str
    from_status: ChoiceOut | None
    to_status: ChoiceOut
    from_agency: str | None = Field(description="Agency code before the action.")
    to_agency: str | None = Field(description="Agency code after the action.")
    from_step: str
    to_step: str
    due_before: datetime | None
    due_after: datetime | None
    note: str


class DossierOut(Schema):
    code: str
    procedure: RefOut
    receiving_agency: RefOut
    handling_agency: RefOut
    channel: ChoiceOut
    status: ChoiceOut
    applicant: ApplicantOut
    summary: str
    submitted_at: datetime | None
    received_at: datetime | None
    due_at: datetime | None
    legal_due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    current_step: StepOut | None
    step_due_at: datetime | None
    paused: bool = Field(description="The clock is paused, waiting for a supplement.")
    extended: bool
    fees: FeesOut
    rating: str | None
    complained: bool
    components_digitised: bool
    result_kind: str | None
    result_number: str | None
    overdue: bool
    version: int
    allowed_actions: list[str] = Field(
        description="The actions this caller may take now, named as in the paths: `POST /dossiers/{code}/{action}`."
    )


class DossierActionOut(DossierOut):
    """The dossier after an action, with the form the action issues and its history line."""

    form: Literal["01", "02", "03", "04", "05"] | None = Field(
        description="The form (Circular 01/2018) the action issues: 01 receipt, 02 supplement, 03 refusal, "
        "04 apology/extension, 05 stop."
    )
    event: EventOut


class DossierSummaryOut(Schema):
    code: str
    procedure: RefOut
    receiving_agency: RefOut
    handling_agency: RefOut
    channel: ChoiceOut
    status: ChoiceOut
    applicant_name: str
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    overdue: bool
    version: int


class DossierPage(Schema):
    count: int
    items: list[DossierSummaryOut]


class DossierListQuery(InputSchema):
    agency: str | None = Field(None, max_length=40, description="Agency code: dossiers received or handled there.")
    status: int | None = Field(None, ge=1, le=10, description="Status code 1–10.")
    procedure: str | None = Field(None, max_length=64, description="Procedure code.")
    channel: int | None = Field(None, ge=1, le=3, description="1 counter, 2 online, 3 postal.")
    received_from: IsoDateTime | None = Field(None, description="Received at or after (without offset: +07:00).")
    received_to: IsoDateTime | None = Field(None, description="Received before (without offset: +07:00).")
    due_before: IsoDateTime | None = None
    overdue: bool | None = None
    q: str | None = Field(None, max_length=64, description=(
        "A dossier code (or its start, any case), an applicant's ID number or tax code, or the start of the "
        "applicant's name ignoring diacritics and case (`nguyen van a` finds `Nguyễn Văn A`)."))
    limit: int = limit_field(50, 500)
    offset: int = offset_field()


class AttachmentOut(Schema):
    id: int
    name: str
    filename: str
    sha256: str
    size: int
    content_type: str
    digitised: bool
    kind: str
    uploaded_at: datetime
