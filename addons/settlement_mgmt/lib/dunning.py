"""Dunning arithmetic: which level an item has reached, late fees, interest.

Levels are given by their day offsets relative to the due date, in ascending
order; negative offsets are courtesy reminders before the due date.
"""

from bisect import bisect_right
from decimal import ROUND_HALF_UP, Decimal

FEE_TYPES = ("none", "fixed", "percent")


def level_index(days_overdue, level_days):
    """Index in ``level_days`` of the highest level reached by an item
    ``days_overdue`` days after its due date (negative: before), or None."""
    position = bisect_right(level_days, days_overdue)
    return position - 1 if position else None


def _round(value, rounding):
    step = Decimal(str(rounding))
    return float((Decimal(str(value)) / step).to_integral_value(ROUND_HALF_UP) * step)


def late_fee(
    fee_type, base, fixed=0.0, percent=0.0, minimum=0.0, maximum=0.0, rounding=0.01
):
    """The fee for reminding ``base`` overdue: a fixed amount, or a percentage
    kept between ``minimum`` and ``maximum`` (0 = no bound)."""
    if fee_type not in FEE_TYPES:
        raise ValueError(fee_type)
    if fee_type == "none" or base <= 0:
        return 0.0
    if fee_type == "fixed":
        return _round(fixed, rounding)
    fee = Decimal(str(base)) * Decimal(str(percent)) / Decimal(100)
    if minimum:
        fee = max(fee, Decimal(str(minimum)))
    if maximum:
        fee = min(fee, Decimal(str(maximum)))
    return _round(fee, rounding)


def accrued_interest(amount, days_overdue, annual_rate, grace_days=0, rounding=0.01):
    """Simple interest accrued to date on ``amount`` overdue for
    ``days_overdue`` days, counted after ``grace_days``, at ``annual_rate`` %
    a year of 365 days."""
    days = days_overdue - grace_days
    if amount <= 0 or days <= 0 or annual_rate <= 0:
        return 0.0
    interest = (
        Decimal(str(amount))
        * Decimal(str(annual_rate))
        / Decimal(100)
        * Decimal(days)
        / Decimal(365)
    )
    return _round(interest, rounding)


def call_priority(overdue_amount, risk_score):
    """Order of the collector's calls: the amount at stake weighted by how
    risky the customer is (score 100 = safest, 0 = riskiest; unknown = 50)."""
    score = 50.0 if risk_score is None else min(max(risk_score, 0.0), 100.0)
    return round(overdue_amount * (1 + (100.0 - score) / 100.0), 2)
