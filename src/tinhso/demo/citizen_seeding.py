"""Demo citizens of the portal: profiles, documents in their stores and online dossiers in every
state, so a visitor can sign in as a citizen (phone + one-time code shown at `/demo/messages/`)
and the four "declare once" metrics of the index have real values.

Four citizens, three whose name, citizen ID and birth date came from the identity provider
(VNeID through the national portal's SSO), one who signed in by phone only and declared
everything. Each has PDFs in their document store. Their online dossiers go through the
citizens' services (`online_submit`, `supplement_answer`, `result_deliver`), and the demo's
officers of the first commune committee act on them through the dossier one door (accept,
request a supplement, work the steps, finish with an electronic result, return, refuse), at
past instants inside office hours, so every state of an online dossier is there:
registered, received, supplement requested, in progress, finished (result in the store),
returned and rated, refused. Some reuse a stored document, some upload one.

Fast (a dozen dossiers): it runs before the demo serves. Running it again adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tinhso.agencies.models import Agency, Role
from tinhso.agencies.principals import Principal
from tinhso.catalogue.models import Component, OnlineLevel, Procedure, StepKind
from tinhso.citizens import services as citizen_services
from tinhso.citizens.models import Citizen, Document, FieldSource
from tinhso.citizens.services import NewFile
from tinhso.demo.seeding import DemoProvince, Staff, simple_pdf
from tinhso.dossiers import services as dossier_services
from tinhso.dossiers.models import AttachmentKind, Dossier, Rating, ResultKind
from tinhso.workcalendar.calendar import WorkingCalendar
from tinhso.workcalendar.selectors import calendar_for_agency

HOUR = 3600


@dataclass(frozen=True)
class DemoDocument:
    key: str
    document_type: str
    name: str
    number: str
    issuer: str
    issued_on: date
    expires_on: date | None = None


@dataclass(frozen=True)
class DemoCitizen:
    phone: str
    full_name: str
    id_number: str
    birth_date: date
    street: str
    verified: bool  # name, ID and birth date from the identity provider; else all declared
    documents: tuple[DemoDocument, ...]


CCCD_ISSUER = "Cục Cảnh sát quản lý hành chính về trật tự xã hội"

CITIZENS = (
    DemoCitizen(
        "0912000101", "Nguyễn Thị Lan", "025190001101", date(1990, 5, 12), "Số 12 đường Hùng Vương", True,
        (
            DemoDocument("cccd", "cccd", "Thẻ căn cước công dân", "025190001101", CCCD_ISSUER, date(2021, 4, 2),
                         date(2030, 5, 12)),
            DemoDocument("chung_sinh", "chung_sinh", "Giấy chứng sinh", "CS-2026/0412",
                         "Bệnh viện Đa khoa tỉnh Phú Thọ", date(2026, 2, 27)),
        ),
    ),
    DemoCitizen(
        "0912000102", "Trần Văn Minh", "025088002202", date(1988, 11, 3), "Tổ 7, khu Hòa Phong", True,
        (
            DemoDocument("cccd", "cccd", "Thẻ căn cước công dân", "025088002202", CCCD_ISSUER, date(2021, 8, 19),
                         date(2028, 11, 3)),
            DemoDocument("ket_hon", "ket_hon", "Giấy chứng nhận kết hôn", "KH-118/2015",
                         "UBND phường Việt Trì", date(2015, 6, 20)),
        ),
    ),
    DemoCitizen(
        "0912000103", "Lê Thu Hà", "025195003303", date(1995, 1, 24), "Số 45 đường Trần Phú", True,
        (
            DemoDocument("cccd", "cccd", "Thẻ căn cước công dân", "025195003303", CCCD_ISSUER, date(2022, 1, 10),
                         date(2035, 1, 24)),
            DemoDocument("cu_tru", "cu_tru", "Giấy xác nhận thông tin về cư trú", "XNCT-2025/881",
                         "Công an phường Việt Trì", date(2025, 9, 15)),
        ),
    ),
    DemoCitizen(
        "0912000104", "Phạm Quốc Bảo", "025092004404", date(1992, 7, 8), "Thôn Châu Phong", False,
        (
            DemoDocument("cccd", "cccd", "Thẻ căn cước công dân", "025092004404", CCCD_ISSUER, date(2021, 7, 1),
                         date(2032, 7, 8)),
        ),
    ),
)

# The demo's online dossiers: (citizen phone, procedure code, the stored documents it reuses
# (document keys: each given to the component of its type, else to the first component still
# empty), the state to bring it to). Every other required component gets an uploaded file.
# Procedures that are not in the catalogue or not online are skipped.
PLANS = (
    ("0912000101", "1.001193", ("chung_sinh", "cccd"), "returned_rated"),
    ("0912000101", "1.010041", ("cccd",), "registered"),
    ("0912000102", "1.004194", ("cccd",), "supplement_requested"),
    ("0912000102", "2.000815", (), "in_progress"),
    ("0912000103", "1.003677", ("cccd", "cu_tru"), "finished"),
    ("0912000103", "1.001612", (), "refused"),
    ("0912000104", "1.001193", (), "received"),
)
STATES = ("registered", "received", "supplement_requested", "in_progress", "finished", "returned_rated", "refused")
SUPPLEMENT_REASON = "Bản chụp giấy tờ tuỳ thân chưa rõ, đề nghị nộp lại bản rõ nét."
REFUSAL_REASON = "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan."


@dataclass
class CitizenLogin:
    phone: str
    name: str
    verified: bool


@dataclass
class CitizenSeedReport:
    logins: list[CitizenLogin] = field(default_factory=list)
    documents: int = 0
    dossiers: dict[str, str] = field(default_factory=dict)  # state → dossier code
    created: bool = False


def citizen_logins() -> list[CitizenLogin]:
    return [CitizenLogin(c.phone, c.full_name, c.verified) for c in CITIZENS]


def _ascii(text: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in folded if ord(ch) < 128)


def document_pdf(citizen: DemoCitizen, document: DemoDocument) -> bytes:
    """A one-page PDF naming the document and its holder (distinct bytes per document)."""
    return simple_pdf(f"{_ascii(document.name)} so {document.number} - {_ascii(citizen.full_name)}")


def upload_pdf(citizen: DemoCitizen, procedure_code: str, number: int) -> bytes:
    return simple_pdf(f"To khai {procedure_code} thanh phan {number} - {_ascii(citizen.full_name)}")


def _ensure_citizen(spec: DemoCitizen, commune: Any) -> Citizen:
    """The citizen's account and profile: what the identity provider said (name, ID, birth
    date) is marked as such; the rest as declared."""
    User = get_user_model()  # noqa: N806
    existing = Citizen.objects.filter(phone=spec.phone).first()
    if existing is not None:
        return existing
    user = User(username=f"cd-demo-{spec.phone[-4:]}", first_name="", last_name="")
    user.set_unusable_password()
    user.save()
    source = FieldSource.IDENTITY_PROVIDER if spec.verified else FieldSource.DECLARED
    sources = {f: str(source) for f in ("id_number", "full_name", "birth_date")}
    sources.update({f: str(FieldSource.DECLARED) for f in ("commune", "street", "phone")})
    return Citizen.objects.create(
        user=user, id_number=spec.id_number, full_name=spec.full_name, birth_date=spec.birth_date,
        commune=commune, street=spec.street, phone=spec.phone, sources=sources,
        oidc_subject=f"demo-vneid-{spec.id_number}" if spec.verified else "",
    )


def _seed_start(cal: WorkingCalendar, now: datetime, working_seconds: int) -> datetime:
    """An opening of office hours early enough that `working_seconds` of office time after it
    are still before `now`."""
    day = timezone.localtime(now, cal.tz).date()
    for _ in range(60):
        day -= timedelta(days=1)
        start = cal.clock_start(datetime.combine(day, datetime.min.time(), cal.tz))
        if cal.add_working_seconds(start, working_seconds) < now:
            return start
    raise AssertionError("no working days before now")


class _Officers:
    """The first commune's officers, acting on an online dossier through the one door."""

    def __init__(self, staff: Staff, agency: Agency, cal: WorkingCalendar) -> None:
        self.staff = staff
        self.people = staff.by_agency[agency.pk]
        self.cal = cal

    def work_steps(self, procedure: Procedure, code: str, at: datetime, *, all_steps: bool) -> datetime:
        """Work the procedure's steps (forward, approve, sign with an electronic result, issue
        with its file); only the first one unless `all_steps`. Returns the last instant."""
        steps: list[tuple[str, str, int | None]] = list(
            procedure.steps.order_by("order").values_list("kind", "role", "agency_id"))
        if not steps:
            steps = [(StepKind.ISSUE, Role.RECORDS_CLERK, None)]
        for kind, role, step_agency in steps if all_steps else steps[:1]:
            at = self.cal.add_working_seconds(at, HOUR)
            actor_of = self.staff.by_agency.get(step_agency, self.people) if step_agency else self.people
            principal = actor_of.get(role) or actor_of[Role.SPECIALIST]
            if kind == StepKind.APPROVE:
                dossier_services.dossier_approve(principal=principal, code=code, at=at)
            elif kind == StepKind.SIGN:
                dossier_services.dossier_sign(principal=principal, code=code, at=at, result_kind=ResultKind.ELECTRONIC,
                                              result_number=f"{code[-3:]}/GKS-UBND")
            elif kind == StepKind.ISSUE:
                result = dossier_services.Upload("Kết quả giải quyết", f"ket-qua-{code}.pdf",
                                                 simple_pdf(f"Ket qua giai quyet ho so {code}"), True,
                                                 AttachmentKind.RESULT)
                dossier_services.dossier_finish(principal=principal, code=code, at=at, result=result)
            else:
                dossier_services.dossier_forward(principal=principal, code=code, at=at)
        return at

    def __getitem__(self, role: str) -> Principal:
        return self.people[role]


