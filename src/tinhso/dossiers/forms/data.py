"""The content of forms 01–06, built from a dossier and its history.

The form wording is legal Vietnamese text and is kept as versioned template data in `FORM_TEXT`
(numbered as in TT 03/2025, Appendix I; field lists as printed under TT 01/2018, the 2025 wording
not having been seen — see /work/shared/domain/forms.md). It is deliberately not translated.

`build_form(dossier, number)` returns a `FormDocument`: a header, a title and a list of blocks
(`Field`, `Paragraph`, `Table`, `Signatures`, `QrCode`). The HTML templates and the PDF writer
both draw these blocks, so the two never drift apart. A form that does not apply to the dossier
(a refusal slip for a dossier never refused) raises `FormNotApplicable` (a 404).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tinhso.agencies.models import Agency
from tinhso.audit.models import AuditEntry
from tinhso.core.codes import mask_id_number, mask_name, mask_phone
from tinhso.core.errors import NotFound
from tinhso.dossiers.models import AttachmentKind, Channel, CopyForm, Dossier, DossierEvent, Medium, Status

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

VERSION = "TT01/2018 (tên 2025: TT03/2025)"
TRACKING_PATH = "/tra-cuu/"

# Keyed by the 2025 form number. `number_2018` is the same form's number under TT 01/2018 (None:
# new in 2025); `suffix` is the local number suffix printed after "Số: …/" (local practice, L).
FORM_TEXT: dict[str, dict[str, Any]] = {
    "01": {
        "title": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "number_2018": "01",
        "suffix": "TNHS",
    },
    "02": {
        "title": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "number_2018": "02",
        "suffix": "HDHS",
    },
    "03": {
        "title": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "number_2018": "03",
        "suffix": "TCHS",
    },
    "04": {
        "title": "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "title_2018": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "number_2018": "04",
        "suffix": "PXL",
    },
    "05": {
        # New in 2025; its wording was not seen: the content follows the design study (L).
        "title": "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
        "number_2018": None,
        "suffix": "TB-DGQ",
    },
    "06": {
        "title": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        "number_2018": "05",
        "suffix": "BPTNTKQ",
    },
    "07": {
        "title": "SỔ THEO DÕI HỒ SƠ",
        "number_2018": "06",
        "suffix": "",
    },
}
FORM_NUMBERS = ("01", "02", "03", "04", "05", "06")

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
SIGN_HINT = "(Ký và ghi rõ họ tên)"
SIGN_HINT_SEAL = "(Ký, ghi rõ họ tên và đóng dấu)"
DOTS = "…………"

PROCESSING_UNIT_TEXT = {
    "working_days": "ngày làm việc",
    "calendar_days": "ngày",
    "working_hours": "giờ làm việc",
    "same_day": "trong ngày",
}

ACTION_TEXT = {
    "submit": "Nộp hồ sơ trực tuyến",
    "receive": "Tiếp nhận hồ sơ",
    "request_supplement": "Yêu cầu bổ sung, hoàn thiện hồ sơ",
    "supplement_received": "Nhận hồ sơ bổ sung",
    "refuse": "Từ chối tiếp nhận, giải quyết",
    "forward": "Chuyển bước xử lý",
    "transfer": "Chuyển cơ quan giải quyết",
    "extend": "Xin lỗi, hẹn lại ngày trả kết quả",
    "stop": "Dừng giải quyết hồ sơ",
    "approve": "Phê duyệt",
    "sign": "Ký kết quả",
    "finish": "Hoàn thành, phát hành kết quả",
    "return": "Trả kết quả cho người nộp",
    "withdraw": "Công dân rút hồ sơ",
    "request_payment": "Thông báo nộp phí, lệ phí",
    "fee_paid": "Đã nộp phí, lệ phí",
}

_UNIT_PREFIXES = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ", "Thị trấn ", "Huyện ", "Thị xã ")


class FormNotApplicable(NotFound):
    """The form does not apply to the dossier in its present state."""

    code = "form_not_applicable"


# --- blocks --------------------------------------------------------------------------------


@dataclass
class Header:
    parent_name: str
    agency_name: str
    number: str
    place_date: str
    national_name: str = NATIONAL_NAME
    national_motto: str = NATIONAL_MOTTO


@dataclass
class Field:
    kind: ClassVar[str] = "field"
    label: str
    value: str
    bold_value: bool = False


@dataclass
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    text: str
    style: str = ""  # "", "B" (bold) or "I" (italic)
    align: str = "L"  # "L", "C", "R" or "J"


@dataclass
class Table:
    kind: ClassVar[str] = "table"
    # (heading, relative width, alignment) per column.
    columns: list[tuple[str, float, str]]
    rows: list[list[str]]

    def column_percents(self) -> list[str]:
        total = sum(c[1] for c in self.columns)
        return [f"{100 * c[1] / total:.1f}" for c in self.columns]

    def aligned_rows(self) -> list[list[tuple[str, str]]]:
        """Each row's cells paired with their column's alignment (for the templates)."""
        aligns = [c[2] for c in self.columns]
        return [list(zip(row, aligns, strict=True)) for row in self.rows]


@dataclass
class Signature:
    title: str
    hint: str = SIGN_HINT
    name: str = ""
    above: str = ""  # e.g. "TM. ỦY BAN NHÂN DÂN" over the title
    # A distribution note ("Nơi nhận: …") in the signature row, printed small and left-aligned.
    note: bool = False


@dataclass
class Signatures:
    kind: ClassVar[str] = "signatures"
    items: list[Signature]


@dataclass
class QrCode:
    kind: ClassVar[str] = "qr"
    data: str
    caption: str

    def png_bytes(self, scale: int = 6) -> bytes:
        import segno

        buffer = io.BytesIO()
        segno.make(self.data, error="m").save(buffer, kind="png", scale=scale, border=2)
        return buffer.getvalue()

    def png_data_uri(self) -> str:
        import segno

        return segno.make(self.data, error="m").png_data_uri(scale=4, border=2)


Block = Field | Paragraph | Table | Signatures | QrCode


@dataclass(frozen=True)
class FeePayment:
    """How to pay a fee still due, as form 01 prints it: the VietQR payload and the receiving
    account. Computed by the caller (`tinhso.payments.selectors.form_payment`: the dossiers never
    import the payments room)."""

    payload: str
    amount: int
    bank: str
    account_number: str
    account_name: str
    purpose: str  # the transfer's content to keep: the dossier code


@dataclass
class FormDocument:
    number: str
    code: str
    title: str
    header: Header
    blocks: list[Block] = field(default_factory=list)
    subtitle: str = ""

    @property
    def footer(self) -> str:
        text = FORM_TEXT[self.number]
        old = text.get("number_2018")
        if old is None:
            since = "mẫu mới theo TT03/2025"
        elif old != self.number:
            since = f"TT01/2018: Mẫu số {old}"
        else:
            since = ""
        return f"Mẫu số {self.number}" + (f" ({since})" if since else "") + f" · {VERSION}"

    @property
    def filename(self) -> str:
        return f"{self.code}-mau-{self.number}.pdf"


# --- formatting ----------------------------------------------------------------------------


def local(at: datetime | None) -> datetime | None:
    return at.astimezone(VN_TZ) if at is not None else None


def fmt_datetime_long(at: datetime | None) -> str:
    """`10 giờ 00 phút, ngày 02 tháng 03 năm 2026` (Asia/Ho_Chi_Minh)."""
    t = local(at)
    if t is None:
        return DOTS
    return f"{t:%H} giờ {t:%M} phút, ngày {t:%d} tháng {t:%m} năm {t:%Y}"


def fmt_date_long(at: datetime | None) -> str:
    t = local(at)
    if t is None:
        return f"ngày {DOTS} tháng {DOTS} năm {DOTS}"
    return f"ngày {t:%d} tháng {t:%m} năm {t:%Y}"


def fmt_datetime_short(at: datetime | None) -> str:
    """`10:00 02/03/2026` for table cells."""
    t = local(at)
    return f"{t:%H:%M %d/%m/%Y}" if t is not None else ""


def fmt_date_short(at: datetime | None) -> str:
    t = local(at)
    return f"{t:%d/%m/%Y}" if t is not None else ""


def fmt_amount(value: Decimal | int) -> str:
    d = Decimal(value).normalize()
    text = f"{d:f}"
    return text.replace(".", ",")


def fmt_money(value: int) -> str:
    return f"{value:,}".replace(",", ".") + " đồng"


def status_text(status: int) -> str:
    """The status label in Vietnamese, whatever the page language (a legal document)."""
    with translation.override("vi"):
        return str(Status(status).label)


def place_name(agency: Agency) -> str:
    """The place printed before the date: the agency's unit without its type ("Việt Trì")."""
    name = agency.unit.name if agency.unit_id else agency.name
    for prefix in _UNIT_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def make_header(agency: Agency, number: str, at: datetime | None) -> Header:
    parent = agency.parent.name if agency.parent_id and agency.parent is not None else ""
    suffix = FORM_TEXT[number]["suffix"]
    number_text = f"Số: {DOTS}/{suffix}" if suffix else ""
    return Header(
        parent_name=parent.upper(),
        agency_name=agency.name.upper(),
        number=number_text,
        place_date=f"{place_name(agency)}, {fmt_date_long(at)}",
    )


