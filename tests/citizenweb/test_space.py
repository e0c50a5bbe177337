"""The citizen's space (/cong-dan/): each page for its owner, 404 for another citizen, the sign-in
page for someone signed out; submission from a phone with a stored and an uploaded document,
drafts, a supplement answered online, results and documents downloaded, the profile edited."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import RESULT_PDF, finish, sign
from tinhso.citizens import services as cs
from tinhso.citizens.models import Citizen, Document, DocumentUse, Draft, FieldSource
from tinhso.dossiers import services as ds
from tinhso.dossiers.models import Attachment, Dossier, Status

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def make_citizen(username: str, *, name: str, id_number: str, phone: str, verified: bool = True) -> Citizen:
    user = get_user_model().objects.create_user(username=username)
    source = FieldSource.IDENTITY_PROVIDER if verified else FieldSource.DECLARED
    return Citizen.objects.create(
        user=user, full_name=name, id_number=id_number, phone=phone, street="Số 5 đường Hùng Vương",
        sources={"full_name": source, "id_number": source, "phone": FieldSource.DECLARED},
    )


def pdf(tag: str) -> bytes:
    return PDF + tag.encode()


@pytest.fixture
def lan(world) -> Citizen:
    return make_citizen("cd-lan", name="Nguyễn Thị Lan", id_number="025190001101", phone="0912000101")


@pytest.fixture
def binh(world) -> Citizen:
    return make_citizen("cd-binh", name="Trần Văn Bình", id_number="025088002202", phone="0912000102")


def client_for(citizen: Citizen) -> Client:
    client = Client()
    client.force_login(citizen.user)
    return client


@pytest.fixture
def procedure(world):
    """The world's procedure, online, its second component an ID card (`cccd`)."""
    second = world.procedure.components.order_by("order")[1]
    second.document_type = "cccd"
    second.save()
    return world.procedure


def store(citizen: Citizen, tag: str, document_type: str = "cccd", **fields: Any) -> Document:
    return cs.document_store(citizen=citizen, new=cs.NewFile(
        filename=f"{tag}.pdf", content=pdf(tag), name=f"Giấy {tag}", document_type=document_type, **fields))


def submitted(world, citizen: Citizen, procedure) -> Dossier:
    first, second = procedure.components.order_by("order")
    card = store(citizen, "cccd")
    result = cs.online_submit(
        citizen=citizen, procedure_code=procedure.code, agency_code=world.commune.code,
        picks={second.order: card.pk}, files={first.order: cs.NewFile("to-khai.pdf", content=pdf("to-khai"))},
    )
    return result.dossier


def test_the_submission_page_builds_a_block_per_component_and_files_with_a_stored_and_an_uploaded_document(
    world, procedure, lan
):
    client = client_for(lan)
    card = store(lan, "cccd")
    other = store(lan, "ho-khau", document_type="cu_tru")
    url = reverse("citizen:submit", kwargs={"procedure_code": procedure.code})
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    first, second = procedure.components.order_by("order")
    assert 'name="pick_2"' in html and 'name="file_1"' in html and 'name="file_2"' in html
    # every usable document is offered, the matching type first; the applicant from the profile
    assert html.index(f'id="pick-2-{card.pk}"') < html.index(f'id="pick-2-{other.pk}"')
    assert "Nguyễn Thị Lan" in html and "từ định danh điện tử" in html
    assert 'name="full_name"' not in html and 'name="id_number"' not in html
    assert world.commune.name in html

    upload = SimpleUploadedFile("to-khai.pdf", pdf("to-khai-moi"), content_type="application/pdf")
    response = client.post(url, {
        "agency": world.commune.code, f"pick_{second.order}": str(card.pk), f"file_{first.order}": upload,
        "summary": "Đăng ký kết hôn", "result_delivery": "electronic", "action": "submit",
    })
    dossier = Dossier.objects.get(applicant_account=lan.user)
    assert response.status_code == 302 and response["Location"] == reverse("citizen:submitted",
                                                                          kwargs={"code": dossier.code})
    assert dossier.status == Status.REGISTERED and dossier.applicant_verified and dossier.documents_reused
    attachments = {a.component_number: a for a in Attachment.objects.filter(dossier=dossier)}
    assert attachments[second.order].reused and attachments[second.order].sha256 == card.sha256
    assert not attachments[first.order].reused
    assert DocumentUse.objects.filter(dossier=dossier, document=card, reused=True).exists()
    assert Document.objects.filter(citizen=lan, filename="to-khai.pdf").exists()  # the upload went into the store
    confirmation = client.get(response["Location"])
    assert confirmation.status_code == 200 and dossier.code in confirmation.content.decode()
    assert "Tiếp theo là gì?" in confirmation.content.decode()


