"""The Decision 766 service index (Decision 766/QĐ-TTg): its formulas as small pure functions.

These reproduce the scores the national public-service portal (DVCQG) publishes for every
province, department and commune: the formulas were reverse-engineered from the portal's
responses and re-verified against them (see `shared/domain/service-index-766.md`). Treat them
as the portal's behaviour, not as legal text.

Exactness: every score is computed from the exact ratio n/d as a `fractions.Fraction` and only
then rounded half-up to 2 decimals (`Decimal`, `ROUND_HALF_UP`); never from a rounded ratio and
never through `float`. Python's `round()` is banker's rounding on binary floats and gets the
portal's half-cent cases wrong: `round(20 * 29 / 32, 2)` is 18.12, the portal publishes 18.13.

Structure: six groups worth 18 + 20 + 12 + 10 + 22 + 18 = 100 points (`GROUPS`), each made of
metrics (`METRICS`) with a national code, a maximum and a scoring kind. Decisions taken here:

- The two groups the portal scores with one group formula (online service, online payment) are
  represented by their parts A, B and C as metrics (`ONLINE_SERVICE_A` … `ONLINE_PAYMENT_C`),
  so that a unit can see which part cost the points. Each part's `max_score` is its term's own
  ceiling (online service 2 + 4 + 6 = 12; online payment 6 + 2 + 2.5 = 10.5, see below). A part
  whose denominator is 0 scores 0, as the spec says for online payment (and the brief for both).
- Online payment: each term is rounded to 2 decimals before summing (the spec's rule, which
  matches the published scores); the group total is that sum, as for every other group.
- Online service: the spec gives no rounding rule, so the group total is the exact sum of the
  three terms rounded half-up once. The parts' rounded scores are still shown on the metrics,
  so their sum can differ from the group total by 0.01 (e.g. 0.625 + 0.375: parts 0.63 and 0.38,
  group 1.00).
- A group total never exceeds the group's maximum. On consistent counts this binds only for
  online payment, whose formula as published tops out at 10.5 for a 10-point group
  (A = B = C = 100 %); the cap keeps the index within 100. The portal's behaviour at that edge
  was not observed in the data the formulas were verified against.
- A metric missing from the inputs is "not measured": null counts, null ratio, null score, and it
  adds nothing to its group (even a petition metric, which scores full marks only on a measured
  d = 0). An unknown metric code in the inputs is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple

__all__ = [
    "GROUPS",
    "GROUPS_BY_CODE",
    "MAX_TOTAL",
    "METRICS",
    "METRICS_BY_CODE",
    "GroupFormula",
    "GroupResult",
    "GroupSpec",
    "MetricResult",
    "MetricSpec",
    "ScoringKind",
    "capped",
    "has_data",
    "linear",
    "metrics_of",
    "online_payment",
    "online_payment_a",
    "online_payment_b",
    "online_payment_c",
    "online_service",
    "online_service_a",
    "online_service_b",
    "online_service_c",
    "petition",
    "progress",
    "ratio_percent",
    "receiving_satisfaction",
    "reused_digitized_data",
    "round_half_up",
    "score_group",
    "score_index",
    "score_metric",
    "tracking",
    "unmeasured_points",
]

Exact = Fraction | Decimal | int

# --------------------------------------------------------------------------------------------
# Rounding and ratios
# --------------------------------------------------------------------------------------------


def round_half_up(x: Exact) -> Decimal:
    """`x` rounded half-up (ties away from zero) to 2 decimals, computed from its exact value.

    >>> round_half_up(Fraction(20 * 29, 32))  # 18.125
    Decimal('18.13')
    """
    if isinstance(x, float):  # a float has already lost the exact value
        raise TypeError("round_half_up takes an exact value (Fraction, Decimal or int), not a float")
    exact = x if isinstance(x, Fraction) else Fraction(x)
    num, den = exact.numerator, exact.denominator
    # floor(|x| × 100 + ½) in integers: floor((200·|num| + den) / (2·den)).
    hundredths = (200 * abs(num) + den) // (2 * den)
    if num < 0:
        hundredths = -hundredths
    return Decimal(hundredths).scaleb(-2) if hundredths else Decimal("0.00")


def _check_counts(n: int, d: int) -> None:
    for name, value in (("numerator", n), ("denominator", d)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name} must be an int count, got {value!r}")
        if value < 0:
            raise ValueError(f"{name} must not be negative, got {value}")


def _share(n: int, d: int) -> Fraction | None:
    """The exact n/d, or None when d == 0."""
    _check_counts(n, d)
    return Fraction(n, d) if d else None


def ratio_percent(n: int, d: int) -> Decimal | None:
    """100 × n/d rounded half-up to 2 decimals; None when d == 0."""
    share = _share(n, d)
    return None if share is None else round_half_up(100 * share)


def _round_opt(x: Fraction | None) -> Decimal | None:
    return None if x is None else round_half_up(x)


# --------------------------------------------------------------------------------------------
# Scoring kinds: one exact rule each, dispatched from the metric table
# --------------------------------------------------------------------------------------------


class ScoringKind(StrEnum):
    """How a metric turns its counts into points (`max` is the metric's maximum)."""

    LINEAR = "linear"  # max × n/d; null if d = 0
    CAPPED = "capped"  # min(max, max × n/d); null if d = 0
    REUSED_DIGITIZED_DATA = "reused_digitized_data"  # min(2, 2 × (100·n/d) / 80); null if d = 0
    RECEIVING_SATISFACTION = "receiving_satisfaction"  # min(6, 6 × (n/d) / 0.9); 0 if d = 0
    PETITION = "petition"  # 6 × n/d; 6 (full marks) if d = 0
    PROGRESS = "progress"  # 20 × n/d; 0 if d = 0
    TRACKING = "tracking"  # counted and shown, never scored: score null
    ONLINE_SERVICE_A = "online_service_a"  # min(2, 2A / 0.8); 0 if d = 0
    ONLINE_SERVICE_B = "online_service_b"  # 4B; 0 if d = 0
    ONLINE_SERVICE_C = "online_service_c"  # min(6, 6C / 0.5); 0 if d = 0
    ONLINE_PAYMENT_A = "online_payment_a"  # 6A; 0 if d = 0
    ONLINE_PAYMENT_B = "online_payment_b"  # min(2, 2.5B); 0 if d = 0
    ONLINE_PAYMENT_C = "online_payment_c"  # 2.5C; 0 if d = 0


def _scaled(
    max_score: Fraction,
    n: int,
    d: int,
    *,
    full_at: Fraction = Fraction(1),
    cap: bool = False,
    if_empty: Fraction | None = None,
) -> Fraction | None:
    """max × (n/d) / full_at, capped at max when `cap`; `if_empty` when d == 0."""
    share = _share(n, d)
    if share is None:
        return if_empty
    score = max_score * share / full_at
    return min(max_score, score) if cap else score


def _not_scored(max_score: Fraction, n: int, d: int) -> None:
    _check_counts(n, d)
    return None


_ZERO = Fraction(0)
_RULES: dict[ScoringKind, Callable[[Fraction, int, int], Fraction | None]] = {
    ScoringKind.LINEAR: lambda m, n, d: _scaled(m, n, d),
    ScoringKind.CAPPED: lambda m, n, d: _scaled(m, n, d, cap=True),
    ScoringKind.REUSED_DIGITIZED_DATA: lambda m, n, d: _scaled(m, n, d, full_at=Fraction(80, 100), cap=True),
    ScoringKind.RECEIVING_SATISFACTION: lambda m, n, d: _scaled(
        m, n, d, full_at=Fraction(9, 10), cap=True, if_empty=_ZERO
    ),
    ScoringKind.PETITION: lambda m, n, d: _scaled(m, n, d, if_empty=m),
    ScoringKind.PROGRESS: lambda m, n, d: _scaled(m, n, d, if_empty=_ZERO),
    ScoringKind.TRACKING: _not_scored,
    ScoringKind.ONLINE_SERVICE_A: lambda m, n, d: _scaled(
        m, n, d, full_at=Fraction(8, 10), cap=True, if_empty=_ZERO
    ),
    ScoringKind.ONLINE_SERVICE_B: lambda m, n, d: _scaled(m, n, d, if_empty=_ZERO),
    ScoringKind.ONLINE_SERVICE_C: lambda m, n, d: _scaled(
        m, n, d, full_at=Fraction(5, 10), cap=True, if_empty=_ZERO
    ),
    ScoringKind.ONLINE_PAYMENT_A: lambda m, n, d: _scaled(m, n, d, if_empty=_ZERO),
    # min(2, 2.5B) = min(2, 2 × B / 0.8): full marks at 80 %.
    ScoringKind.ONLINE_PAYMENT_B: lambda m, n, d: _scaled(
        m, n, d, full_at=Fraction(8, 10), cap=True, if_empty=_ZERO
    ),
    ScoringKind.ONLINE_PAYMENT_C: lambda m, n, d: _scaled(m, n, d, if_empty=_ZERO),
}


def _exact_score(kind: ScoringKind, max_score: Exact, n: int, d: int) -> Fraction | None:
    return _RULES[kind](Fraction(max_score), n, d)


def linear(max_score: Exact, n: int, d: int) -> Decimal | None:
    """max × n/d; None when d == 0 (transparency metrics)."""
    return _round_opt(_exact_score(ScoringKind.LINEAR, max_score, n, d))


def capped(max_score: Exact, n: int, d: int) -> Decimal | None:
    """min(max, max × n/d); None when d == 0 (digitisation metrics)."""
    return _round_opt(_exact_score(ScoringKind.CAPPED, max_score, n, d))


def reused_digitized_data(n: int, d: int) -> Decimal | None:
    """REUSED_DIGITIZED_DATA: min(2, 2 × (100·n/d) / 80), full marks at 80 %; None when d == 0."""
    return _round_opt(_exact_score(ScoringKind.REUSED_DIGITIZED_DATA, 2, n, d))


def receiving_satisfaction(n: int, d: int) -> Decimal:
    """DOSSIER_RECEIVING_SATISFACTION: min(6, 6 × (n/d) / 0.9), full marks at 90 %; 0 when d == 0."""
    return round_half_up(_exact_score(ScoringKind.RECEIVING_SATISFACTION, 6, n, d) or _ZERO)


def petition(n: int, d: int) -> Decimal:
    """PETITION_PROCESSING_ON_TIME / PETITION_HANDLING_SATISFACTION: 6 × n/d; 6 when d == 0."""
    return round_half_up(_exact_score(ScoringKind.PETITION, 6, n, d) or _ZERO)


def progress(n: int, d: int) -> Decimal:
    """Processing progress: 20 × on-time / received; 0 when d == 0."""
    return round_half_up(_exact_score(ScoringKind.PROGRESS, 20, n, d) or _ZERO)


def tracking(n: int, d: int) -> None:
    """Tracking-only metrics (petition classifications): counted, never scored."""
    return _not_scored(_ZERO, n, d)


def online_service_a(n: int, d: int) -> Decimal:
    """min(2, 2A / 0.8), A = procedures offered online / procedures of the unit; 0 when d == 0."""
    return round_half_up(_exact_score(ScoringKind.ONLINE_SERVICE_A, 2, n, d) or _ZERO)


def online_service_b(n: int, d: int) -> Decimal:
    """4B, B = online dossiers / dossiers of procedures offered online; 0 when d == 0."""
    return round_half_up(_exact_score(ScoringKind.ONLINE_SERVICE_B, 4, n, d) or _ZERO)


def online_service_c(n: int, d: int) -> Decimal:
    """min(6, 6C / 0.5), C = dossiers through the online channel / all dossiers; 0 when d == 0."""
    return round_half_up(_exact_score(ScoringKind.ONLINE_SERVICE_C, 6, n, d) or _ZERO)


def online_payment_a(n: int, d: int) -> Decimal:
    """6A, A = dossiers paid online / dossiers with a financial obligation; 0 when d == 0."""
    return round_half_up(_exact_score(ScoringKind.ONLINE_PAYMENT_A, 6, n, d) or _ZERO)


def online_payment_b(n: int, d: int) -> Decimal:
    """min(2, 2.5B), B = fee-bearing procedures paid online at least once / fee-bearing procedures."""
    return round_half_up(_exact_score(ScoringKind.ONLINE_PAYMENT_B, 2, n, d) or _ZERO)


def online_payment_c(n: int, d: int) -> Decimal:
    """2.5C, C = fee-bearing procedures that received dossiers / fee-bearing procedures."""
    return round_half_up(_exact_score(ScoringKind.ONLINE_PAYMENT_C, Fraction(5, 2), n, d) or _ZERO)


# --------------------------------------------------------------------------------------------
# The table: six groups, their metrics
# --------------------------------------------------------------------------------------------


class GroupFormula(StrEnum):
    """How a group's total is made from its metrics."""

    SUM_OF_ROUNDED = "sum_of_rounded"  # the sum of the metrics' rounded scores (nulls ignored)
    ROUNDED_EXACT_SUM = "rounded_exact_sum"  # the exact sum of the terms, rounded once


@dataclass(frozen=True)
class GroupSpec:
    code: str
    endpoint: str  # the national portal's endpoint for the group
    name_vi: str
    name_en: str
    max_score: Decimal
    formula: GroupFormula = GroupFormula.SUM_OF_ROUNDED


@dataclass(frozen=True)
class MetricSpec:
    group: str
    code: str
    name_vi: str
    name_en: str
    max_score: Decimal
    kind: ScoringKind


MAX_TOTAL = Decimal(100)

GROUPS: tuple[GroupSpec, ...] = (
    GroupSpec(
        "transparency", "transparency", "Công khai, minh bạch", "Publicity and transparency", Decimal(18)
    ),
    GroupSpec("progress", "dvc-progress-tree", "Tiến độ giải quyết", "Processing progress", Decimal(20)),
    GroupSpec(
        "online_service",
        "provide-online-tree",
        "Cung cấp dịch vụ công trực tuyến",
        "Online service",
        Decimal(12),
        GroupFormula.ROUNDED_EXACT_SUM,
    ),
    GroupSpec(
        "online_payment",
        "formality-online-payment-tree",
        "Thanh toán trực tuyến",
        "Online payment",
        Decimal(10),
    ),
    GroupSpec("digitisation", "dossier-digitized", "Mức độ số hóa hồ sơ", "Digitisation", Decimal(22)),
    GroupSpec("satisfaction", "handling-satisfaction", "Mức độ hài lòng", "Satisfaction", Decimal(18)),
)

_K = ScoringKind
METRICS: tuple[MetricSpec, ...] = (
    # Publicity & transparency — 18
    MetricSpec("transparency", "PUBLISH_ON_TIME", "Công bố, công khai thủ tục hành chính đúng hạn",
               "Procedures published on time", Decimal(6), _K.LINEAR),
    MetricSpec("transparency", "PUBLIC_UPDATE_ON_TIME", "Cập nhật, công khai thủ tục hành chính đúng hạn",
               "Procedure updates published on time", Decimal(4), _K.LINEAR),
    MetricSpec("transparency", "PUBLIC_CONTENT_FULL", "Công khai đầy đủ nội dung thủ tục hành chính",
               "Procedure content published in full", Decimal(2), _K.LINEAR),
    MetricSpec("transparency", "DOSSIER_SYNC", "Đồng bộ hồ sơ lên Cổng Dịch vụ công quốc gia theo thời gian thực",
               "Dossiers synced to the national portal in real time", Decimal(6), _K.LINEAR),
    # Processing progress — 20
    MetricSpec("progress", "PROGRESS", "Hồ sơ giải quyết đúng hạn", "Dossiers handled on time",
               Decimal(20), _K.PROGRESS),
    # Online service — 12 (group formula; parts A, B, C)
    MetricSpec("online_service", "ONLINE_SERVICE_A", "Thủ tục hành chính cung cấp trực tuyến (một phần và toàn trình)",
               "Procedures offered online (partial and full)", Decimal(2), _K.ONLINE_SERVICE_A),
    MetricSpec("online_service", "ONLINE_SERVICE_B", "Hồ sơ trực tuyến của thủ tục cung cấp trực tuyến",
               "Online dossiers of procedures offered online", Decimal(4), _K.ONLINE_SERVICE_B),
    MetricSpec("online_service", "ONLINE_SERVICE_C", "Hồ sơ tiếp nhận qua kênh trực tuyến",
               "Dossiers received through the online channel", Decimal(6), _K.ONLINE_SERVICE_C),
    # Online payment — 10 (group formula; parts A, B, C whose ceilings add up to 10.5, capped at 10)
    MetricSpec("online_payment", "ONLINE_PAYMENT_A", "Hồ sơ thanh toán trực tuyến thành công",
               "Dossiers with a financial obligation paid online", Decimal(6), _K.ONLINE_PAYMENT_A),
    MetricSpec("online_payment", "ONLINE_PAYMENT_B", "Thủ tục có phí, lệ phí phát sinh thanh toán trực tuyến",
               "Fee-bearing procedures with an online payment", Decimal(2), _K.ONLINE_PAYMENT_B),
    MetricSpec("online_payment", "ONLINE_PAYMENT_C", "Thủ tục có phí, lệ phí phát sinh hồ sơ",
               "Fee-bearing procedures that received dossiers", Decimal("2.5"), _K.ONLINE_PAYMENT_C),
    # Digitisation — 22
    MetricSpec("digitisation", "ORIGINAL_RESULT_AVAILABLE", "Kết quả giải quyết được cấp bản gốc điện tử",
               "Results issued as electronic originals", Decimal(6), _K.CAPPED),
    MetricSpec("digitisation", "SO_HOA_GIAY_TO_GIAI_QUYET", "Số hóa thành phần hồ sơ",
               "Dossier components digitised", Decimal(4), _K.CAPPED),
    MetricSpec("digitisation", "ELECTRONIC_CERTIFIED_COPY", "Chứng thực bản sao điện tử",
               "Electronic certified copies", Decimal(2), _K.CAPPED),
    MetricSpec("digitisation", "REUSED_DIGITIZED_DATA", "Tái sử dụng dữ liệu đã số hóa",
               "Digitised data reused instead of paper", Decimal(2), _K.REUSED_DIGITIZED_DATA),
    MetricSpec("digitisation", "SYNCED_WITH_DVCQG_PERSONAL_STORAGE",
               "Đồng bộ kho dữ liệu của tổ chức, cá nhân trên Cổng Dịch vụ công quốc gia",
               "Synced with the personal data stores on the national portal", Decimal(4), _K.CAPPED),
    MetricSpec("digitisation", "CITIZEN_DATA_CONNECTED_DOSSIER", "Hồ sơ khai thác dữ liệu dân cư",
               "Dossiers using national population data", Decimal(2), _K.CAPPED),
    MetricSpec("digitisation", "CITIZEN_DATA_CONNECTED_FORMALITY", "Thủ tục kết nối, khai thác dữ liệu dân cư",
               "Procedures connected to national population data", Decimal(2), _K.CAPPED),
    # Satisfaction — 18
    MetricSpec("satisfaction", "DOSSIER_RECEIVING_SATISFACTION", "Mức độ hài lòng trong tiếp nhận, giải quyết hồ sơ",
               "Satisfaction with receiving and handling dossiers", Decimal(6), _K.RECEIVING_SATISFACTION),
    MetricSpec("satisfaction", "PETITION_PROCESSING_ON_TIME", "Xử lý phản ánh, kiến nghị đúng hạn",
               "Feedback handled on time", Decimal(6), _K.PETITION),
    MetricSpec("satisfaction", "PETITION_HANDLING_SATISFACTION", "Hài lòng về kết quả xử lý phản ánh, kiến nghị",
               "Feedback handling satisfied the citizen", Decimal(6), _K.PETITION),
    MetricSpec("satisfaction", "PETITION_CLASSIFICATION_TTHC", "Phản ánh, kiến nghị về quy định, thủ tục hành chính",
               "Feedback about procedures and regulations", Decimal(0), _K.TRACKING),
    MetricSpec("satisfaction", "PETITION_CLASSIFICATION_STAFF", "Phản ánh, kiến nghị về hành vi của cán bộ, công chức",
               "Feedback about officials' behaviour", Decimal(0), _K.TRACKING),
)  # fmt: skip

GROUPS_BY_CODE: dict[str, GroupSpec] = {g.code: g for g in GROUPS}
METRICS_BY_CODE: dict[str, MetricSpec] = {m.code: m for m in METRICS}


def metrics_of(group: str) -> tuple[MetricSpec, ...]:
    """The metrics of a group, in table order."""
    if group not in GROUPS_BY_CODE:
        raise ValueError(f"unknown group {group!r}")
    return tuple(m for m in METRICS if m.group == group)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


class MetricResult(NamedTuple):
    """One metric scored. Counts, ratio and score are None when the metric was not measured
    (absent from the inputs); ratio is None when d == 0, score per the metric's kind."""

    code: str
    numerator: int | None
    denominator: int | None
    ratio: Decimal | None  # 100 × n/d, half-up to 2 decimals
    score: Decimal | None  # half-up to 2 decimals; None = null (not scored)
    max_score: Decimal
    source: str | None = None  # where the counts came from, as the caller says (e.g. "tinhso", "dvcqg")


class GroupResult(NamedTuple):
    code: str
    score: Decimal
    max_score: Decimal
    ratio: Decimal  # 100 × score / max, half-up to 2 decimals
    metrics: tuple[MetricResult, ...]


Counts = tuple[int, int]


# --- the fast exact core -------------------------------------------------------------------
# A request scores ~164 agencies × 23 metrics; Fraction arithmetic (a gcd per operation) cost
# ~70 ms of that. The same exact rules in plain integers: every metric kind is
# score = K × n/d (K = max / full-marks share), capped at the maximum or not, with a fixed value
# when d = 0; a score is kept as the exact pair (numerator, denominator) and rounded half-up to
# hundredths in integers. `_exact_score` above stays the readable definition; a test checks the
# core against it on random counts.

# code → (K numerator, K denominator, cap numerator or None, cap denominator, value when d = 0:
#         None (null), or an exact pair)
_CoreRule = tuple[int, int, int | None, int, tuple[int, int] | None]
_EMPTY = {
    ScoringKind.LINEAR: None, ScoringKind.CAPPED: None, ScoringKind.REUSED_DIGITIZED_DATA: None,
    ScoringKind.RECEIVING_SATISFACTION: "zero", ScoringKind.PETITION: "max", ScoringKind.PROGRESS: "zero",
    ScoringKind.ONLINE_SERVICE_A: "zero", ScoringKind.ONLINE_SERVICE_B: "zero", ScoringKind.ONLINE_SERVICE_C: "zero",
    ScoringKind.ONLINE_PAYMENT_A: "zero", ScoringKind.ONLINE_PAYMENT_B: "zero", ScoringKind.ONLINE_PAYMENT_C: "zero",
}
_FULL_AT = {
    ScoringKind.REUSED_DIGITIZED_DATA: Fraction(8, 10), ScoringKind.RECEIVING_SATISFACTION: Fraction(9, 10),
    ScoringKind.ONLINE_SERVICE_A: Fraction(8, 10), ScoringKind.ONLINE_SERVICE_C: Fraction(5, 10),
    ScoringKind.ONLINE_PAYMENT_B: Fraction(8, 10),
}
_CAPPED = frozenset({ScoringKind.CAPPED, ScoringKind.REUSED_DIGITIZED_DATA, ScoringKind.RECEIVING_SATISFACTION,
                     ScoringKind.ONLINE_SERVICE_A, ScoringKind.ONLINE_SERVICE_C, ScoringKind.ONLINE_PAYMENT_B})


def _core_rule(spec: MetricSpec) -> _CoreRule | None:
    if spec.kind is ScoringKind.TRACKING:
        return None
    top = Fraction(spec.max_score)
    k = top / _FULL_AT.get(spec.kind, Fraction(1))
    empty = _EMPTY[spec.kind]
    at_empty = None if empty is None else (0, 1) if empty == "zero" else (top.numerator, top.denominator)
    cap = top.numerator if spec.kind in _CAPPED else None
    return k.numerator, k.denominator, cap, top.denominator, at_empty


_CORE: dict[str, _CoreRule | None] = {m.code: _core_rule(m) for m in METRICS}
_CENTS: dict[int, Decimal] = {}


def _cents(hundredths: int) -> Decimal:
    """hundredths / 100 as a 2-decimal Decimal (cached: a request needs a few thousand)."""
    value = _CENTS.get(hundredths)
    if value is None:
        value = _CENTS[hundredths] = Decimal(hundredths).scaleb(-2) if hundredths else Decimal("0.00")
    return value


def _core_score(code: str, n: int, d: int) -> tuple[int, int] | None:
    """The exact score of metric `code` as (numerator, denominator); None = null."""
    rule = _CORE[code]
    if rule is None:
        return None
    k_num, k_den, cap_num, cap_den, at_empty = rule
    if d == 0:
        return at_empty
    num, den = k_num * n, k_den * d
    if cap_num is not None and num * cap_den > cap_num * den:
        return cap_num, cap_den
    return num, den


def _hundredths(num: int, den: int) -> int:
    """floor(num/den × 100 + ½) for num ≥ 0: half-up to hundredths, in integers."""
    return (200 * num + den) // (2 * den)


def _metric_result(code: str, n: int, d: int, source: str | None) -> tuple[MetricResult, tuple[int, int] | None]:
    """The metric's result and its exact score (None = null)."""
    if type(n) is not int or type(d) is not int or n < 0 or d < 0:
        _check_counts(n, d)  # raises with the field named
    exact = _core_score(code, n, d)
    return (
        MetricResult(
            code,
            n,
            d,
            _cents((20000 * n + d) // (2 * d)) if d else None,
            None if exact is None else _cents((200 * exact[0] + exact[1]) // (2 * exact[1])),
            _MAX_OF[code],
            source,
        ),
        exact,
    )


def score_metric(code: str, n: int, d: int, *, source: str | None = None) -> MetricResult:
    """One metric of the table scored from its counts."""
    if code not in METRICS_BY_CODE:
        raise ValueError(f"unknown metric {code!r}")
    return _metric_result(code, n, d, source)[0]


def _check_codes(inputs: Mapping[str, Counts]) -> None:
    if not _METRIC_CODES.issuperset(inputs):
        unknown = sorted(set(inputs) - _METRIC_CODES)
        raise ValueError(f"unknown metric codes: {', '.join(unknown)}")


_METRIC_CODES = frozenset(METRICS_BY_CODE)
_METRICS_OF: dict[str, tuple[MetricSpec, ...]] = {g.code: tuple(m for m in METRICS if m.group == g.code) for g in GROUPS}
_MAX_OF = {m.code: m.max_score for m in METRICS}
_GROUP_MAX_CENTS = {g.code: int(g.max_score * 100) for g in GROUPS}


def _group(group: GroupSpec, inputs: Mapping[str, Counts], sources: Mapping[str, str]) -> tuple[GroupResult, int]:
    """A group scored, and its total in hundredths."""
    results = []
    total = 0
    # The exact sum of the terms as one (numerator, denominator) pair, for the groups rounded once.
    exact_sum: list[int] | None = [0, 1] if group.formula is GroupFormula.ROUNDED_EXACT_SUM else None
    for spec in _METRICS_OF[group.code]:
        counts = inputs.get(spec.code)
        if counts is None:
            results.append(MetricResult(spec.code, None, None, None, None, spec.max_score, None))
            continue
        result, exact = _metric_result(spec.code, counts[0], counts[1], sources.get(spec.code))
        results.append(result)
        if exact is not None:
            if exact_sum is not None:
                exact_sum = [exact_sum[0] * exact[1] + exact[0] * exact_sum[1], exact_sum[1] * exact[1]]
            else:
                total += (200 * exact[0] + exact[1]) // (2 * exact[1])
    if exact_sum is not None:
        total = _hundredths(exact_sum[0], exact_sum[1])
    group_max = _GROUP_MAX_CENTS[group.code]
    total = min(total, group_max)
    return (
        GroupResult(
            code=group.code,
            score=_cents(total),
            max_score=group.max_score,
            ratio=_cents(_hundredths(100 * total, group_max)),
            metrics=tuple(results),
        ),
        total,
    )


def score_group(
    code: str,
    inputs: Mapping[str, Counts],
    *,
    sources: Mapping[str, str] | None = None,
) -> GroupResult:
    """A group scored from its metrics' counts, `{metric code: (n, d)}`.

    Codes of other groups' metrics are ignored (the same mapping can serve every group); a code
    that is no metric at all is an error. A metric absent from `inputs` is not measured: its
    result has null counts and score and adds nothing to its group.
    """
    group = GROUPS_BY_CODE.get(code)
    if group is None:
        raise ValueError(f"unknown group {code!r}")
    _check_codes(inputs)
    return _group(group, inputs, sources or {})[0]


def score_index(
    inputs_by_metric: Mapping[str, Counts],
    *,
    sources: Mapping[str, str] | None = None,
) -> tuple[Decimal, tuple[GroupResult, ...]]:
    """The whole index from `{metric code: (n, d)}`: (total out of 100, the six groups in order)."""
    _check_codes(inputs_by_metric)
    sources = sources or {}
    groups = []
    total = 0
    for group in GROUPS:
        result, cents = _group(group, inputs_by_metric, sources)
        groups.append(result)
        total += cents
    return _cents(total), tuple(groups)


# --------------------------------------------------------------------------------------------
# The two group formulas, straight from counts
# --------------------------------------------------------------------------------------------


def online_service(a_n: int, a_d: int, b_n: int, b_d: int, c_n: int, c_d: int) -> Decimal:
    """min(2, 2A/0.8) + 4B + min(6, 6C/0.5), a term with d == 0 counting 0.

    The spec gives no rounding rule for this group: the exact sum is rounded half-up once.
    """
    inputs = {"ONLINE_SERVICE_A": (a_n, a_d), "ONLINE_SERVICE_B": (b_n, b_d), "ONLINE_SERVICE_C": (c_n, c_d)}
    return score_group("online_service", inputs).score


def online_payment(a_n: int, a_d: int, b_n: int, b_d: int, c_n: int, c_d: int) -> Decimal:
    """6A + min(2, 2.5B) + 2.5C, each term rounded half-up to 2 decimals before summing, a term
    with d == 0 counting 0; the total capped at the group's 10 points."""
    inputs = {"ONLINE_PAYMENT_A": (a_n, a_d), "ONLINE_PAYMENT_B": (b_n, b_d), "ONLINE_PAYMENT_C": (c_n, c_d)}
    return score_group("online_payment", inputs).score


# --------------------------------------------------------------------------------------------
# Data or not: how a page tells "no data" from a real zero (the scores themselves do not change)
# --------------------------------------------------------------------------------------------


def has_data(code: str, n: int | None, d: int | None) -> bool:
    """Whether metric `code` was measured on something: False when it was not measured at all
    (no counts) or its denominator is 0 — no dossier, no procedure, nothing to measure — except
    for the petition metrics, whose full marks on d = 0 ("no complaint") are a real score.

    The score of such a metric still counts as the rules say (0, or null); only what a reader is
    told about it differs: "chưa có số liệu" (no data), not a red 0."""
    spec = METRICS_BY_CODE[code]
    if n is None or d is None:
        return False
    return d > 0 or spec.kind is ScoringKind.PETITION


def unmeasured_points(group: str, metrics: Mapping[str, tuple[int | None, int | None]]) -> Decimal:
    """The points of `group` that rest on metrics without data (`has_data` false), at most the
    group's maximum: `metrics` maps each of the group's metric codes to its (n, d)."""
    spec = GROUPS_BY_CODE[group]
    points = sum(
        (m.max_score for m in _METRICS_OF[group] if not has_data(m.code, *metrics.get(m.code, (None, None)))),
        Decimal(0),
    )
    return min(points, spec.max_score)
