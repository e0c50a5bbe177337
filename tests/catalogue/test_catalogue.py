"""Loading the procedure catalogue and its default workflows."""

from decimal import Decimal

import pytest

from tinhso.catalogue.models import Procedure
from tinhso.catalogue.services import catalogue_load, read_procedure_rows, sample_catalogue_path
from tinhso.core.errors import InvalidInput


def test_sample_catalogue_loads_35_real_procedures(db):
    """Loads the 35 sample procedures once; a second load changes nothing."""
    first = catalogue_load(rows=read_procedure_rows(sample_catalogue_path()))
    assert first["created"] == 35
    again = catalogue_load(rows=read_procedure_rows(sample_catalogue_path()))
    assert again == {"created": 0, "updated": 0, "unchanged": 35}
    birth = Procedure.objects.get(code="1.001193")
    assert birth.processing_unit == "same_day" and birth.level == "commune"
    assert any("Giấy chứng sinh" in c.name for c in birth.components.all())


def test_default_workflow_splits_the_legal_time(db):
    """Every procedure gets five steps whose budgets add up to the legal time in working hours."""
    catalogue_load(rows=read_procedure_rows(sample_catalogue_path()))
    marriage = Procedure.objects.get(code="1.000894")  # 1 working day = 8 working hours
    steps = list(marriage.steps.order_by("order"))
    assert [s.kind for s in steps] == ["appraise", "review", "approve", "sign", "issue"]
    assert [s.role for s in steps] == ["specialist", "head", "leader", "leader", "records_clerk"]
    assert sum(s.budget_hours for s in steps) == Decimal("8.00")


@pytest.mark.parametrize(
    "row, message",
    [
        ({"code": "", "level": "commune", "processing_unit": "working_days"}, "code is missing"),
        ({"code": "x", "level": "district", "processing_unit": "working_days"}, "level"),
        ({"code": "x", "level": "commune", "processing_unit": "weeks"}, "processing_unit"),
        ({"code": "x", "level": "commune", "processing_unit": "working_days", "processing_days": "three"}, "processing_days"),
    ],
)
def test_bad_row_names_its_line_and_writes_nothing(db, row, message):
    good = {"code": "9.000001", "name_vi": "Thủ tục tốt", "level": "commune", "processing_unit": "working_days",
            "processing_days": "2"}
    with pytest.raises(InvalidInput) as excinfo:
        catalogue_load(rows=[(2, good), (3, row)])
    assert "line 3" in excinfo.value.message and message in excinfo.value.message
    assert not Procedure.objects.exists()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("A; B", ["A", "B"]),
        ("Tờ khai (hai bên khai chung; hoặc mẫu điện tử); Giấy tờ", ["Tờ khai (hai bên khai chung; hoặc mẫu điện tử)", "Giấy tờ"]),
        ("A (x (y; z)); B;", ["A (x (y; z))", "B"]),
        ("", []),
    ],
)
def test_split_documents_keeps_parenthesised_semicolons(text, expected):
    from tinhso.catalogue.services import split_documents

    assert split_documents(text) == expected