def test_a_missing_required_component_is_shown_next_to_it_and_nothing_is_created(world, procedure, lan):
    client = client_for(lan)
    first, second = procedure.components.order_by("order")
    upload = SimpleUploadedFile("to-khai.pdf", pdf("x"), content_type="application/pdf")
    response = client.post(reverse("citizen:submit", kwargs={"procedure_code": procedure.code}), {
        "agency": world.commune.code, f"file_{first.order}": upload, "action": "submit",
    })
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="component-{second.order}-error"' in html and f'id="component-{first.order}-error"' not in html
    assert "chọn lại tệp" in html
    assert not Dossier.objects.exists() and not Document.objects.exists()


def test_a_file_of_a_type_the_component_refuses_is_an_error_on_that_component(world, procedure, lan):
    client = client_for(lan)
    first, second = procedure.components.order_by("order")
    card = store(lan, "cccd")
    text = SimpleUploadedFile("to-khai.pdf", b"just some text, not a pdf", content_type="application/pdf")
    response = client.post(reverse("citizen:submit", kwargs={"procedure_code": procedure.code}), {
        "agency": world.commune.code, f"file_{first.order}": text, f"pick_{second.order}": card.pk, "action": "submit",
    })
    assert response.status_code == 422 and f'id="component-{first.order}-error"' in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_draft_keeps_the_choices_and_the_new_file_and_the_form_comes_back_restored(world, procedure, lan):
    client = client_for(lan)
    first, second = procedure.components.order_by("order")
    card = store(lan, "cccd")
    url = reverse("citizen:submit", kwargs={"procedure_code": procedure.code})
    upload = SimpleUploadedFile("to-khai.pdf", pdf("nhap"), content_type="application/pdf")
    response = client.post(url, {
        "agency": world.commune.code, f"pick_{second.order}": card.pk, f"file_{first.order}": upload,
        "summary": "Chưa xong", "result_delivery": "counter", "action": "draft",
    })
    assert response.status_code == 302 and response["Location"] == url
    draft = Draft.objects.get(citizen=lan, procedure=procedure)
    new = Document.objects.get(citizen=lan, filename="to-khai.pdf")
    assert draft.choices == {str(second.order): card.pk, str(first.order): new.pk}
    assert not Dossier.objects.exists()

    html = client.get(url).content.decode()
    assert "bản nháp" in html and "Chưa xong" in html
    assert f'value="{card.pk}" checked' in html and f'value="{new.pk}" checked' in html
    assert 'value="counter" checked' in html and f'value="{world.commune.code}" selected' in html
    assert "cd-lan" not in html
    home = client.get(reverse("citizen:home")).content.decode()
    assert procedure.name in home and reverse("citizen:draft_delete", kwargs={"draft_id": draft.pk}) in home

    # submitting from the restored draft: the draft goes away
    response = client.post(url, {"agency": world.commune.code, f"pick_{second.order}": card.pk,
                                 f"pick_{first.order}": new.pk, "action": "submit"})
    assert response.status_code == 302 and not Draft.objects.filter(citizen=lan).exists()
    assert Dossier.objects.get(applicant_account=lan.user).documents_reused


