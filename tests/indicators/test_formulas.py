"""The Decision 766 index formulas of `tinhso.indicators.formulas`, as tables.

Pure functions: no database, no Django (the shared conftest imports models, which pytest-django
allows; nothing here asks for `db`). The expected values are worked by hand from the spec in
`shared/domain/service-index-766.md`.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from tinhso.indicators import formulas
from tinhso.indicators.formulas import (
    GROUPS,
    GROUPS_BY_CODE,
    MAX_TOTAL,
    METRICS,
    METRICS_BY_CODE,
    ScoringKind,
    capped,
    linear,
    metrics_of,
    online_payment,
    online_payment_a,
    online_payment_b,
    online_payment_c,
    online_service,
    online_service_a,
    online_service_b,
    online_service_c,
    petition,
    progress,
    ratio_percent,
    receiving_satisfaction,
    reused_digitized_data,
    round_half_up,
    score_group,
    score_index,
    score_metric,
    tracking,
)

pytestmark: list[pytest.MarkDecorator] = []

D = Decimal


# --- rounding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(Fraction(20 * 29, 32), "18.13", id="20x29/32=18.125-up"),
        pytest.param(Fraction(6 * 7, 16), "2.63", id="6x7/16=2.625-up"),
        pytest.param(Fraction(4 * 1, 8), "0.50", id="4x1/8=0.5-exact"),
        pytest.param(Fraction(6, 16), "0.38", id="6/16=0.375-up"),
        pytest.param(Fraction(5, 8), "0.63", id="0.625-up"),
        pytest.param(Fraction(1, 200), "0.01", id="0.005-up"),
        pytest.param(Fraction(1, 201), "0.00", id="just-under-half-cent-down"),
        pytest.param(Fraction(2, 3), "0.67", id="2/3"),
        pytest.param(Fraction(-5, 8), "-0.63", id="negative-away-from-zero"),
        pytest.param(D("18.125"), "18.13", id="decimal-input"),
        pytest.param(D("2.675"), "2.68", id="decimal-2.675"),
        pytest.param(7, "7.00", id="int-input"),
        pytest.param(0, "0.00", id="zero"),
    ],
)
def test_round_half_up(value, expected):
    result = round_half_up(value)
    assert result == D(expected)
    assert str(result) == expected  # always two decimals


@pytest.mark.parametrize(
    ("max_score", "n", "d", "float_round", "half_up"),
    [
        pytest.param(20, 29, 32, 18.12, "18.13", id="20x29/32=18.125"),
        pytest.param(20, 5, 32, 3.12, "3.13", id="20x5/32=3.125"),
        pytest.param(6, 7, 16, 2.62, "2.63", id="6x7/16=2.625"),
    ],
)
def test_float_round_would_have_failed_the_published_half_cents(max_score, n, d, float_round, half_up):
    """Why not `round()`: 18.125 is exact in binary and `round` breaks the tie to even (18.12);
    the portal publishes 18.13. Our rounding works from the exact fraction."""
    assert round(max_score * n / d, 2) == float_round
    assert linear(max_score, n, d) == D(half_up)
    assert round_half_up(Fraction(max_score * n, d)) == D(half_up)


def test_round_half_up_refuses_floats():
    with pytest.raises(TypeError):
        round_half_up(18.125)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("n", "d", "expected"),
    [
        pytest.param(1, 3, "33.33", id="1/3"),
        pytest.param(2, 3, "66.67", id="2/3"),
        pytest.param(29, 32, "90.63", id="29/32=90.625-up"),
        pytest.param(1, 8, "12.50", id="1/8"),
        pytest.param(0, 5, "0.00", id="zero-of-five"),
        pytest.param(5, 5, "100.00", id="all"),
        pytest.param(0, 0, None, id="d=0-null"),
    ],
)
def test_ratio_percent(n, d, expected):
    assert ratio_percent(n, d) == (None if expected is None else D(expected))


@pytest.mark.parametrize(
    ("n", "d", "error"),
    [
        pytest.param(-1, 3, ValueError, id="negative-n"),
        pytest.param(1, -3, ValueError, id="negative-d"),
        pytest.param(1.0, 3, TypeError, id="float-n"),
        pytest.param(True, 3, TypeError, id="bool-n"),
    ],
)
def test_counts_are_validated(n, d, error):
    with pytest.raises(error):
        ratio_percent(n, d)
    with pytest.raises(error):
        score_metric("PROGRESS", n, d)


# --- per-metric kinds ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("func", "args", "expected"),
    [
        # linear: max × n/d, null on d = 0
        pytest.param(linear, (6, 7, 16), "2.63", id="linear-6x7/16=2.625"),
        pytest.param(linear, (4, 1, 8), "0.50", id="linear-4x1/8"),
        pytest.param(linear, (2, 1, 3), "0.67", id="linear-2x1/3"),
        pytest.param(linear, (6, 0, 0), None, id="linear-d=0-null"),
        # capped: min(max, max × n/d), null on d = 0
        pytest.param(capped, (4, 3, 8), "1.50", id="capped-4x3/8"),
        pytest.param(capped, (6, 9, 8), "6.00", id="capped-over-100%-capped"),
        pytest.param(capped, (2, 0, 0), None, id="capped-d=0-null"),
        # reused digitised data: min(2, 2 × (100·n/d) / 80), null on d = 0
        pytest.param(reused_digitized_data, (4, 5), "2.00", id="reused-80%-full"),
        pytest.param(reused_digitized_data, (9, 10), "2.00", id="reused-90%-full"),
        pytest.param(reused_digitized_data, (79, 100), "1.98", id="reused-79%"),
        pytest.param(reused_digitized_data, (2, 5), "1.00", id="reused-40%-half"),
        pytest.param(reused_digitized_data, (0, 0), None, id="reused-d=0-null"),
        # receiving satisfaction: min(6, 6 × (n/d) / 0.9), 0 on d = 0
        pytest.param(receiving_satisfaction, (9, 10), "6.00", id="satisfaction-90%-full"),
        pytest.param(receiving_satisfaction, (19, 20), "6.00", id="satisfaction-95%-full"),
        pytest.param(receiving_satisfaction, (89, 100), "5.93", id="satisfaction-89%"),
        pytest.param(receiving_satisfaction, (3, 4), "5.00", id="satisfaction-75%"),
        pytest.param(receiving_satisfaction, (0, 0), "0.00", id="satisfaction-d=0-zero"),
        # petitions: 6 × n/d, full marks on d = 0
        pytest.param(petition, (7, 16), "2.63", id="petition-6x7/16=2.625"),
        pytest.param(petition, (0, 3), "0.00", id="petition-none-handled"),
        pytest.param(petition, (0, 0), "6.00", id="petition-d=0-full-marks"),
        # progress: 20 × n/d, 0 on d = 0
        pytest.param(progress, (29, 32), "18.13", id="progress-20x29/32=18.125"),
        pytest.param(progress, (32, 32), "20.00", id="progress-all-on-time"),
        pytest.param(progress, (0, 0), "0.00", id="progress-d=0-zero"),
        # tracking only: never scored
        pytest.param(tracking, (3, 10), None, id="tracking-null"),
        pytest.param(tracking, (0, 0), None, id="tracking-d=0-null"),
    ],
)
def test_metric_kind(func, args, expected):
    assert func(*args) == (None if expected is None else D(expected))


@pytest.mark.parametrize(
    ("func", "n", "d", "expected"),
    [
        # online service A: min(2, 2A / 0.8), full at 80 %
        pytest.param(online_service_a, 4, 5, "2.00", id="service-A-80%-full"),
        pytest.param(online_service_a, 1, 1, "2.00", id="service-A-100%-full"),
        pytest.param(online_service_a, 3, 5, "1.50", id="service-A-60%"),
        pytest.param(online_service_a, 0, 0, "0.00", id="service-A-d=0-zero"),
        # online service B: 4B
        pytest.param(online_service_b, 1, 8, "0.50", id="service-B-4x1/8"),
        pytest.param(online_service_b, 5, 32, "0.63", id="service-B-4x5/32=0.625"),
        pytest.param(online_service_b, 0, 0, "0.00", id="service-B-d=0-zero"),
        # online service C: min(6, 6C / 0.5), full at 50 %
        pytest.param(online_service_c, 1, 2, "6.00", id="service-C-50%-full"),
        pytest.param(online_service_c, 3, 4, "6.00", id="service-C-75%-full"),
        pytest.param(online_service_c, 1, 4, "3.00", id="service-C-25%"),
        pytest.param(online_service_c, 49, 100, "5.88", id="service-C-49%"),
        pytest.param(online_service_c, 0, 0, "0.00", id="service-C-d=0-zero"),
        # online payment A: 6A
        pytest.param(online_payment_a, 7, 16, "2.63", id="payment-A-6x7/16=2.625"),
        pytest.param(online_payment_a, 0, 0, "0.00", id="payment-A-d=0-zero"),
        # online payment B: min(2, 2.5B), full at 80 %
        pytest.param(online_payment_b, 4, 5, "2.00", id="payment-B-80%-full"),
        pytest.param(online_payment_b, 1, 2, "1.25", id="payment-B-50%"),
        pytest.param(online_payment_b, 0, 0, "0.00", id="payment-B-d=0-zero"),
        # online payment C: 2.5C
        pytest.param(online_payment_c, 1, 4, "0.63", id="payment-C-2.5x1/4=0.625"),
        pytest.param(online_payment_c, 1, 1, "2.50", id="payment-C-all"),
        pytest.param(online_payment_c, 0, 0, "0.00", id="payment-C-d=0-zero"),
    ],
)
def test_group_formula_parts(func, n, d, expected):
    assert func(n, d) == D(expected)


@pytest.mark.parametrize(
    ("n", "d", "exact", "via_rounded_ratio"),
    [
        # 6 × 1/48 = 0.125 → 0.13; the ratio 2.0833 % rounds to 2.08 and 6 × 2.08 % = 0.1248 → 0.12
        pytest.param(1, 48, "0.13", "0.12", id="6x1/48"),
        # 6 × 32/51 = 3.7647 → 3.76; the ratio 62.745 % rounds to 62.75 and 6 × 62.75 % = 3.765 → 3.77
        pytest.param(32, 51, "3.76", "3.77", id="6x32/51"),
    ],
)
def test_scores_come_from_the_exact_ratio_not_the_rounded_one(n, d, exact, via_rounded_ratio):
    ratio = ratio_percent(n, d)
    assert ratio is not None
    assert round_half_up(6 * ratio / 100) == D(via_rounded_ratio)
    assert linear(6, n, d) == D(exact)


# --- the group formulas --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        pytest.param((4, 5, 1, 1, 1, 2), "12.00", id="all-full"),
        pytest.param((9, 10, 1, 1, 9, 10), "12.00", id="over-thresholds-still-12"),
        pytest.param((3, 5, 1, 2, 1, 4), "6.50", id="1.5+2+3"),
        pytest.param((0, 0, 0, 0, 0, 0), "0.00", id="all-d=0-zero"),
        pytest.param((0, 0, 1, 2, 1, 2), "8.00", id="A-d=0-counts-0"),
        # exact sum 0.625 + 0.375 = 1.000 → 1.00; rounding terms first would give 0.63 + 0.38 = 1.01
        pytest.param((0, 0, 5, 32, 1, 32), "1.00", id="rounds-the-exact-sum-once"),
    ],
)
def test_online_service(counts, expected):
    assert online_service(*counts) == D(expected)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        pytest.param((1, 1, 4, 5, 1, 1), "10.00", id="all-full-10.5-capped-at-10"),
        pytest.param((1, 1, 0, 1, 0, 1), "6.00", id="only-A"),
        pytest.param((1, 2, 1, 2, 1, 2), "5.50", id="3+1.25+1.25"),
        pytest.param((0, 0, 0, 0, 0, 0), "0.00", id="all-d=0-zero"),
        pytest.param((0, 0, 4, 5, 1, 1), "4.50", id="A-d=0-counts-0"),
        # 6 × 1/16 = 0.375 → 0.38 and 2.5 × 1/4 = 0.625 → 0.63: terms first 1.01, exact sum 1.00
        pytest.param((1, 16, 0, 1, 1, 4), "1.01", id="each-term-rounded-before-summing"),
    ],
)
def test_online_payment(counts, expected):
    assert online_payment(*counts) == D(expected)


def test_online_payment_term_rounding_differs_from_rounding_the_sum():
    exact = 6 * Fraction(1, 16) + Fraction(5, 2) * Fraction(1, 4)
    assert round_half_up(exact) == D("1.00")
    assert online_payment(1, 16, 0, 1, 1, 4) == D("1.01")


def test_online_service_parts_shown_rounded_group_rounded_once():
    group = score_group("online_service", {"ONLINE_SERVICE_B": (5, 32), "ONLINE_SERVICE_C": (1, 32)})
    parts = {m.code: m.score for m in group.metrics}
    assert parts == {"ONLINE_SERVICE_A": None, "ONLINE_SERVICE_B": D("0.63"), "ONLINE_SERVICE_C": D("0.38")}
    assert group.score == D("1.00")


# --- the table -----------------------------------------------------------------------------


def test_group_maxima_add_up_to_100():
    assert [(g.code, g.max_score) for g in GROUPS] == [
        ("transparency", 18),
        ("progress", 20),
        ("online_service", 12),
        ("online_payment", 10),
        ("digitisation", 22),
        ("satisfaction", 18),
    ]
    assert sum(g.max_score for g in GROUPS) == MAX_TOTAL == 100


@pytest.mark.parametrize(
    ("group", "metric_max"),
    [
        pytest.param("transparency", "18", id="transparency"),
        pytest.param("progress", "20", id="progress"),
        pytest.param("online_service", "12", id="online_service"),
        pytest.param("online_payment", "10.5", id="online_payment-terms-top-out-at-10.5"),
        pytest.param("digitisation", "22", id="digitisation"),
        pytest.param("satisfaction", "18", id="satisfaction"),
    ],
)
def test_metric_maxima_per_group(group, metric_max):
    assert sum(m.max_score for m in metrics_of(group)) == D(metric_max)


def test_metric_table_is_consistent():
    codes = [m.code for m in METRICS]
    assert len(codes) == len(set(codes)) == len(METRICS_BY_CODE) == 23
    assert {m.group for m in METRICS} == set(GROUPS_BY_CODE)
    for m in METRICS:
        assert m.name_vi and m.name_en
        assert (m.max_score == 0) == (m.kind is ScoringKind.TRACKING)
    assert METRICS_BY_CODE["PROGRESS"].kind is ScoringKind.PROGRESS
    assert METRICS_BY_CODE["REUSED_DIGITIZED_DATA"].max_score == 2


def test_full_counts_score_every_metric_its_maximum():
    for m in METRICS:
        result = score_metric(m.code, 1, 1)
        assert result.score == (None if m.kind is ScoringKind.TRACKING else m.max_score)


# --- groups and index ----------------------------------------------------------------------


def test_group_total_ignores_null_metrics():
    group = score_group(
        "transparency",
        {"PUBLISH_ON_TIME": (7, 16), "PUBLIC_UPDATE_ON_TIME": (0, 0), "PUBLIC_CONTENT_FULL": (1, 8)},
    )
    by_code = {m.code: m for m in group.metrics}
    assert by_code["PUBLISH_ON_TIME"].score == D("2.63")
    assert by_code["PUBLIC_UPDATE_ON_TIME"].score is None  # d = 0: null
    assert by_code["PUBLIC_UPDATE_ON_TIME"].ratio is None
    assert by_code["DOSSIER_SYNC"].numerator is None  # not measured
    assert group.score == D("2.88")  # 2.63 + 0.25
    assert group.max_score == 18
    assert group.ratio == D("16.00")


def test_group_total_sums_rounded_scores():
    # two metrics at 6 × 7/16 = 2.625 → 2.63 each: the sum of rounded (5.26), not of exact (5.25)
    group = score_group(
        "satisfaction", {"PETITION_PROCESSING_ON_TIME": (7, 16), "PETITION_HANDLING_SATISFACTION": (7, 16)}
    )
    assert group.score == D("5.26")


def test_satisfaction_group_with_no_feedback_and_no_dossiers():
    group = score_group(
        "satisfaction",
        {
            "DOSSIER_RECEIVING_SATISFACTION": (0, 0),
            "PETITION_PROCESSING_ON_TIME": (0, 0),
            "PETITION_HANDLING_SATISFACTION": (0, 0),
            "PETITION_CLASSIFICATION_TTHC": (0, 0),
            "PETITION_CLASSIFICATION_STAFF": (0, 0),
        },
    )
    assert [m.score for m in group.metrics] == [D("0.00"), D("6.00"), D("6.00"), None, None]
    assert group.score == D("12.00")
    assert group.ratio == D("66.67")


def test_missing_petition_metric_is_not_measured_not_full_marks():
    group = score_group("satisfaction", {})
    assert group.score == D("0.00")
    assert all(m.score is None for m in group.metrics)


def test_group_ratio_rounds_half_up():
    # progress 1/3 of 20 = 6.67; ratio 100 × 6.67 / 20 = 33.35
    group = score_group("progress", {"PROGRESS": (1, 3)})
    assert (group.score, group.ratio) == (D("6.67"), D("33.35"))
    assert group.metrics[0].ratio == D("33.33")


def test_sources_are_carried():
    group = score_group("progress", {"PROGRESS": (1, 2)}, sources={"PROGRESS": "tinhso"})
    assert group.metrics[0].source == "tinhso"


@pytest.mark.parametrize(
    ("call", "error"),
    [
        pytest.param(lambda: score_group("nope", {}), ValueError, id="unknown-group"),
        pytest.param(lambda: score_group("progress", {"PROGRES": (1, 2)}), ValueError, id="unknown-metric"),
        pytest.param(lambda: score_index({"PROGRES": (1, 2)}), ValueError, id="index-unknown-metric"),
        pytest.param(lambda: score_metric("NOPE", 1, 2), ValueError, id="score-unknown-metric"),
        pytest.param(lambda: metrics_of("nope"), ValueError, id="metrics-of-unknown-group"),
    ],
)
def test_unknown_codes_are_errors(call, error):
    with pytest.raises(error):
        call()


def test_index_at_full_marks_is_100():
    total, groups = score_index({m.code: (1, 1) for m in METRICS})
    assert [g.code for g in groups] == [g.code for g in GROUPS]
    assert total == D("100.00")
    assert all(g.score == g.max_score and g.ratio == 100 for g in groups)


def test_index_with_nothing_to_measure():
    """Every metric measured with d = 0: only the petition metrics score (full marks)."""
    total, groups = score_index({m.code: (0, 0) for m in METRICS})
    assert {g.code: g.score for g in groups} == {
        "transparency": D("0.00"),
        "progress": D("0.00"),
        "online_service": D("0.00"),
        "online_payment": D("0.00"),
        "digitisation": D("0.00"),
        "satisfaction": D("12.00"),
    }
    assert total == D("12.00")


def test_index_total_is_sum_of_group_totals():
    inputs = {
        "PUBLISH_ON_TIME": (7, 16),  # 2.63
        "DOSSIER_SYNC": (1, 1),  # 6.00
        "PROGRESS": (29, 32),  # 18.13
        "ONLINE_SERVICE_A": (3, 5),  # 1.50
        "ONLINE_SERVICE_B": (1, 2),  # 2.00
        "ONLINE_SERVICE_C": (1, 4),  # 3.00 → 6.50
        "ONLINE_PAYMENT_A": (1, 16),  # 0.38
        "ONLINE_PAYMENT_C": (1, 4),  # 0.63 → 1.01
        "REUSED_DIGITIZED_DATA": (2, 5),  # 1.00
        "ELECTRONIC_CERTIFIED_COPY": (0, 0),  # null
        "DOSSIER_RECEIVING_SATISFACTION": (3, 4),  # 5.00
        "PETITION_PROCESSING_ON_TIME": (0, 0),  # 6.00
    }
    total, groups = score_index(inputs)
    assert [g.score for g in groups] == [D("8.63"), D("18.13"), D("6.50"), D("1.01"), D("1.00"), D("11.00")]
    assert total == D("46.27")


def test_integer_core_agrees_with_the_fraction_rules_on_random_counts():
    """The fast integer core scores every metric exactly as the readable Fraction rules
    (`_exact_score`) do, including ties at the half cent and the caps."""
    import random

    rng = random.Random(766)
    cases = [(0, 0), (0, 1), (1, 1), (29, 32), (1, 8), (3, 8), (9, 10), (4, 5), (1, 2), (7, 9)]
    cases += [(n, d) for d in (rng.randint(1, 50_000) for _ in range(400)) for n in (rng.randint(0, d),)]
    for spec in formulas.METRICS:
        for n, d in cases:
            exact = formulas._exact_score(spec.kind, spec.max_score, n, d)
            expected = None if exact is None else formulas.round_half_up(exact)
            result = formulas.score_metric(spec.code, n, d)
            assert result.score == expected, (spec.code, n, d)
            assert result.ratio == formulas.ratio_percent(n, d)
    # The online-service group is the exact sum of its terms rounded once.
    for _ in range(300):
        counts = {code: (n, d) for code in ("ONLINE_SERVICE_A", "ONLINE_SERVICE_B", "ONLINE_SERVICE_C")
                  for d in (rng.randint(0, 40),) for n in (rng.randint(0, d),)}
        exact_sum = sum((formulas._exact_score(formulas.METRICS_BY_CODE[c].kind, formulas.METRICS_BY_CODE[c].max_score,
                                               n, d) or 0) for c, (n, d) in counts.items())
        assert formulas.score_group("online_service", counts).score == min(Decimal(12), formulas.round_half_up(exact_sum))
