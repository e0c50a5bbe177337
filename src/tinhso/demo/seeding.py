"""Seeding a simulated province for the demo: agencies, staff with logins, months of dossiers.

Everything is written through the product's own doors: agencies through
`agencies.services.agencies_import`, roles through `staff_role_grant`, and every dossier step
through `tinhso.dossiers.services` with a past `at=` instant inside office hours (taken from the
province's working calendar). So each simulated dossier has a real history, audit entries, due
moments, pauses, extensions and ratings, exactly as if officers had worked it.

One `random.Random(seed)` drives every choice: the same seed on the same day gives the same demo.

Agency codes: Phú Thọ (GSO 25) is imported from the real QCVN 102:2016 list shipped in
`tinhso/data/agencies-phu-tho.csv` (H44, H44.xx departments, H44.1xx commune committees). For any
other province the demo makes up codes from the GSO code: `P{gso}` for the province People's
Committee (e.g. P01 for Hà Nội), `P{gso}.{nn}` for a short list of departments and
`P{gso}.{100 + index}` for the commune committees, in the order of their GSO codes.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from stdnum.vn import mst

from tinhso.agencies.models import Agency, AgencyKind, Role
from tinhso.agencies.principals import Principal
from tinhso.agencies.services import agencies_import, read_agency_rows, staff_role_grant
from tinhso.catalogue.models import Procedure, ProcedureLevel, StepKind
from tinhso.core.errors import ApplicationError, InvalidInput
from tinhso.dossiers import services
from tinhso.dossiers.components import ComponentReceipt
from tinhso.dossiers.models import ApplicantType, AttachmentKind, Channel, Dossier, Rating, ResultKind, Status
from tinhso.units.models import AdministrativeUnit, UnitLevel, UnitType
from tinhso.workcalendar.calendar import WorkingCalendar
from tinhso.workcalendar.selectors import calendar_for_agency

PHU_THO = "25"
AGENCIES_PHU_THO = Path(__file__).resolve().parent.parent / "data" / "agencies-phu-tho.csv"

# How many commune committees receive simulated dossiers (the rest of the province stays quiet).
ACTIVE_COMMUNES = 10
DEFAULT_PER_DAY = 3

# The Vietnamese login prefix of each role: `tiepnhan.h44.101` is the reception officer of H44.101.
ROLE_LOGIN = {
    Role.RECEPTION: "tiepnhan",
    Role.SPECIALIST: "chuyenvien",
    Role.HEAD: "truongphong",
    Role.LEADER: "lanhdao",
    Role.RECORDS_CLERK: "vanthu",
}
WORK_ROLES = tuple(ROLE_LOGIN)
PROVINCE_LOGINS = (("chutich", Role.LEADER), ("theodoi", Role.VIEWER), ("quantri", Role.ADMINISTRATOR))

# Departments made up for provinces other than Phú Thọ: (number, name).
GENERATED_DEPARTMENTS = (
    (1, "Văn phòng UBND tỉnh"),
    (2, "Sở Tư pháp"),
    (3, "Sở Tài chính"),
    (4, "Sở Nội vụ"),
    (5, "Sở Xây dựng"),
    (6, "Sở Nông nghiệp và Môi trường"),
    (7, "Sở Y tế"),
)

# A province-level procedure's field → words of the department name that handles it.
FIELD_DEPARTMENT = (
    ("hộ tịch", "tư pháp"),
    ("lý lịch tư pháp", "tư pháp"),
    ("chứng thực", "tư pháp"),
    ("doanh nghiệp", "tài chính"),
    ("lao động", "nội vụ"),
    ("đất đai", "nông nghiệp và môi trường"),
    ("xây dựng", "xây dựng"),
)

# How often a procedure's field comes to the counter, relative to the others.
FIELD_WEIGHT = (("chứng thực", 6.0), ("hộ tịch", 3.0), ("cư trú", 3.0), ("đất đai", 1.5), ("căn cước", 1.5))

CHANNEL_MIX = ((Channel.COUNTER, 55), (Channel.ONLINE, 40), (Channel.POSTAL, 5))
RATING_MIX = ((Rating.VERY_SATISFIED, 60), (Rating.SATISFIED, 35), (Rating.UNSATISFIED, 5))

# --- names -----------------------------------------------------------------------------------

FAMILY_NAMES = (
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Phan", 4), ("Vũ", 4), ("Đặng", 2),
    ("Bùi", 2), ("Đỗ", 2), ("Hồ", 1), ("Ngô", 1), ("Dương", 1), ("Lý", 1), ("Đinh", 1), ("Cao", 1), ("Hà", 1),
)
MIDDLE_MALE = ("Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Thành", "Công", "Tuấn", "Ngọc", "Gia")
MIDDLE_FEMALE = ("Thị", "Thị", "Ngọc", "Thu", "Thanh", "Hồng", "Kim", "Phương", "Minh", "Bảo", "Khánh")
GIVEN_MALE = (
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khang", "Khoa", "Lâm",
    "Long", "Minh", "Nam", "Phong", "Quân", "Sơn", "Tài", "Thắng", "Trung", "Tuấn", "Việt", "Vinh",
)
GIVEN_FEMALE = (
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga",
    "Ngân", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Thủy", "Trang", "Tuyết", "Vân", "Yến",
)
BUSINESS_WORDS = (
    "Minh Phát", "Hưng Thịnh", "Thành Công", "An Khang", "Đại Việt", "Hoàng Long", "Tân Tiến", "Bảo Minh",
    "Sông Hồng", "Trường Sơn", "Việt Hưng", "Phú Gia", "Thiên An", "Đất Tổ", "Hùng Vương", "Kim Ngân",
)
BUSINESS_FORMS = ("Công ty TNHH", "Công ty TNHH", "Công ty Cổ phần", "Doanh nghiệp tư nhân", "Hợp tác xã")
BUSINESS_TRADES = ("Thương mại và Dịch vụ", "Xây dựng", "Nông sản", "Vận tải", "Công nghệ", "Chè", "Gỗ")

REFUSAL_REASONS = (
    "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan.",
    "Người nộp không đủ điều kiện theo quy định.",
    "Giấy tờ trong hồ sơ không hợp lệ.",
)
SUPPLEMENT_REASONS = (
    "Thiếu bản sao giấy tờ chứng minh nơi cư trú.",
    "Tờ khai chưa ghi đủ thông tin, đề nghị bổ sung.",
    "Thiếu văn bản uỷ quyền có chứng thực.",
    "Bản chụp giấy tờ tuỳ thân không rõ, đề nghị nộp lại.",
)
EXTENSION_REASONS = (
    "Cần xác minh thêm thông tin với cơ quan liên quan.",
    "Phải lấy ý kiến của cơ quan chuyên môn cấp tỉnh.",
)
WITHDRAW_REASONS = ("Công dân xin rút hồ sơ.", "Người nộp đề nghị rút hồ sơ để nộp lại sau.")
STOP_REASONS = ("Người yêu cầu đã chết.", "Có tranh chấp chưa được giải quyết.")


def _weighted(rng: random.Random, pairs: tuple[tuple[Any, float], ...]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


@dataclass
class Person:
    name: str
    male: bool
    birth_date: date


class NameMaker:
    """Vietnamese people and businesses with valid-looking identifiers."""

    def __init__(self, rng: random.Random, province_code: str, place: str) -> None:
        self.rng = rng
        self.province_code = province_code
        self.place = place

    def person(self, *, min_age: int = 18, max_age: int = 75, today: date | None = None) -> Person:
        rng = self.rng
        male = rng.random() < 0.5
        family = _weighted(rng, tuple((n, float(w)) for n, w in FAMILY_NAMES))
        middle = rng.choice(MIDDLE_MALE if male else MIDDLE_FEMALE)
        given = rng.choice(GIVEN_MALE if male else GIVEN_FEMALE)
        today = today or timezone.localdate()
        birth = today - timedelta(days=rng.randint(min_age * 365, max_age * 365))
        return Person(f"{family} {middle} {given}", male, birth)

    def citizen_id(self, person: Person) -> str:
        """12 digits: province of birth (3), century/sex (1), year of birth (2), random (6)."""
        century = 0 if person.birth_date.year < 2000 else 2
        sex = century + (0 if person.male else 1)
        return f"{int(self.province_code):03d}{sex}{person.birth_date.year % 100:02d}{self.rng.randint(0, 999999):06d}"

    def tax_code(self) -> str:
        """Ten digits whose last is the check digit (python-stdnum's `vn.mst`), as the counter checks."""
        first_nine = f"{int(self.province_code) % 100:02d}{self.rng.randint(1, 9_999_999):07d}"
        check = mst.calc_check_digit(first_nine)
        return first_nine + check if len(check) == 1 else self.tax_code()

    def phone(self) -> str:
        # Prefixes in use by the mobile networks (what tinhso.core.phones accepts as mobile).
        return self.rng.choice(("091", "098", "035", "086", "070", "077", "083")) + f"{self.rng.randint(0, 9_999_999):07d}"

    def address(self) -> str:
        return f"Tổ {self.rng.randint(1, 40)}, {self.place}"

    def business_name(self) -> str:
        rng = self.rng
        return f"{rng.choice(BUSINESS_FORMS)} {rng.choice(BUSINESS_TRADES)} {rng.choice(BUSINESS_WORDS)}"

    def applicant(self, business: bool) -> services.Applicant:
        person = self.person()
        if business:
            return services.Applicant(
                type=ApplicantType.BUSINESS,
                name=self.business_name(),
                id_number=self.tax_code(),
                address=self.address(),
                phone=self.phone(),
                representative_name=person.name,
                representative_id_number=self.citizen_id(person),
            )
        return services.Applicant(
            type=ApplicantType.CITIZEN,
            name=person.name,
            id_number=self.citizen_id(person),
            birth_date=person.birth_date,
            address=self.address(),
            phone=self.phone(),
        )


# --- agencies and staff ----------------------------------------------------------------------


@dataclass
class DemoProvince:
    unit: AdministrativeUnit
    committee: Agency
    departments: list[Agency]
    communes: list[Agency]


def province_unit(code: str) -> AdministrativeUnit:
    code = code.strip()
    if code.isdigit():
        code = f"{int(code):02d}"
    unit = AdministrativeUnit.objects.filter(code=code, level=UnitLevel.PROVINCE, valid_to__isnull=True).first()
    if unit is None:
        known = ", ".join(AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, valid_to__isnull=True)
                          .order_by("code").values_list("code", flat=True))
        raise InvalidInput(
            f"--province {code!r} is not the GSO code of a current province (one of: {known or 'none loaded; run tinhso setup'})",
            fields={"province": "unknown province code"},
        )
    return unit


