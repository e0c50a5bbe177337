"""The dossier import service: creates, updates by code, reports bad lines, keeps good ones."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.imports.conftest import jsonl, line
from tinhso.audit.models import AuditEntry
from tinhso.dossiers import imports
from tinhso.dossiers.imports import IMPORTED_APPLICANT_NAME, dossiers_import_file, dossiers_import_stream
from tinhso.dossiers.models import Channel, Dossier, DossierEvent, ResultKind, Status


def test_good_file_creates_dossiers(world, write_file):
    """Creates one imported dossier per line, mapped field by field, with one audit entry per batch."""
    path = write_file(
        line("A-1"),
        line("A-2", channel="online", applicant_type="business", finished_at=None, returned_at=None, status=4,
             fee_due=50000, fee_paid_online=False, result_electronic=False, rating=None, complained=True),
        line("A-3", agency_code="H44.101", channel="postal", fee_due=20000, fee_paid_online=True),
    )
    report = dossiers_import_file(path=path, principal=None)
    assert report.as_dict() == {"created": 3, "updated": 0, "rejected": 0, "errors": []}
    d1 = Dossier.objects.get(code="A-1")
    assert d1.imported and d1.status == Status.RETURNED and d1.channel == Channel.COUNTER
    assert d1.receiving_agency == d1.handling_agency == world.commune
    assert d1.procedure == world.procedure
    assert d1.received_at == datetime(2024, 1, 5, 1, 0, tzinfo=UTC)
    assert d1.legal_due_at == d1.due_at == datetime(2024, 1, 8, 1, 0, tzinfo=UTC)
    assert d1.result_kind == ResultKind.ELECTRONIC and d1.rating == "satisfied" and d1.fee_paid
    assert d1.applicant_name == IMPORTED_APPLICANT_NAME
    d2 = Dossier.objects.get(code="A-2")
    assert (d2.channel, d2.applicant_type, d2.status) == (Channel.ONLINE, "business", Status.IN_PROGRESS)
    assert d2.finished_at is None and d2.rating == "" and d2.complained
    assert d2.result_kind == ResultKind.PAPER
    assert not d2.fee_paid  # fee due, not paid online, not finished
    d3 = Dossier.objects.get(code="A-3")
    assert d3.handling_agency == world.other_commune and d3.channel == Channel.POSTAL and d3.fee_paid
    assert not DossierEvent.objects.exists()
    entry = AuditEntry.objects.get(action="dossiers.import")
    assert entry.data["created"] == 3 and entry.data["first_code"] == "A-1" and entry.data["last_code"] == "A-3"


def test_reimport_updates_without_duplicates(world, write_file):
    """A second import of the same codes updates them (new status applied) and creates none."""
    dossiers_import_file(path=write_file(line("B-1", status=4, finished_at=None, returned_at=None), line("B-2")),
                         principal=None)
    report = dossiers_import_file(
        path=write_file(line("B-1", status=9, returned_at=None), line("B-3")), principal=None)
    assert (report.created, report.updated, report.rejected) == (1, 1, 0)
    assert Dossier.objects.count() == 3
    b1 = Dossier.objects.get(code="B-1")
    assert b1.status == Status.PROCESSED and b1.finished_at is not None


def test_reimport_never_overwrites_a_dossier_received_in_tinhso(world, write_file):
    """A code that belongs to a live (not imported) dossier is rejected, the dossier unchanged."""
    from tests.factories import citizen
    from tinhso.dossiers.services import dossier_receive

    live = dossier_receive(principal=world.reception, procedure=world.procedure, agency=world.commune,
                           channel=Channel.COUNTER, applicant=citizen()).dossier
    report = dossiers_import_file(path=write_file(line(live.code, status=10)), principal=None)
    assert report.rejected == 1 and "not imported" in report.errors[0].message
    live.refresh_from_db()
    assert live.status != Status.RETURNED and not live.imported


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        ({k: v for k, v in line("X").items() if k != "due_at"}, "missing field(s): due_at"),
        (line("X", procedure_code="9.999999"), "unknown procedure_code '9.999999'"),
        (line("X", agency_code="H44.999"), "unknown agency_code 'H44.999'"),
        (line("X", channel="fax"), "channel 'fax' is not one of"),
        (line("X", applicant_type="robot"), "applicant_type 'robot'"),
        (line("X", rating="meh"), "rating 'meh'"),
        (line("X", status=11), "status 11 is not an integer from 1 to 10"),
        (line("X", status=0), "status 0 is not"),
        (line("X", status="9"), "status '9' is not"),
        (line("X", fee_paid_online="yes"), "fee_paid_online must be true or false"),
        (line("X", fee_due=-5), "fee_due -5"),
        (line("X", due_at="2024-01-04T08:00:00+07:00"), "due_at is before received_at"),
        (line("X", finished_at="2024-01-04T08:00:00+07:00", returned_at=None), "finished_at is before received_at"),
        (line("X", returned_at="2024-01-06T14:00:00+07:00"), "returned_at is before finished_at"),
        (line("X", received_at="2024-01-05T08:00:00"), "has no UTC offset"),
        (line("X", due_at="next monday"), "due_at 'next monday' is not an ISO 8601 timestamp"),
        (line("X", received_at=None), "received_at is null"),
    ],
)
def test_bad_line_reported_with_its_number_good_lines_kept(world, write_file, bad, reason):
    """The bad line (line 3, after a blank line) is reported with its number; lines 1 and 4 are kept."""
    path = write_file(line("G-1"), "", bad, line("G-2"))
    report = dossiers_import_file(path=path, principal=None)
    assert (report.created, report.rejected) == (2, 1)
    assert report.errors[0].line == 3
    assert reason in report.errors[0].message
    assert set(Dossier.objects.values_list("code", flat=True)) == {"G-1", "G-2"}


def test_utc_z_suffix_accepted(world):
    """`Z` is an offset like any other."""
    report = dossiers_import_stream([jsonl(line("Z-1", received_at="2024-01-05T01:00:00Z"))], principal=None)
    assert report.created == 1
    assert Dossier.objects.get(code="Z-1").received_at == datetime(2024, 1, 5, 1, 0, tzinfo=UTC)


def test_batches_each_in_their_own_transaction_with_an_audit_entry(world, monkeypatch):
    """With a batch size of 2, five lines whose third and fourth share a code are three batches
    (the repeated code closes the batch, so the later line updates the earlier): three audit
    entries, four created, one updated, the later line winning."""
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    body = [jsonl(line("C-1")).encode(), jsonl(line("C-2")).encode(), jsonl(line("C-3", status=9, returned_at=None)).encode(),
            jsonl(line("C-3", status=10)).encode(), jsonl(line("C-4")).encode()]
    report = dossiers_import_stream(body, principal=None)
    assert (report.created, report.updated, report.rejected) == (4, 1, 0)
    assert Dossier.objects.get(code="C-3").status == Status.RETURNED
    assert AuditEntry.objects.filter(action="dossiers.import").count() == 3


def test_errors_list_is_capped_but_the_count_is_exact(world, monkeypatch):
    monkeypatch.setattr(imports, "MAX_REPORTED_ERRORS", 3)
    report = dossiers_import_stream(["nope\n"] * 10 + [jsonl(line("K-1"))], principal=None)
    assert report.rejected == 10 and len(report.errors) == 3 and report.created == 1


def test_scoped_principal_imports_only_into_its_agencies(world):
    """A reception officer of H44.100 imports there; a line for H44.101 is outside the scope,
    and so is a viewer's every line."""
    report = dossiers_import_stream(
        jsonl(line("S-1"), line("S-2", agency_code="H44.101")).splitlines(keepends=True), principal=world.reception)
    assert (report.created, report.rejected) == (1, 1)
    assert report.errors[0].line == 2 and "outside your scope" in report.errors[0].message
    viewer = dossiers_import_stream([jsonl(line("S-3"))], principal=world.province_viewer)
    assert viewer.rejected == 1 and not Dossier.objects.filter(code="S-3").exists()


def test_previous_systems_paid_online_counts_as_paid_not_reconciled(world, write_file):
    """`fee_paid_online: true` of the old system is paid, never "paid online": only a transfer
    reconciled in tinhso counts for the online-payment metrics."""
    path = write_file(line("P-1", finished_at=None, returned_at=None, status=4, fee_due=20000, fee_paid_online=True))
    assert dossiers_import_file(path=path, principal=None).as_dict()["created"] == 1
    d = Dossier.objects.get(code="P-1")
    assert d.fee_paid and not d.fee_paid_online
