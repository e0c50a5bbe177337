"""A viewer ("theo dõi") walks every route of the project and never reads anyone's personal data.

A small province is seeded through the services — dossiers received, supplemented, extended,
finished, returned and rated, refused, stopped, submitted online, with attachments; feedback
reports handled by officers, one of them anonymous, one not public — with distinctive personal
values. Then, signed in as the province's viewer, the test enumerates every URL pattern of the
project (the admin excluded; the JSON API's operations one by one), fills its path parameters and
query strings from the seeded data, GETs each address, decodes the answer (HTML, JSON, CSV, XML,
XLSX cell by cell, PDF text) and asserts that no personal value appears in it — as written,
without diacritics, without spaces, case-insensitively. The same walk is made signed out.

A pattern the test does not know how to fill fails it: every pattern is either filled below
(`FILLERS`) or listed, with its reason, in `SKIPPED`. The walk must also *find* the data (the
register lists the dossier, the form shows its code and the masked name…), so it cannot pass by
seeing nothing; and an officer of the dossier's agency does see the full name.
"""

from __future__ import annotations

import html
import io
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from fpdf import FPDF
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from tests.factories import finish, sign
from tinhso.agencies.services import apikey_create
from tinhso.core.codes import mask_id_number, mask_name
from tinhso.dossiers import services as s
from tinhso.dossiers.forms import FORM_NUMBERS
from tinhso.dossiers.models import Attachment, Channel, Dossier
from tinhso.feedback import services as fs
from tinhso.feedback.defaults import load_default_categories
from tinhso.feedback.models import Category, Photo, Report, ReportEvent, RoutingRule
from tinhso.indicators.defaults import load_default_sets
from tinhso.indicators.models import IndicatorSet
from tinhso.indicators.selectors import EXPLAINABLE

VN = ZoneInfo("Asia/Ho_Chi_Minh")

# The applicant (and, in one report, the reporter): values no page should carry to a viewer.
NAME = "Trịnh Văn Bíêt"
ID_NUMBER = "025099887766"
PHONE_TYPED = "0987 654 321"
PHONE = "0987654321"  # as a dossier stores it (the counter takes digits only)
EMAIL = "bietvan@example.vn"
ADDRESS = "Số 9 ngõ Bí Mật"
BIRTH = date(1990, 8, 17)
REPRESENTATIVE = "Đoàn Thị Kín"
REPRESENTATIVE_ID = "025088776655"
# The anonymous reporter.
ANON_NAME = "Lò Thị Giấu"
ANON_PHONE_TYPED = "0912 000 777"
ANON_EMAIL = "giau.lo@example.vn"

PERSONAL_VALUES = [
    NAME, ID_NUMBER, PHONE, PHONE_TYPED, PHONE[1:], EMAIL, ADDRESS, f"{BIRTH:%d/%m/%Y}", BIRTH.isoformat(),
    REPRESENTATIVE, REPRESENTATIVE_ID, ANON_NAME, ANON_PHONE_TYPED, ANON_EMAIL,
]

PERIOD = "2026-03"
REGISTER_QUERY = "?from=2026-03-01&to=2026-04-01"


