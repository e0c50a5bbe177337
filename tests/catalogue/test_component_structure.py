"""Components as structured rows: the document type and the number of copies read from the
catalogue's text when it is loaded (tables, on real texts of the sample catalogue), kept across
reloads once set; the vocabulary is the one the citizen's document store uses; the admin edits it."""

from __future__ import annotations

import pytest

from tinhso.catalogue.admin import ComponentInline
from tinhso.catalogue.components import DOCUMENT_TYPES, DocumentKind, copies_of, document_type_of
from tinhso.catalogue.models import Component, DocumentType, Procedure
from tinhso.catalogue.services import catalogue_load, read_procedure_rows, sample_catalogue_path
from tinhso.citizenweb import forms as citizen_forms


@pytest.mark.parametrize(("text", "kind"), [
    ("Bản sao Giấy khai sinh hợp lệ", "giay_khai_sinh"),
    ("Bản sao Giấy khai sinh hợp lệ hoặc giấy tờ có giá trị thay thế", "giay_khai_sinh"),
    ("Giấy khai sinh của trẻ em (đối với trẻ em, người đơn thân nghèo đang nuôi con)", "giay_khai_sinh"),
    ("Thẻ căn cước công dân", "cccd"),
    ("Căn cước công dân", "cccd"),
    ("CCCD", "cccd"),
    ("Thẻ căn cước", "cccd"),
    ("Bản sao CHỨNG MINH NHÂN DÂN", "cccd"),
    ("Giấy tờ tùy thân (hộ chiếu/thẻ căn cước/CCCD) – xuất trình, hoặc cung cấp số định danh cá nhân", "cccd"),
    ("Bản sao thẻ căn cước/CCCD hoặc hộ chiếu của người được cấp Phiếu", "cccd"),
    ("Bản sao hộ chiếu/giấy tờ thay thế của người nước ngoài", "ho_chieu"),
    ("Giấy chứng sinh (không có thì văn bản của người làm chứng hoặc giấy cam đoan về việc sinh)", "chung_sinh"),
    ("Dữ liệu điện tử Giấy chứng sinh (hoặc bản điện tử giấy tờ thay Giấy chứng sinh)", "chung_sinh"),
    ("Giấy xác nhận tình trạng hôn nhân đã cấp trước đây (nếu xin cấp lại)", "tinh_trang_hon_nhan"),
    ("Giấy chứng nhận kết hôn", "ket_hon"),
    ("Giấy xác nhận thông tin về cư trú", "cu_tru"),
    ("Bản sao Giấy phép lái xe", "giay_phep_lai_xe"),
    # Forms to fill in are no stored document, even when they name one.
    ("Tờ khai đăng ký khai sinh (hoặc mẫu hộ tịch điện tử tương tác khi nộp trực tuyến)", ""),
    ("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân (hoặc mẫu điện tử tương tác khi nộp trực tuyến)", ""),
    ("Phiếu thu nhận thông tin căn cước (Mẫu CC01, Thông tư 118/2026/TT-BCA)", ""),
    ("Đơn đề nghị cấp giấy phép xây dựng (Mẫu số 1 Phụ lục II Nghị định 175/2024/NĐ-CP)", ""),
    ("Văn bản ủy quyền (nếu ủy quyền)", ""),
    ("02 bộ bản vẽ thiết kế xây dựng", ""),
    ("", ""),
])
def test_document_type_of_the_text(text, kind):
    assert document_type_of(text) == kind


def test_the_notes_may_name_the_document_type():
    assert document_type_of("Giấy tờ chứng minh nhân thân", notes="Bản sao hộ chiếu") == "ho_chieu"


@pytest.mark.parametrize(("text", "copies"), [
    ("01 bản chính và 01 bản sao Giấy khai sinh", 2),
    ("02 bản", 2),
    ("Tờ khai (02 bản)", 2),
    ("02 bộ bản vẽ thiết kế xây dựng", 2),
    ("Hai bản sao Giấy chứng nhận kết hôn", 2),
    ("03 bản sao có chứng thực", 3),
    ("Giấy chứng sinh", 1),
    ("Bản sao Giấy khai sinh", 1),
    ("Mẫu số 25", 1),
    ("Thông tư 53/2025/TT-BCA", 1),
    ("999 bản", 20),  # a typo in the catalogue is capped
])
def test_copies_of_the_text(text, copies):
    assert copies_of(text) == copies


def test_the_vocabulary_is_one_list_shared_with_the_citizens_store():
    codes = [code for code, _label in DOCUMENT_TYPES]
    assert codes == [k.value for k in DocumentKind] == DocumentType.values
    assert codes == ["cccd", "giay_khai_sinh", "chung_sinh", "cu_tru", "ket_hon", "tinh_trang_hon_nhan", "ho_chieu",
                     "giay_phep_lai_xe"]
    assert citizen_forms.DOCUMENT_TYPES[: len(codes)] == DOCUMENT_TYPES
    assert citizen_forms.DOCUMENT_TYPES[-1][0] == ""  # "another kind", for the store only


def test_loading_the_catalogue_types_its_components(db):
    catalogue_load(rows=read_procedure_rows(sample_catalogue_path()))
    birth = {c.name: c for c in Procedure.objects.get(code="1.001193").components.all()}
    assert birth["Giấy chứng sinh (không có thì văn bản của người làm chứng hoặc giấy cam đoan về việc sinh)"
                 ].document_type == "chung_sinh"
    identity = [c for c in birth.values() if c.name.startswith("Giấy tờ tùy thân")]
    assert [c.document_type for c in identity] == ["cccd"]
    assert all(not c.document_type for c in birth.values() if c.name.startswith("Tờ khai"))
    drawings = Component.objects.get(procedure__code="1.013225", name="02 bộ bản vẽ thiết kế xây dựng")
    assert drawings.copies == 2 and drawings.file_types == "pdf,jpg,png"


def test_a_reload_keeps_what_an_administrator_set(db):
    catalogue_load(rows=read_procedure_rows(sample_catalogue_path()))
    component = Component.objects.get(procedure__code="1.013225", name="02 bộ bản vẽ thiết kế xây dựng")
    Component.objects.filter(pk=component.pk).update(copies=3, file_types="pdf,dwg", document_type="")
    catalogue_load(rows=read_procedure_rows(sample_catalogue_path()))
    component.refresh_from_db()
    assert (component.copies, component.file_types) == (3, "pdf,dwg")


def test_the_admin_edits_the_structure_of_a_component():
    assert {"requirement", "document_type", "copies", "file_types"} <= set(ComponentInline.fields)
    assert Component._meta.get_field("document_type").choices == DocumentType.choices
