"""Imported history feeds the live counters: the index of an imported month is exact, and
re-importing changed lines moves the counters, never double-counts."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tinhso.dossiers.imports import dossiers_import_stream
from tinhso.indicators.periods import parse_period
from tinhso.indicators.selectors import service_index
from tinhso.indicators.services import counters_from_dossiers, counters_live, rollup_live, rollup_of

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _line(i: int, *, late: bool, online: bool, rating: str | None, agency: str = "H44.100") -> str:
    received = datetime(2026, 8, 3, 8, 0, tzinfo=VN) + timedelta(days=i % 25)
    due = received + timedelta(days=3)
    finished = due + (timedelta(days=2) if late else -timedelta(hours=5))
    return json.dumps({
        "code": f"{agency}-2608{i:02d}-{i:04d}", "procedure_code": "1.000894", "agency_code": agency,
        "channel": "online" if online else "counter", "applicant_type": "citizen",
        "received_at": received.isoformat(), "due_at": due.isoformat(), "finished_at": finished.isoformat(),
        "returned_at": (finished + timedelta(hours=1)).isoformat(), "status": 10, "fee_due": 50000,
        "fee_paid_online": online, "components_digitised": i % 2 == 0, "result_electronic": i % 4 == 0,
        "rating": rating, "complained": False,
    })


def test_imported_month_scores_to_the_cent(world):
    """40 imported dossiers, 3 late, 1 unsatisfied on time → progress 20 × 37/40 = 18.50,
    satisfaction 6 × (36/40)/0.9 = 6.00; online 10/40."""
    lines = [_line(i, late=i < 3, online=i < 10, rating="unsatisfied" if i == 5 else "satisfied") for i in range(40)]
    report = dossiers_import_stream(lines, principal=None)
    assert report.as_dict()["created"] == 40
    assert counters_live() == counters_from_dossiers()
    assert rollup_live() == rollup_of(counters_live())
    index = service_index(root=world.commune, period=parse_period("2026-08"), now=datetime(2026, 10, 1, tzinfo=VN))
    metrics = {m["code"]: m for g in index["groups"] for m in g["metrics"]}
    assert (metrics["PROGRESS"]["numerator"], metrics["PROGRESS"]["denominator"], metrics["PROGRESS"]["score"]) == (37, 40, 18.5)
    sat = metrics["DOSSIER_RECEIVING_SATISFACTION"]
    assert (sat["numerator"], sat["score"]) == (36, 6.0)
    assert (metrics["ONLINE_SERVICE_C"]["numerator"], metrics["ONLINE_SERVICE_C"]["denominator"]) == (10, 40)
    assert (metrics["SO_HOA_GIAY_TO_GIAI_QUYET"]["numerator"], metrics["SO_HOA_GIAY_TO_GIAI_QUYET"]["score"]) == (20, 2.0)
    # The old system's "electronic result" is no electronic original: only a signature tinhso
    # issued and validated counts (issue 12), so the ten imported electronic results score nothing.
    assert (metrics["ORIGINAL_RESULT_AVAILABLE"]["numerator"], metrics["ORIGINAL_RESULT_AVAILABLE"]["denominator"],
            metrics["ORIGINAL_RESULT_AVAILABLE"]["score"]) == (0, 40, 0.0)

    # Re-import: the three late ones were corrected to on time; nothing is counted twice.
    fixed = [_line(i, late=False, online=i < 10, rating="unsatisfied" if i == 5 else "satisfied") for i in range(3)]
    assert dossiers_import_stream(fixed, principal=None).as_dict()["updated"] == 3
    assert counters_live() == counters_from_dossiers()
    assert rollup_live() == rollup_of(counters_live())
    index = service_index(root=world.commune, period=parse_period("2026-08"), now=datetime(2026, 10, 1, tzinfo=VN))
    progress = next(g for g in index["groups"] if g["code"] == "progress")["metrics"][0]
    assert (progress["numerator"], progress["denominator"], progress["score"]) == (40, 40, 20.0)


def test_large_import_batch_counts_exactly(world):
    """A batch touching more than fifty counter rows (the set-based path on PostgreSQL) still
    gives counters equal to a recount; re-importing it changes nothing."""
    lines = []
    for i in range(130):
        received = datetime(2021, 1, 4, 8, 0, tzinfo=VN) + timedelta(days=31 * (i % 65))
        agency = "H44.100" if i % 2 else "H44.101"
        lines.append(json.dumps({
            "code": f"{agency}-IMP-{i:04d}", "procedure_code": "1.000894", "agency_code": agency,
            "channel": ["counter", "online", "postal"][i % 3], "applicant_type": "citizen",
            "received_at": received.isoformat(), "due_at": (received + timedelta(days=3)).isoformat(),
            "finished_at": (received + timedelta(days=2 + i % 3)).isoformat(), "returned_at": None,
            "status": 9, "fee_due": 0, "fee_paid_online": False, "components_digitised": bool(i % 2),
            "result_electronic": True, "rating": None, "complained": i % 7 == 0,
        }))
    assert dossiers_import_stream(lines, principal=None).as_dict()["created"] == 130
    live = counters_live()
    assert len(live) > 50
    assert live == counters_from_dossiers()
    assert rollup_live() == rollup_of(live)  # the roll-up, set-based too
    assert dossiers_import_stream(lines, principal=None).as_dict()["updated"] == 130
    assert counters_live() == live
    assert rollup_live() == rollup_of(live)
