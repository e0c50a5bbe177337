"""Reports through the one door: routing, deadlines, workflow, satisfaction, photos, scoping."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from PIL import Image

from tests.feedback.conftest import MONDAY, VN, file_report
from tinhso.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tinhso.feedback import services as fs
from tinhso.feedback.models import Report, ReportEvent
from tinhso.indicators.periods import parse_period
from tinhso.indicators.selectors import service_index


def test_routing_most_specific_rule_wins(categories):
    """Commune rule beats the category's agency; a category rule applies where no commune rule is."""
    w = categories
    assert file_report().agency == w.commune  # commune 07900 → H44.100
    assert file_report(commune_code="07901").agency == w.province  # no rule → the category's agency
    assert file_report(category_code="can-bo", commune_code="07901").agency == w.department


def test_deadline_from_category_in_working_days(categories):
    """Street lighting: 5 working days from Monday 09:00 → Monday 09:00 a week later."""
    report = file_report()
    assert report.status == "assigned"
    assert report.due_at == datetime(2026, 3, 9, 9, 0, tzinfo=VN)
    assert list(report.events.values_list("action", flat=True)) == ["submit", "assign"]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"latitude": "", "longitude": "", "commune_code": "", "address": ""}, "location"),
        ({"latitude": "48.85", "longitude": "2.35"}, "lat"),
        ({"latitude": "21.3", "longitude": ""}, "long"),
        ({"category_code": "nope"}, "service_code"),
        ({"description": "ngắn"}, "description"),
        ({"channel": "web"}, "phone"),  # web reports need a verified phone
        ({"commune_code": "99999"}, "commune"),
    ],
)
def test_bad_input_is_refused_whole(categories, overrides, field):
    with pytest.raises(InvalidInput) as excinfo:
        file_report(**overrides)
    assert field in excinfo.value.fields
    assert not Report.objects.exists()


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[0x8825] = {1: "N", 2: (21.0, 19.0, 22.0), 3: "E", 4: (105.0, 24.0, 7.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_photo_location_is_stripped(categories):
    raw = _jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif()
    report = file_report(photos=[raw])
    photo = report.photos.get()
    with photo.file.open("rb") as fh:
        stored = Image.open(io.BytesIO(fh.read()))
    assert not stored.getexif()
    assert (photo.width, photo.height, photo.content_type) == (40, 30, "image/jpeg")


def test_photo_must_be_an_image_of_bounded_size(categories, settings):
    with pytest.raises(InvalidInput) as excinfo:
        file_report(photos=[b"MZ\x90\x00 not an image"])
    assert "media" in excinfo.value.fields
    settings.TINHSO_FEEDBACK_MAX_PHOTO_BYTES = 100
    with pytest.raises(InvalidInput):
        file_report(photos=[_jpeg_with_gps()])
    assert not Report.objects.exists()


def test_answer_then_satisfied_closes(categories):
    w = categories
    report = file_report()
    fs.report_start(principal=w.specialist, report_id=report.pk, at=MONDAY + timedelta(hours=1))
    fs.report_note(principal=w.specialist, report_id=report.pk, note="Đã báo đội điện", at=MONDAY + timedelta(hours=2))
    answered = fs.report_answer(principal=w.specialist, report_id=report.pk, answer="Đã thay bóng đèn.",
                                at=MONDAY + timedelta(days=1))
    assert answered.status == "answered"
    closed = fs.report_rate(survey_token=report.survey_token, satisfied=True, at=MONDAY + timedelta(days=2))
    assert closed.status == "closed" and closed.satisfied is True
    with pytest.raises(Conflict):
        fs.report_rate(survey_token=report.survey_token, satisfied=False)
    private = ReportEvent.objects.get(report=report, action="note")
    assert not private.is_public


def test_unsatisfied_within_window_reopens_with_new_deadline(categories):
    w = categories
    report = file_report()
    fs.report_answer(principal=w.specialist, report_id=report.pk, answer="Đã xử lý.", at=MONDAY + timedelta(days=1))
    reopened = fs.report_rate(survey_token=report.survey_token, satisfied=False, comment="Đèn vẫn tắt",
                              at=MONDAY + timedelta(days=2))
    assert reopened.status == "reopened" and reopened.reopen_count == 1
    assert reopened.due_at == datetime(2026, 3, 11, 9, 0, tzinfo=VN)  # 5 working days from Wednesday 09:00
    fs.report_answer(principal=w.specialist, report_id=report.pk, answer="Đã thay dây.", at=MONDAY + timedelta(days=3))
    assert Report.objects.get(pk=report.pk).satisfied is None  # asked again


def test_unsatisfied_after_window_closes(categories, settings):
    w = categories
    report = file_report()
    fs.report_answer(principal=w.specialist, report_id=report.pk, answer="Đã xử lý.", at=MONDAY + timedelta(days=1))
    late = fs.report_rate(survey_token=report.survey_token, satisfied=False, at=MONDAY + timedelta(days=30))
    assert late.status == "closed" and late.satisfied is False


def test_transitions_and_roles_are_checked(categories):
    w = categories
    report = file_report()
    with pytest.raises(Conflict):
        fs.report_close(report_id=report.pk)  # not answered yet
    with pytest.raises(PermissionDenied):
        fs.report_reject(principal=w.reception, report_id=report.pk, reason="duplicate", note="trùng PA1")
    with pytest.raises(NotFound):  # another commune's officer cannot see it
        fs.report_start(principal=w.other_reception, report_id=report.pk)
    rejected = fs.report_reject(principal=w.head, report_id=report.pk, reason="duplicate", note="Trùng phản ánh trước")
    assert rejected.status == "rejected"
    assert ReportEvent.objects.filter(report=report).count() == 3


def test_transfer_moves_the_report(categories):
    w = categories
    report = file_report()
    moved = fs.report_transfer(principal=w.head, report_id=report.pk, to_agency=w.department, reason="Thuộc Sở")
    assert moved.agency == w.department and moved.status == "assigned"
    with pytest.raises(NotFound):
        fs.report_start(principal=w.specialist, report_id=report.pk)  # the commune no longer sees it


def test_petition_metrics_in_the_index(categories):
    """Two reports at H44.100 in March: one answered on time and satisfied, one open past its
    deadline → on time 1/2 (3.00 points), satisfaction 1/2 (3.00)."""
    w = categories
    first = file_report()
    file_report(category_code="thu-tuc")
    fs.report_answer(principal=w.specialist, report_id=first.pk, answer="Đã xử lý.", at=MONDAY + timedelta(days=1))
    fs.report_rate(survey_token=first.survey_token, satisfied=True, at=MONDAY + timedelta(days=2))
    index = service_index(root=w.commune, period=parse_period("2026-03"), now=datetime(2026, 3, 31, tzinfo=VN))
    metrics = {m["code"]: m for g in index["groups"] for m in g["metrics"]}
    on_time = metrics["PETITION_PROCESSING_ON_TIME"]
    assert (on_time["numerator"], on_time["denominator"], on_time["score"]) == (1, 2, 3.0)
    assert (metrics["PETITION_HANDLING_SATISFACTION"]["numerator"], metrics["PETITION_HANDLING_SATISFACTION"]["score"]) == (1, 3.0)
    assert metrics["PETITION_CLASSIFICATION_TTHC"]["numerator"] == 1
    assert metrics["PETITION_CLASSIFICATION_TTHC"]["score"] is None


def test_petition_counts_sql_equals_the_orm_definition(categories):
    """The index reads the petition counts with one fixed SQL statement over a subtree; it must
    count exactly as the ORM definition does, for reports in every state and at any moment."""
    from tinhso.agencies.models import Agency
    from tinhso.feedback.selectors import petition_counts, petition_counts_under

    w = categories
    reports = [file_report(category_code=code) for code in ("thu-tuc", "thu-tuc", "chieu-sang", "chieu-sang",
                                                            "chieu-sang", "chieu-sang")]
    fs.report_answer(principal=w.specialist, report_id=reports[0].pk, answer="Đã xử lý.", at=MONDAY + timedelta(days=1))
    fs.report_rate(survey_token=Report.objects.get(pk=reports[0].pk).survey_token, satisfied=True,
                   at=MONDAY + timedelta(days=2))
    fs.report_answer(principal=w.specialist, report_id=reports[1].pk, answer="Trả lời muộn.", at=MONDAY + timedelta(days=40))
    fs.report_rate(survey_token=Report.objects.get(pk=reports[1].pk).survey_token, satisfied=False,
                   at=MONDAY + timedelta(days=41))
    fs.report_answer(principal=w.specialist, report_id=reports[2].pk, answer="Đã trả lời.", at=MONDAY + timedelta(days=1))
    fs.report_reject(principal=w.specialist, report_id=reports[3].pk, reason="out_of_scope",
                     note="Việc của cấp tỉnh.")
    start, end = datetime(2026, 1, 1, tzinfo=VN), datetime(2027, 1, 1, tzinfo=VN)
    ids = list(Agency.objects.filter(path__startswith=w.province.path).values_list("id", flat=True))
    for now in (MONDAY, MONDAY + timedelta(days=3), MONDAY + timedelta(days=60)):
        expected = petition_counts(ids, start, end, now)
        assert petition_counts_under(w.province.path, start, end, now) == expected
        assert sum(c["total"] for c in expected.values()) == 5  # the rejected one does not count
    assert petition_counts_under(w.other_commune.path, start, end, MONDAY) == {}