def _accepts_pdf(component: Component) -> bool:
    types = [t.strip().lower().lstrip(".") for t in (component.file_types or "").split(",") if t.strip()]
    return not types or "pdf" in types or not any(t in citizen_services.EXTENSION_TYPES for t in types)


def handed_in(spec: DemoCitizen, procedure: Procedure, stored: dict[str, Document],
              reuse: tuple[str, ...]) -> tuple[dict[int, Any], dict[int, NewFile]]:
    """What the citizen hands in: the stored documents of `reuse` (each to the component of its
    type, else to the first required one still empty), and an uploaded file for every other
    required component (at least one component gets something)."""
    components = [c for c in procedure.components.order_by("order") if _accepts_pdf(c)]
    picks: dict[int, Any] = {}
    for key in reuse:
        document = stored[key]
        free = [c for c in components if c.order not in picks]
        match = next((c for c in free if c.document_type and c.document_type == document.document_type), None)
        match = match or next((c for c in free if c.is_required), None)
        if match is not None:
            picks[match.order] = document.pk
    files = {
        c.order: NewFile(filename=f"thanh-phan-{c.order}.pdf", content=upload_pdf(spec, procedure.code, c.order))
        for c in components if c.is_required and c.order not in picks
    }
    if not picks and not files and components:
        first = components[0].order
        files[first] = NewFile(filename=f"thanh-phan-{first}.pdf", content=upload_pdf(spec, procedure.code, first))
    return picks, files


