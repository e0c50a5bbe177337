"""Which procedures issue electronic certified copies (chứng thực bản sao điện tử từ bản chính):
read from the name on load (a table), kept as the administrator sets it afterwards."""

from __future__ import annotations

import pytest

from tinhso.catalogue.components import issues_certified_copies
from tinhso.catalogue.models import Procedure
from tinhso.catalogue.services import catalogue_load, read_procedure_rows, sample_catalogue_path


@pytest.mark.parametrize(("name", "certifies"), [
    ("Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền cấp", True),
    ("CHỨNG THỰC BẢN SAO từ bản chính", True),
    ("chung thuc ban sao dien tu tu ban chinh", True),
    ("Chứng thực chữ ký trong các giấy tờ, văn bản", False),
    ("Cấp bản sao trích lục hộ tịch", False),
    ("Đăng ký khai sinh", False),
])
def test_certified_copy_procedures_by_name(name, certifies):
    assert issues_certified_copies(name) is certifies


def test_the_sample_catalogue_marks_its_certified_copy_procedure(db):
    catalogue_load(rows=read_procedure_rows(sample_catalogue_path()))
    marked = set(Procedure.objects.filter(certified_copy=True).values_list("code", flat=True))
    assert "2.000815" in marked and "1.001193" not in marked
    Procedure.objects.filter(code="2.000815").update(certified_copy=False)  # the administrator says no
    catalogue_load(rows=read_procedure_rows(sample_catalogue_path()))
    assert not Procedure.objects.get(code="2.000815").certified_copy  # a reload keeps the decision