def generated_agency_rows(unit: AdministrativeUnit) -> Iterator[tuple[int, dict[str, Any], None]]:
    """Rows in the agencies-import shape for a province without a shipped agency list."""
    prefix = f"P{unit.code}"
    title = unit.name if unit.type == UnitType.CENTRAL_CITY else f"tỉnh {unit.name}"
    yield 1, {"code": prefix, "name": f"UBND {title}", "kind": AgencyKind.PROVINCE_COMMITTEE,
              "unit_code": unit.code, "parent_code": ""}, None
    line = 1
    for number, name in GENERATED_DEPARTMENTS:
        line += 1
        kind = AgencyKind.OTHER if name.startswith("Văn phòng") else AgencyKind.DEPARTMENT
        yield line, {"code": f"{prefix}.{number:02d}", "name": f"{name} {unit.name}", "kind": kind,
                     "unit_code": unit.code, "parent_code": prefix}, None
    communes = AdministrativeUnit.objects.filter(parent=unit, valid_to__isnull=True).order_by("code")
    for index, commune in enumerate(communes):
        line += 1
        yield line, {"code": f"{prefix}.{index + 100}", "name": f"UBND {commune.name}",
                     "kind": AgencyKind.COMMUNE_COMMITTEE, "unit_code": commune.code, "parent_code": prefix}, None