def tracking_url(code: str, base_url: str = "") -> str:
    """The public tracking page of a dossier, absolute when `base_url` is known."""
    path = f"{TRACKING_PATH}?{urlencode({'code': code})}"
    return base_url.rstrip("/") + path if base_url else path


# --- the applicant -------------------------------------------------------------------------


@dataclass
class ApplicantView:
    name: str
    id_number: str
    address: str
    phone: str
    email: str
    representative: str


def applicant_view(dossier: Dossier, personal: bool) -> ApplicantView:
    """The applicant as printed: in full for those who act on the dossier; otherwise (viewers)
    names masked (`mask_name`), ID number and phone masked, address and e-mail left out."""
    if personal:
        return ApplicantView(
            name=dossier.applicant_name,
            id_number=dossier.applicant_id_number,
            address=dossier.applicant_address,
            phone=dossier.applicant_phone,
            email=dossier.applicant_email,
            representative=dossier.representative_name,
        )
    return ApplicantView(
        name=mask_name(dossier.applicant_name),
        id_number=mask_id_number(dossier.applicant_id_number) if dossier.applicant_id_number else "",
        address="***" if dossier.applicant_address else "",
        phone=mask_phone(dossier.applicant_phone) if dossier.applicant_phone else "",
        email="***" if dossier.applicant_email else "",
        representative=mask_name(dossier.representative_name),
    )


