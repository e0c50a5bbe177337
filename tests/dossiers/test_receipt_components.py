"""The receipt's components: only required ones block a receipt, what was handed in is recorded
(quantity, original / certified copy / copy, paper / electronic), and every problem is reported
at once."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import ProcedureFactory, citizen, handed_in
from tinhso.audit.models import AuditEntry
from tinhso.core.errors import InvalidInput
from tinhso.dossiers import services as s
from tinhso.dossiers.components import ComponentReceipt, receipt_errors
from tinhso.dossiers.models import Channel, Dossier, ReceivedComponent

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=VN)

BIRTH = [
    "Tờ khai đăng ký khai sinh",
    "Giấy chứng sinh",
    "Văn bản ủy quyền (nếu ủy quyền)",
    "Biên bản về việc trẻ bị bỏ rơi (nếu có)",
    "Ảnh (không bắt buộc)",
]


@pytest.fixture
def birth(db):
    return ProcedureFactory(code="1.001193", name="Đăng ký khai sinh", components=BIRTH)


def receive(world, procedure, components, **applicant):
    return s.dossier_receive(
        principal=world.reception, procedure=procedure, agency=world.commune, channel=Channel.COUNTER,
        applicant=citizen(**applicant), components=components, at=MONDAY,
    )


def test_the_required_components_alone_are_enough(world, birth):
    """An ordinary birth registration: the two required papers, nothing conditional."""
    result = receive(world, birth, [ComponentReceipt(1), ComponentReceipt(2, 1, "certified_copy")])
    rows = list(result.dossier.received_components.values_list("order", "name", "requirement", "quantity",
                                                                 "copy_form", "medium"))
    assert rows == [
        (1, "Tờ khai đăng ký khai sinh", "required", 1, "original", "paper"),
        (2, "Giấy chứng sinh", "required", 1, "certified_copy", "paper"),
    ]
    assert AuditEntry.objects.get(action="dossier.receive").data["components"] == [
        [1, 1, "original", "paper"], [2, 1, "certified_copy", "paper"]]


def test_conditional_and_optional_ones_are_recorded_when_handed_in(world, birth):
    result = receive(world, birth, [ComponentReceipt(4, 2, "copy", "electronic"), ComponentReceipt(1),
                                    ComponentReceipt(2), ComponentReceipt(5, 3)])
    assert list(result.dossier.received_components.values_list("order", "quantity", "copy_form", "medium")) == [
        (1, 1, "original", "paper"), (2, 1, "original", "paper"), (4, 2, "copy", "electronic"),
        (5, 3, "original", "paper")]


def test_a_missing_required_component_blocks_the_receipt_and_writes_nothing(world, birth):
    with pytest.raises(InvalidInput) as exc:
        receive(world, birth, [ComponentReceipt(1), ComponentReceipt(3)])
    assert "2. Giấy chứng sinh" in exc.value.fields["components"]
    assert "Tờ khai" not in exc.value.fields["components"]
    assert not Dossier.objects.exists() and not ReceivedComponent.objects.exists()


def test_every_problem_is_reported_at_once(world, birth):
    """A bad ID number, a bad phone, a missing component, an unknown one, a duplicate, a zero
    quantity and an unknown form: one refusal naming all of them."""
    with pytest.raises(InvalidInput) as exc:
        receive(world, birth, [ComponentReceipt(1, 0), ComponentReceipt(9), ComponentReceipt(1),
                               ComponentReceipt(3, 1, "photocopy", "fax")],
                id_number="12345", phone="12")
    assert set(exc.value.fields) == {
        "applicant_id_number", "applicant_phone", "components", "components.0.quantity", "components.1.number",
        "components.2.number", "components.3.copy_form", "components.3.medium"}
    assert "8 chỗ cần sửa" in exc.value.message
    assert not Dossier.objects.exists()


def test_without_an_itemised_list_nothing_is_recorded(world, birth):
    """Callers that replay history (None) receive without a list; form 01 then shows the catalogue."""
    result = receive(world, birth, None)
    assert result.dossier.received_components.count() == 0


def test_the_workflow_factory_procedure_needs_both_of_its_papers(world):
    result = receive(world, world.procedure, handed_in(world.procedure))
    assert result.dossier.received_components.count() == 2


class _C:
    def __init__(self, order: int, name: str, requirement: str) -> None:
        self.order, self.name, self.requirement = order, name, requirement


CATALOGUE = [_C(1, "Tờ khai", "required"), _C(2, "Ủy quyền", "conditional"), _C(3, "CCCD", "required")]


@pytest.mark.parametrize(
    ("receipts", "expected"),
    [
        ([ComponentReceipt(1), ComponentReceipt(3)], set()),
        ([ComponentReceipt(3), ComponentReceipt(1), ComponentReceipt(2, 99)], set()),
        ([ComponentReceipt(1)], {"components"}),
        ([], {"components"}),
        ([ComponentReceipt(1), ComponentReceipt(3, 100)], {"components.1.quantity"}),
        ([ComponentReceipt(1), ComponentReceipt(3), ComponentReceipt(4)], {"components.2.number"}),
        ([ComponentReceipt(1), ComponentReceipt(3), ComponentReceipt(3)], {"components.2.number"}),
        ([ComponentReceipt(1, copy_form="x"), ComponentReceipt(3, medium="y")],
         {"components.0.copy_form", "components.1.medium"}),
    ],
)
def test_receipt_errors(receipts, expected):
    assert set(receipt_errors(CATALOGUE, receipts)) == expected
