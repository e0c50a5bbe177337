"""The citizen's catalogue search (`tinhso.catalogue.search`): folding (a table), then queries on
the loaded sample catalogue — however "khai sinh" is typed it finds the same procedures, the
exact phrase first, filters narrow, inactive procedures never show."""

from __future__ import annotations

import unicodedata

import pytest

from tinhso.catalogue.models import Procedure
from tinhso.catalogue.search import allows_online, fields, fold, name_search_of, procedure_search
from tinhso.catalogue.services import catalogue_load, read_procedure_rows, sample_catalogue_path
from tinhso.core.errors import InvalidInput

BIRTH = ["1.001193", "1.004884", "2.000528", "2.000635", "3.000722"]


@pytest.fixture
def catalogue(db) -> None:
    catalogue_load(rows=read_procedure_rows(sample_catalogue_path()))


def codes(**kwargs: str) -> list[str]:
    return [p.code for p in procedure_search(**kwargs)]


@pytest.mark.parametrize(("text", "folded"), [
    ("khai sinh", "khai sinh"),
    ("Khai Sinh", "khai sinh"),
    ("Khai sinh", "khai sinh"),
    ("Đăng ký KẾT HÔN", "dang ky ket hon"),
    ("đ Đ", "d d"),
    ("  nhiều\t khoảng \n trắng  ", "nhieu khoang trang"),
    (unicodedata.normalize("NFD", "Thủ tục"), "thu tuc"),  # marks typed as separate characters
    ("Ưu tiên ơ ư", "uu tien o u"),
    ("Giấy CHỨNG NHẬN quyền sử dụng đất", "giay chung nhan quyen su dung dat"),
    ("1.001193", "1.001193"),
    ("", ""),
])
def test_fold_drops_marks_and_case_and_extra_space(text, folded):
    assert fold(text) == folded


def test_name_search_holds_the_folded_words_of_name_english_name_and_code():
    assert name_search_of(name="Thủ tục đăng ký khai sinh", name_en="Birth registration", code="1.001193") == (
        "thu tuc dang ky khai sinh birth registration 1 001193")


@pytest.mark.parametrize("typed", ["khai sinh", "Khai Sinh", "khai sinh", "KHAI SINH", "  khai   sinh "])
def test_every_spelling_of_khai_sinh_finds_the_same_procedures(catalogue, typed):
    assert codes(q=typed) == BIRTH


@pytest.mark.parametrize(("q", "expected"), [
    # The exact phrase first (by code), then every word at a word start in another order.
    ("dang ky khai sinh", ["1.001193", "2.000528", "3.000722", "1.004884"]),
    ("sinh khai", BIRTH),
    ("tam tru", ["1.002755", "1.004194"]),
    ("Tạm trú", ["1.002755", "1.004194"]),
    ("DANG KY KET HON", ["1.000894", "2.000806", "1.115538"]),
    ("giay phep xay dung", ["1.013225", "1.013227"]),
    ("can cuoc", ["1.116410", "3.000722"]),
    ("001193", ["1.001193"]),
    ("xyzzy", []),
    ("!!!", []),
])
def test_queries_on_the_sample_catalogue(catalogue, q, expected):
    assert codes(q=q) == expected


def test_dang_ky_without_marks_finds_the_names_written_dang_ky_with_marks(catalogue):
    found = procedure_search(q="dang ky")
    assert found and all("đăng ký" in p.name.lower() for p in found)
    assert {p.code for p in found} == {p.code for p in Procedure.objects.all() if "đăng ký" in p.name.lower()}


def test_the_exact_phrase_ranks_before_the_same_words_apart(catalogue):
    found = list(procedure_search(q="đăng ký khai sinh"))
    assert found[0].name == "Thủ tục đăng ký khai sinh"
    assert [p.rank for p in found] == sorted(p.rank for p in found)
    assert found[-1].code == "1.004884"  # "đăng ký lại khai sinh"


def test_an_empty_query_lists_every_active_procedure_by_code(catalogue):
    assert codes() == sorted(Procedure.objects.values_list("code", flat=True))


@pytest.mark.parametrize(("filters", "expected"), [
    ({"q": "khai sinh", "field": "Hộ tịch"}, ["1.001193", "1.004884", "2.000528", "2.000635"]),
    ({"q": "khai sinh", "level": "province"}, ["2.000635"]),
    ({"q": "tam tru", "online": "full"}, ["1.004194"]),
    ({"q": "khai sinh", "online": "none"}, []),
])
def test_filters_narrow_the_search(catalogue, filters, expected):
    assert codes(**filters) == expected


def test_online_means_any_level_a_citizen_may_submit_online(catalogue):
    Procedure.objects.filter(code="1.004884").update(online_level="none")
    found = procedure_search(q="khai sinh", online="online")
    assert [p.code for p in found] == [c for c in BIRTH if c != "1.004884"]
    assert all(allows_online(p) for p in found)
    assert not allows_online(Procedure.objects.get(code="1.004884"))


def test_an_inactive_procedure_is_left_out_unless_asked_for(catalogue):
    Procedure.objects.filter(code="1.001193").update(is_active=False)
    assert "1.001193" not in codes(q="khai sinh")
    assert "1.001193" in [p.code for p in procedure_search(q="khai sinh", active_only=False)]
    assert not allows_online(Procedure.objects.get(code="1.001193"))


@pytest.mark.parametrize(("filters", "field"), [({"level": "district"}, "level"), ({"online": "yes"}, "online")])
def test_an_unknown_filter_value_is_refused_naming_it(db, filters, field):
    with pytest.raises(InvalidInput) as refused:
        procedure_search(**filters)
    assert set(refused.value.fields) == {field}


def test_fields_lists_each_field_once(catalogue):
    listed = fields()
    assert "Hộ tịch" in listed and len(listed) == len(set(listed))
    assert set(listed) == set(Procedure.objects.values_list("field", flat=True))


def test_a_renamed_procedure_is_found_by_its_new_name(catalogue):
    procedure = Procedure.objects.get(code="1.003677")
    procedure.name = "Khai báo tạm vắng Quỳnh Nhàn"
    procedure.save(update_fields=["name"])
    assert codes(q="quynh nhan") == ["1.003677"]


def test_bulk_create_and_a_reload_keep_the_folded_name(catalogue):
    Procedure.objects.bulk_create([Procedure(code="9.000001", name="Đăng ký nuôi con nuôi", level="commune",
                                             processing_amount=5, processing_unit="working_days")])
    assert codes(q="nuoi con nuoi") == ["9.000001"]
    Procedure.objects.filter(code="1.001193").update(name_search="")  # a write that bypassed save()
    catalogue_load(rows=read_procedure_rows(sample_catalogue_path()))
    assert codes(q="khai sinh") == BIRTH
