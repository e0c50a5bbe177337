"""The sign action signs an electronic result (the specialist's PDF, or one drawn from the
dossier) with the leader's key; the records clerk's finish adds the agency's seal; the signed
file is the dossier's newest result attachment and reaches the citizen's store. Without a key
registered for the leader the result stays unsigned; a registered key that cannot be used
refuses the sign."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.auth import get_user_model

from tests.factories import citizen, handed_in
from tests.signing.conftest import plain_pdf
from tinhso.audit.models import AuditEntry
from tinhso.citizens import services as cs
from tinhso.citizens.models import Citizen
from tinhso.core.errors import Conflict
from tinhso.dossiers import services as s
from tinhso.dossiers.models import AttachmentKind, Channel, Dossier, DossierEvent, Status
from tinhso.signing.keys import SigningKeyUnavailable
from tinhso.signing.models import IssuedDocument
from tinhso.signing.verification import verify_pdf


def at_sign_step(world) -> str:
    code = s.dossier_receive(
        principal=world.reception, procedure=world.procedure, agency=world.commune, channel=Channel.COUNTER,
        applicant=citizen(), components=handed_in(world.procedure),
    ).dossier.code
    s.dossier_forward(principal=world.specialist, code=code)
    s.dossier_forward(principal=world.head, code=code)
    s.dossier_approve(principal=world.leader, code=code)
    return code


def newest_result(code: str) -> bytes:
    attachment = Dossier.objects.get(code=code).attachments.filter(kind=AttachmentKind.RESULT).order_by("-id").first()
    assert attachment is not None
    with attachment.file.open("rb") as f:
        return bytes(f.read())


def test_leader_signs_a_result_drawn_from_the_dossier(world, pki):
    pki.key(agency=world.commune, user=world.leader.user)
    code = at_sign_step(world)
    s.dossier_sign(principal=world.leader, code=code, result_number="12/QĐ-UBND", result_kind="electronic")
    signed = newest_result(code)
    issued = IssuedDocument.objects.get(dossier__code=code)
    assert issued.sha256 == hashlib.sha256(signed).hexdigest() and issued.verified
    result = verify_pdf(signed)
    assert result.valid and result.issued_by_tinhso and result.dossier == code
    assert issued.number == "12/QĐ-UBND" and issued.agency == world.commune
    event = DossierEvent.objects.filter(dossier__code=code, action="sign").get()
    assert event.to_status == Status.IN_PROGRESS
    audit = AuditEntry.objects.filter(action="dossier.sign", object_id=code).get()
    assert audit.data["signed"] is True and audit.data["sha256"] == issued.sha256
    assert AuditEntry.objects.filter(action="signing.document_issued", object_id=str(issued.pk)).exists()


def test_leader_signs_the_specialists_uploaded_pdf(world, pki):
    pki.key(agency=world.commune, user=world.leader.user)
    code = at_sign_step(world)
    uploaded = plain_pdf("Giay phep xay dung")
    s.dossier_add_attachment(principal=world.specialist, code=code,
                             upload=s.Upload("Giấy phép", "gp.pdf", uploaded, kind=AttachmentKind.RESULT))
    s.dossier_sign(principal=world.leader, code=code, result_number="5/GP", result_kind="electronic")
    signed = newest_result(code)
    assert signed[: len(uploaded)] == uploaded  # an incremental update of the uploaded file
    assert verify_pdf(signed).valid


def test_clerk_seals_at_finish_and_the_citizen_store_gets_the_signed_file(world, pki, django_capture_on_commit_callbacks):
    pki.key(agency=world.commune, user=world.leader.user)
    pki.key(agency=world.commune, name="UBND phường Việt Trì", kind="seal")
    code = at_sign_step(world)
    user = get_user_model().objects.create_user(username="lan")
    lan = Citizen.objects.create(user=user, id_number="025090001234", full_name="Nguyễn Văn An", street="1",
                                 phone="", sources={})
    Dossier.objects.filter(code=code).update(applicant_account=user)
    s.dossier_sign(principal=world.leader, code=code, result_number="7/QĐ", result_kind="electronic")
    with django_capture_on_commit_callbacks(execute=True):
        s.dossier_finish(principal=world.clerk, code=code)
    sealed = newest_result(code)
    result = verify_pdf(sealed)
    assert len(result.signatures) == 2 and result.valid and result.issued_by_tinhso
    issued = IssuedDocument.objects.get(dossier__code=code)
    assert issued.sha256 == hashlib.sha256(sealed).hexdigest()
    d = Dossier.objects.get(code=code)
    [document] = cs.result_documents(lan, d)
    assert document.sha256 == issued.sha256


def test_a_signed_result_is_not_replaced_at_finish(world, pki):
    pki.key(agency=world.commune, user=world.leader.user)
    code = at_sign_step(world)
    s.dossier_sign(principal=world.leader, code=code, result_number="7/QĐ", result_kind="electronic")
    with pytest.raises(Conflict) as refused:
        s.dossier_finish(principal=world.clerk, code=code, result=s.Upload("Khác", "k.pdf", plain_pdf("khac"),
                                                                            kind=AttachmentKind.RESULT))
    assert refused.value.code == "result_already_signed"


def test_without_a_key_the_electronic_result_stays_unsigned(world, pki):
    code = at_sign_step(world)
    s.dossier_sign(principal=world.leader, code=code, result_number="7/QĐ", result_kind="electronic")
    assert not IssuedDocument.objects.exists()
    assert not Dossier.objects.get(code=code).attachments.filter(kind=AttachmentKind.RESULT).exists()
    audit = AuditEntry.objects.filter(action="dossier.sign", object_id=code).get()
    assert audit.data["signed"] is False and audit.data["signing"] == "no_key"


def test_a_paper_result_is_not_signed(world, pki):
    pki.key(agency=world.commune, user=world.leader.user)
    code = at_sign_step(world)
    s.dossier_sign(principal=world.leader, code=code, result_number="7/QĐ", result_kind="paper")
    assert not IssuedDocument.objects.exists()


def test_a_key_that_cannot_be_used_refuses_the_sign(world, pki, monkeypatch):
    key = pki.key(agency=world.commune, user=world.leader.user)
    monkeypatch.delenv(key.passphrase_variable)
    code = at_sign_step(world)
    version = Dossier.objects.get(code=code).version
    with pytest.raises(SigningKeyUnavailable) as refused:
        s.dossier_sign(principal=world.leader, code=code, result_number="7/QĐ", result_kind="electronic")
    assert refused.value.status == 409 and key.signer_name in refused.value.message
    d = Dossier.objects.get(code=code)
    assert d.version == version and d.current_step.kind == "sign" and not IssuedDocument.objects.exists()


def test_a_province_leader_key_signs_for_a_commune(world, pki):
    """A key registered at the agency above the dossier's (a province leader) is used."""
    pki.key(agency=world.province, user=world.province_leader.user, name="Chủ tịch tỉnh")
    code = at_sign_step(world)
    s.dossier_sign(principal=world.province_leader, code=code, result_number="7/QĐ", result_kind="electronic")
    assert IssuedDocument.objects.get(dossier__code=code).signer_name == "Chủ tịch tỉnh"