def seed_citizens(*, province: DemoProvince, staff: Staff, now: datetime | None = None,
                  log: Callable[[str], None] | None = None) -> CitizenSeedReport:
    """Create the demo citizens, their documents and their online dossiers (once)."""
    report = CitizenSeedReport(logins=citizen_logins())
    if Citizen.objects.filter(phone__in=[c.phone for c in CITIZENS]).exists():
        return report
    if not province.communes or province.communes[0].pk not in staff.by_agency:
        return report
    agency = province.communes[0]
    now = now or timezone.now()
    cal = calendar_for_agency(agency)
    officers = _Officers(staff, agency, cal)
    # The timelines below take at most ~5 working days of office time.
    start = _seed_start(cal, now, 40 * HOUR)
    with transaction.atomic():
        citizens: dict[str, tuple[DemoCitizen, Citizen, dict[str, Document]]] = {}
        for spec in CITIZENS:
            citizen = _ensure_citizen(spec, agency.unit)
            stored = {}
            for doc in spec.documents:
                stored[doc.key] = citizen_services.document_store(citizen=citizen, new=NewFile(
                    filename=f"{doc.key}.pdf", content=document_pdf(spec, doc), name=doc.name,
                    document_type=doc.document_type, number=doc.number, issuer=doc.issuer, issued_on=doc.issued_on,
                    expires_on=doc.expires_on,
                ))
                report.documents += 1
            citizens[spec.phone] = (spec, citizen, stored)
        for index, (phone, procedure_code, reuse, state) in enumerate(PLANS):
            procedure = Procedure.objects.filter(code=procedure_code, is_active=True,
                                                 online_level__in=(OnlineLevel.FULL, OnlineLevel.PARTIAL)).first()
            if procedure is None:
                if log:
                    log(f"  demo citizens: procedure {procedure_code} is not online in the catalogue, skipped")
                continue
            spec, citizen, stored = citizens[phone]
            code = _play(officers, cal, spec, citizen, stored, procedure, agency, reuse, state,
                         cal.add_working_seconds(start, index * 2 * HOUR + 600), now)
            report.dossiers[state] = code
    report.created = True
    return report


