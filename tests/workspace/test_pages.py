"""The officer workspace and the public tracking page, driven through Django's test client."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import citizen, finish, sign
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Channel, Dossier, DossierEvent, Status
from tinhso.workcalendar.selectors import calendar_for_agency

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def signed_in(username: str) -> Client:
    """A client signed in through the sign-in page, as the officer would (django-axes watching)."""
    client = Client()
    response = client.post("/dang-nhap/", {"username": username, "password": "matkhau-123"})
    assert response.status_code == 302, response.content
    return client


def receive(world, agency=None, at=None, **applicant) -> Dossier:
    principal = world.reception if agency is None or agency == world.commune else world.other_reception
    return s.dossier_receive(
        principal=principal, procedure=world.procedure, agency=agency or world.commune, channel=Channel.COUNTER,
        applicant=citizen(**applicant), at=at,
    ).dossier


def counter_post(world, **overrides) -> dict:
    data = {
        "agency": world.commune.pk,
        "procedure": world.procedure.code,
        "channel": "1",
        "documents": [str(c.order) for c in world.procedure.components.all() if c.is_required],
        "applicant_type": "citizen",
        "applicant_name": "Trần Thị Bình",
        "applicant_id_number": "025190004321",
        "applicant_birth_date": "1990-05-17",
        "applicant_address": "Phường Việt Trì, Phú Thọ",
        "applicant_phone": "0987654321",
        "applicant_email": "",
        "representative_name": "",
        "representative_id_number": "",
        "summary": "",
    }
    data.update(overrides)
    return data


# --- sign-in, home -------------------------------------------------------------------------


def test_login_with_world_user_lands_on_the_inbox(world):
    client = Client()
    response = client.post(reverse("workspace:login"), {"username": "tiepnhan", "password": "matkhau-123"})
    assert response.status_code == 302 and response["Location"] == reverse("workspace:inbox")
    page = client.get(reverse("workspace:inbox"))
    assert page.status_code == 200
    assert "UBND phường Việt Trì" in page.content.decode()


def test_login_with_a_wrong_password_stays_on_the_login_page(world):
    response = Client().post(reverse("workspace:login"), {"username": "tiepnhan", "password": "sai"})
    assert response.status_code == 200
    assert "không đúng" in response.content.decode()


def test_home_sends_staff_to_the_inbox_and_others_to_tracking(world):
    assert Client().get("/")["Location"] == reverse("workspace:tracking")
    assert signed_in("tiepnhan").get("/")["Location"] == reverse("workspace:inbox")


def test_pages_need_a_sign_in(world):
    response = Client().get(reverse("workspace:inbox"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("workspace:login"))


def test_logout_is_a_post(world):
    client = signed_in("tiepnhan")
    assert client.post(reverse("workspace:logout")).status_code == 302
    assert client.get(reverse("workspace:inbox")).status_code == 302


# --- inbox ---------------------------------------------------------------------------------


def test_inbox_lists_the_communes_dossiers_by_due_and_not_the_other_communes(world):
    now = timezone.now()
    later = receive(world, at=now - timedelta(hours=1))
    earlier = receive(world, at=now - timedelta(days=3))
    other = receive(world, agency=world.other_commune)
    body = signed_in("chuyenvien").get(reverse("workspace:inbox")).content.decode()
    assert earlier.due_at < later.due_at
    assert body.index(earlier.code) < body.index(later.code)
    assert other.code not in body


def test_inbox_marks_overdue_and_due_soon(world):
    overdue = receive(world, at=timezone.now() - timedelta(days=30))
    body = signed_in("tiepnhan").get(reverse("workspace:inbox"), {"xem": "tat-ca"}).content.decode()
    row = body[body.index(overdue.code):]
    row = row[: row.index("</tr>")]
    assert "badge-overdue" in row


def test_inbox_search_by_id_number_and_status_filter(world):
    a = receive(world, id_number="025090009999", name="Lê Văn Cường")
    b = receive(world)
    client = signed_in("tiepnhan")
    body = client.get(reverse("workspace:inbox"), {"q": "025090009999"}).content.decode()
    assert a.code in body and b.code not in body
    body = client.get(reverse("workspace:inbox"), {"status": str(Status.IN_PROGRESS)}).content.decode()
    assert a.code not in body


def test_inbox_masks_names_for_a_viewer(world):
    receive(world, name="Nguyễn Văn An")
    body = signed_in("theodoi").get(reverse("workspace:inbox")).content.decode()
    assert "N***** V** An" in body and "Nguyễn Văn An" not in body


# --- counter -------------------------------------------------------------------------------


def test_counter_fragment_shows_documents_fee_and_appointment(world):
    response = signed_in("tiepnhan").get(
        reverse("workspace:counter_procedure"), {"procedure": world.procedure.code, "agency": world.commune.pk}
    )
    body = response.content.decode()
    assert 'name="documents" value="1"' in body and "Tờ khai" in body
    assert "50.000" in body or "50,000" in body
    due = calendar_for_agency(world.commune).due(timezone.now(), world.procedure.processing_amount, "working_days")
    assert timezone.localtime(due).strftime("%d/%m/%Y") in body


def test_counter_receives_a_dossier_with_files_and_redirects_to_its_page(world):
    client = signed_in("tiepnhan")
    upload = SimpleUploadedFile("to-khai.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("workspace:counter"), {**counter_post(world), "attachments": [upload]})
    assert response.status_code == 302
    d = Dossier.objects.get(applicant_id_number="025190004321")
    assert response["Location"].startswith(reverse("workspace:dossier", kwargs={"code": d.code}))
    assert d.status == Status.RECEIVED and d.received_at is not None
    assert d.attachments.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "In giấy tiếp nhận (mẫu 01)" in page
    assert reverse("workspace:form_pdf", kwargs={"code": d.code, "form": "01"}) in page


def test_counter_invalid_id_shows_the_field_error_and_keeps_the_typed_values(world):
    response = signed_in("tiepnhan").post(
        reverse("workspace:counter"), counter_post(world, applicant_id_number="12345")
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Số định danh cá nhân phải gồm 12 chữ số." in body
    assert 'value="12345"' in body and 'value="Trần Thị Bình"' in body and 'value="0987654321"' in body
    assert 'value="1990-05-17"' in body
    assert 'name="documents" value="1" id="document-1" checked' in body
    assert not Dossier.objects.exists()


def test_counter_refuses_an_incomplete_set_of_documents(world):
    response = signed_in("tiepnhan").post(reverse("workspace:counter"), counter_post(world, documents=["1"]))
    assert response.status_code == 422
    assert "Giấy tờ tuỳ thân" in response.content.decode()
    assert not Dossier.objects.exists()


def test_counter_is_for_reception_officers_only(world):
    assert signed_in("chuyenvien").get(reverse("workspace:counter")).status_code == 403


# --- dossier page and actions --------------------------------------------------------------


def test_dossier_page_shows_only_the_allowed_actions(world):
    d = receive(world)
    reception_page = signed_in("tiepnhan").get(reverse("workspace:dossier", kwargs={"code": d.code})).content.decode()
    assert 'data-action="approve"' not in reception_page
    assert 'data-action="withdraw"' in reception_page
    s.dossier_forward(principal=world.specialist, code=d.code)
    s.dossier_forward(principal=world.head, code=d.code)
    leader_page = signed_in("lanhdao").get(reverse("workspace:dossier", kwargs={"code": d.code})).content.decode()
    assert 'data-action="approve"' in leader_page
    assert 'data-action="forward"' not in leader_page
    assert 'data-action="approve"' not in signed_in("tiepnhan").get(
        reverse("workspace:dossier", kwargs={"code": d.code})).content.decode()


def test_an_action_post_moves_the_dossier(world):
    d = receive(world)
    client = signed_in("chuyenvien")
    url = reverse("workspace:dossier_action", kwargs={"code": d.code, "action": "forward"})
    response = client.post(url, {"forward-version": d.version, "forward-note": "Đủ điều kiện"}, follow=True)
    d.refresh_from_db()
    assert d.version == 2 and d.current_step.kind == "review"
    assert "Đủ điều kiện" in response.content.decode()


def test_an_action_with_a_stale_version_shows_the_conflict_message(world):
    d = receive(world)
    seen = d.version
    s.dossier_forward(principal=world.specialist, code=d.code)
    url = reverse("workspace:dossier_action", kwargs={"code": d.code, "action": "refuse"})
    response = signed_in("truongphong").post(url, {"refuse-version": seen, "refuse-reason": "Sai thẩm quyền"}, follow=True)
    assert response.status_code == 200
    assert "Người khác vừa thao tác trên hồ sơ này trước bạn" in response.content.decode()
    d.refresh_from_db()
    assert d.status == Status.IN_PROGRESS


def test_a_reasoned_action_without_its_reason_changes_nothing(world):
    d = receive(world)
    url = reverse("workspace:dossier_action", kwargs={"code": d.code, "action": "withdraw"})
    response = signed_in("tiepnhan").post(url, {"withdraw-version": d.version, "withdraw-reason": ""}, follow=True)
    assert "Chưa thực hiện" in response.content.decode()
    d.refresh_from_db()
    assert d.status == Status.RECEIVED


def test_an_action_the_role_may_not_take_is_a_message_not_a_crash(world):
    d = receive(world)
    url = reverse("workspace:dossier_action", kwargs={"code": d.code, "action": "approve"})
    response = signed_in("tiepnhan").post(url, {"approve-version": d.version}, follow=True)
    assert response.status_code == 200
    assert "message-error" in response.content.decode()
    assert DossierEvent.objects.filter(dossier=d).count() == 1


def test_extend_and_transfer_through_their_forms(world):
    d = receive(world)
    client = signed_in("truongphong")
    page = client.get(reverse("workspace:dossier", kwargs={"code": d.code})).content.decode()
    assert 'name="extend-new_due_at"' in page and 'name="transfer-to_agency"' in page
    # Two days later, moved to a working instant if that is a day off (the extension is checked
    # against the working calendar).
    later = calendar_for_agency(world.commune).next_due_instant(d.due_at + timedelta(days=2), after=d.due_at)
    new_due = timezone.localtime(later).strftime("%Y-%m-%dT%H:%M")
    url = reverse("workspace:dossier_action", kwargs={"code": d.code, "action": "extend"})
    client.post(url, {"extend-version": d.version, "extend-new_due_at": new_due, "extend-reason": "Cần xác minh"})
    d.refresh_from_db()
    assert d.extended and timezone.localtime(d.due_at).strftime("%Y-%m-%dT%H:%M") == new_due
    page = client.get(reverse("workspace:dossier", kwargs={"code": d.code})).content.decode()
    assert 'data-action="extend"' not in page
    assert reverse("workspace:form_html", kwargs={"code": d.code, "form": "04"}) in page
    url = reverse("workspace:dossier_action", kwargs={"code": d.code, "action": "transfer"})
    client.post(url, {"transfer-version": d.version, "transfer-to_agency": world.department.pk,
                      "transfer-reason": "Thuộc thẩm quyền Sở"})
    d.refresh_from_db()
    assert d.handling_agency == world.department


def test_out_of_scope_dossier_is_404(world):
    d = receive(world)
    client = signed_in("tiepnhan2")
    assert client.get(reverse("workspace:dossier", kwargs={"code": d.code})).status_code == 404
    url = reverse("workspace:dossier_action", kwargs={"code": d.code, "action": "withdraw"})
    assert client.post(url, {"withdraw-version": 1, "withdraw-reason": "x"}).status_code == 404


def test_viewer_sees_masked_personal_data(world):
    d = receive(world, id_number="025090001234", phone="0912345678")
    body = signed_in("theodoi").get(reverse("workspace:dossier", kwargs={"code": d.code})).content.decode()
    assert "025090001234" not in body and "0912345678" not in body
    assert "*********234" in body
    assert "025090001234" in signed_in("tiepnhan").get(reverse("workspace:dossier", kwargs={"code": d.code})).content.decode()


def test_attachments_download_only_in_scope(world):
    d = s.dossier_receive(
        principal=world.reception, procedure=world.procedure, agency=world.commune, channel=Channel.COUNTER,
        applicant=citizen(), uploads=[s.Upload(name="Tờ khai", filename="to-khai.pdf", content=PDF)],
    ).dossier
    attachment = d.attachments.get()
    url = reverse("workspace:attachment", kwargs={"code": d.code, "pk": attachment.pk})
    response = signed_in("tiepnhan").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert signed_in("tiepnhan2").get(url).status_code == 404


# --- public tracking -----------------------------------------------------------------------


def returned(world) -> Dossier:
    d = receive(world, id_number="025090001234", name="Nguyễn Văn An")
    for principal, fn in [
        (world.specialist, s.dossier_forward), (world.head, s.dossier_forward), (world.leader, s.dossier_approve),
        (world.leader, sign), (world.clerk, finish), (world.reception, s.dossier_return),
    ]:
        fn(principal=principal, code=d.code)
    d.refresh_from_db()
    return d


def test_public_tracking_shows_the_masked_name_and_never_the_id_number(world):
    d = receive(world, id_number="025090001234", name="Nguyễn Văn An", phone="0912345678")
    response = Client().get(reverse("workspace:tracking"), {"code": d.code})
    body = response.content.decode()
    assert response.status_code == 200
    assert "N***** V** An" in body and "Nguyễn Văn An" not in body
    assert "025090001234" not in body and "1234" not in body.replace(d.code, "")
    assert "0912345678" not in body
    assert "Đã tiếp nhận" in body and world.procedure.name in body


def test_public_tracking_unknown_code(world):
    body = Client().get(reverse("workspace:tracking"), {"code": "H44.100-990101-0001"}).content.decode()
    assert "Không tìm thấy hồ sơ" in body


def test_rating_with_wrong_last4_is_refused_and_the_right_one_saves_once(world):
    d = returned(world)
    client = Client()
    url = reverse("workspace:tracking")
    assert 'name="last4"' in client.get(url, {"code": d.code}).content.decode()
    wrong = client.post(url, {"code": d.code, "last4": "9999", "rating": "satisfied"})
    assert wrong.status_code == 422
    assert "không khớp" in wrong.content.decode()
    d.refresh_from_db()
    assert d.rating == "" and not DossierEvent.objects.filter(dossier=d, action="rate").exists()
    right = client.post(url, {"code": d.code, "last4": "1234", "rating": "very_satisfied"}, follow=True)
    assert "Cảm ơn" in right.content.decode()
    d.refresh_from_db()
    assert d.rating == "very_satisfied"
    again = client.post(url, {"code": d.code, "last4": "1234", "rating": "unsatisfied"})
    assert again.status_code == 422
    d.refresh_from_db()
    assert d.rating == "very_satisfied"
    assert DossierEvent.objects.filter(dossier=d, action="rate").count() == 1


# --- languages -----------------------------------------------------------------------------


def test_english_switch_renders_english_labels(world):
    client = signed_in("tiepnhan")
    assert "Hồ sơ của tôi" in client.get(reverse("workspace:inbox")).content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": reverse("workspace:inbox")}, follow=True)
    body = response.content.decode()
    assert "My dossiers" in body and "Hồ sơ của tôi" not in body
    assert 'lang="en"' in body


def test_public_page_in_english_shows_english_status(world):
    d = receive(world)
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/tra-cuu/"})
    body = client.get(reverse("workspace:tracking"), {"code": d.code}).content.decode()
    assert "Track a dossier" in body and "Received" in body


def test_times_are_shown_in_vietnam_time(world):
    at = datetime(2026, 3, 2, 10, 0, tzinfo=VN)
    d = receive(world, at=at)
    body = signed_in("tiepnhan").get(reverse("workspace:dossier", kwargs={"code": d.code})).content.decode()
    assert "10:00 02/03/2026" in body and "10:00 05/03/2026" in body
