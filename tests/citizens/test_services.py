"""The citizen's services through the one door: submission with a reused and an uploaded
document, the checks that write nothing, the supplement answered online, the result delivered
into the store, the document store's delete, and another citizen's things as NotFound."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.factories import finish, sign
from tinhso.citizens import services as cs
from tinhso.citizens.models import Citizen, Document, DocumentOrigin, DocumentUse, Draft
from tinhso.core.errors import Conflict, InvalidInput, NotFound
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Dossier, Status

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def make_citizen(username: str, id_number: str, name: str) -> Citizen:
    user = get_user_model().objects.create_user(username=username)
    return Citizen.objects.create(
        user=user, id_number=id_number, full_name=name, street="12 Hùng Vương", phone="",
        sources={"id_number": "identity_provider", "full_name": "identity_provider"},
    )


@pytest.fixture
def lan(db):
    return make_citizen("lan", "025090001234", "Trần Thị Lan")


@pytest.fixture
def binh(db):
    return make_citizen("binh", "025090009999", "Lê Văn Bình")


def stored(citizen: Citizen, content: bytes = PDF, **kw) -> Document:
    kw.setdefault("name", "Căn cước")
    return cs.document_store(citizen=citizen, new=cs.NewFile(filename=kw.pop("filename", "cccd.pdf"), content=content, **kw))


def components(world):
    return list(world.procedure.components.order_by("order"))


def submit(world, citizen, **kw):
    first, second = components(world)
    kw.setdefault("picks", {first.order: stored(citizen).pk})
    kw.setdefault("files", {second.order: cs.NewFile(filename="to-khai.pdf", content=PDF + b"new")})
    return cs.online_submit(citizen=citizen, procedure_code=world.procedure.code, agency_code=world.commune.code, **kw)


def test_submit_with_a_stored_and_a_new_document(world, lan):
    first, second = components(world)
    cs.draft_save(citizen=lan, procedure_code=world.procedure.code, agency_code=world.commune.code)
    assert Draft.objects.filter(citizen=lan).count() == 1
    result = submit(world, lan)
    d = result.dossier
    d.refresh_from_db()
    assert d.status == Status.REGISTERED and d.channel == 2
    assert d.applicant_name == "Trần Thị Lan" and d.applicant_id_number == "025090001234"
    assert d.applicant_account == lan.user and d.applicant_verified
    assert d.documents_required and d.documents_reused
    by_component = {a.component_number: a for a in d.attachments.all()}
    assert by_component[first.order].reused and not by_component[second.order].reused
    uses = {u.document.filename: u.reused for u in DocumentUse.objects.filter(dossier=d)}
    assert uses == {"cccd.pdf": True, "to-khai.pdf": False}
    assert not Draft.objects.filter(citizen=lan).exists()
    assert cs.documents_of(lan).count() == 2  # the new upload went into the store


def test_a_missing_required_component_writes_nothing(world, lan):
    first, second = components(world)
    with pytest.raises(InvalidInput) as exc:
        cs.online_submit(citizen=lan, procedure_code=world.procedure.code, agency_code=world.commune.code,
                         files={first.order: cs.NewFile(filename="a.pdf", content=PDF)})
    assert f"components.{second.order}" in exc.value.fields
    assert not Dossier.objects.exists() and not Document.objects.exists()


def test_wrong_type_expired_and_foreign_documents_are_refused(world, lan, binh):
    first, second = components(world)
    first.file_types = "pdf"
    first.save(update_fields=["file_types"])
    png = stored(lan, PNG, filename="anh.png")
    with pytest.raises(InvalidInput) as exc:
        submit(world, lan, picks={first.order: png.pk})
    assert f"components.{first.order}" in exc.value.fields
    old = stored(lan, PDF + b"old", expires_on=timezone.localdate() - timedelta(days=1), issued_on=date(2020, 1, 1))
    assert old not in cs.documents_usable(lan)
    with pytest.raises(InvalidInput) as exc:
        submit(world, lan, picks={first.order: old.pk})
    assert f"components.{first.order}" in exc.value.fields
    theirs = stored(binh, PDF + b"binh")
    with pytest.raises(InvalidInput) as exc:
        submit(world, lan, picks={first.order: theirs.pk})
    assert f"components.{first.order}" in exc.value.fields
    assert not Dossier.objects.exists()


def test_supplement_answered_online_and_result_into_the_store(world, lan, django_capture_on_commit_callbacks):
    code = submit(world, lan).dossier.code
    s.dossier_accept(principal=world.reception, code=code)
    s.dossier_request_supplement(principal=world.reception, code=code, reason="Thiếu bản sao")
    d = cs.dossier_of(lan, code)
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.paused_at is not None
    assert cs.expected_now(d) == "supplement"
    first, _second = components(world)
    cs.supplement_answer(citizen=lan, code=code, files={first.order: cs.NewFile(filename="bs.pdf", content=PDF + b"bs")})
    d.refresh_from_db()
    assert d.status == Status.IN_PROGRESS and d.paused_at is None
    s.dossier_forward(principal=world.specialist, code=code)
    s.dossier_forward(principal=world.head, code=code)
    s.dossier_approve(principal=world.leader, code=code)
    sign(principal=world.leader, code=code, result_kind="electronic")
    with django_capture_on_commit_callbacks(execute=True):
        finish(principal=world.clerk, code=code)
    d.refresh_from_db()
    assert d.result_in_store
    [result] = cs.result_documents(lan, d)
    assert result.origin == DocumentOrigin.RESULT
    with result.file.open("rb") as f:
        assert f.read().startswith(b"%PDF")
    with pytest.raises(Conflict):
        cs.document_delete(citizen=lan, document_id=result.pk)


def test_a_document_given_again_for_the_supplement_lists_its_dossier_once(world, lan):
    first, _second = components(world)
    cccd = stored(lan)
    code = submit(world, lan, picks={first.order: cccd.pk}).dossier.code
    s.dossier_accept(principal=world.reception, code=code)
    s.dossier_request_supplement(principal=world.reception, code=code, reason="Bản chụp mờ")
    cs.supplement_answer(citizen=lan, code=code, picks={first.order: cccd.pk})
    assert DocumentUse.objects.filter(document=cccd).count() == 2  # both uses are recorded
    assert [d.code for d in cs.document_dossiers(cccd)] == [code]  # the citizen sees the dossier once
    other = submit(world, lan, picks={first.order: cccd.pk}).dossier.code
    assert [d.code for d in cs.document_dossiers(cccd)] == [other, code]  # most recent first


def test_the_sweep_catches_up_a_missed_delivery(world, lan):
    code = submit(world, lan).dossier.code
    s.dossier_accept(principal=world.reception, code=code)
    s.dossier_forward(principal=world.specialist, code=code)
    s.dossier_forward(principal=world.head, code=code)
    s.dossier_approve(principal=world.leader, code=code)
    sign(principal=world.leader, code=code, result_kind="electronic")
    finish(principal=world.clerk, code=code)  # the on-commit delivery never runs here
    assert not Dossier.objects.get(code=code).result_in_store
    assert cs.results_deliver_pending() == 1
    assert Dossier.objects.get(code=code).result_in_store
    assert cs.results_deliver_pending() == 0


def test_deleting_an_upload_hides_it_and_the_dossier_keeps_its_copy(world, lan):
    code = submit(world, lan).dossier.code
    document = cs.documents_of(lan).get(filename="cccd.pdf")
    cs.document_delete(citizen=lan, document_id=document.pk)
    assert not cs.documents_of(lan).filter(pk=document.pk).exists()
    attachment = Dossier.objects.get(code=code).attachments.get(sha256=document.sha256)
    with attachment.file.open("rb") as f:
        assert f.read() == PDF


def test_result_delivery_by_post_uses_the_profile_address(world, lan):
    code = submit(world, lan).dossier.code
    d = cs.result_delivery_choose(citizen=lan, code=code, delivery="post")
    assert d.result_delivery == "post" and d.result_delivery_address == lan.address


def test_another_citizen_gets_not_found_everywhere(world, lan, binh):
    code = submit(world, lan).dossier.code
    document = cs.documents_of(lan).first()
    draft = cs.draft_save(citizen=lan, procedure_code=world.procedure.code)
    calls = [
        lambda: cs.dossier_of(binh, code),
        lambda: cs.document_of(binh, document.pk),
        lambda: cs.document_delete(citizen=binh, document_id=document.pk),
        lambda: cs.draft_delete(citizen=binh, draft_id=draft.pk),
        lambda: cs.supplement_answer(citizen=binh, code=code, files={1: cs.NewFile(filename="x.pdf", content=PDF)}),
        lambda: cs.result_delivery_choose(citizen=binh, code=code, delivery="counter"),
        lambda: cs.dossier_rate(citizen=binh, code=code, rating="satisfied"),
        lambda: cs.dossier_withdraw(citizen=binh, code=code, reason="không phải của tôi"),
        lambda: cs.draft_save(citizen=binh, procedure_code=world.procedure.code, picks={1: document.pk}),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    assert cs.dossiers_of(binh).count() == 0 and cs.documents_of(binh).count() == 0


def test_storing_again_what_was_deleted_brings_the_file_back(lan):
    document = stored(lan, PDF + b"again")
    cs.document_delete(citizen=lan, document_id=document.pk)  # used nowhere: the file is removed
    again = stored(lan, PDF + b"again")
    assert again.pk == document.pk and again.deleted_at is None
    with cs.document_of(lan, again.pk).file.open("rb") as f:
        assert f.read() == PDF + b"again"