def _play(officers: _Officers, cal: WorkingCalendar, spec: DemoCitizen, citizen: Citizen,
          stored: dict[str, Document], procedure: Procedure, agency: Agency, reuse: tuple[str, ...], state: str, at: datetime, now: datetime) -> str:
    picks, files = handed_in(spec, procedure, stored, reuse)
    if state == "registered":
        at = now - timedelta(minutes=40)  # just sent, waiting for the reception officer
    code = citizen_services.online_submit(
        citizen=citizen, procedure_code=procedure.code, agency_code=agency.code, picks=picks, files=files,
        summary="", result_delivery="electronic", at=at,
    ).dossier.code
    if state == "registered":
        return code
    at = cal.add_working_seconds(at, HOUR)
    if state == "refused":
        dossier_services.dossier_refuse(principal=officers[Role.RECEPTION], code=code, at=at, reason=REFUSAL_REASON)
        return code
    dossier_services.dossier_accept(principal=officers[Role.RECEPTION], code=code, at=at)
    if state == "received":
        return code
    if state in ("supplement_requested", "finished"):
        at = cal.add_working_seconds(at, HOUR)
        dossier_services.dossier_request_supplement(
            principal=officers[Role.SPECIALIST], code=code, at=at, reason=SUPPLEMENT_REASON,
            documents=["Thẻ căn cước công dân (bản chụp rõ nét)"],
        )
        if state == "supplement_requested":
            return code
        # Answered online the next morning, with the ID card from the store.
        at = cal.add_working_seconds(at, 2 * HOUR)
        first = next((c.order for c in procedure.components.order_by("order") if _accepts_pdf(c)), None)
        if first is not None:
            citizen_services.supplement_answer(
                citizen=citizen, code=code, picks={first: stored["cccd"].pk}, note="Xin gửi lại bản chụp rõ nét.", at=at,
            )
        else:
            dossier_services.dossier_supplement_received(principal=citizen_services.principal_of(citizen), code=code,
                                                         note="Xin gửi lại bản chụp rõ nét.", at=at)
    at = officers.work_steps(procedure, code, at, all_steps=state != "in_progress")
    if state == "in_progress":
        return code
    dossier = Dossier.objects.select_related("procedure", "handling_agency").get(code=code)
    citizen_services.result_deliver(dossier)  # also done after the finish commits; once only
    if state == "finished":
        return code
    at = cal.add_working_seconds(at, HOUR)
    dossier_services.dossier_return(principal=officers[Role.RECEPTION], code=code, at=at)
    dossier_services.dossier_rate(principal=citizen_services.principal_of(citizen), code=code,
                                  rating=Rating.VERY_SATISFIED, at=at + timedelta(minutes=30),
                                  comment="Nộp trực tuyến, nhận kết quả điện tử, không phải đi lại.")
    return code