def _applicant_fields(a: ApplicantView, dossier: Dossier) -> list[Block]:
    id_label = "Mã số thuế" if dossier.applicant_type == "business" else "Số định danh cá nhân"
    blocks: list[Block] = []
    if a.id_number:
        blocks.append(Field(id_label, a.id_number))
    if a.representative:
        blocks.append(Field("Người được uỷ quyền", a.representative))
    blocks.append(Field("Địa chỉ", a.address or DOTS))
    blocks.append(Field("Số điện thoại", (a.phone or DOTS) + "      Email: " + (a.email or DOTS)))
    return blocks


def _content_requested(dossier: Dossier) -> str:
    name = dossier.procedure.name
    if dossier.summary and dossier.summary.strip() != name:
        return f"{name} ({dossier.summary.strip()})"
    return name


# --- history -------------------------------------------------------------------------------


def _events(dossier: Dossier) -> list[DossierEvent]:
    return list(dossier.events.select_related("from_agency", "to_agency").order_by("at", "id"))


def _last(events: list[DossierEvent], action: str) -> DossierEvent | None:
    for event in reversed(events):
        if event.action == action:
            return event
    return None


def _require_event(events: list[DossierEvent], action: str, dossier: Dossier, number: str, why: str) -> DossierEvent:
    event = _last(events, action)
    if event is None:
        raise FormNotApplicable(
            _("Mẫu số %(number)s không áp dụng cho hồ sơ %(code)s: %(why)s")
            % {"number": number, "code": dossier.code, "why": why}
        )
    return event


def timeliness(at: datetime, due: datetime | None) -> str:
    """Trước hạn / Đúng hạn / Quá hạn of a moment against a due moment (local days)."""
    if due is None:
        return ""
    if at > due:
        return "Quá hạn"
    if local(at).date() < local(due).date():  # type: ignore[union-attr]
        return "Trước hạn"
    return "Đúng hạn"


# --- the forms -----------------------------------------------------------------------------


