"""Importing agencies from CSV / JSON Lines: the real Phú Thọ file, idempotence, bad lines
reported by number while the good ones are kept, materialised paths."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import tinhso
from tinhso.agencies.models import Agency, AgencyKind
from tinhso.agencies.services import agencies_import, parse_agency_rows, read_agency_rows
from tinhso.audit.models import AuditEntry
from tinhso.units.services import units_load_divisions

REAL_FILE = Path(tinhso.__file__).resolve().parent / "data" / "agencies-phu-tho.csv"
HEADER = "code,name,kind,unit_code,parent_code\n"


@pytest.fixture
def divisions(db):
    units_load_divisions()


def import_text(text: str, *, jsonl: bool = False):
    return agencies_import(rows=parse_agency_rows(io.StringIO(text), jsonl=jsonl), principal=None)


def test_real_file_imports_164_agencies(divisions):
    report = agencies_import(rows=read_agency_rows(REAL_FILE), principal=None)
    assert (report.created, report.updated, report.rejected, report.errors) == (164, 0, 0, [])
    assert Agency.objects.count() == 164
    province = Agency.objects.get(code="H44")
    assert province.kind == AgencyKind.PROVINCE_COMMITTEE and province.parent is None
    assert province.path == "H44/"
    assert Agency.objects.get(code="H44.03").path == "H44/H44.03/"
    commune = Agency.objects.get(code="H44.100")
    assert (commune.path, commune.unit.code, commune.parent_id) == ("H44/H44.100/", "07900", province.pk)
    assert Agency.objects.filter(path__startswith="H44/").count() == 164
    assert Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE).count() == 148
    entry = AuditEntry.objects.get(action="agencies.import")
    assert entry.data == {"created": 164, "updated": 0, "rejected": 0}


def test_real_file_twice_is_idempotent(divisions):
    agencies_import(rows=read_agency_rows(REAL_FILE), principal=None)
    paths = dict(Agency.objects.values_list("code", "path"))
    report = agencies_import(rows=read_agency_rows(REAL_FILE), principal=None)
    assert (report.created, report.updated, report.rejected) == (0, 164, 0)
    assert Agency.objects.count() == 164
    assert dict(Agency.objects.values_list("code", "path")) == paths


def test_bad_lines_are_reported_and_good_lines_kept(divisions):
    text = HEADER + "\n".join([
        "H44,UBND tỉnh Phú Thọ,province_committee,25,",               # 2 good
        "H44.50,Sở Ma,department,99999,H44",                          # 3 unknown unit_code
        "H44.51,Sở Lạ,ministry,25,H44",                               # 4 bad kind
        "h44.52,Sở Thường,department,25,H44",                         # 5 bad code (lowercase)
        "H44.60,Vòng A,department,25,H44.61",                         # 6 cycle
        "H44.61,Vòng B,department,25,H44.60",                         # 7 cycle
        "H44.70,Mồ côi,department,25,H44.999",                        # 8 unknown parent
        "H44.100,UBND Phường Việt Trì,commune_committee,07900,H44.03",  # 9 good, parent comes later
        "H44.03,Sở Tư pháp,department,25,H44",                        # 10 good
        "H44.80,Tự sinh,department,25,H44.80",                        # 11 own parent
        ",Không mã,department,25,H44",                                # 12 code missing
    ]) + "\n"
    report = import_text(text)
    assert (report.created, report.updated) == (3, 0)
    assert report.rejected == len(report.errors) == 8
    by_line = {e.line: e.message for e in report.errors}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 11, 12]
    assert "unit_code" in by_line[3]
    assert "kind" in by_line[4]
    assert "code" in by_line[5] and "h44.52" in by_line[5]
    assert "cycle" in by_line[6] and "cycle" in by_line[7]
    assert "parent_code" in by_line[8] and "H44.999" in by_line[8]
    assert "parent" in by_line[11]
    assert "code is missing" in by_line[12]
    assert set(Agency.objects.values_list("code", flat=True)) == {"H44", "H44.03", "H44.100"}
    assert Agency.objects.get(code="H44.100").path == "H44/H44.03/H44.100/"
    assert [e.line for e in report.errors] == sorted(e.line for e in report.errors)
    assert report.as_dict()["errors"][0] == {"line": 3, "message": by_line[3]}


def test_moving_a_parent_moves_its_subtree(divisions):
    import_text(HEADER + "H44,Tỉnh,province_committee,25,\nH44.03,Sở,department,25,H44\n"
                "H44.03.1,Phòng,other,25,H44.03\nH44.04,Sở B,department,25,H44\n")
    assert Agency.objects.get(code="H44.03.1").path == "H44/H44.03/H44.03.1/"
    report = import_text(HEADER + "H44.03,Sở,department,25,H44.04\n")
    assert (report.created, report.updated, report.rejected) == (0, 1, 0)
    assert Agency.objects.get(code="H44.03").path == "H44/H44.04/H44.03/"
    assert Agency.objects.get(code="H44.03.1").path == "H44/H44.04/H44.03/H44.03.1/"


def test_cycle_through_existing_agencies_is_rejected(divisions):
    import_text(HEADER + "H44,Tỉnh,province_committee,25,\nH44.03,Sở,department,25,H44\n")
    report = import_text(HEADER + "H44,Tỉnh,province_committee,25,H44.03\n")
    assert report.rejected == 1 and report.errors[0].line == 2
    assert "cycle" in report.errors[0].message
    province = Agency.objects.get(code="H44")
    assert province.parent is None and province.path == "H44/"
    assert Agency.objects.get(code="H44.03").path == "H44/H44.03/"


def test_jsonl_with_bad_lines(divisions):
    text = "\n".join([
        '{"code": "H44", "name": "Tỉnh", "kind": "province_committee", "unit_code": "25"}',
        "not json",
        "[1, 2]",
        "",
        '{"code": "H44.03", "name": "Sở", "kind": "department", "unit_code": "25", "parent_code": "H44"}',
    ])
    report = import_text(text, jsonl=True)
    assert report.created == 2
    assert [e.line for e in report.errors] == [2, 3]
    assert Agency.objects.get(code="H44.03").path == "H44/H44.03/"


def test_missing_columns_reject_the_file(divisions):
    report = import_text("code,name\nH44,Tỉnh\n")
    assert report.created == 0 and report.rejected == 1
    assert report.errors[0].line == 1 and "kind" in report.errors[0].message
