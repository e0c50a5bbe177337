"""`tinhso import dossiers|agencies FILE`: prints the counts, exit code 2 when a line was rejected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.imports.conftest import line
from tinhso.agencies.models import Agency
from tinhso.dossiers.models import Dossier
from tinhso.units.services import units_load_divisions

AGENCIES_CSV = Path(__file__).resolve().parents[2] / "src" / "tinhso" / "data" / "agencies-phu-tho.csv"


def test_import_dossiers_prints_counts(world, write_file, capsys):
    call_command("import", "dossiers", str(write_file(line("D-1"), line("D-2"))), verbosity=0)
    assert "created 2, updated 0, rejected 0" in capsys.readouterr().out
    assert Dossier.objects.count() == 2


def test_import_dossiers_exits_2_when_a_line_is_rejected(world, write_file, capsys):
    """The good line is kept, the bad one printed as FILE:LINE: reason, and the exit code is 2."""
    path = write_file(line("D-1"), line("D-2", status=42))
    with pytest.raises(CommandError) as excinfo:
        call_command("import", "dossiers", str(path), verbosity=0)
    assert excinfo.value.returncode == 2
    out, err = capsys.readouterr()
    assert "created 1, updated 0, rejected 1" in out
    assert f"{path}:2: status 42 is not an integer from 1 to 10" in err
    assert Dossier.objects.filter(code="D-1").exists()


def test_import_dossiers_json_report(world, write_file, capsys):
    call_command("import", "dossiers", str(write_file(line("D-1"))), "--json", verbosity=0)
    assert json.loads(capsys.readouterr().out) == {"created": 1, "updated": 0, "rejected": 0, "errors": []}


def test_import_missing_file_exits_2(db, tmp_path):
    with pytest.raises(CommandError) as excinfo:
        call_command("import", "dossiers", str(tmp_path / "nope.jsonl"))
    assert excinfo.value.returncode == 2


def test_import_agencies_with_an_unknown_unit_exits_2(world, tmp_path, capsys):
    path = tmp_path / "agencies.csv"
    path.write_text(
        "code,name,kind,unit_code,parent_code\n"
        "H44.102,UBND xã Thử,commune_committee,07900,H44\n"
        "H44.103,UBND xã Không Có,commune_committee,99999,H44\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as excinfo:
        call_command("import", "agencies", str(path))
    assert excinfo.value.returncode == 2
    out, err = capsys.readouterr()
    assert "created 1, updated 0, rejected 1" in out
    assert f"{path}:3: unit_code '99999' is not a current GSO unit code" in err
    assert Agency.objects.filter(code="H44.102").exists() and not Agency.objects.filter(code="H44.103").exists()


def test_import_the_real_phu_tho_agencies(db, capsys):
    """All 164 agencies of Phú Thọ load against the real GSO units, under the province committee;
    a second import updates them all."""
    units_load_divisions()
    call_command("import", "agencies", str(AGENCIES_CSV))
    assert "created 164, updated 0, rejected 0" in capsys.readouterr().out
    assert Agency.objects.count() == 164
    assert Agency.objects.filter(path__startswith="H44/").count() == 164
    assert Agency.objects.get(code="H44").parent is None
    call_command("import", "agencies", str(AGENCIES_CSV))
    assert "created 0, updated 164, rejected 0" in capsys.readouterr().out