def _document_rows(dossier: Dossier) -> list[list[str]]:
    """For a dossier received before components were itemised (imported history, old receipts):
    the procedure's components, each with the attached file that matches it by name; attachments
    that match no component follow."""
    attachments = [a for a in dossier.attachments.all() if a.kind == AttachmentKind.COMPONENT]
    unmatched = list(attachments)
    rows: list[list[str]] = []
    for i, component in enumerate(dossier.procedure.components.order_by("order"), start=1):
        name = component.name
        match = next((a for a in unmatched if a.name.strip().casefold() == name.strip().casefold()), None)
        if match is not None:
            unmatched.remove(match)
            attached = "Đã nộp" + (" (bản điện tử)" if match.digitised else "")
        else:
            attached = ""
        rows.append([str(i), name, attached])
    for j, a in enumerate(unmatched, start=len(rows) + 1):
        rows.append([str(j), a.name, "Đã nộp" + (" (bản điện tử)" if a.digitised else "")])
    return rows


# Form 01's table of what was handed in: the quantity stands in the column of its form.
RECEIVED_COLUMNS: list[tuple[str, float, str]] = [
    ("TT", 1, "C"), ("Thành phần hồ sơ", 7, "L"), ("Bản chính", 2, "C"), ("Bản sao có chứng thực", 2.4, "C"),
    ("Bản sao", 2, "C"), ("Hình thức", 2, "C"),
]
COPY_FORM_COLUMN = {CopyForm.ORIGINAL: 0, CopyForm.CERTIFIED_COPY: 1, CopyForm.COPY: 2}
MEDIUM_TEXT = {Medium.PAPER: "Giấy", Medium.ELECTRONIC: "Điện tử"}


def received_rows(dossier: Dossier) -> list[list[str]]:
    """Exactly what the applicant handed in (`ReceivedComponent`), numbered as printed, with the
    quantity under Bản chính / Bản sao có chứng thực / Bản sao and the medium (Giấy, Điện tử)."""
    rows: list[list[str]] = []
    for i, item in enumerate(dossier.received_components.order_by("order"), start=1):
        counts = ["", "", ""]
        counts[COPY_FORM_COLUMN.get(CopyForm(item.copy_form), 0)] = f"{item.quantity:02d}"
        rows.append([str(i), item.name, *counts, MEDIUM_TEXT.get(Medium(item.medium), item.medium)])
    return rows


def _components_table(dossier: Dossier) -> Table:
    rows = received_rows(dossier)
    if rows:
        return Table(RECEIVED_COLUMNS, rows)
    return Table([("TT", 1, "C"), ("Thành phần hồ sơ", 7, "L"), ("Đã nộp", 3, "C")], _document_rows(dossier))


def _payment_blocks(payment: FeePayment) -> list[Block]:
    return [
        QrCode(payment.payload, "Quét mã VietQR để nộp phí, lệ phí"),
        Field("Số tiền cần nộp", fmt_money(payment.amount), bold_value=True),
        Field("Tài khoản nhận", f"{payment.account_number} — {payment.account_name} ({payment.bank})"),
        Field("Nội dung chuyển khoản", payment.purpose),
    ]


