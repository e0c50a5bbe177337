"""The display rules of the index, pure and table-tested: periods as people say them, and which
metrics have data (a real zero apart from "no data") — the scores themselves do not change."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tinhso.indicators import formulas
from tinhso.indicators.periods import parse_period, period_label


@pytest.mark.parametrize(
    ("key", "vi", "en", "vi_short", "en_short"),
    [
        ("2026-12", "Tháng 12/2026", "December 2026", "12/2026", "Dec 2026"),
        ("2026-01", "Tháng 1/2026", "January 2026", "1/2026", "Jan 2026"),
        ("2026-Q1", "Quý I/2026", "Q1 2026", "Quý I/2026", "Q1 2026"),
        ("2026-Q2", "Quý II/2026", "Q2 2026", "Quý II/2026", "Q2 2026"),
        ("2026-Q3", "Quý III/2026", "Q3 2026", "Quý III/2026", "Q3 2026"),
        ("2026-Q4", "Quý IV/2026", "Q4 2026", "Quý IV/2026", "Q4 2026"),
        ("2026", "Năm 2026", "2026", "2026", "2026"),
    ],
)
def test_period_label(key, vi, en, vi_short, en_short):
    period = parse_period(key)
    assert period_label(period) == vi
    assert period_label(period, "vi") == vi
    assert period_label(period, "en") == en
    assert period_label(period, "en-us") == en
    assert period_label(period, short=True) == vi_short
    assert period_label(period, "en", short=True) == en_short


def test_a_previous_period_reads_right_across_a_year():
    assert period_label(parse_period("2026-Q1").previous()) == "Quý IV/2025"
    assert period_label(parse_period("2026-01").previous()) == "Tháng 12/2025"


@pytest.mark.parametrize(
    ("code", "n", "d", "expected"),
    [
        ("PROGRESS", 3, 4, True),
        ("PROGRESS", 0, 4, True),  # a real zero: four dossiers, none on time
        ("PROGRESS", 0, 0, False),  # no dossier: the rule gives 0, the page says "no data"
        ("PUBLISH_ON_TIME", None, None, False),  # an input nobody entered
        ("PUBLISH_ON_TIME", 0, 0, False),
        ("PUBLISH_ON_TIME", 5, 5, True),
        ("ONLINE_PAYMENT_B", 0, 0, False),  # no fee-bearing procedure
        ("PETITION_PROCESSING_ON_TIME", 0, 0, True),  # no complaint: full marks, a real score
        ("PETITION_PROCESSING_ON_TIME", None, None, False),
        ("PETITION_CLASSIFICATION_STAFF", 0, 0, False),
        ("PETITION_CLASSIFICATION_STAFF", 1, 3, True),
    ],
)
def test_has_data(code, n, d, expected):
    assert formulas.has_data(code, n, d) is expected


@pytest.mark.parametrize(
    ("group", "metrics", "expected"),
    [
        ("transparency", {}, Decimal(18)),
        ("transparency", {"PUBLISH_ON_TIME": (3, 4)}, Decimal(12)),
        ("transparency", {"PUBLISH_ON_TIME": (3, 4), "PUBLIC_UPDATE_ON_TIME": (0, 2),
                          "PUBLIC_CONTENT_FULL": (1, 1), "DOSSIER_SYNC": (9, 9)}, Decimal(0)),
        ("progress", {"PROGRESS": (0, 0)}, Decimal(20)),
        ("progress", {"PROGRESS": (0, 5)}, Decimal(0)),
        # the parts' ceilings add up to 10.5: the unmeasured points stop at the group's 10
        ("online_payment", {}, Decimal(10)),
        ("online_payment", {"ONLINE_PAYMENT_A": (1, 2)}, Decimal("4.5")),
        ("satisfaction", {"DOSSIER_RECEIVING_SATISFACTION": (0, 0), "PETITION_PROCESSING_ON_TIME": (0, 0),
                          "PETITION_HANDLING_SATISFACTION": (0, 0)}, Decimal(6)),
    ],
)
def test_unmeasured_points(group, metrics, expected):
    assert formulas.unmeasured_points(group, metrics) == expected


def test_the_scores_do_not_depend_on_the_display_rules():
    """An empty month still scores what the rules say (0 for progress, full marks for petitions)."""
    total, groups = formulas.score_index({"PROGRESS": (0, 0), "PETITION_PROCESSING_ON_TIME": (0, 0)})
    assert total == Decimal("6.00")
    assert {g.code: g.score for g in groups}["progress"] == Decimal("0.00")