def _digitisation(world) -> dict[str, dict]:
    from datetime import timedelta

    from django.utils import timezone

    from tinhso.indicators.periods import parse_period
    from tinhso.indicators.selectors import service_index
    from tinhso.indicators.services import counters_from_dossiers, counters_live

    assert counters_live() == counters_from_dossiers()  # the live counters agree with a rebuild
    period = parse_period(timezone.localdate().strftime("%Y-%m"))
    index = service_index(root=world.commune, period=period, now=timezone.now() + timedelta(minutes=1))
    return {m["code"]: m for g in index["groups"] for m in g["metrics"]}


def test_original_results_and_certified_copies_count_only_validated_signatures(world, pki):
    """ORIGINAL_RESULT_AVAILABLE: n = finished dossiers whose electronic result tinhso signed and
    validated, d = finished dossiers; ELECTRONIC_CERTIFIED_COPY the same over the procedures that
    certify copies. An electronic result without a signature counts in d only."""
    world.procedure.certified_copy = True
    world.procedure.save(update_fields=["certified_copy"])
    unsigned = at_sign_step(world)  # no key yet: electronic, unsigned
    s.dossier_sign(principal=world.leader, code=unsigned, result_number="1/QĐ", result_kind="electronic")
    s.dossier_finish(principal=world.clerk, code=unsigned,
                     result=s.Upload("Bản sao", "bs.pdf", plain_pdf("ban sao"), kind=AttachmentKind.RESULT))
    pki.key(agency=world.commune, user=world.leader.user)
    signed = at_sign_step(world)
    s.dossier_sign(principal=world.leader, code=signed, result_number="2/QĐ", result_kind="electronic")
    s.dossier_finish(principal=world.clerk, code=signed)
    flags = dict(Dossier.objects.values_list("code", "result_original"))
    assert flags == {unsigned: False, signed: True}
    assert set(Dossier.objects.values_list("certified_copy", flat=True)) == {True}
    metrics = _digitisation(world)
    original, copies = metrics["ORIGINAL_RESULT_AVAILABLE"], metrics["ELECTRONIC_CERTIFIED_COPY"]
    assert (original["numerator"], original["denominator"], original["source"]) == (1, 2, "tinhso")
    assert (copies["numerator"], copies["denominator"], copies["source"]) == (1, 2, "tinhso")
    assert copies["score"] == 1.0  # min(2, 2 × 1/2)
