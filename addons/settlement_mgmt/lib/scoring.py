"""Customer risk score (0-100, higher is safer) and grade A-E from payment history.

Each factor takes away up to a fixed number of points, so the score can be
explained line by line to the customer:

    average days paid late, weighted by amount (last 12 months)   up to 35
    share of the amount paid late (last 12 months)                up to 20
    share of the open balance that is overdue now                 up to 25
    promises to pay broken (last 12 months)                       up to 10
    disputes lost by the customer (last 12 months)                up to 10
"""

from dataclasses import dataclass

DAYS_LATE_POINTS = 35.0
DAYS_LATE_FULL = 60.0  # paying 60 days late on average costs every point
LATE_SHARE_POINTS = 20.0
OVERDUE_RATIO_POINTS = 25.0
BROKEN_PROMISE_POINTS = 5.0
BROKEN_PROMISE_MAX = 10.0
LOST_DISPUTE_POINTS = 5.0
LOST_DISPUTE_MAX = 10.0

GRADE_FLOORS = (("A", 85.0), ("B", 70.0), ("C", 50.0), ("D", 30.0), ("E", 0.0))


@dataclass(frozen=True)
class RiskFactors:
    weighted_days_late: float = 0.0
    late_share: float = 0.0
    overdue_ratio: float = 0.0
    broken_promises: int = 0
    lost_disputes: int = 0


@dataclass(frozen=True)
class RiskScore:
    score: float
    grade: str
    days_late_penalty: float
    late_share_penalty: float
    overdue_penalty: float
    promise_penalty: float
    dispute_penalty: float


def _clamp(value, low=0.0, high=1.0):
    return max(low, min(high, value))


def grade_for(score):
    for grade, floor in GRADE_FLOORS:
        if score >= floor:
            return grade
    return GRADE_FLOORS[-1][0]


def risk_score(factors):
    """Score a partner's :class:`RiskFactors`; every penalty is kept for display."""
    days = _clamp(factors.weighted_days_late / DAYS_LATE_FULL) * DAYS_LATE_POINTS
    share = _clamp(factors.late_share) * LATE_SHARE_POINTS
    overdue = _clamp(factors.overdue_ratio) * OVERDUE_RATIO_POINTS
    promises = min(BROKEN_PROMISE_MAX, factors.broken_promises * BROKEN_PROMISE_POINTS)
    disputes = min(LOST_DISPUTE_MAX, factors.lost_disputes * LOST_DISPUTE_POINTS)
    score = round(max(0.0, 100.0 - days - share - overdue - promises - disputes), 1)
    return RiskScore(
        score=score,
        grade=grade_for(score),
        days_late_penalty=round(days, 1),
        late_share_penalty=round(share, 1),
        overdue_penalty=round(overdue, 1),
        promise_penalty=round(promises, 1),
        dispute_penalty=round(disputes, 1),
    )