def test_a_supplement_request_is_answered_online_and_the_clock_resumes(world, procedure, lan):
    d = submitted(world, lan, procedure)
    ds.dossier_accept(principal=world.reception, code=d.code)
    ds.dossier_request_supplement(principal=world.specialist, code=d.code, reason="Ảnh căn cước bị mờ.",
                                  documents=["Căn cước rõ nét"])
    client = client_for(lan)
    home = client.get(reverse("citizen:home")).content.decode()
    assert reverse("citizen:supplement", kwargs={"code": d.code}) in home and "Cần bổ sung giấy tờ" in home
    page = client.get(reverse("citizen:dossier", kwargs={"code": d.code})).content.decode()
    assert "Ảnh căn cước bị mờ." in page and "Căn cước rõ nét" in page and "tiepnhan" not in page
    assert reverse("citizen:form_pdf", kwargs={"code": d.code, "form": "02"}) in page

    url = reverse("citizen:supplement", kwargs={"code": d.code})
    assert client.get(url).status_code == 200
    empty = client.post(url, {"note": "?"})
    assert empty.status_code == 422
    second = procedure.components.order_by("order")[1]
    upload = SimpleUploadedFile("cccd-ro.pdf", pdf("ro-net"), content_type="application/pdf")
    response = client.post(url, {f"file_{second.order}": upload, "note": "Gửi lại ảnh rõ hơn."})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.IN_PROGRESS and d.paused_at is None
    assert d.attachments.filter(kind="supplement", component_number=second.order).exists()
    assert "Gửi lại ảnh rõ hơn." in client.get(reverse("citizen:dossier", kwargs={"code": d.code})).content.decode()


def _finished(world, d: Dossier) -> None:
    code = d.code
    ds.dossier_accept(principal=world.reception, code=code)
    ds.dossier_forward(principal=world.specialist, code=code)
    ds.dossier_forward(principal=world.head, code=code)
    ds.dossier_approve(principal=world.leader, code=code)
    sign(principal=world.leader, code=code, result_kind="electronic")
    finish(principal=world.clerk, code=code)
    ds.dossier_return(principal=world.reception, code=code)


def test_the_result_is_downloaded_by_its_owner_only_and_then_rated(world, procedure, lan, binh):
    d = submitted(world, lan, procedure)
    _finished(world, d)
    cs.result_deliver(Dossier.objects.get(pk=d.pk))
    result = Document.objects.get(citizen=lan, result_of=d)
    url = reverse("citizen:result_file", kwargs={"code": d.code, "document_id": result.pk})
    client = client_for(lan)
    page = client.get(reverse("citizen:dossier", kwargs={"code": d.code})).content.decode()
    assert url in page and "Mời đánh giá" not in page and 'name="rating"' in page
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == RESULT_PDF
    assert response["Content-Disposition"].startswith("attachment") and response["X-Content-Type-Options"] == "nosniff"
    assert client_for(binh).get(url).status_code == 404
    # the result is in the store and cannot be deleted
    assert client.get(reverse("citizen:document_file", kwargs={"document_id": result.pk})).status_code == 200
    assert client.post(reverse("citizen:document_delete", kwargs={"document_id": result.pk})).status_code == 409

    rated = client.post(reverse("citizen:dossier", kwargs={"code": d.code}), {"action": "rate", "rating": "satisfied"})
    assert rated.status_code == 302
    assert Dossier.objects.get(pk=d.pk).rating == "satisfied"


def test_a_document_is_added_listed_and_deleted_and_the_dossier_keeps_its_copy(world, procedure, lan, binh):
    client = client_for(lan)
    upload = SimpleUploadedFile("cccd.pdf", pdf("them"), content_type="application/pdf")
    response = client.post(reverse("citizen:document_add"), {
        "file": upload, "name": "Căn cước của tôi", "document_type": "cccd", "number": "025190001101",
        "issuer": "Cục Cảnh sát QLHC về TTXH", "issued_on": "2021-04-02", "expires_on": "2036-04-02",
    })
    assert response.status_code == 302
    document = Document.objects.get(citizen=lan, name="Căn cước của tôi")
    expired = store(lan, "cu", expires_on=__import__("datetime").date(2020, 1, 1), issued_on=None)
    listing = client.get(reverse("citizen:documents")).content.decode()
    assert "Căn cước của tôi" in listing and "Đã hết hạn" in listing
    # an expired document is not offered for a new dossier
    form = client.get(reverse("citizen:submit", kwargs={"procedure_code": procedure.code})).content.decode()
    assert f'value="{document.pk}"' in form and f'value="{expired.pk}"' not in form

    first, second = procedure.components.order_by("order")
    cs.online_submit(citizen=lan, procedure_code=procedure.code, agency_code=world.commune.code,
                     picks={first.order: document.pk, second.order: document.pk})
    delete_url = reverse("citizen:document_delete", kwargs={"document_id": document.pk})
    assert client_for(binh).post(delete_url).status_code == 404
    assert client.get(delete_url).status_code == 200
    assert client.post(delete_url).status_code == 302
    assert client.get(reverse("citizen:document_file", kwargs={"document_id": document.pk})).status_code == 404
    kept = Attachment.objects.filter(sha256=document.sha256).first()
    with kept.file.open("rb") as f:
        assert f.read() == pdf("them")


