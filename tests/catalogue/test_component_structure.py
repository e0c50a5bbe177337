"""Components as structured rows: the document type and the number of copies read from the
catalogue's text when it is loaded (a table), kept across reloads once set."""

from __future__ import annotations

import pytest

from tinhso.catalogue.components import copies_of, document_type_of
from tinhso.catalogue.models import Procedure


@pytest.mark.parametrize(("text", "kind"), [
    ("Bản sao Giấy khai sinh hợp lệ", "giay_khai_sinh"),
    ("Thẻ căn cước công dân", "cccd"),
    ("Tờ khai đăng ký khai sinh theo mẫu", ""),
    ("Văn bản ủy quyền (nếu ủy quyền)", ""),
])
def test_document_type_of_the_text(text, kind):
    assert document_type_of(text) == kind


@pytest.mark.parametrize(("text", "copies"), [
    ("01 bản chính và 01 bản sao Giấy khai sinh", 2),
    ("Tờ khai (02 bản)", 2),
    ("Giấy chứng sinh", 1),
])
def test_copies_of_the_text(text, copies):
    assert copies_of(text) == copies


def test_loading_the_catalogue_types_its_components(world):
    typed = [c for p in Procedure.objects.all() for c in p.components.all() if c.document_type]
    assert typed, "no component of the sample catalogue was given a document type"
