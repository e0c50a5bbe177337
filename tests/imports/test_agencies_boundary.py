"""The agencies import's rows pass the one boundary: whatever a CSV or JSON Lines line holds, it
is reported with its line number and the good rows are kept; nothing raises, and nothing the
database would refuse (a NUL, a value over its column) reaches it."""

from __future__ import annotations

import io
import json

import pytest

from tinhso.agencies.models import Agency
from tinhso.agencies.services import AGENCY_LINE_MAX, agencies_import, parse_agency_rows, read_agency_rows

HEADER = "code,name,kind,unit_code,parent_code\n"


def _agency(code: str, **overrides: object) -> dict[str, object]:
    return {"code": code, "name": f"Phòng {code}", "kind": "other", "unit_code": "25", "parent_code": "H44"} | overrides


JSONL = [
    ("a deep line", '{"a":' * 5_000 + "1" + "}" * 5_000, "nests deeper than 32 levels"),
    ("a huge number", json.dumps(_agency("H44.90")).replace('"25"', "1" + "0" * 40), "more than 30 digits"),
    ("NaN", json.dumps(_agency("H44.91")).replace('"25"', "NaN"), "NaN is not a JSON number"),
    ("unit_code a number", json.dumps(_agency("H44.92", unit_code=25)), "unit_code must be text, not int"),
    ("name a list", json.dumps(_agency("H44.93", name=["a"])), "name must be text, not list"),
    ("parent_code an object", json.dumps(_agency("H44.94", parent_code={})), "parent_code must be text, not dict"),
    ("a lone surrogate", json.dumps(_agency("H44.95", name="x\ud800")), "name contains a character that is not allowed: U+D800"),
    ("NUL in the code", json.dumps(_agency("H44.9\x00")), "code contains a character that is not allowed: U+0000"),
    ("a line break in the name", json.dumps(_agency("H44.96", name="a\nb")), "U+000A"),
    ("U+FFFD in the name", json.dumps(_agency("H44.97", name="a\ufffd")), "U+FFFD (invalid UTF-8)"),
    ("a code over its column", json.dumps(_agency("H44." + ".".join(["ABCDEFGHIJ"] * 4))), "code is longer than 40"),
    ("a name over its column", json.dumps(_agency("H44.98", name="n" * 256)), "name is longer than 255 characters"),
    ("a top-level array", "[1, 2]", "not a JSON object"),
    ("a long line", json.dumps(_agency("H44.99", name="n" * AGENCY_LINE_MAX)), "the line is longer than 65,536"),
]


@pytest.mark.parametrize(("label", "text", "reason"), JSONL, ids=[j[0] for j in JSONL])
def test_hostile_jsonl_agency_line(world, label, text, reason):
    """The hostile line 2 is reported with its reason; lines 1 and 3 are stored."""
    body = "\n".join([json.dumps(_agency("H44.80")), text, json.dumps(_agency("H44.81"))]) + "\n"
    report = agencies_import(rows=parse_agency_rows(io.StringIO(body), jsonl=True), principal=None)
    assert (report.created, report.rejected) == (2, 1), report.errors
    assert report.errors[0].line == 2 and reason in report.errors[0].message, report.errors[0].message
    assert Agency.objects.filter(code__in=["H44.80", "H44.81"]).count() == 2


def test_bytes_that_are_not_utf8_reject_their_line_only(world, tmp_path):
    """A file with bytes that are not UTF-8 on one line, in CSV and in JSON Lines: that line is
    `not UTF-8 text`, the others are read and stored."""
    csv_path = tmp_path / "agencies.csv"
    csv_path.write_bytes(HEADER.encode() + b"H44.70,Ph\xc3\xb2ng,other,25,H44\nH44.71,Ph\xff,other,25,H44\n"
                         b"H44.72,B,other,25,H44\n")
    jsonl_path = tmp_path / "agencies.jsonl"
    jsonl_path.write_bytes(json.dumps(_agency("H44.73")).encode() + b"\n"
                           + json.dumps(_agency("H44.74")).encode().replace(b"Ph", b"P\xc0") + b"\n"
                           + json.dumps(_agency("H44.75")).encode() + b"\n")
    for path, good in ((csv_path, {"H44.70", "H44.72"}), (jsonl_path, {"H44.73", "H44.75"})):
        report = agencies_import(rows=read_agency_rows(path), principal=None)
        assert [(e.line, e.message) for e in report.errors] == [(path.suffix == ".csv" and 3 or 2, "not UTF-8 text")]
        assert good <= set(Agency.objects.values_list("code", flat=True))