def test_a_bad_upload_to_the_store_is_shown_on_the_form(world, lan):
    client = client_for(lan)
    upload = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a document", content_type="application/pdf")
    response = client.post(reverse("citizen:document_add"), {"file": upload})
    assert response.status_code == 422 and not Document.objects.exists()
    assert "field-error" in response.content.decode() or "form-errors" in response.content.decode()


def test_the_profile_edit_refuses_fields_from_the_identity_provider(world, lan):
    client = client_for(lan)
    page = client.get(reverse("citizen:profile_edit")).content.decode()
    assert 'name="full_name"' not in page and 'name="id_number"' not in page and 'name="street"' in page
    refused = client.post(reverse("citizen:profile_edit"), {"full_name": "Người Khác", "street": "Số 7"})
    assert refused.status_code == 422
    lan.refresh_from_db()
    assert lan.full_name == "Nguyễn Thị Lan" and lan.street == "Số 5 đường Hùng Vương"


def test_the_profile_edit_saves_declared_fields(world, lan):
    pytest.importorskip("tinhso.citizens.accounts", reason="citizen_update_profile (sign-in helper) not there yet")
    client = client_for(lan)
    response = client.post(reverse("citizen:profile_edit"), {"street": "Số 7 ngõ 3", "email": "lan@example.vn",
                                                            "phone": lan.phone})
    assert response.status_code == 302, response.content.decode()[:2000]
    lan.refresh_from_db()
    assert lan.street == "Số 7 ngõ 3" and lan.email == "lan@example.vn"
    assert "Số 7 ngõ 3" in client.get(reverse("citizen:profile")).content.decode()


def test_a_dossier_is_withdrawn_with_a_reason_after_a_confirmation(world, procedure, lan, binh):
    d = submitted(world, lan, procedure)
    url = reverse("citizen:withdraw", kwargs={"code": d.code})
    client = client_for(lan)
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "Nộp nhầm"}).status_code == 422  # not confirmed
    assert client_for(binh).post(url, {"reason": "x", "confirm": "on"}).status_code == 404
    assert client.post(url, {"reason": "Nộp nhầm", "confirm": "on"}).status_code == 302
    assert Dossier.objects.get(pk=d.pk).status == Status.WITHDRAWN


def test_the_result_delivery_choice_is_saved_with_the_address_prefilled(world, procedure, lan):
    d = submitted(world, lan, procedure)
    client = client_for(lan)
    page = client.get(reverse("citizen:dossier", kwargs={"code": d.code})).content.decode()
    assert "Số 5 đường Hùng Vương" in page
    response = client.post(reverse("citizen:dossier", kwargs={"code": d.code}),
                           {"action": "delivery", "delivery": "post", "address": ""})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.result_delivery == "post" and "Số 5 đường Hùng Vương" in d.result_delivery_address


# --- every page: the owner, another citizen, someone signed out ---------------------------------


