"""`tinhso import dossiers|agencies FILE` run as a process against a database of its own: exit 0
when every line was imported, 2 when any line was rejected (each bad line printed once as
`FILE:LINE: reason`, every good line stored), 1 only for an unexpected failure."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from tests.imports.conftest import ScratchDatabase, jsonl, realistic_lines
from tests.imports.hostile import good_codes, matches, mixed_lines


def _printed(stderr: str, path: Path) -> list[tuple[int, str]]:
    """The (line, reason) pairs the command printed as `FILE:LINE: reason`."""
    out = []
    for text in stderr.splitlines():
        if text.startswith(f"{path}:"):
            number, reason = text[len(str(path)) + 1:].split(": ", 1)
            out.append((int(number), reason))
    return out


def test_every_hostile_line_reported_once_and_the_good_ones_stored(scratch_database: ScratchDatabase, tmp_path):
    """The file of `hostile.mixed_lines` (each hostile kind between good lines): exit 2, each
    bad line printed once with its number and reason, every good line in the database."""
    lines = mixed_lines()
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"".join(raw for raw, _reason in lines))
    result = scratch_database.run("import", "dossiers", str(path), "--verbosity", "0")
    expected = {number: reason for number, (_raw, reason) in enumerate(lines, start=1) if reason is not None}
    good = good_codes(lines)
    assert result.returncode == 2, result.stderr[-3000:]
    assert f"created {len(good)}, updated 0, rejected {len(expected)}" in result.stdout
    printed = _printed(result.stderr, path)
    assert Counter(number for number, _reason in printed) == Counter(set(expected))
    for number, reason in printed:
        assert matches(reason, expected[number]), (number, reason)
    assert "Traceback" not in result.stderr
    stored = {code for (code,) in scratch_database.sql("SELECT code FROM dossiers_dossier WHERE code LIKE 'G-%'")}
    assert stored == good


def test_a_clean_file_exits_0_and_its_rerun_updates(scratch_database: ScratchDatabase, tmp_path):
    """300 realistic lines: exit 0 and all created; the same file again: exit 0, all updated."""
    path = tmp_path / "clean.jsonl"
    path.write_text(jsonl(*realistic_lines(300, prefix="C")), encoding="utf-8")
    first = scratch_database.run("import", "dossiers", str(path), "--verbosity", "0")
    assert first.returncode == 0, first.stderr
    assert "created 300, updated 0, rejected 0" in first.stdout
    again = scratch_database.run("import", "dossiers", str(path), "--verbosity", "0", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == {"created": 0, "updated": 300, "rejected": 0, "errors": []}


def test_an_unexpected_failure_exits_1(scratch_database: ScratchDatabase, tmp_path):
    """A database that cannot be opened is no line's fault: exit 1, not 2."""
    path = tmp_path / "one.jsonl"
    path.write_text(jsonl(*realistic_lines(1, prefix="Z")), encoding="utf-8")
    env = {**scratch_database.env, "DATABASE_URL": f"sqlite:///{tmp_path / 'no-such-folder' / 'db.sqlite3'}"}
    broken = ScratchDatabase(env=env, vendor="sqlite", dsn="")
    result = broken.run("import", "dossiers", str(path), "--verbosity", "0")
    assert result.returncode == 1, (result.stdout, result.stderr[-2000:])


def test_agencies_with_hostile_lines(scratch_database: ScratchDatabase, tmp_path):
    """An agency CSV with a NUL, bytes that are not UTF-8, a name over its column, a code over
    its column, a line break inside a quoted name and a field over the csv module's limit: exit
    2, each printed with its line, the good agencies stored."""
    rows = [
        b"code,name,kind,unit_code,parent_code",
        b"H44.201,UBND x\xc3\xa3 M\xe1\xbb\x99t,commune_committee,07900,H44",  # 2 good
        b"H44.202,UBND x\x00,commune_committee,07900,H44",                        # 3 NUL
        b"H44.203,UBND \xff\xfe,commune_committee,07900,H44",                     # 4 not UTF-8
        b"H44.204," + b"N" * 256 + b",commune_committee,07900,H44",               # 5 name too long
        b"H44." + b".".join([b"A" * 10, b"B" * 10, b"C" * 10, b"D" * 10]) + b",T,other,25,H44",  # 6 code > 40
        b'H44.205,"UBND\nhai d\xc3\xb2ng",commune_committee,07900,H44',          # 7-8 a line break
        b"H44.206," + b"x" * 200_000 + b",other,25,H44",                          # 9 over the csv limit
        b"H44.207,UBND x\xc3\xa3 Hai,commune_committee,07901,H44.201",           # 10 good, child of line 2
    ]
    path = tmp_path / "agencies.csv"
    path.write_bytes(b"\n".join(rows) + b"\n")
    result = scratch_database.run("import", "agencies", str(path))
    assert result.returncode == 2, result.stderr[-3000:]
    assert "created 2, updated 0, rejected 6" in result.stdout
    printed = dict(_printed(result.stderr, path))
    assert sorted(printed) == [3, 4, 5, 6, 8, 9]
    assert "name contains a character that is not allowed: U+0000" in printed[3]
    assert printed[4] == "not UTF-8 text"
    assert "name is longer than 255 characters" in printed[5]
    assert "code is longer than 40 characters" in printed[6]
    assert "U+000A" in printed[8]
    assert "not valid CSV: field larger than field limit" in printed[9]
    stored = {code for (code,) in scratch_database.sql("SELECT code FROM agencies_agency WHERE code LIKE 'H44.2%'")}
    assert stored == {"H44.201", "H44.207"}