def _form_01(
    dossier: Dossier, events: list[DossierEvent], a: ApplicantView, base_url: str, payment: FeePayment | None = None
) -> FormDocument:
    receive = _require_event(events, "receive", dossier, "01", _("hồ sơ chưa được tiếp nhận."))
    agency = dossier.receiving_agency
    amount = dossier.procedure.processing_time_for(dossier.channel)
    unit = dossier.procedure.processing_unit
    legal_time = PROCESSING_UNIT_TEXT[unit] if unit == "same_day" else f"{fmt_amount(amount)} {PROCESSING_UNIT_TEXT.get(unit, unit)}"
    if dossier.fee_due:
        fee = fmt_money(dossier.fee_due) + (" (đã nộp)" if dossier.fee_paid else " (chưa nộp)")
    else:
        fee = "Không"
    blocks: list[Block] = [
        QrCode(tracking_url(dossier.code, base_url), "Quét mã để tra cứu tình trạng hồ sơ"),
        Field("Mã hồ sơ", dossier.code, bold_value=True),
        Paragraph(f"{agency.name} tiếp nhận hồ sơ của:"),
        Field("Ông (Bà)", a.name, bold_value=True),
        *_applicant_fields(a, dossier),
        Field("Nội dung yêu cầu giải quyết", _content_requested(dossier)),
        Paragraph("1. Thành phần hồ sơ, số lượng mỗi loại giấy tờ:"),
        _components_table(dossier),
        Field("2. Số lượng hồ sơ", "01 (bộ)"),
        Field("3. Thời gian giải quyết hồ sơ theo quy định là", legal_time),
        Field("4. Thời gian nhận hồ sơ", fmt_datetime_long(dossier.received_at)),
        Field("5. Thời gian trả kết quả giải quyết hồ sơ", fmt_datetime_long(dossier.due_at), bold_value=True),
        Field("6. Đăng ký nhận kết quả tại", agency.name + (" (trực tuyến)" if dossier.channel == Channel.ONLINE else "")),
        Field("7. Phí, lệ phí (nếu có)", fee),
        *(_payment_blocks(payment) if payment is not None and dossier.fee_due and not dossier.fee_paid else []),
        Signatures([Signature("NGƯỜI NỘP HỒ SƠ", name=a.name), Signature("NGƯỜI TIẾP NHẬN HỒ SƠ", name=receive.actor_name)]),
    ]
    return FormDocument("01", dossier.code, FORM_TEXT["01"]["title"], make_header(agency, "01", receive.at), blocks)


def supplement_documents(dossier: Dossier, event: DossierEvent | None = None) -> list[str]:
    """The documents asked for, as recorded in the audit entry written with the event."""
    entry = (
        AuditEntry.objects.filter(object_type="dossier", object_id=dossier.code, action="dossier.request_supplement")
        .order_by("-at", "-id")
        .first()
    )
    documents = (entry.data or {}).get("documents", []) if entry is not None else []
    return [str(d) for d in documents if str(d).strip()]


def _form_02(dossier: Dossier, events: list[DossierEvent], a: ApplicantView) -> FormDocument:
    event = _require_event(events, "request_supplement", dossier, "02", _("hồ sơ chưa có yêu cầu bổ sung."))
    agency = dossier.receiving_agency
    documents = supplement_documents(dossier, event)
    rows = [[str(i), d] for i, d in enumerate(documents, start=1)] or [["1", event.note]]
    blocks: list[Block] = [
        Field("Mã hồ sơ", dossier.code, bold_value=True),
        Field("Tiếp nhận hồ sơ/yêu cầu của Ông/Bà", a.name, bold_value=True),
        Field("Nội dung yêu cầu giải quyết", _content_requested(dossier)),
        *_applicant_fields(a, dossier),
        Paragraph("Yêu cầu Ông/Bà hoàn thiện hồ sơ gồm những nội dung như sau:"),
        Table([("TT", 1, "C"), ("Giấy tờ, nội dung cần bổ sung, hoàn thiện", 10, "L")], rows),
        Field("Lý do", event.note),
        Paragraph(
            "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ với công chức "
            f"{event.actor_name or DOTS}, số điện thoại {DOTS} để được hướng dẫn./.",
            align="J",
        ),
        Signatures([Signature("NGƯỜI HƯỚNG DẪN", name=event.actor_name)]),
    ]
    return FormDocument("02", dossier.code, FORM_TEXT["02"]["title"], make_header(agency, "02", event.at), blocks)


def _form_03(dossier: Dossier, events: list[DossierEvent], a: ApplicantView) -> FormDocument:
    event = _require_event(events, "refuse", dossier, "03", _("hồ sơ chưa bị từ chối."))
    agency = dossier.receiving_agency
    blocks: list[Block] = [
        Field("Mã hồ sơ", dossier.code, bold_value=True),
        Field("Tiếp nhận hồ sơ của", a.name, bold_value=True),
        *_applicant_fields(a, dossier),
        Field("Nội dung yêu cầu giải quyết", _content_requested(dossier)),
        Paragraph(
            f"Qua xem xét, {agency.name} thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
            align="J",
        ),
        Paragraph(event.note, style="I"),
        Paragraph("Xin thông báo cho Ông/Bà được biết và thực hiện./."),
        Signatures([Signature("NGƯỜI NỘP HỒ SƠ", name=a.name), Signature("NGƯỜI TIẾP NHẬN HỒ SƠ", name=event.actor_name)]),
    ]
    return FormDocument("03", dossier.code, FORM_TEXT["03"]["title"], make_header(agency, "03", event.at), blocks)