def _pages(world, procedure, lan) -> tuple[list[str], list[str]]:
    """(pages of no one's object, pages of lan's objects)."""
    d = submitted(world, lan, procedure)
    ds.dossier_accept(principal=world.reception, code=d.code)
    document = Document.objects.filter(citizen=lan).first()
    draft = cs.draft_save(citizen=lan, procedure_code=procedure.code)
    general = [reverse(n) for n in ("citizen:home", "citizen:dossiers", "citizen:documents", "citizen:document_add",
                                    "citizen:profile", "citizen:profile_edit")]
    general.append(reverse("citizen:submit", kwargs={"procedure_code": procedure.code}))
    own = [reverse(n, kwargs={"code": d.code}) for n in ("citizen:dossier", "citizen:submitted", "citizen:supplement",
                                                          "citizen:withdraw")]
    own += [reverse("citizen:form_pdf", kwargs={"code": d.code, "form": "01"}),
            reverse("citizen:document_file", kwargs={"document_id": document.pk}),
            reverse("citizen:document_delete", kwargs={"document_id": document.pk}),
            reverse("citizen:draft_delete", kwargs={"draft_id": draft.pk})]
    return general, own


def test_every_page_answers_its_owner_404s_another_citizen_and_sends_the_signed_out_to_sign_in(
    world, procedure, lan, binh
):
    general, own = _pages(world, procedure, lan)
    owner, other, anonymous = client_for(lan), client_for(binh), Client()
    for url in general + own:
        response = owner.get(url)
        assert response.status_code == 200, url
        signed_out = anonymous.get(url)
        assert signed_out.status_code == 302 and "/cong-dan/dang-nhap/" in signed_out["Location"], url
    for url in general:
        assert other.get(url).status_code == 200, url
    for url in own:
        assert other.get(url).status_code == 404, url
    pdf_page = owner.get(own[4])
    assert pdf_page["Content-Type"] == "application/pdf" and pdf_page["Content-Disposition"].startswith("attachment")
    assert owner.get(reverse("citizen:form_pdf", kwargs={"code": own[0].split("/")[-2], "form": "03"})).status_code == 404


def test_a_staff_account_is_not_a_citizen(world, procedure):
    staff = Client()
    staff.force_login(world.reception.user)
    response = staff.get(reverse("citizen:home"))
    assert response.status_code in (302, 403, 404)


def test_a_procedure_not_online_says_so(world, lan):
    from tests.factories import ProcedureFactory

    counter_only = ProcedureFactory(code="9.999999", online_level="none")
    response = client_for(lan).get(reverse("citizen:submit", kwargs={"procedure_code": counter_only.code}))
    assert response.status_code == 409 and "trực tiếp" in response.content.decode()
    assert client_for(lan).get(reverse("citizen:submit", kwargs={"procedure_code": "0.000000"})).status_code == 404


def test_hostile_query_strings_on_the_citizen_pages_never_cause_a_server_error(world, procedure, lan):
    from urllib.parse import quote

    general, own = _pages(world, procedure, lan)
    client = Client(raise_request_exception=False)
    client.force_login(lan.user)
    values = ["\x00", "-1", str(2**70), "NaN", "x" * 5000, "//evil.example", "../../etc/passwd", "🙂" * 50, "%"]
    for url in general + own:
        for value in values:
            response = client.get(f"{url}?page={quote(value)}&next={quote(value)}&q={quote(value)}")
            assert response.status_code < 500, (url, value, response.status_code)


def test_a_file_over_the_upload_limit_is_refused_on_its_component(world, procedure, lan, settings):
    settings.TINHSO_MAX_ATTACHMENT_BYTES = 1024 * 1024
    client = client_for(lan)
    first, second = procedure.components.order_by("order")
    card = store(lan, "cccd")
    big = SimpleUploadedFile("to-khai.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    page = client.get(reverse("citizen:submit", kwargs={"procedure_code": procedure.code})).content.decode()
    assert "Tối đa 1 MB" in page
    response = client.post(reverse("citizen:submit", kwargs={"procedure_code": procedure.code}), {
        "agency": world.commune.code, f"file_{first.order}": big, f"pick_{second.order}": card.pk, "action": "submit",
    })
    assert response.status_code == 422
    assert f'id="component-{first.order}-error"' in response.content.decode() and "quá lớn" in response.content.decode()
    assert not Dossier.objects.exists() and Document.objects.filter(citizen=lan).count() == 1
