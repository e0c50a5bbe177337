"""Signing requires the result's number; finishing with an electronic result requires its file."""

from __future__ import annotations

import pytest

from tests.factories import citizen, handed_in, result_file
from tinhso.core.errors import InvalidInput
from tinhso.dossiers import services as s
from tinhso.dossiers.models import AttachmentKind, Channel, Dossier, Status


def at_sign_step(world) -> str:
    code = s.dossier_receive(
        principal=world.reception, procedure=world.procedure, agency=world.commune, channel=Channel.COUNTER,
        applicant=citizen(), components=handed_in(world.procedure),
    ).dossier.code
    s.dossier_forward(principal=world.specialist, code=code)
    s.dossier_forward(principal=world.head, code=code)
    s.dossier_approve(principal=world.leader, code=code)
    return code


@pytest.mark.parametrize("number", ["", "   "])
def test_sign_without_the_results_number_is_refused(world, number):
    code = at_sign_step(world)
    version = Dossier.objects.get(code=code).version
    with pytest.raises(InvalidInput) as exc:
        s.dossier_sign(principal=world.leader, code=code, result_number=number)
    assert set(exc.value.fields) == {"result_number"}
    d = Dossier.objects.get(code=code)
    assert d.version == version and d.current_step.kind == "sign" and d.result_number == ""


def test_sign_reports_the_number_and_the_kind_together(world):
    code = at_sign_step(world)
    with pytest.raises(InvalidInput) as exc:
        s.dossier_sign(principal=world.leader, code=code, result_number="", result_kind="fax")
    assert set(exc.value.fields) == {"result_number", "result_kind"}


def test_sign_keeps_the_number_trimmed(world):
    code = at_sign_step(world)
    d = s.dossier_sign(principal=world.leader, code=code, result_number="  125/QĐ-UBND ").dossier
    assert d.result_number == "125/QĐ-UBND" and d.current_step.kind == "issue"


def test_an_electronic_result_cannot_finish_without_its_file(world):
    code = at_sign_step(world)
    s.dossier_sign(principal=world.leader, code=code, result_number="1/GCN", result_kind="electronic")
    with pytest.raises(InvalidInput) as exc:
        s.dossier_finish(principal=world.clerk, code=code)
    assert set(exc.value.fields) == {"result"}
    assert Dossier.objects.get(code=code).status == Status.IN_PROGRESS
    d = s.dossier_finish(principal=world.clerk, code=code, result=result_file()).dossier
    assert d.status == Status.PROCESSED
    assert d.attachments.filter(kind=AttachmentKind.RESULT).count() == 1


def test_a_result_file_attached_before_is_enough(world):
    code = at_sign_step(world)
    s.dossier_sign(principal=world.leader, code=code, result_number="1/GCN", result_kind="electronic")
    s.dossier_add_attachment(principal=world.clerk, code=code,
                             upload=s.Upload("Kết quả", "kq.pdf", result_file().content, True, AttachmentKind.RESULT))
    assert s.dossier_finish(principal=world.clerk, code=code).dossier.status == Status.PROCESSED


def test_a_paper_result_finishes_without_a_file(world):
    code = at_sign_step(world)
    s.dossier_sign(principal=world.leader, code=code, result_number="1/GCN", result_kind="paper")
    assert s.dossier_finish(principal=world.clerk, code=code).dossier.status == Status.PROCESSED