def ensure_agencies(province_code: str) -> DemoProvince:
    """Import (or refresh) the province's agencies; returns its committee, departments, communes."""
    unit = province_unit(province_code)
    rows = read_agency_rows(AGENCIES_PHU_THO) if unit.code == PHU_THO else generated_agency_rows(unit)
    report = agencies_import(rows=rows, principal=None)
    if report.errors:
        first = report.errors[0]
        raise InvalidInput(f"agency list line {first.line}: {first.message}")
    return demo_province(province_code)


def demo_province(province_code: str) -> DemoProvince:
    """The province's committee, departments and communes as they are (nothing imported)."""
    unit = province_unit(province_code)
    committee = Agency.objects.select_related("unit").get(
        unit=unit, kind=AgencyKind.PROVINCE_COMMITTEE, parent__isnull=True
    )
    children = Agency.objects.filter(parent=committee).select_related("unit__parent")
    departments = sorted((a for a in children if a.kind == AgencyKind.DEPARTMENT), key=_code_key)
    communes = sorted((a for a in children if a.kind == AgencyKind.COMMUNE_COMMITTEE), key=_code_key)
    return DemoProvince(unit=unit, committee=committee, departments=departments, communes=communes)


def _code_key(agency: Agency) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in agency.code.split(".")[1:])