def vn(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


# --- text forms of a value and of an answer ----------------------------------------------------


def _plain(text: str) -> str:
    """Without diacritics (đ → d), lower case."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _forms(text: str) -> set[str]:
    """The text as written (NFC, case-folded), without diacritics, and both without whitespace."""
    written = unicodedata.normalize("NFC", text).casefold()
    plain = _plain(text)
    return {written, plain, re.sub(r"\s+", "", written), re.sub(r"\s+", "", plain)}


def leaks(text: str) -> list[str]:
    """The personal values found in `text` in any of their forms."""
    haystacks = _forms(text)
    return [value for value in PERSONAL_VALUES if any(needle in hay for needle in _forms(value) for hay in haystacks)]


def body_of(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def decode(response: Any) -> str:
    """Everything a reader of the answer could read: HTML/CSV/XML text, JSON values, every XLSX
    cell, the PDF's text; photos (image/*) have no text."""
    content = body_of(response)
    kind = response.get("Content-Type", "")
    if "pdf" in kind:
        return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    if "spreadsheetml" in kind:
        workbook = load_workbook(io.BytesIO(content))
        return " ".join(
            str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
            if cell.value is not None
        )
    if kind.startswith("image/"):
        return ""
    text = content.decode("utf-8-sig", errors="replace")
    if "json" in kind and text:
        text += " " + json.dumps(json.loads(text), ensure_ascii=False)
    return text + " " + html.unescape(text)


# --- the province --------------------------------------------------------------------------------


def pdf_bytes(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


@dataclass
class Seeded:
    dossiers: dict[str, Dossier]
    attachments: list[Attachment]
    reports: dict[str, Report]
    photos: list[Photo]
    categories: list[str]
    sets: list[str]
    agencies: list[str] = field(default_factory=list)


def _applicant() -> s.Applicant:
    return s.Applicant(
        type="citizen", name=NAME, id_number=ID_NUMBER, birth_date=BIRTH, address=ADDRESS, phone=PHONE, email=EMAIL,
        representative_name=REPRESENTATIVE, representative_id_number=REPRESENTATIVE_ID,
    )


def _receive(world: Any, at: datetime, *, with_file: bool = False) -> Dossier:
    uploads = [s.Upload("Tờ khai", "to-khai.pdf", pdf_bytes(f"To khai {_plain(NAME)} {ID_NUMBER}"))] if with_file else []
    return s.dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                             channel=Channel.COUNTER, applicant=_applicant(), summary="Đăng ký kết hôn",
                             uploads=uploads, at=at).dossier


@pytest.fixture
def province(world, settings) -> Seeded:
    """Dossiers at the commune in March 2026 and three feedback reports, all made through the
    services (and one history line as an older release wrote it, naming the reporter)."""
    settings.TINHSO_MAP_TILES_URL = ""
    w = world
    done = _receive(w, vn(3, 2, 10), with_file=True)
    code = done.code
    s.dossier_request_supplement(principal=w.specialist, code=code, reason="Thiếu giấy xác nhận tình trạng hôn nhân.",
                                 documents=["Giấy xác nhận tình trạng hôn nhân"], at=vn(3, 2, 14))
    s.dossier_supplement_received(principal=w.reception, code=code, note="Đã nhận bản bổ sung.", at=vn(3, 3, 9),
                                  uploads=[s.Upload("Giấy xác nhận", "xac-nhan.pdf", pdf_bytes(f"Xac nhan {PHONE}"))])
    s.dossier_extend(principal=w.head, code=code, new_due_at=vn(3, 12, 16), reason="Cần xác minh thêm.",
                     at=vn(3, 3, 10))
    s.dossier_forward(principal=w.specialist, code=code, note="Đủ điều kiện", at=vn(3, 3, 15))
    s.dossier_forward(principal=w.head, code=code, at=vn(3, 4, 9))
    s.dossier_approve(principal=w.leader, code=code, at=vn(3, 4, 10))
    sign(principal=w.leader, code=code, result_number="12/GCN", at=vn(3, 4, 11))
    finish(principal=w.clerk, code=code, at=vn(3, 5, 9))
    s.dossier_return(principal=w.reception, code=code, at=vn(3, 6, 8))
    s.dossier_rate(principal=None, code=code, rating="satisfied", comment="Nhanh gọn.", at=vn(3, 6, 9))

    refused = _receive(w, vn(3, 9, 9))
    s.dossier_refuse(principal=w.reception, code=refused.code, reason="Không thuộc thẩm quyền.", at=vn(3, 9, 10))
    stopped = _receive(w, vn(3, 10, 9))
    s.dossier_stop(principal=w.head, code=stopped.code, reason="Người nộp đề nghị dừng.", at=vn(3, 11, 9))
    open_late = _receive(w, vn(3, 16, 9), with_file=True)  # still open: overdue by now, on the due lists
    online = s.dossier_submit(principal=None, procedure=w.procedure, agency=w.commune, applicant=_applicant(),
                              summary="Nộp trực tuyến", at=vn(3, 17, 20)).dossier

    load_default_categories()
    Category.objects.update(agency=w.province)
    RoutingRule.objects.create(category=None, commune=w.commune.unit, agency=w.commune)
    key, _secret = apikey_create(name="ung-dung", agency_code=w.province.code)

    def report(at: datetime, **data: Any) -> Report:
        base = {"category_code": "chieu-sang", "description": "Đèn đường ở ngã tư Hùng Vương bị hỏng ba ngày nay.",
                "channel": "web", "commune_code": w.commune.unit.code, "address": "Ngã tư Hùng Vương",
                "latitude": "21.3227", "longitude": "105.4020", "phone_verified": True, "photos": [png_bytes()]}
        return fs.report_submit(data=fs.NewReport(**{**base, **data}), at=at)

    public = report(vn(3, 2, 9), reporter_name=NAME, reporter_phone=PHONE_TYPED, reporter_email=EMAIL)
    fs.report_start(principal=w.specialist, report_id=public.pk, at=vn(3, 2, 10))
    fs.report_answer(principal=w.specialist, report_id=public.pk, answer="Đã thay bóng đèn.", at=vn(3, 3, 10))
    fs.report_rate(survey_token=public.survey_token, satisfied=True, comment="Cảm ơn.", at=vn(3, 3, 12))

    anonymous = report(vn(3, 4, 9), reporter_name=ANON_NAME, reporter_phone=ANON_PHONE_TYPED,
                       reporter_email=ANON_EMAIL, anonymous=True)
    fs.report_start(principal=w.specialist, report_id=anonymous.pk, at=vn(3, 4, 10))
    fs.report_note(principal=w.specialist, report_id=anonymous.pk, note="Đã gọi đội điện lực.", at=vn(3, 4, 11))
    fs.report_answer(principal=w.specialist, report_id=anonymous.pk, answer="Đã sửa xong.", at=vn(3, 5, 10))
    fs.report_rate(survey_token=anonymous.survey_token, satisfied=False, comment="Vẫn còn hỏng.", at=vn(3, 5, 12))
    # A history line as releases before this one wrote the reporter's own steps: by name.
    ReportEvent.objects.create(report=anonymous, at=vn(3, 5, 13), actor=None, actor_name=ANON_NAME, action="rate",
                               from_status="answered", to_status="reopened", note="")

    private = fs.report_submit(data=fs.NewReport(
        category_code="trat-tu", description="Tụ tập gây ồn ào sau 23 giờ ở ngõ 4.", channel="open311",
        commune_code=w.commune.unit.code, address="Ngõ 4 Hùng Vương", reporter_name=ANON_NAME,
        reporter_phone=ANON_PHONE_TYPED, reporter_email=ANON_EMAIL, phone_verified=True, anonymous=True,
        is_public=False, photos=[png_bytes()],
    ), api_key=key, at=vn(3, 6, 9))
    fs.report_start(principal=w.specialist, report_id=private.pk, at=vn(3, 6, 10))

    load_default_sets()
    dossiers = {"done": done, "refused": refused, "stopped": stopped, "open": open_late, "online": online}
    reports = {"public": public, "anonymous": anonymous, "private": private}
    return Seeded(
        dossiers={k: Dossier.objects.get(pk=d.pk) for k, d in dossiers.items()},
        attachments=list(Attachment.objects.order_by("id")),
        reports={k: Report.objects.get(pk=r.pk) for k, r in reports.items()},
        photos=list(Photo.objects.order_by("id")),
        categories=list(Category.objects.values_list("code", flat=True)),
        sets=list(IndicatorSet.objects.values_list("code", flat=True)),
        agencies=[w.province.code, w.commune.code],
    )


# --- every route ----------------------------------------------------------------------------------


@dataclass
class Route:
    key: str  # "namespace:name"
    route: str
    methods: list[str] | None  # the API's methods for the operation; None for a Django view


def _ninja_methods(pattern: URLPattern) -> list[str] | None:
    """The HTTP methods of a Django Ninja operation (its path view holds every operation of the
    path; the pattern's name is the operation's)."""
    closure = getattr(pattern.callback, "__closure__", None) or ()
    for cell in closure:
        operations = getattr(cell.cell_contents, "operations", None)
        if operations:
            for op in operations:
                if op.view_func.__name__ == pattern.name:
                    return list(op.methods)
    return None


def all_routes() -> list[Route]:
    """Every URL pattern of the project, the admin excluded."""
    found: list[Route] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                inner = ":".join(n for n in (namespace, p.namespace or "") if n)
                walk(p.url_patterns, prefix + str(p.pattern), inner)
            elif isinstance(p, URLPattern):
                name = p.name or str(p.pattern)
                found.append(Route(f"{namespace}:{name}", prefix + str(p.pattern), _ninja_methods(p)))

    walk(get_resolver().url_patterns, "", "")
    return found


ACTION_REASON = "POST only: an action that changes data"
SKIPPED: dict[str, str] = {
    "workspace:session_keep": "POST only: renews the signed-in session",
    "citizen:logout": "POST only: ends the citizen's session",
    "api:dossiers_import": ACTION_REASON + " (an import)",
    "api:dossier_receive": ACTION_REASON,
    "api:dossier_submit": ACTION_REASON,
    "api:dossier_accept": ACTION_REASON,
    "api:dossier_request_supplement": ACTION_REASON,
    "api:dossier_supplement_received": ACTION_REASON,
    "api:dossier_refuse": ACTION_REASON,
    "api:dossier_forward": ACTION_REASON,
    "api:dossier_transfer": ACTION_REASON,
    "api:dossier_extend": ACTION_REASON,
    "api:dossier_stop": ACTION_REASON,
    "api:dossier_approve": ACTION_REASON,
    "api:dossier_sign": ACTION_REASON,
    "api:dossier_finish": ACTION_REASON,
    "api:dossier_return": ACTION_REASON,
    "api:dossier_withdraw": ACTION_REASON,
    "api:dossier_rate": ACTION_REASON,
    "api:attachment_add": ACTION_REASON + " (an upload)",
    "workspace:dossier_action": ACTION_REASON,
    "feedbackweb:report_action": ACTION_REASON,
    "workspace:logout": "POST only: signs the viewer out",
    # The citizen's API (a staff viewer is 401 on all of it; its GETs are walked below).
    "api:citizen_document_store": ACTION_REASON + " (an upload into the citizen's store)",
    "api:citizen_document_delete": ACTION_REASON,
    "api:citizen_draft_put": ACTION_REASON + " (PUT of a draft)",
    "api:citizen_draft_delete": ACTION_REASON + " (DELETE of a draft)",
    "api:citizen_dossier_submit": ACTION_REASON,
    "api:citizen_dossier_supplement": ACTION_REASON,
    "api:citizen_dossier_result_delivery": ACTION_REASON,
    "api:citizen_dossier_rating": ACTION_REASON,
    "api:citizen_dossier_withdraw": ACTION_REASON,
    "api:dossier_request_payment": ACTION_REASON,
    "api:bank_transaction": ACTION_REASON + " (the bank's notification of a transfer)",
    "api:verify": ACTION_REASON + " (an upload of a PDF to check)",
    "payments:assign": ACTION_REASON,
    "payments:dismiss": ACTION_REASON,
}


def _q(url: str, **query: Any) -> str:
    from urllib.parse import urlencode

    return f"{url}?{urlencode(query)}" if query else url


def _fillers(p: Seeded) -> dict[str, Callable[[], list[str]]]:
    """For each route the addresses to visit, parameters taken from the seeded province."""
    codes = [d.code for d in p.dossiers.values()]
    commune = p.agencies[1]
    tree = {"agency": p.agencies[0], "period": PERIOD}
    unit = {"agency": commune, "period": PERIOD}
    reports = list(p.reports.values())
    photo_pairs = [(ph.report_id, ph.pk) for ph in p.photos]
    ids = ",".join(str(r.pk) for r in reports)
    window = {"start_date": "2026-02-15T00:00:00+07:00", "end_date": "2026-04-01T00:00:00+07:00"}

    def rev(name: str, **kwargs: Any) -> str:
        return reverse(name, kwargs=kwargs or None)

    def forms(name: str) -> list[str]:
        return [rev(name, code=c, form=n) for c in codes for n in FORM_NUMBERS]

    def register(name: str) -> list[str]:
        return [rev(name, agency_code=a) + REGISTER_QUERY for a in p.agencies]

    def both(name: str, **kwargs: Any) -> list[str]:
        return [rev(name, fmt=fmt, **kwargs) for fmt in ("json", "xml")]

    def tables(name: str) -> list[str]:
        return [_q(rev(name), **scope, format=fmt) for scope in (tree, unit) for fmt in ("csv", "xlsx")]

    return {
        # workspace
        ":metrics": lambda: ["/metrics"],  # 404 unless TINHSO_METRICS_* names the caller: no personal data in it anyway
        "demo:messages": lambda: [rev("demo:messages")],  # 404 outside demo mode
        "identity:second_factor": lambda: [rev("identity:second_factor")],
        "identity:second_factor_enrol": lambda: [rev("identity:second_factor_enrol")],
        "identity:staff_sso": lambda: [rev("identity:staff_sso")],
        "identity:staff_sso_callback": lambda: [rev("identity:staff_sso_callback"),
                                                _q(rev("identity:staff_sso_callback"), code="x", state="y")],
        "workspace:register": lambda: [rev("workspace:register")],
        "workspace:session_status": lambda: [rev("workspace:session_status")],
        "workspace:home": lambda: [rev("workspace:home")],
        "workspace:login": lambda: [rev("workspace:login")],
        "workspace:inbox": lambda: [rev("workspace:inbox"), _q(rev("workspace:inbox"), q=codes[0])],
        "workspace:dossier": lambda: [rev("workspace:dossier", code=c) for c in codes],
        "workspace:attachment": lambda: [rev("workspace:attachment", code=a.dossier.code, pk=a.pk) for a in p.attachments],
        "workspace:counter": lambda: [rev("workspace:counter")],
        "workspace:counter_procedure": lambda: [_q(rev("workspace:counter_procedure"),
                                                   procedure=p.dossiers["done"].procedure.code)],
        "workspace:tracking": lambda: [rev("workspace:tracking")] + [_q(rev("workspace:tracking"), code=c) for c in codes],
        "workspace:register_html": lambda: register("workspace:register_html"),
        "workspace:register_pdf": lambda: register("workspace:register_pdf"),
        "workspace:register_xlsx": lambda: register("workspace:register_xlsx"),
        "workspace:form_html": lambda: forms("workspace:form_html"),
        "workspace:form_pdf": lambda: forms("workspace:form_pdf"),
        ":set_language": lambda: [rev("set_language")],
        # operations centre
        "opscentre:dashboard": lambda: [_q(rev("opscentre:dashboard"), **scope) for scope in (tree, unit)]
        + [_q(rev("opscentre:dashboard"), **unit, wall=1)],
        "opscentre:kpis": lambda: [_q(rev("opscentre:kpis"), **scope) for scope in (tree, unit)],
        "opscentre:data": lambda: [_q(rev("opscentre:data"), **unit)],
        "opscentre:metric": lambda: [_q(rev("opscentre:metric", code=m), **scope) for m in (*EXPLAINABLE, "PETITION_PROCESSING_ON_TIME")
                                     for scope in (tree, unit)],
        "opscentre:ranking_table": lambda: tables("opscentre:ranking_table"),
        "opscentre:metrics_table": lambda: tables("opscentre:metrics_table"),
        "opscentre:due_table": lambda: tables("opscentre:due_table"),
        "opscentre:report": lambda: [_q(rev("opscentre:report", period=PERIOD), agency=a) for a in p.agencies],
        "opscentre:public": lambda: [_q(rev("opscentre:public"), **unit)],
        "opscentre:public_kpis": lambda: [_q(rev("opscentre:public_kpis"), **unit)],
        "opscentre:public_data": lambda: [_q(rev("opscentre:public_data"), **unit)],
        "opscentre:public_ranking_table": lambda: tables("opscentre:public_ranking_table"),
        "opscentre:public_metrics_table": lambda: tables("opscentre:public_metrics_table"),
        # feedback
        "feedbackweb:list": lambda: [rev("feedbackweb:list"), _q(rev("feedbackweb:list"), status="reopened")],
        "feedbackweb:new": lambda: [rev("feedbackweb:new")],
        "feedbackweb:submitted": lambda: [rev("feedbackweb:submitted")],
        "feedbackweb:public_report": lambda: [rev("feedbackweb:public_report", report_id=r.pk) for r in reports],
        "feedbackweb:public_photo": lambda: [rev("feedbackweb:public_photo", report_id=r, photo_id=ph)
                                             for r, ph in photo_pairs],
        "feedbackweb:survey": lambda: [rev("feedbackweb:survey", survey_token=r.survey_token) for r in reports],
        "feedbackweb:inbox": lambda: [rev("feedbackweb:inbox"), _q(rev("feedbackweb:inbox"), status="all")],
        "feedbackweb:report": lambda: [rev("feedbackweb:report", report_id=r.pk) for r in reports],
        "feedbackweb:photo": lambda: [rev("feedbackweb:photo", report_id=r, photo_id=ph) for r, ph in photo_pairs],
        "feedbackweb:hotline": lambda: [rev("feedbackweb:hotline")],
        "feedbackweb:hotline_history": lambda: [_q(rev("feedbackweb:hotline_history"), caller_phone=PHONE)],
        "feedbackweb:overview": lambda: [_q(rev("feedbackweb:overview"), period=PERIOD)]
        + [_q(rev("feedbackweb:overview"), period=PERIOD, csv=t) for t in ("category", "agency")],
        "feedbackweb:ops_panel": lambda: [rev("feedbackweb:ops_panel")],
        # the citizens' sign-in (no citizen data on them; VNeID answers 404 while not configured)
        "citizen:login": lambda: [rev("citizen:login"), _q(rev("citizen:login"), next="/cong-dan/")],
        "citizen:login_code": lambda: [rev("citizen:login_code")],
        "citizen:oidc_start": lambda: [rev("citizen:oidc_start")],
        "citizen:oidc_callback": lambda: [rev("citizen:oidc_callback")],
        # the citizen's space (a viewer is no citizen: sent to the citizens' sign-in; no one's object is found)
        **{f"citizen:{n}": (lambda n=n: [rev(f"citizen:{n}")]) for n in (
            "home", "dossiers", "documents", "document_add", "profile", "profile_edit")},
        "citizen:submit": lambda: [rev("citizen:submit", procedure_code=p.dossiers["online"].procedure.code)],
        **{f"citizen:{n}": (lambda n=n: [rev(f"citizen:{n}", code=c) for c in codes]) for n in (
            "dossier", "submitted", "supplement", "withdraw")},
        "citizen:form_pdf": lambda: [rev("citizen:form_pdf", code=c, form="01") for c in codes],
        "citizen:result_file": lambda: [rev("citizen:result_file", code=codes[0], document_id=1)],
        "citizen:document_file": lambda: [rev("citizen:document_file", document_id=1)],
        "citizen:document_delete": lambda: [rev("citizen:document_delete", document_id=1)],
        "citizen:draft_delete": lambda: [rev("citizen:draft_delete", draft_id=1)],
        # the public catalogue of procedures (no one's data on it)
        "portal:catalogue": lambda: [rev("portal:catalogue"), _q(rev("portal:catalogue"), q="khai sinh")],
        "portal:procedure": lambda: [rev("portal:procedure", code=c)
                                     for c in sorted({d.procedure.code for d in p.dossiers.values()})],
        # Open311
        "open311:discovery": lambda: both("open311:discovery"),
        "open311:services": lambda: both("open311:services"),
        "open311:service_definition": lambda: [rev("open311:service_definition", service_code=c, fmt="json")
                                               for c in p.categories],
        "open311:requests": lambda: both("open311:requests")
        + [_q(u, **window) for u in both("open311:requests")] + [_q(rev("open311:requests", fmt="json"),
                                                                    service_request_id=ids)],
        "open311:request": lambda: [u for r in reports for u in both("open311:request", service_request_id=str(r.pk))],
        "open311:token": lambda: [rev("open311:token", token=r.token, fmt="json") for r in reports],
        "open311:updates": lambda: [_q(u, **window) for u in both("open311:updates")],
        "open311:photo": lambda: [rev("open311:photo", photo_id=ph.pk, digest=ph.sha256) for ph in p.photos],
        # the JSON API (GET operations)
        "api:openapi-json": lambda: [rev("api:openapi-json")],
        "api:openapi-view": lambda: [rev("api:openapi-view")],
        "api:api-root": lambda: [rev("api:api-root")],
        "api:health": lambda: [rev("api:health")],
        # Fees: public by the dossier's code like the tracking page (masked name at most).
        **{name: (lambda name=name: [rev(name, code=c) for c in codes])
           for name in ("api:dossier_payment", "api:dossier_payment_png", "api:dossier_payment_svg",
                        "api:dossier_payment_notice", "api:dossier_payment_receipt")},
        "payments:unmatched": lambda: [rev("payments:unmatched")],
        # Verification: the upload form, and an issued document's public summary (none is issued
        # in this province: an unknown id, which must be a plain 404).
        "signing:verify": lambda: [rev("signing:verify")],
        "signing:issued": lambda: [rev("signing:issued", document_id="0b6f2f4e-2a4c-4c59-9a37-1d1f6b0c9e11")],
        "api:procedure_list": lambda: [rev("api:procedure_list"), _q(rev("api:procedure_list"), q="khai sinh")],
        "api:procedure_detail": lambda: [rev("api:procedure_detail", code=d.procedure.code) for d in p.dossiers.values()],
        "api:units": lambda: [rev("api:units")],
        "api:calendar_due": lambda: [_q(rev("api:calendar_due"), start="2026-03-02T08:00:00+07:00", amount=3,
                                        unit="working_days")],
        "api:dossier_list": lambda: [_q(rev("api:dossier_list"), limit=100), _q(rev("api:dossier_list"), q=codes[0])],
        "api:dossier_detail": lambda: [rev("api:dossier_detail", code=c) for c in codes],
        "api:dossier_history": lambda: [rev("api:dossier_history", code=c) for c in codes],
        "api:attachment_list": lambda: [rev("api:attachment_list", code=c) for c in codes],
        "api:attachment_download": lambda: [rev("api:attachment_download", code=a.dossier.code, attachment_id=a.pk)
                                            for a in p.attachments],
        "api:get_service_index": lambda: [_q(rev("api:get_service_index"), **scope) for scope in (tree, unit)],
        "api:explain_metric": lambda: [_q(rev("api:explain_metric"), **tree, metric=m, format=fmt)
                                       for m in EXPLAINABLE for fmt in ("json", "csv")],
        "api:list_sets": lambda: [rev("api:list_sets")],
        "api:get_set": lambda: [_q(rev("api:get_set", code=c), **tree) for c in p.sets],
        "api:get_rankings": lambda: [_q(rev("api:get_rankings"), **tree, format=fmt) for fmt in ("json", "csv", "xlsx")],
        "api:citizen_profile": lambda: [rev("api:citizen_profile")],
        "api:citizen_documents": lambda: [rev("api:citizen_documents")],
        "api:citizen_document_get": lambda: [rev("api:citizen_document_get", document_id=1)],
        "api:citizen_document_file": lambda: [rev("api:citizen_document_file", document_id=1)],
        "api:citizen_procedure_form": lambda: [rev("api:citizen_procedure_form", code=d.procedure.code)
                                               for d in p.dossiers.values()][:1],
        "api:citizen_drafts": lambda: [rev("api:citizen_drafts")],
        "api:citizen_dossiers": lambda: [rev("api:citizen_dossiers")],
        "api:citizen_dossier_get": lambda: [rev("api:citizen_dossier_get", code=c) for c in codes],
        "api:citizen_dossier_result": lambda: [rev("api:citizen_dossier_result", code=c) for c in codes],
    }


@dataclass
class Visit:
    status: int
    kind: str
    text: str


def walk(client: Client, province: Seeded) -> dict[str, dict[str, Visit]]:
    """GET every address of every route; per route key, per address: status, type and text."""
    fillers = _fillers(province)
    routes = all_routes()
    keys = {r.key for r in routes}
    unknown = sorted(keys - set(fillers) - set(SKIPPED))
    assert not unknown, f"routes this test does not know how to fill (add a filler or a reason to skip): {unknown}"
    stale = sorted((set(fillers) | set(SKIPPED)) - keys)
    assert not stale, f"fillers or skips for routes that no longer exist: {stale}"
    assert not set(fillers) & set(SKIPPED)
    visits: dict[str, dict[str, Visit]] = {}
    for route in routes:
        if route.key in SKIPPED:
            continue
        if route.methods is not None:
            assert "GET" in route.methods, f"{route.key} does not answer GET: skip it with a reason"
        addresses = fillers[route.key]()
        assert addresses, route.key
        visits[route.key] = {}
        for url in addresses:
            response = client.get(url)
            assert response.status_code < 500, (url, response.status_code)
            visits[route.key][url] = Visit(response.status_code, response.get("Content-Type", ""), decode(response))
    return visits


def _assert_skips_are_post_only(client: Client, province: Seeded) -> None:
    """A skipped route really takes no GET: the API operation has no GET method, a page answers 405."""
    by_key = {r.key: r for r in all_routes()}
    pages = {
        "workspace:logout": reverse("workspace:logout"),
        "workspace:session_keep": reverse("workspace:session_keep"),
        "citizen:logout": reverse("citizen:logout"),
        "workspace:dossier_action": reverse("workspace:dossier_action",
                                            kwargs={"code": province.dossiers["open"].code, "action": "forward"}),
        "feedbackweb:report_action": reverse("feedbackweb:report_action",
                                             kwargs={"report_id": province.reports["private"].pk, "action": "start"}),
        "payments:assign": reverse("payments:assign", kwargs={"transaction_id": "1"}),
        "payments:dismiss": reverse("payments:dismiss", kwargs={"transaction_id": "1"}),
    }
    for key in SKIPPED:
        route = by_key[key]
        if route.methods is not None:
            assert "GET" not in route.methods, key
        else:
            assert client.get(pages[key]).status_code == 405, key


def _no_leaks(visits: dict[str, dict[str, Visit]]) -> None:
    found = {url: leaks(v.text) for by_url in visits.values() for url, v in by_url.items()}
    found = {url: values for url, values in found.items() if values}
    assert not found, f"personal data reached the viewer: {found}"


# --- the tests ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_viewer_walks_every_route_and_reads_no_personal_data(world, province):
    """Returns, for every route of the project visited as the province viewer, answers that carry
    no personal value in any form — and that show the seeded data, masked."""
    client = Client()
    client.force_login(world.province_viewer.user)
    _assert_skips_are_post_only(client, province)
    visits = walk(client, province)
    _no_leaks(visits)

    done = province.dossiers["done"]
    masked = mask_name(NAME)

    def one(key: str, url_part: str) -> Visit:
        matches = [v for url, v in visits[key].items() if url_part in url]
        assert matches, (key, url_part)
        return matches[0]

    # The pages found the data, and show it masked.
    for key in ("workspace:register_html", "workspace:register_pdf", "workspace:register_xlsx"):
        register = one(key, world.commune.code)
        assert register.status == 200 and all(d.code in register.text for d in province.dossiers.values()
                                               if d.received_at), key
        assert masked in register.text, key
    form_01 = one("workspace:form_html", f"{done.code}/01/")
    assert form_01.status == 200 and done.code in form_01.text and masked in form_01.text
    assert mask_id_number(ID_NUMBER) in form_01.text
    assert one("workspace:form_pdf", f"{done.code}/01.pdf").status == 200
    form_06 = one("workspace:form_html", f"{done.code}/06/")
    assert f"Người nộp hồ sơ: {masked}" in form_06.text
    assert masked in one("workspace:form_pdf", f"{done.code}/06.pdf").text
    page = one("workspace:dossier", done.code)
    assert page.status == 200 and masked in page.text and "Tờ khai" in page.text
    assert one("api:dossier_detail", done.code).status == 200 and '"masked": true' in one("api:dossier_detail", done.code).text
    assert province.dossiers["open"].code in one("opscentre:due_table", "format=csv").text  # overdue by now

    # Files of a dossier are refused: 403, on the pages and in the API.
    assert {v.status for v in visits["workspace:attachment"].values()} == {403}
    assert {v.status for v in visits["api:attachment_download"].values()} == {403}
    assert {v.status for v in visits["api:attachment_list"].values()} == {403}

    # Feedback: found, masked; the anonymous reporter is "Ẩn danh"; photos of a report that is
    # not public are refused, those of a public report are public anyway.
    anonymous, private = province.reports["anonymous"], province.reports["private"]
    staff_page = one("feedbackweb:report", f"/{anonymous.pk}/")
    assert staff_page.status == 200 and anonymous.code in staff_page.text and "Ẩn danh" in staff_page.text
    assert "Người phản ánh" in staff_page.text  # the reporter's own steps, named by role
    photo_status = {url: v.status for url, v in visits["feedbackweb:photo"].items()}
    for ph in province.photos:
        url = reverse("feedbackweb:photo", kwargs={"report_id": ph.report_id, "photo_id": ph.pk})
        assert photo_status[url] == (403 if ph.report_id == private.pk else 200), url
    listed = one("open311:requests", "start_date").text
    assert str(province.reports["public"].pk) in listed and str(anonymous.pk) in listed
    assert one("feedbackweb:public_report", f"/{anonymous.pk}/").status == 200
    assert one("feedbackweb:public_report", f"/{private.pk}/").status == 404


@pytest.mark.django_db
def test_signed_out_walk_reads_no_personal_data(world, province):
    """Returns, for every route visited signed out, answers without personal data (the public
    pages and Open311 included)."""
    visits = walk(Client(), province)
    _no_leaks(visits)
    anonymous = province.reports["anonymous"]
    assert "Ẩn danh" in visits["feedbackweb:public_report"][
        reverse("feedbackweb:public_report", kwargs={"report_id": anonymous.pk})].text


@pytest.mark.django_db
def test_officer_of_the_dossier_sees_the_full_name(world, province):
    """Returns form 01 with the applicant's full name and ID number to the reception officer of
    the dossier's agency, and the anonymous reporter's name to the report's handler — masking is
    for viewers, not for everyone."""
    done = province.dossiers["done"]
    client = Client()
    client.force_login(world.reception.user)
    page = client.get(reverse("workspace:form_html", kwargs={"code": done.code, "form": "01"})).content.decode()
    assert NAME in page and ID_NUMBER in page and ADDRESS in page
    history = client.get(reverse("workspace:form_html", kwargs={"code": done.code, "form": "06"})).content.decode()
    assert f"Người nộp hồ sơ: {NAME}" in history
    download = client.get(reverse("workspace:attachment", kwargs={"code": done.code, "pk": province.attachments[0].pk}))
    assert download.status_code == 200
    handler = Client()
    handler.force_login(world.specialist.user)
    anonymous = province.reports["anonymous"]
    report_page = handler.get(reverse("feedbackweb:report", kwargs={"report_id": anonymous.pk})).content.decode()
    assert ANON_NAME in report_page
    # Even for the handler, the history names the reporter's steps by role only.
    rows = re.findall(r"<tr[^>]*>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>", report_page)
    assert rows and ANON_NAME not in rows and "Người phản ánh" in rows
