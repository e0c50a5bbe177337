"""The one door for every change to a report (phản ánh).

`report_submit` files a report from any channel: it validates, routes it to the responsible
agency, computes its deadline with the working calendar, stores photos without their location
metadata, and appends the history. Every later action goes through `_act`: lock the row, check
the caller's role and the report's status against the transition table, change, append the
history, write the audit entry, send `report_changed` after commit.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.agencies.models import Agency
from tinhso.agencies.principals import Principal
from tinhso.agencies.scoping import roles_at, visible_agencies
from tinhso.audit.services import audit_record
from tinhso.core.boundary import BoundaryError, finite_decimal
from tinhso.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tinhso.core.phones import phone_number
from tinhso.feedback.models import (
    Category,
    Photo,
    RejectReason,
    Report,
    ReportChannel,
    ReportEvent,
    ReportStatus,
    RoutingRule,
)
from tinhso.feedback.signals import report_changed
from tinhso.feedback.transitions import REPORT_TRANSITIONS, REPORTER, SYSTEM, ReportAction
from tinhso.units.models import AdministrativeUnit
from tinhso.workcalendar.selectors import calendar_for_agency, calendar_for_province

# Vietnam's bounding box: a location outside it is a typo, not a report.
LAT_RANGE = (Decimal("8.0"), Decimal("23.5"))
LON_RANGE = (Decimal("102.0"), Decimal("110.0"))


@dataclass
class NewReport:
    category_code: str
    description: str
    channel: str
    latitude: Any = None
    longitude: Any = None
    commune_code: str = ""
    address: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_email: str = ""
    phone_verified: bool = False
    anonymous: bool = False
    is_public: bool = True
    photos: list[bytes] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    media_url: str = ""


def _decimal_in(value: Any, name: str, bounds: tuple[Decimal, Decimal], errors: dict[str, str]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = finite_decimal(value).quantize(Decimal("0.000001"))
    except (BoundaryError, InvalidOperation):
        errors[name] = _("Phải là một số.")
        return None
    if not bounds[0] <= number <= bounds[1]:
        errors[name] = _("Nằm ngoài lãnh thổ Việt Nam (%(lo)s–%(hi)s).") % {"lo": bounds[0], "hi": bounds[1]}
        return None
    return number


def route(*, category: Category, commune: AdministrativeUnit | None) -> Agency | None:
    """The agency of the most specific matching rule — category and commune, commune, category,
    catch-all — else the category's own agency."""
    commune_id = commune.pk if commune is not None else None
    rules = {
        (r.category_id, r.commune_id): r.agency
        for r in RoutingRule.objects.select_related("agency").filter(
            Q(category=category) | Q(category__isnull=True), Q(commune_id=commune_id) | Q(commune__isnull=True)
        )
    }
    order: list[tuple[int | None, int | None]] = [(category.pk, None), (None, None)]
    if commune_id is not None:
        order = [(category.pk, commune_id), (None, commune_id), *order]
    for key in order:
        if key in rules:
            return rules[key]
    return category.agency


def _deadline(category: Category, agency: Agency | None, at: datetime) -> datetime:
    calendar = calendar_for_agency(agency) if agency is not None else calendar_for_province(settings.TINHSO_PROVINCE)
    return calendar.due(at, category.deadline_amount, category.deadline_unit)