def _form_04(dossier: Dossier, events: list[DossierEvent], a: ApplicantView) -> FormDocument:
    event = _require_event(events, "extend", dossier, "04", _("hồ sơ chưa được gia hạn."))
    agency = event.to_agency or dossier.handling_agency
    blocks: list[Block] = [
        Paragraph(f"Kính gửi: Ông/Bà {a.name}", style="B", align="C"),
        Paragraph(
            f"Ngày {fmt_date_short(dossier.received_at)}, {dossier.receiving_agency.name} tiếp nhận hồ sơ đề nghị giải "
            f"quyết thủ tục hành chính {dossier.procedure.name} của Ông/Bà.",
            align="J",
        ),
        Field("Mã hồ sơ", dossier.code, bold_value=True),
        Field("Ngày hẹn trả kết quả", fmt_datetime_long(event.due_before)),
        Paragraph(
            f"Tuy nhiên, đến nay {agency.name} chưa trả kết quả giải quyết hồ sơ của Ông/Bà đúng thời hạn ghi trên "
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả.",
            align="J",
        ),
        Field("Lý do", event.note),
        Paragraph(
            f"Sự chậm trễ này đã gây phiền hà cho Ông/Bà. {agency.name} xin lỗi Ông/Bà và đề nghị gia hạn thời gian "
            "giải quyết hồ sơ; kết quả sẽ được trả cho Ông/Bà theo thời gian hẹn lại dưới đây.",
            align="J",
        ),
        Field("Thời gian hẹn trả kết quả lại", fmt_datetime_long(event.due_after), bold_value=True),
        Paragraph("Trân trọng./."),
        Signatures([
            Signature("Nơi nhận:\n- Như trên;\n- Lưu: VT.", hint="", note=True),
            Signature("THỦ TRƯỞNG CƠ QUAN", hint=SIGN_HINT_SEAL, name=event.actor_name),
        ]),
    ]
    doc = FormDocument("04", dossier.code, FORM_TEXT["04"]["title"], make_header(agency, "04", event.at), blocks)
    doc.subtitle = f"({FORM_TEXT['04']['title_2018'].capitalize()})"
    return doc


def _form_05(dossier: Dossier, events: list[DossierEvent], a: ApplicantView) -> FormDocument:
    event = _require_event(events, "stop", dossier, "05", _("hồ sơ chưa bị dừng giải quyết."))
    agency = event.to_agency or dossier.handling_agency
    if dossier.fee_due:
        fee = fmt_money(dossier.fee_due) + (" — đã nộp" if dossier.fee_paid else " — chưa nộp")
    else:
        fee = "Không"
    blocks: list[Block] = [
        Paragraph(f"Kính gửi: Ông/Bà {a.name}", style="B", align="C"),
        Field("Mã hồ sơ", dossier.code, bold_value=True),
        Field("Nội dung yêu cầu giải quyết", _content_requested(dossier)),
        Field("Thời gian nhận hồ sơ", fmt_datetime_long(dossier.received_at)),
        Field("Thời gian hẹn trả kết quả", fmt_datetime_long(event.due_before or dossier.due_at)),
        Field("Bước đang giải quyết khi dừng", event.from_step or DOTS),
        Paragraph(
            f"{agency.name} thông báo dừng giải quyết hồ sơ nêu trên kể từ {fmt_datetime_long(event.at)}.",
            align="J",
        ),
        Field("Lý do", event.note),
        Field("Phí, lệ phí", fee),
        Paragraph("Xin thông báo để Ông/Bà được biết./."),
        Signatures([
            Signature("Nơi nhận:\n- Như trên;\n- Lưu: VT.", hint="", note=True),
            Signature("THỦ TRƯỞNG CƠ QUAN", hint=SIGN_HINT_SEAL, name=event.actor_name),
        ]),
    ]
    return FormDocument("05", dossier.code, FORM_TEXT["05"]["title"], make_header(agency, "05", event.at), blocks)


def _party(agency: Agency | None, step: str) -> str:
    name = agency.name if agency is not None else ""
    return " – ".join(p for p in (name, step) if p) or DOTS


