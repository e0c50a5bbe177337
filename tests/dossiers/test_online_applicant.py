"""An online applicant at the one door: the dossier is theirs, they act on it alone, uploads
stream or reuse a stored file, and the officer's acceptance itemises what they sent."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from tests.factories import citizen
from tinhso.agencies.principals import Principal
from tinhso.core.errors import NotFound, PermissionDenied
from tinhso.dossiers import services as s
from tinhso.dossiers.models import Attachment, Medium, ReceivedComponent, Status

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MON = datetime(2026, 3, 2, 10, tzinfo=VN)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _applicant(name: str) -> Principal:
    return Principal.for_applicant(get_user_model().objects.create_user(username=name))


def _submit(world, who: Principal, uploads: list[s.Upload]) -> str:
    return s.dossier_submit(principal=who, procedure=world.procedure, agency=world.commune, applicant=citizen(),
                            uploads=uploads, at=MON, applicant_verified=True).dossier.code


def test_the_online_applicant_owns_the_dossier_and_alone_acts_on_it(world):
    lan, binh = _applicant("lan"), _applicant("binh")
    first = world.procedure.components.order_by("order").first()
    streamed = s.Upload("Tờ khai", "to-khai.pdf", file=ContentFile(PDF + b"x" * 200_000), component=first.order)
    code = _submit(world, lan, [streamed])
    d = world.procedure.dossiers.get(code=code)
    assert d.status == Status.REGISTERED and d.applicant_account == lan.user and d.applicant_verified
    assert d.documents_required and not d.documents_reused
    attachment = d.attachments.get()
    assert attachment.size == len(PDF) + 200_000 and attachment.content_type == "application/pdf"
    assert attachment.component_number == first.order and not attachment.reused

    with pytest.raises(NotFound):  # another applicant: as if it did not exist
        s.dossier_withdraw(principal=binh, code=code, reason="không phải của tôi")
    with pytest.raises(PermissionDenied):  # the applicant's moves only
        s.dossier_accept(principal=lan, code=code)

    s.dossier_accept(principal=world.reception, code=code, at=MON)
    received = list(ReceivedComponent.objects.filter(dossier=d))
    assert [(r.order, r.medium) for r in received] == [(first.order, Medium.ELECTRONIC)]
    s.dossier_withdraw(principal=lan, code=code, reason="Tôi nộp nhầm thủ tục")
    d.refresh_from_db()
    assert d.status == Status.WITHDRAWN and d.events.last().actor == lan.user


def test_a_stored_file_is_pointed_at_not_copied(world):
    lan = _applicant("lan")
    code = _submit(world, lan, [s.Upload("Tờ khai", "to-khai.pdf", PDF)])
    stored_att = Attachment.objects.get(dossier__code=code)
    stored = s.StoredFile(name=stored_att.file.name, sha256=stored_att.sha256, size=stored_att.size,
                          content_type=stored_att.content_type)
    again = _submit(world, lan, [s.Upload("CCCD", "cccd.pdf", stored=stored)])
    reused = Attachment.objects.get(dossier__code=again)
    assert reused.reused and reused.file.name == stored_att.file.name
    assert world.procedure.dossiers.get(code=again).documents_reused
    with reused.file.open("rb") as f:
        assert f.read() == PDF