def report_submit(
    *, data: NewReport, principal: Principal | None = None, api_key: Any = None, at: datetime | None = None
) -> Report:
    """File a report (web, Open311 client, hotline operator, counter). Bad input raises
    `InvalidInput` with per-field messages and writes nothing."""
    at = at or timezone.now()
    errors: dict[str, str] = {}
    category = Category.objects.filter(code=data.category_code, is_active=True).select_related("agency").first()
    if category is None:
        errors["service_code"] = _("Lĩnh vực không tồn tại.")
    if data.channel not in ReportChannel.values:
        errors["channel"] = _("Kênh không hợp lệ.")
    description = (data.description or "").strip()
    if len(description) < 10:
        errors["description"] = _("Hãy mô tả vấn đề (ít nhất 10 ký tự).")
    if len(description) > 5000:
        errors["description"] = _("Tối đa 5.000 ký tự.")
    lat = _decimal_in(data.latitude, "lat", LAT_RANGE, errors)
    lon = _decimal_in(data.longitude, "long", LON_RANGE, errors)
    if (lat is None) != (lon is None) and "lat" not in errors and "long" not in errors:
        errors["lat" if lat is None else "long"] = _("Cần cả vĩ độ và kinh độ.")
    commune = None
    if data.commune_code:
        commune = AdministrativeUnit.objects.filter(code=data.commune_code, level="commune", valid_to__isnull=True).first()
        if commune is None:
            errors["commune"] = _("Xã/phường không tồn tại.")
    if lat is None and commune is None and not data.address.strip() and "lat" not in errors and "long" not in errors:
        errors["location"] = _("Cần vị trí: toạ độ, hoặc xã/phường, hoặc địa chỉ.")
    typed_phone = data.reporter_phone.strip()
    phone = (phone_number(typed_phone) or "") if typed_phone else ""
    if typed_phone and not phone:
        errors["phone"] = _("Số điện thoại không hợp lệ (ví dụ 0912 345 678 hoặc +84 912 345 678).")
    if data.channel == ReportChannel.WEB and not data.phone_verified:
        errors["phone"] = _("Cần xác minh số điện thoại bằng mã OTP trước khi gửi.")
    if len(data.photos) > settings.TINHSO_FEEDBACK_MAX_PHOTOS:
        errors["media"] = _("Tối đa %(n)s ảnh.") % {"n": settings.TINHSO_FEEDBACK_MAX_PHOTOS}
    prepared = []
    for photo in data.photos:
        try:
            prepared.append(clean_photo(photo))
        except InvalidInput as exc:
            errors["media"] = exc.message
    if errors:
        raise InvalidInput(_("Phản ánh chưa hợp lệ."), fields=errors)
    assert category is not None
    with transaction.atomic():
        agency = route(category=category, commune=commune)
        report = Report.objects.create(
            category=category, description=description, latitude=lat, longitude=lon, commune=commune,
            address=data.address.strip()[:500], channel=data.channel, reporter_name=data.reporter_name.strip()[:200],
            reporter_phone=phone, reporter_email=data.reporter_email.strip(), phone_verified=data.phone_verified,
            anonymous=data.anonymous, is_public=data.is_public, status=ReportStatus.RECEIVED,
            received_at=at, due_at=_deadline(category, agency, at), api_key=api_key,
            attributes=data.attributes, media_url=data.media_url.strip()[:500],
        )
        for content, content_type, width, height in prepared:
            _store_photo(report, content, content_type, width, height)
        _event(report, principal, ReportAction.SUBMIT, "", report.status, at, note="", actor_name=None)
        audit_record(principal=principal, action="report.submit", object_type="report", object_id=report.pk,
                     data={"channel": data.channel, "category": category.code})
        if agency is not None:
            before = report.status
            report.agency = agency
            report.status = ReportStatus.ASSIGNED
            report.save(update_fields=["agency", "status", "updated_at"])
            _event(report, None, ReportAction.ASSIGN, before, report.status, at,
                   note=_("Phân công tự động theo quy tắc"), actor_name=_("Hệ thống"), to_agency=agency)
            audit_record(principal=None, action="report.assign", object_type="report", object_id=report.pk,
                         data={"agency": agency.code, "rule": "routing"})
        _after_commit(report, ReportAction.SUBMIT, None, report.status, at)
    return report