def _form_06(dossier: Dossier, events: list[DossierEvent], a: ApplicantView) -> FormDocument:
    hand_overs = [e for e in events if e.action not in ("rate", "submit")]
    if not hand_overs:
        raise FormNotApplicable(
            _("Mẫu số %(number)s không áp dụng cho hồ sơ %(code)s: %(why)s")
            % {"number": "06", "code": dossier.code, "why": _("hồ sơ chưa được tiếp nhận.")}
        )
    rows: list[list[str]] = []
    coordinating: list[str] = []
    for i, e in enumerate(hand_overs, start=1):
        if e.action == "receive":
            giver, taker = f"Người nộp hồ sơ: {a.name}", _party(e.to_agency or dossier.receiving_agency, e.to_step)
        elif e.action == "return":
            giver, taker = _party(e.from_agency or dossier.receiving_agency, ""), f"Người nộp hồ sơ: {a.name}"
        else:
            giver, taker = _party(e.from_agency, e.from_step), _party(e.to_agency, e.to_step)
        due = e.due_before if e.due_before is not None else e.due_after
        result = "" if e.action in ("receive", "supplement_received") else timeliness(e.at, due)
        note = ACTION_TEXT.get(e.action, e.action) + (f": {e.note}" if e.note else "")
        rows.append([
            str(i),
            f"1. Giao: {giver}\n2. Nhận: {taker}",
            f"{fmt_datetime_short(e.at)}\nNgười thực hiện: {e.actor_name or DOTS}",
            result,
            note,
        ])
        for agency in (e.from_agency, e.to_agency):
            if (
                agency is not None
                and agency.pk not in (dossier.receiving_agency_id, dossier.handling_agency_id)
                and agency.name not in coordinating
            ):
                coordinating.append(agency.name)
    blocks: list[Block] = [
        Field("Mã hồ sơ", dossier.code, bold_value=True),
        Field("Kèm theo hồ sơ của", a.name),
        Field("Nội dung yêu cầu giải quyết", _content_requested(dossier)),
        Field("Ngày nhận", fmt_datetime_long(dossier.received_at)),
        Field("Ngày, giờ hẹn trả kết quả", fmt_datetime_long(dossier.due_at), bold_value=True),
        Field("Cơ quan (bộ phận) giải quyết hồ sơ", dossier.handling_agency.name),
        Field("Cơ quan phối hợp giải quyết hồ sơ", ", ".join(coordinating) or "Không"),
        Table(
            [
                ("TT", 1.2, "C"),
                ("TÊN CƠ QUAN", 6.5, "L"),
                ("THỜI GIAN GIAO, NHẬN HỒ SƠ", 4.6, "L"),
                ("KẾT QUẢ (Trước hạn/ đúng hạn/ quá hạn)", 3.3, "C"),
                ("GHI CHÚ", 4.4, "L"),
            ],
            rows,
        ),
        Paragraph(
            "Ghi chú: Việc lưu vết được thực hiện tự động trên Hệ thống thông tin một cửa điện tử; kết quả "
            "(trước hạn/đúng hạn/quá hạn) so với thời hạn trả kết quả có hiệu lực tại thời điểm giao, nhận.",
            style="I",
            align="J",
        ),
    ]
    return FormDocument(
        "06", dossier.code, FORM_TEXT["06"]["title"], make_header(dossier.receiving_agency, "06", timezone.now()), blocks
    )


def build_form(
    dossier: Dossier, number: str, *, personal: bool = True, base_url: str = "", payment: FeePayment | None = None
) -> FormDocument:
    """The content of form `number` ("01"–"06") for `dossier`.

    `personal`: show the applicant's name, ID number, address and phone in full (those who act
    on the dossier, `scoping.may_see_personal_data`); masked otherwise, on every form and in the
    history lines of form 06. `base_url`: scheme and host for the QR code's tracking link.
    `payment`: form 01 of a dossier whose fee is due and unpaid prints its VietQR code.
    """
    if number not in FORM_NUMBERS:
        raise NotFound(_("Không có mẫu số %(number)s.") % {"number": number})
    events = _events(dossier)
    a = applicant_view(dossier, personal)
    if number == "01":
        return _form_01(dossier, events, a, base_url, payment)
    builders = {"02": _form_02, "03": _form_03, "04": _form_04, "05": _form_05, "06": _form_06}
    return builders[number](dossier, events, a)
