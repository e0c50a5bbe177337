"""Components are required, conditional or optional: read from their text on load, kept when an
administrator corrects them, editable in the admin."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory
from tinhso.audit.models import AuditEntry
from tinhso.catalogue.components import RequirementKind, requirement_of
from tinhso.catalogue.models import Component, Procedure, Requirement
from tinhso.catalogue.services import catalogue_load, read_procedure_rows, sample_catalogue_path

R, C, OPT = RequirementKind.REQUIRED, RequirementKind.CONDITIONAL, RequirementKind.OPTIONAL


@pytest.mark.parametrize(
    ("name", "notes", "expected"),
    [
        # Conditions that govern the whole component.
        ("Văn bản ủy quyền (nếu ủy quyền)", "", C),
        ("Biên bản về việc trẻ bị bỏ rơi (nếu có)", "", C),
        ("Biên bản về việc trẻ bị bỏ rơi (Nếu Có)", "", C),
        ("Giấy tờ về quyền sử dụng đất (nếu có), sơ đồ nhà ở", "", C),
        ("Văn bản đồng ý (đối với trường hợp điểm a, b khoản 1 Điều 31 Luật Cư trú)", "", C),
        ("Giấy xác nhận khuyết tật (đối với người khuyết tật)", "", C),
        ("Trường hợp ủy quyền: văn bản ủy quyền", "", C),
        ("Đối với trường hợp người nước ngoài: bản sao hộ chiếu", "", C),
        ("Nếu là cán bộ, công chức: văn bản xác nhận của thủ trưởng", "", C),
        ("Bản sao giấy phép, nếu có", "", C),
        ("Kết quả thủ tục về phòng cháy, chữa cháy (nếu thuộc diện)", "", C),
        ("Giấy xác nhận của cơ quan", "Chỉ nộp trong trường hợp đăng ký lại", C),
        # At the applicant's wish.
        ("Mảnh trích đo bản đồ địa chính (nếu có nhu cầu đo đạc xác định lại)", "", OPT),
        ("Ảnh chân dung (không bắt buộc)", "", OPT),
        ("Bản dịch tiếng Anh", "tuỳ chọn", OPT),
        # Conditions on a detail inside a required component leave it required.
        ("Tờ khai đăng ký khai sinh (hoặc mẫu hộ tịch điện tử tương tác khi nộp trực tuyến)", "", R),
        ("Bản gốc Giấy chứng nhận đã cấp (bản sao nếu đồng thời chuyển quyền)", "", R),
        ("Giấy tờ, văn bản cần chứng thực chữ ký (kèm bản dịch tiếng Việt nếu văn bản bằng tiếng nước ngoài)", "", R),
        ("Giấy tờ pháp lý của chủ hộ kinh doanh (và các thành viên hộ gia đình nếu hộ gia đình đăng ký)", "", R),
        ("Thông tin, giấy tờ chứng minh thuộc trường hợp xóa đăng ký thường trú", "", R),
        ("Bản sao giấy tờ pháp lý của cá nhân đối với chủ doanh nghiệp tư nhân", "", R),
        ("Giấy chứng sinh (không có thì văn bản của người làm chứng)", "", R),
        ("Giấy tờ tùy thân (hộ chiếu/thẻ căn cước/CCCD) – xuất trình", "", R),
        ("Nếu", "", C),
        ("", "", R),
    ],
)
def test_requirement_is_read_from_the_components_text(name, notes, expected):
    assert requirement_of(name, notes) is expected


def test_an_ordinary_birth_registration_needs_three_papers_only(db):
    """The sample birth registration: the form, the birth certificate and the ID are required; a
    power of attorney, an abandoned-child record and a surrogacy paper only when they apply."""
    catalogue_load(rows=read_procedure_rows(sample_catalogue_path()))
    birth = Procedure.objects.get(code="1.001193")
    kinds = {c.name.split(" (")[0]: c.requirement for c in birth.components.order_by("order")}
    assert kinds == {
        "Tờ khai đăng ký khai sinh": "required",
        "Giấy chứng sinh": "required",
        "Văn bản ủy quyền": "conditional",
        "Biên bản về việc trẻ bị bỏ rơi": "conditional",
        "Văn bản xác nhận của cơ sở y tế về mang thai hộ": "conditional",
        "Giấy tờ tùy thân": "required",
    }
    assert [c.order for c in birth.components.order_by("order")] == [1, 2, 3, 4, 5, 6]


ROW = {"code": "9.100001", "name_vi": "Thủ tục thử", "level": "commune", "processing_unit": "working_days",
       "processing_days": "2", "required_documents_vi": "Tờ khai; Văn bản ủy quyền (nếu ủy quyền)"}


def test_a_reload_keeps_an_administrators_correction_and_records_a_change(db):
    catalogue_load(rows=[(2, ROW)])
    procedure = Procedure.objects.get(code="9.100001")
    Component.objects.filter(procedure=procedure, order=2).update(requirement=Requirement.REQUIRED)
    assert catalogue_load(rows=[(2, ROW)]) == {"created": 0, "updated": 0, "unchanged": 1}
    assert procedure.components.get(order=2).requirement == "required"

    changed = {**ROW, "required_documents_vi": ROW["required_documents_vi"] + "; Ảnh (không bắt buộc)"}
    assert catalogue_load(rows=[(2, changed)])["updated"] == 1
    assert [(c.order, c.requirement) for c in procedure.components.order_by("order")] == [
        (1, "required"), (2, "required"), (3, "optional")]
    entry = AuditEntry.objects.filter(action="procedure.update").latest("id")
    assert entry.data["changes"]["components"]["to"][2] == ["Ảnh (không bắt buộc)", "optional", ""]


def test_json_rows_may_state_the_requirement_and_a_bad_one_names_its_line(db):
    row = {**ROW, "required_documents_vi": None,
           "required_documents": [{"name": "Tờ khai"}, {"name": "Ảnh", "requirement": "conditional"}]}
    catalogue_load(rows=[(1, row)])
    procedure = Procedure.objects.get(code="9.100001")
    assert [c.requirement for c in procedure.components.order_by("order")] == ["required", "conditional"]
    bad = {**row, "required_documents": [{"name": "Ảnh", "requirement": "sometimes"}]}
    from tinhso.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        catalogue_load(rows=[(7, bad)])
    assert "line 7" in exc.value.message and "sometimes" in exc.value.message


def test_the_admin_edits_a_components_requirement_and_audits_it(db):
    catalogue_load(rows=[(2, ROW)])
    procedure = Procedure.objects.get(code="9.100001")
    admin = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    url = f"/admin/catalogue/procedure/{procedure.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Văn bản ủy quyền (nếu ủy quyền)" in body and 'value="conditional" selected' in body
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if not isinstance(v, list | dict)}
    data.update({
        "code": procedure.code, "name": procedure.name, "level": procedure.level,
        "online_level": procedure.online_level, "processing_amount": "2", "processing_unit": "working_days",
        "fee_vnd": "0", "supplement_clock": "pause", "is_active": "on",
    })
    data.pop("online_processing_amount", None)
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        prefix = fs.prefix
        data[f"{prefix}-TOTAL_FORMS"] = str(fs.total_form_count())
        data[f"{prefix}-INITIAL_FORMS"] = str(fs.initial_form_count())
        for i, f in enumerate(fs.forms):
            for name, field in f.fields.items():
                value = f.initial.get(name, field.initial)
                if hasattr(value, "pk"):
                    value = value.pk
                if value is None or value is False:
                    continue
                data[f"{prefix}-{i}-{name}"] = value
    components = next(f.formset for f in page.context["inline_admin_formsets"] if f.formset.model is Component)
    second = next(i for i, f in enumerate(components.forms) if f.instance.order == 2)
    data[f"{components.prefix}-{second}-requirement"] = "required"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert procedure.components.get(order=2).requirement == "required"
    assert AuditEntry.objects.filter(object_type="component", action="admin.change").exists()