def clean_photo(content: bytes) -> tuple[bytes, str, int, int]:
    """Check a photo from its bytes and re-encode it without metadata (EXIF, GPS)."""
    from PIL import Image, UnidentifiedImageError

    if len(content) > settings.TINHSO_FEEDBACK_MAX_PHOTO_BYTES:
        raise InvalidInput(_("Ảnh quá lớn (tối đa %(mb)s MB).") % {"mb": settings.TINHSO_FEEDBACK_MAX_PHOTO_BYTES // 2**20},
                           fields={"media": "too large"})
    try:
        image = Image.open(io.BytesIO(content))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise InvalidInput(_("Tệp không phải ảnh JPEG hoặc PNG."), fields={"media": "not an image"}) from None
    fmt = image.format
    if fmt not in ("JPEG", "PNG"):
        raise InvalidInput(_("Chỉ nhận ảnh JPEG hoặc PNG."), fields={"media": "not JPEG/PNG"})
    from PIL import ImageOps

    # Keep the orientation the camera meant, then rebuild the image from its pixels only, so no
    # EXIF block (GPS position, camera, time) or text chunk survives.
    upright = ImageOps.exif_transpose(image)
    out = io.BytesIO()
    if fmt == "PNG":
        pixels = upright.convert("RGBA") if upright.mode not in ("RGB", "RGBA", "L", "LA") else upright
        Image.frombytes(pixels.mode, pixels.size, pixels.tobytes()).save(out, format="PNG")
        return out.getvalue(), "image/png", pixels.width, pixels.height
    rgb = upright.convert("RGB")
    Image.frombytes("RGB", rgb.size, rgb.tobytes()).save(out, format="JPEG", quality=88)
    return out.getvalue(), "image/jpeg", rgb.width, rgb.height


def _store_photo(report: Report, content: bytes, content_type: str, width: int, height: int) -> Photo:
    digest = hashlib.sha256(content).hexdigest()
    photo = Photo(report=report, sha256=digest, size=len(content), content_type=content_type, width=width, height=height)
    photo.file.save(digest, ContentFile(content), save=False)
    photo.save()
    return photo


def _event(
    report: Report, principal: Principal | None, action: ReportAction, from_status: str, to_status: str,
    at: datetime, *, note: str, actor_name: str | None, from_agency: Agency | None = None,
    to_agency: Agency | None = None, is_public: bool = False,
) -> ReportEvent:
    if actor_name is None:
        # The reporter's own steps (filing on the web or through an Open311 client, the survey)
        # are named by their role, never by the reporter's name: the history is shown to every
        # officer who may see the report, and a report may be anonymous.
        actor_name = principal.display_name if principal is not None else _("Người phản ánh")
    return ReportEvent.objects.create(
        report=report, at=at, actor=principal.user if principal is not None else None, actor_name=actor_name,
        action=action.value, from_status=from_status, to_status=to_status, from_agency=from_agency,
        to_agency=to_agency, note=note, is_public=is_public,
    )


def _after_commit(report: Report, action: ReportAction, from_status: str | None, to_status: str, at: datetime) -> None:
    payload = {"report_id": report.pk, "action": action.value, "from_status": from_status, "to_status": to_status, "at": at}
    transaction.on_commit(lambda: report_changed.send(sender=Report, **payload))


def _roles(principal: Principal | None, report: Report, as_system: bool) -> set[str]:
    if as_system:
        return {SYSTEM}
    if principal is None:
        return {REPORTER}
    agency = report.agency or report.category.agency
    return roles_at(principal, agency) if agency is not None else set()


def _locked(principal: Principal | None, report_id: int) -> Report:
    try:
        report = Report.objects.select_for_update(of=("self",)).select_related("category", "agency__unit__parent").get(pk=report_id)
    except Report.DoesNotExist:
        raise NotFound(_("Không tìm thấy phản ánh.")) from None
    if principal is not None and not principal.is_superuser:
        agency = report.agency or report.category.agency
        if agency is None or not visible_agencies(principal).filter(pk=agency.pk).exists():
            raise NotFound(_("Không tìm thấy phản ánh."))
    return report


def _act(
    *, principal: Principal | None, report_id: int, action: ReportAction,
    change: Callable[[Report, datetime], dict[str, Any] | None], note: str = "", at: datetime | None = None,
    as_system: bool = False, expected_version: int | None = None, is_public: bool = False,
) -> Report:
    at = at or timezone.now()
    move = REPORT_TRANSITIONS[action]
    with transaction.atomic():
        report = _locked(None if as_system else principal, report_id)
        if expected_version is not None and report.version != expected_version:
            raise Conflict(_("Phản ánh vừa được người khác cập nhật; vui lòng tải lại."), code="stale_version")
        if report.status not in move.sources:
            raise Conflict(
                _("Không thể “%(action)s” khi phản ánh đang “%(status)s”.")
                % {"action": action.value, "status": ReportStatus(report.status).label},
                code="invalid_transition",
            )
        if not _roles(principal, report, as_system) & move.roles:
            raise PermissionDenied(_("Vai trò của bạn không được thực hiện thao tác này."), code="role_not_allowed")
        from_status, from_agency = report.status, report.agency
        data = change(report, at) or {}
        if move.target is not None and "status" not in data:
            report.status = move.target
        data.pop("status", None)
        report.version += 1
        report.save()
        _event(report, None if as_system else principal, action, from_status, report.status, at, note=note,
               actor_name=_("Hệ thống") if as_system else None, from_agency=from_agency,
               to_agency=report.agency, is_public=is_public)
        audit_record(principal=None if as_system else principal, action=f"report.{action.value}",
                     object_type="report", object_id=report.pk,
                     data={"from": from_status, "to": report.status, "note": note, **data})
        _after_commit(report, action, from_status, report.status, at)
        return report


def _require(value: str, name: str) -> str:
    if not value or not value.strip():
        raise InvalidInput(_("Bắt buộc."), fields={name: _("Bắt buộc.")})
    return value.strip()


def report_assign(*, principal: Principal, report_id: int, agency: Agency, handler: Any = None,
                  at: datetime | None = None) -> Report:
    def change(r: Report, now: datetime) -> dict[str, Any]:
        r.agency = agency
        r.handler = handler
        return {"agency": agency.code}

    return _act(principal=principal, report_id=report_id, action=ReportAction.ASSIGN, change=change, at=at)


def report_transfer(*, principal: Principal, report_id: int, to_agency: Agency, reason: str,
                    at: datetime | None = None, expected_version: int | None = None) -> Report:
    reason = _require(reason, "reason")

    def change(r: Report, now: datetime) -> dict[str, Any]:
        if r.agency_id == to_agency.pk:
            raise InvalidInput(_("Phản ánh đang ở cơ quan này."), fields={"to_agency": _("Chọn cơ quan khác.")})
        r.agency = to_agency
        r.handler = None
        return {"to_agency": to_agency.code}

    return _act(principal=principal, report_id=report_id, action=ReportAction.TRANSFER, change=change, note=reason,
                at=at, expected_version=expected_version)


def report_start(*, principal: Principal, report_id: int, at: datetime | None = None,
                 expected_version: int | None = None) -> Report:
    def change(r: Report, now: datetime) -> None:
        r.handler = principal.user

    return _act(principal=principal, report_id=report_id, action=ReportAction.START, change=change, at=at,
                expected_version=expected_version)


def report_answer(*, principal: Principal, report_id: int, answer: str, at: datetime | None = None,
                  expected_version: int | None = None) -> Report:
    """Publish the answer; the reporter is then asked whether it satisfied them."""
    answer = _require(answer, "answer")

    def change(r: Report, now: datetime) -> dict[str, Any]:
        r.public_answer = answer
        r.answered_at = now
        r.satisfied = None
        return {"late": now > r.due_at}

    return _act(principal=principal, report_id=report_id, action=ReportAction.ANSWER, change=change, note=answer,
                at=at, expected_version=expected_version, is_public=True)


def report_reject(*, principal: Principal, report_id: int, reason: str, note: str = "", at: datetime | None = None,
                  expected_version: int | None = None) -> Report:
    if reason not in RejectReason.values:
        raise InvalidInput(_("Lý do từ chối không hợp lệ."), fields={"reason": ", ".join(RejectReason.values)})
    note = _require(note, "note")

    def change(r: Report, now: datetime) -> dict[str, Any]:
        r.reject_reason = reason
        r.closed_at = now
        return {"reason": reason}

    return _act(principal=principal, report_id=report_id, action=ReportAction.REJECT, change=change, note=note,
                at=at, expected_version=expected_version, is_public=True)


def report_note(*, principal: Principal, report_id: int, note: str, at: datetime | None = None) -> Report:
    """A private note for the handlers (never shown publicly)."""
    note = _require(note, "note")
    return _act(principal=principal, report_id=report_id, action=ReportAction.NOTE, change=lambda r, now: None,
                note=note, at=at)


def report_close(*, report_id: int, principal: Principal | None = None, at: datetime | None = None) -> Report:
    """Close an answered report (by a head, or by the system when the survey window has ended)."""

    def change(r: Report, now: datetime) -> None:
        r.closed_at = now

    return _act(principal=principal, report_id=report_id, action=ReportAction.CLOSE, change=change, at=at,
                as_system=principal is None)


def report_rate(*, survey_token: str, satisfied: bool, comment: str = "", at: datetime | None = None,
                principal: Principal | None = None) -> Report:
    """The reporter's answer to "did this satisfy you?" (the survey link's secret identifies them).
    Satisfied: the report closes. Not satisfied within the window: it reopens with a new deadline.
    Asked once per answer."""
    report = Report.objects.filter(survey_token=survey_token).only("pk").first()
    if report is None:
        raise NotFound(_("Liên kết khảo sát không hợp lệ."))
    window = timedelta(days=settings.TINHSO_FEEDBACK_REOPEN_DAYS)

    def change(r: Report, now: datetime) -> dict[str, Any]:
        if r.satisfied is not None:
            raise Conflict(_("Bạn đã trả lời khảo sát cho lần trả lời này."), code="already_rated")
        r.satisfied = satisfied
        if satisfied:
            r.status = ReportStatus.CLOSED
            r.closed_at = r.closed_at or now
        elif r.answered_at is not None and now - r.answered_at <= window:
            r.status = ReportStatus.REOPENED
            r.reopen_count += 1
            r.closed_at = None
            r.due_at = _deadline(r.category, r.agency, now)
            r.warned_at = r.escalated_at = None  # the new deadline gets its own reminder and escalation
        else:
            r.status = ReportStatus.CLOSED
            r.closed_at = r.closed_at or now
        return {"status": r.status, "satisfied": satisfied}

    return _act(principal=principal, report_id=report.pk, action=ReportAction.RATE, change=change, note=comment, at=at)


def report_set_public(*, principal: Principal | None, report_id: int, is_public: bool) -> Report:
    """Show a report on the public portal and in Open311, or hide it (an abusive or personal
    report). Not a workflow step: the status and the history stay; the version moves so an
    officer's open form goes stale, and the audit entry records who did it, old → new. Who may
    do it is the caller's decision (the admin's change permission on reports); a change to the
    same value writes nothing."""
    with transaction.atomic():
        report = Report.objects.select_for_update(of=("self",)).filter(pk=report_id).first()
        if report is None:
            raise NotFound(_("Không tìm thấy phản ánh."))
        if report.is_public == is_public:
            return report
        before = report.is_public
        report.is_public = is_public
        report.version += 1
        report.save(update_fields=["is_public", "version", "updated_at"])
        audit_record(principal=principal, action="report.set_public", object_type="report", object_id=report.pk,
                     data={"changes": {"is_public": {"from": str(before), "to": str(is_public)}}})
        return report


# --- deadline reminders (run by the periodic tasks in tinhso.feedback.tasks) -----------------


def _system_mark(report_id: int, at: datetime | None, *, field_name: str, action: str, note: str,
                 overdue: bool) -> Report | None:
    """Set `warned_at` / `escalated_at` once on an open report and append a private history line
    (not a transition: the status stays) and an audit entry. None when there was nothing to do
    (already marked, no longer open, or not yet in the state the mark is for)."""
    at = at or timezone.now()
    with transaction.atomic():
        report = Report.objects.select_for_update(of=("self",)).select_related("agency").filter(pk=report_id).first()
        if report is None or not report.is_open or getattr(report, field_name) is not None:
            return None
        if overdue and report.due_at >= at:
            return None
        setattr(report, field_name, at)
        report.save(update_fields=[field_name, "updated_at"])
        ReportEvent.objects.create(
            report=report, at=at, actor=None, actor_name=_("Hệ thống"), action=action, from_status=report.status,
            to_status=report.status, to_agency=report.agency, note=note, is_public=False,
        )
        audit_record(principal=None, action=f"report.{action}", object_type="report", object_id=report.pk,
                     data={"due_at": report.due_at.isoformat(), "agency": report.agency.code if report.agency else None})
        return report


def report_mark_warned(report_id: int, at: datetime | None = None) -> Report | None:
    """Record that the handlers were warned of a deadline less than one working day away."""
    return _system_mark(report_id, at, field_name="warned_at", action="warn", overdue=False,
                        note=_("Nhắc hạn: còn dưới một ngày làm việc đến hạn xử lý."))


def report_escalate(report_id: int, at: datetime | None = None) -> Report | None:
    """Record that an overdue report was escalated to the agency's leaders."""
    return _system_mark(report_id, at, field_name="escalated_at", action="escalate", overdue=True,
                        note=_("Quá hạn xử lý: đã báo lãnh đạo cơ quan."))