def test_a_field_over_the_csv_limit_rejects_its_line_only(world):
    """The csv module refuses a field over 131,072 characters; the line is reported with its
    own number and the reading goes on."""
    text = HEADER + "H44.60,A,other,25,H44\n" + "H44.61," + "x" * 200_000 + ",other,25,H44\nH44.62,C,other,25,H44\n"
    report = agencies_import(rows=parse_agency_rows(io.StringIO(text), jsonl=False), principal=None)
    assert [(e.line, e.message.split(":")[0]) for e in report.errors] == [(3, "not valid CSV")]
    assert report.created == 2


def test_children_of_a_rejected_parent_are_rejected_not_made_roots(world):
    """A parent rejected while writing (its path would be over 400 characters) takes its
    children with it; before, a child of a rejected parent was stored without a parent."""
    chain = []
    parent = "H44"
    for depth in range(12):  # 12 levels of 36-character codes: the path passes 400 at level 11
        code = "H44." + ".".join([f"{depth:02d}ABCDEFGH"] * 3)
        chain.append(f"{code},Cấp {depth},other,25,{parent}")
        parent = code
    report = agencies_import(rows=parse_agency_rows(io.StringIO(HEADER + "\n".join(chain) + "\n"), jsonl=False),
                             principal=None)
    by_line = {e.line: e.message for e in report.errors}
    assert report.created == 10 and sorted(by_line) == [12, 13]
    assert "is longer than 400 characters" in by_line[12]
    assert "parent_code" in by_line[13] and "was rejected" in by_line[13]
    assert all(len(a.path) <= 400 for a in Agency.objects.all())
    assert not Agency.objects.filter(parent__isnull=True).exclude(code="H44").exists()


def test_a_cycle_through_stored_agencies_is_reported_on_its_own_line(world):
    """With other rows before it, the row that closes a cycle through stored agencies is
    reported with its own line number (it was the last line read, whatever that was)."""
    text = HEADER + "H44.50,A,other,25,H44\nH44,Tỉnh,province_committee,25,H44.03\nH44.51,B,other,25,H44\n"
    report = agencies_import(rows=parse_agency_rows(io.StringIO(text), jsonl=False), principal=None)
    assert [(e.line, "cycle" in e.message) for e in report.errors] == [(3, True)]
    assert report.created == 2


def test_moving_an_agency_whose_subtree_would_not_fit_is_refused(db):
    """An agency moved under a deeper parent takes its subtree along: if the deepest descendant's
    path would no longer fit its column, the line is refused and nothing moves."""
    from tinhso.agencies.models import Agency
    from tinhso.agencies.services import PATH_MAX, agencies_import
    from tinhso.units.models import AdministrativeUnit, UnitLevel, UnitType

    AdministrativeUnit.objects.create(code="25", name="Phú Thọ", level=UnitLevel.PROVINCE, type=UnitType.PROVINCE)

    def row(code: str, parent: str = "") -> dict[str, str]:
        return {"code": code, "name": f"Cơ quan {code}", "kind": "department", "unit_code": "25", "parent_code": parent}

    # A chain of 9 agencies with 40-character codes (369 characters of path) and another root.
    chain = [f"A{i}AAAAAAAA.BBBBBBBBBB.CCCCCCCCCC.DDDDDDD" for i in range(9)]
    root = "R0AAAAAAAA.BBBBBBBBBB.CCCCCCCCCC.DDDDDDD"
    rows = [(1, row(root), None)] + [(i + 2, row(code, chain[i - 1] if i else ""), None) for i, code in enumerate(chain)]
    assert agencies_import(rows=iter(rows), principal=None).rejected == 0
    deepest = Agency.objects.get(code=chain[-1])
    assert len(deepest.path) <= PATH_MAX
    report = agencies_import(rows=iter([(1, row(chain[0], root), None)]), principal=None)
    assert report.rejected == 1 and "too deep" in report.errors[0].message
    assert Agency.objects.get(code=chain[0]).parent is None
