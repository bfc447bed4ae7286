"""Receivables KPIs: days sales outstanding, collection effectiveness, trends.

DSO uses the countback method rather than ``balance / sales * days``: the
open balance is matched against the most recent credit sales first, so a
seasonal peak in the last month does not make collection look slower (or
faster) than it is. Amounts are in the company currency.
"""


def dso_countback(receivable_balance, periods):
    """Days of recent credit sales that the open ``receivable_balance``
    represents. ``periods`` are ``(days_in_period, credit_sales)``, the most
    recent first.

    Whole periods are counted back while the balance left exceeds their sales;
    the period that absorbs the rest counts pro rata. A period without sales
    counts whole (the balance is older than it). When the history runs out
    with balance left, the days counted so far are returned: the DSO is at
    least that. Returns 0.0 for no balance and None for no history at all.
    """
    if receivable_balance <= 0:
        return 0.0
    if not periods:
        return None
    remaining = receivable_balance
    days = 0.0
    for days_in_period, credit_sales in periods:
        if credit_sales <= 0 or remaining > credit_sales:
            days += days_in_period
            remaining -= max(credit_sales, 0)
            continue
        return days + days_in_period * remaining / credit_sales
    return days


def collection_effectiveness(
    opening_receivables, credit_sales, closing_receivables, closing_current
):
    """Collection effectiveness index in percent: what was collected out of
    what could have been (everything except what is not due yet). None when
    nothing was collectible."""
    collectible = opening_receivables + credit_sales - closing_current
    if collectible <= 0:
        return None
    collected = opening_receivables + credit_sales - closing_receivables
    return collected / collectible * 100.0


def slope(points):
    """Least-squares slope of ``(x, y)`` points; None with fewer than two
    distinct x, where no line is defined."""
    points = list(points)
    if len({x for x, _y in points}) < 2:
        return None
    mean_x = sum(x for x, _y in points) / len(points)
    mean_y = sum(y for _x, y in points) / len(points)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in points)
    variance = sum((x - mean_x) ** 2 for x, _y in points)
    return covariance / variance


def payment_pattern_worsens(recent_days_late, previous_days_late, min_increase_days):
    """Whether the recent average days late grew by at least
    ``min_increase_days`` over the previous period. Without either average
    there is nothing to compare, so no alert."""
    if recent_days_late is None or previous_days_late is None:
        return False
    return recent_days_late - previous_days_late >= min_increase_days