@dataclass
class Login:
    username: str
    role: str
    agency: Agency


@dataclass
class Staff:
    """The demo's officers: their principals by agency and role, and the logins to print."""

    by_agency: dict[int, dict[str, Principal]] = field(default_factory=dict)
    main_logins: list[Login] = field(default_factory=list)
    users: int = 0

    def of(self, agency: Agency, role: str) -> Principal:
        return self.by_agency[agency.pk][role]


def ensure_staff(*, province: DemoProvince, working: list[Agency], password: str | None, seed: int) -> Staff:
    """Create (or refresh) the demo logins, all with `password`, and grant their roles.
    `password=None` leaves the password of existing logins as it is (the background seeding)."""
    User = get_user_model()  # noqa: N806
    # One hash for every demo login: hashing is deliberately slow, and these share one password.
    hashed = make_password(password)
    first_commune = province.communes[0]
    wanted: list[Login] = [Login("admin", "superuser", province.committee)]
    wanted += [Login(name, role, province.committee) for name, role in PROVINCE_LOGINS]
    wanted += [Login(ROLE_LOGIN[role], role, first_commune) for role in WORK_ROLES]
    for agency in working:
        if agency.pk != first_commune.pk:
            wanted += [Login(f"{ROLE_LOGIN[role]}.{agency.code.lower()}", role, agency) for role in WORK_ROLES]

    existing = {u.username: u for u in User.objects.filter(username__in=[w.username for w in wanted])}
    users: dict[str, Any] = {}
    with transaction.atomic():
        for login in wanted:
            user = existing.get(login.username)
            if user is None:
                # Vietnamese order: family name first (Django's full name is "first last").
                name = NameMaker(random.Random(f"{seed}:{login.username}"), "1", "").person()
                family, rest = name.name.split(" ", 1)
                if login.role == "superuser":
                    family, rest = "Quản trị", "hệ thống"
                user = User(username=login.username, first_name=family, last_name=rest)
            if password is not None or user.pk is None:
                user.password = hashed
            user.is_active = True
            if login.role == "superuser":
                user.is_staff = user.is_superuser = True
            user.save()
            users[login.username] = user
            if login.role != "superuser":
                staff_role_grant(user=user, agency=login.agency, role=login.role)
    staff = Staff(users=len(wanted))
    staff.main_logins = [w for w in wanted if "." not in w.username]
    for login in wanted:
        if login.role in WORK_ROLES:
            principal = Principal.for_user(users[login.username])
            assert principal is not None
            staff.by_agency.setdefault(login.agency.pk, {})[login.role] = principal
    return staff


# --- dossiers --------------------------------------------------------------------------------


def department_for(procedure: Procedure, departments: list[Agency]) -> Agency:
    """The department that plausibly handles a province-level procedure (by its field)."""
    field_name = procedure.field.lower()
    for field_words, department_words in FIELD_DEPARTMENT:
        if field_words in field_name:
            for department in departments:
                if department_words in department.name.lower():
                    return department
    return departments[0]


@dataclass
class SeedReport:
    dossiers: int = 0
    problems: list[str] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)
    extended: int = 0
    late: int = 0
    overdue_open: int = 0


@dataclass
class Arrival:
    at: datetime
    agency: Agency
    procedure: Procedure
    channel: int


class DossierSimulator:
    """Walks simulated dossiers through the services with past instants in office hours."""

    def __init__(self, *, rng: random.Random, staff: Staff, calendar: WorkingCalendar, now: datetime,
                 names: NameMaker, report: SeedReport) -> None:
        self.rng = rng
        self.staff = staff
        self.cal = calendar
        self.now = now
        self.names = names
        self.report = report
        self._steps: dict[int, list[tuple[str, str, int | None, float]]] = {}
        self._electronic: set[str] = set()  # codes signed with an electronic result, until issued
        self._handed_in: dict[int, list[ComponentReceipt]] = {}

    def steps_of(self, procedure: Procedure) -> list[tuple[str, str, int | None, float]]:
        """(kind, role, agency id or None, budget hours) of a procedure's workflow, cached."""
        if procedure.pk not in self._steps:
            self._steps[procedure.pk] = [
                (s.kind, s.role, s.agency_id, float(s.budget_hours)) for s in procedure.steps.order_by("order")
            ]
        return self._steps[procedure.pk]

    def handed_in(self, procedure: Procedure) -> list[ComponentReceipt]:
        """What an applicant at the counter hands in: one original of each required component
        (cached per procedure), so form 01 lists what was received."""
        if procedure.pk not in self._handed_in:
            self._handed_in[procedure.pk] = [
                ComponentReceipt(c.order) for c in procedure.components.order_by("order") if c.is_required
            ]
        return self._handed_in[procedure.pk]

    def _after(self, start: datetime, seconds: int) -> datetime:
        return self.cal.add_working_seconds(start, max(60, int(seconds)))

    def run(self, arrival: Arrival) -> None:
        try:
            self._run(arrival)
        except ApplicationError as exc:  # a simulated officer made a move the rules refuse
            self.report.problems.append(f"{arrival.agency.code} {arrival.procedure.code} {arrival.at:%Y-%m-%d %H:%M}: {exc.message}")

    def _run(self, arrival: Arrival) -> None:
        rng, cal, agency, procedure = self.rng, self.cal, arrival.agency, arrival.procedure
        people = self.staff.by_agency[agency.pk]
        business = _is_business(procedure, rng)
        applicant = self.names.applicant(business)
        self.report.dossiers += 1
        if arrival.channel == Channel.ONLINE:
            code = services.dossier_submit(principal=None, procedure=procedure, agency=agency, applicant=applicant,
                                           at=arrival.at).dossier.code
            # Checked by the reception officer within a few working hours (a day for some).
            delay = rng.randint(600, 4 * 3600) if rng.random() < 0.85 else rng.randint(4 * 3600, 16 * 3600)
            received = self._after(cal.clock_start(arrival.at), delay)
            if received > self.now:
                return  # still waiting to be accepted
            if rng.random() < 0.02:
                services.dossier_refuse(principal=people[Role.RECEPTION], code=code, at=received,
                                        reason=rng.choice(REFUSAL_REASONS))
                return
            dossier = services.dossier_accept(principal=people[Role.RECEPTION], code=code, at=received).dossier
        else:
            dossier = services.dossier_receive(
                principal=people[Role.RECEPTION], procedure=procedure, agency=agency, channel=arrival.channel,
                applicant=applicant, at=arrival.at, fee_paid=procedure.fee_vnd > 0,
                components=self.handed_in(procedure),
            ).dossier
            code, received = dossier.code, arrival.at
        assert dossier.due_at is not None
        due = dossier.due_at
        total = max(cal.working_seconds_between(received, due), 1800)

        fate = rng.random()
        day = cal.office_hours.seconds_per_day
        extend = total >= 3 * day and fate < 0.05
        late = 0.05 <= fate < 0.13
        supplement = 0.13 <= fate < 0.21
        refuse = 0.21 <= fate < 0.24
        withdraw = 0.24 <= fate < 0.255
        stop = 0.255 <= fate < 0.265

        # The plan: (instant, move, data), played in time order by `_play`. `finish_at` is the
        # working time after receipt at which the result is issued.
        events: list[tuple[datetime, str, Any]] = []
        if extend:
            # The apology (form 04) goes out a day or two before the due moment, as the rule
            # asks (at least TINHSO_EXTENSION_MIN_NOTICE_HOURS working hours ahead); the result
            # then comes between the old and the new appointment.
            extra = rng.randint(2, 5) * day
            new_due = cal.add_working_seconds(due, extra)
            events.append((self._after(received, total - rng.randint(10, 20) * 3600), "extend", new_due))
            finish_at = total + int(extra * rng.uniform(0.1, 0.8))
        elif late:
            # Most late dossiers slip by a few hours or a day; some are stuck for days (these
            # are the overdue ones still open in the inbox).
            finish_at = int(total * (rng.uniform(1.05, 1.7) if rng.random() < 0.75 else rng.uniform(2.0, 8.0)))
        else:
            finish_at = int(total * rng.uniform(0.3, 0.95))

        steps = self.steps_of(procedure)
        whole = sum(b for *_, b in steps) or 1.0
        cumulative, previous = 0.0, received
        first_step = None
        for kind, role, step_agency, budget in steps:
            cumulative += budget
            instant = self._after(received, int(finish_at * cumulative / whole * rng.uniform(0.93, 1.0)))
            if instant <= previous:
                instant = self._after(previous, 120)
            if first_step is None:
                first_step = instant
            if stop and kind == StepKind.REVIEW:
                events.append((instant, "stop", None))
                break
            events.append((instant, "step", (kind, role, step_agency)))
            previous = instant
        if first_step is None:
            first_step = self._after(received, finish_at)
            events.append((first_step, "step", (StepKind.ISSUE, Role.RECORDS_CLERK, None)))
            previous = first_step
        if refuse or withdraw or supplement:
            room = max(cal.working_seconds_between(received, first_step) - 60, 60)
            at = self._after(received, min(rng.randint(1800, 6 * 3600), room))
            if supplement:
                events.append((at, "supplement", None))
            else:
                events = [(at, "refuse" if refuse else "withdraw", None)]
        if not (refuse or withdraw or stop):
            # Electronic results go back at once; paper ones when the applicant comes by.
            returned = self._after(previous, rng.randint(300, 3600) if arrival.channel == Channel.ONLINE
                                   else rng.randint(600, 2 * day))
            events.append((returned, "return", None))
            if rng.random() < 0.7:
                events.append((returned + timedelta(minutes=rng.randint(1, 240)), "rate", None))
        self._play(code, people, sorted(events, key=lambda e: e[0]))

    def _play(self, code: str, people: dict[str, Principal], events: list[tuple[datetime, str, Any]]) -> None:
        """Carry out the planned moves in time order, stopping at the first one still in the future."""
        rng, cal = self.rng, self.cal
        index = 0
        while index < len(events):
            at, what, data = events[index]
            index += 1
            if at > self.now:
                return  # the rest has not happened yet: the dossier is still open
            if what == "step":
                kind, role, step_agency = data
                actor = self.staff.by_agency.get(step_agency, people) if step_agency else people
                self._step(kind, actor.get(role) or actor[Role.SPECIALIST], code, at)
            elif what == "extend":
                services.dossier_extend(principal=people[Role.HEAD], code=code, new_due_at=data, at=at,
                                        reason=rng.choice(EXTENSION_REASONS))
            elif what == "refuse":
                services.dossier_refuse(principal=people[Role.SPECIALIST], code=code, at=at,
                                        reason=rng.choice(REFUSAL_REASONS))
            elif what == "withdraw":
                services.dossier_withdraw(principal=people[Role.RECEPTION], code=code, at=at,
                                          reason=rng.choice(WITHDRAW_REASONS))
            elif what == "stop":
                services.dossier_stop(principal=people[Role.HEAD], code=code, at=at, reason=rng.choice(STOP_REASONS))
            elif what == "supplement":
                services.dossier_request_supplement(principal=people[Role.SPECIALIST], code=code, at=at,
                                                    reason=rng.choice(SUPPLEMENT_REASONS))
                back = self._after(at, rng.randint(1, 10) * cal.office_hours.seconds_per_day // 2)
                if back > self.now:
                    return  # waiting for the applicant's supplement
                services.dossier_supplement_received(principal=people[Role.RECEPTION], code=code, at=back,
                                                     note="Đã nhận đủ giấy tờ bổ sung.")
                # The clock paused meanwhile: everything still to come moves by the pause.
                paused = cal.working_seconds_between(at, back)
                events[index:] = [(cal.add_working_seconds(t, paused), w, d) for t, w, d in events[index:]]
            elif what == "return":
                services.dossier_return(principal=people[Role.RECEPTION], code=code, at=at)
            elif what == "rate":
                rating = _weighted(rng, tuple((r, float(w)) for r, w in RATING_MIX))
                services.dossier_rate(principal=None, code=code, rating=rating, at=at,
                                      comment="Thời gian chờ lâu." if rating == Rating.UNSATISFIED else "")

    def _step(self, kind: str, principal: Principal, code: str, at: datetime) -> None:
        if kind == StepKind.APPROVE:
            services.dossier_approve(principal=principal, code=code, at=at)
        elif kind == StepKind.SIGN:
            kind_of_result = ResultKind.ELECTRONIC if self.rng.random() < 0.7 else ResultKind.PAPER
            number = f"{self.rng.randint(1, 9999)}/QĐ-UBND"
            services.dossier_sign(principal=principal, code=code, at=at, result_kind=kind_of_result,
                                  result_number=number)
            if kind_of_result == ResultKind.ELECTRONIC:
                self._electronic.add(code)
        elif kind == StepKind.ISSUE:
            # An electronic result is issued with its file, as the rule asks.
            result = None
            if code in self._electronic:
                self._electronic.discard(code)
                result = services.Upload("Kết quả giải quyết", f"ket-qua-{code}.pdf", result_pdf(code), True,
                                         AttachmentKind.RESULT)
            services.dossier_finish(principal=principal, code=code, at=at, result=result)
        else:
            services.dossier_forward(principal=principal, code=code, at=at)


def result_pdf(code: str) -> bytes:
    """A one-page PDF naming the dossier: the demo's stand-in for a signed result file."""
    return simple_pdf(f"Ket qua giai quyet ho so {code}")


def simple_pdf(line: str) -> bytes:
    """A one-page PDF showing one line of ASCII text (the demo's stand-in for any document)."""
    text = line.replace("\\", "").replace("(", "[").replace(")", "]").encode("ascii", "replace")
    stream = b"BT /F1 14 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _is_business(procedure: Procedure, rng: random.Random) -> bool:
    field_name = procedure.field.lower()
    if "hộ kinh doanh" in field_name:
        return False
    if "doanh nghiệp" in field_name or "lao động" in field_name:
        return True
    if "xây dựng" in field_name or "đất đai" in field_name:
        return rng.random() < 0.1
    return False


def _field_weight(procedure: Procedure) -> float:
    field_name = procedure.field.lower()
    for words, weight in FIELD_WEIGHT:
        if words in field_name:
            return weight
    return 1.0


def working_days(calendar: WorkingCalendar, start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if calendar.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def plan_arrivals(*, rng: random.Random, calendar: WorkingCalendar, days: list[date], now: datetime,
                  agencies: list[tuple[Agency, list[Procedure]]], per_day: int) -> list[list[Arrival]]:
    """Arrivals per working day, in time order: a few per agency per day."""
    tz = calendar.tz
    intervals = calendar.office_hours.intervals
    plan: list[list[Arrival]] = []
    for day in days:
        todays: list[Arrival] = []
        for agency, procedures in agencies:
            weights = [_field_weight(p) for p in procedures]
            count = max(0, round(rng.gauss(per_day, max(1.0, per_day / 3))))
            for _ in range(count):
                channel = _weighted(rng, tuple((c, float(w)) for c, w in CHANNEL_MIX))
                procedure = rng.choices(procedures, weights=weights)[0]
                if channel == Channel.ONLINE:
                    minute = rng.randint(6 * 60, 22 * 60)  # online: from early morning to late evening
                else:
                    start, end = rng.choice(intervals)
                    lo, hi = start.hour * 60 + start.minute, end.hour * 60 + end.minute - 15
                    minute = rng.randint(lo, hi)
                at = datetime.combine(day, time(minute // 60, minute % 60, rng.randint(0, 59)), tz)
                if at <= now:
                    todays.append(Arrival(at=at, agency=agency, procedure=procedure, channel=channel))
        todays.sort(key=lambda a: a.at)
        plan.append(todays)
    return plan


def dossier_summary(report: SeedReport) -> None:
    counts = Dossier.objects.values("status").annotate(n=Count("id")).order_by("status")
    report.by_status = {str(Status(row["status"]).label): row["n"] for row in counts}
    report.extended = Dossier.objects.filter(extended=True).count()
    now = timezone.now()
    report.late = sum(1 for d in Dossier.objects.filter(finished_at__isnull=False, due_at__isnull=False)
                      .only("finished_at", "due_at") if d.finished_at and d.due_at and d.finished_at > d.due_at)
    report.overdue_open = Dossier.objects.filter(
        status__in=[Status.RECEIVED, Status.IN_PROGRESS], due_at__lt=now, paused_at__isnull=True
    ).count()


def demo_days(*, province: DemoProvince, days: int, now: datetime) -> list[date]:
    """The working days of the last `days` calendar days up to `now`, oldest first."""
    calendar = calendar_for_agency(province.committee)
    today = timezone.localtime(now).date()
    return working_days(calendar, today - timedelta(days=days), today)


def split_recent(day_list: list[date], recent: int) -> tuple[list[date], list[date]]:
    """(the last `recent` working days, the older ones): the recent ones are simulated before
    the demo serves — they hold the open dossiers in every state —, the older history after."""
    if recent <= 0:
        return [], list(day_list)
    return day_list[-recent:], day_list[:-recent]


def day_random(seed: int, day: date, purpose: str) -> random.Random:
    """The random stream of one simulated day: days can be played in any order, and the same
    seed, day and now always give the same dossiers."""
    return random.Random(f"{seed}:{purpose}:{day.isoformat()}")


def plan_days(*, province: DemoProvince, working: list[tuple[Agency, list[Procedure]]], day_list: list[date],
              per_day: int, seed: int, now: datetime) -> list[tuple[date, list[Arrival]]]:
    """The arrivals of each day (cheap: no database), so the total is known before simulating."""
    calendar = calendar_for_agency(province.committee)
    return [
        (day, plan_arrivals(rng=day_random(seed, day, "plan"), calendar=calendar, days=[day], now=now,
                            agencies=working, per_day=per_day)[0])
        for day in day_list
    ]


def seed_dossiers(
    *, province: DemoProvince, staff: Staff, working: list[tuple[Agency, list[Procedure]]], days: int,
    per_day: int, seed: int, now: datetime | None = None, progress: Callable[[int], None] | None = None,
    total_hint: Callable[[int], None] | None = None, day_list: list[date] | None = None,
    day_done: Callable[[date, int], None] | None = None,
) -> SeedReport:
    """Simulate `days` calendar days of dossiers up to `now` (default: this moment), or just the
    days of `day_list`. One transaction per day; `day_done(day, arrivals)` is called after each
    day's commit."""
    now = now or timezone.now()
    report = SeedReport()
    if day_list is None:
        day_list = demo_days(province=province, days=days, now=now)
    plan = plan_days(province=province, working=working, day_list=day_list, per_day=per_day, seed=seed, now=now)
    if total_hint:
        total_hint(sum(len(a) for _, a in plan))
    calendar = calendar_for_agency(province.committee)
    names = NameMaker(random.Random(seed), province.unit.code, province.unit.name)
    simulator = DossierSimulator(rng=names.rng, staff=staff, calendar=calendar, now=now, names=names, report=report)
    communes = {a.pk: a for a in province.communes}
    for day, todays in plan:
        simulator.rng = names.rng = day_random(seed, day, "work")
        with transaction.atomic():
            for arrival in todays:
                commune = communes.get(arrival.agency.pk)
                names.place = f"{(commune or arrival.agency).unit.name}, {province.unit.name}"
                simulator.run(arrival)
                if progress:
                    progress(1)
        if day_done:
            day_done(day, len(todays))
    return report


def working_agencies(province: DemoProvince, communes: int = ACTIVE_COMMUNES) -> list[tuple[Agency, list[Procedure]]]:
    """The agencies that receive demo dossiers, each with the procedures it handles."""
    procedures = list(Procedure.objects.filter(is_active=True).order_by("code"))
    commune_level = [p for p in procedures if p.level == ProcedureLevel.COMMUNE]
    by_department: dict[int, list[Procedure]] = {}
    if province.departments:
        for p in procedures:
            if p.level == ProcedureLevel.PROVINCE:
                by_department.setdefault(department_for(p, province.departments).pk, []).append(p)
    result: list[tuple[Agency, list[Procedure]]] = []
    if commune_level:
        result += [(a, commune_level) for a in province.communes[:communes]]
    result += [(d, by_department[d.pk]) for d in province.departments if d.pk in by_department]
    return result
