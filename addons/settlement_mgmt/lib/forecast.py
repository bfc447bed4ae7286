"""When open invoices will be paid, and how much cash comes in each week.

Everything here reads a customer's history as a distribution of *days late*
(payment date minus due date; negative when paid early), counted in a
:class:`DelayHistory`.  A customer with little history borrows from its
company's: the company's distribution counts as ``PRIOR_WEIGHT`` invoices of
the customer (shrinkage), so a customer with two paid invoices is mostly the
company's average, one with fifty is mostly itself.

An open item is paid on ``due + d`` with ``d`` drawn from that blend,
conditioned on not being paid yet (``d >= days already overdue``); the
invoice's chance of paying late, when the late-payment model gives one,
re-weights the late (``d > 0``) and on-time (``d <= 0``) parts.  The expected
date is the weighted *median* of that distribution (the single date that
minimises the mean absolute error in days); the weekly forecast spreads the
item's amount over the weeks with the same distribution.

No ORM here: rows in, numbers out (unit tests in tests/test_forecast_lib.py,
the backtest's figures from bench/bench_forecast.py).
"""

from bisect import bisect_left
from dataclasses import dataclass
from datetime import timedelta

# Days late are clipped to this range before counting: a payment 400 days
# late says "very late", not "exactly 400 days", and must not drag a mean.
MIN_DAYS, MAX_DAYS = -60, 180
# The company's history counts as this many invoices of the customer.  One:
# on the benchmark's data (10-20 invoices per customer) a heavier prior pulls
# good payers towards the late tail (MAE 6.33 days at 3 against 6.06 at 1).
PRIOR_WEIGHT = 1.0
FORECAST_WEEKS = 13
# An overdue item later than anything in the history (the distribution has
# no mass left beyond its age) is being chased: its amount is spread evenly
# over the first weeks instead of being dropped from the forecast -- unless
# it is overdue by more than MAX_DAYS: nothing in the history says such an
# item gets paid (on the benchmark's data they are the customers who never
# pay), so it is left out like a doubtful debt rather than counted as cash.
UNKNOWN_OVERDUE_WEEKS = 4


def clip_days(days):
    return min(max(days, MIN_DAYS), MAX_DAYS)


class DelayHistory:
    """Counts of days late (clipped) of paid invoices."""

    def __init__(self, days=()):
        self.counts = {}
        self.total = 0
        self.sum = 0
        for value in days:
            self.add(value)

    def add(self, days, count=1):
        days = clip_days(days)
        self.counts[days] = self.counts.get(days, 0) + count
        self.total += count
        self.sum += days * count

    def mean(self):
        return self.sum / self.total if self.total else None


def blend(customer, company, prior_weight=PRIOR_WEIGHT):
    """{days late: probability}: the customer's counts plus the company's
    distribution weighing ``prior_weight`` invoices.  Without any history,
    payment on the due date."""
    weights = dict(customer.counts) if customer is not None else {}
    if company is not None and company.total:
        scale = prior_weight / company.total
        for days, count in company.counts.items():
            weights[days] = weights.get(days, 0) + count * scale
    total = sum(weights.values())
    if not total:
        return {0: 1.0}
    return {days: weight / total for days, weight in weights.items()}


def reweight(distribution, late_probability):
    """The distribution with its late part (days > 0) weighing
    ``late_probability`` and its on-time part the rest; unchanged without a
    probability or when one part is empty (nothing to move mass to)."""
    if late_probability is None:
        return distribution
    late = sum(p for days, p in distribution.items() if days > 0)
    on_time = 1.0 - late
    if late <= 0 or on_time <= 0:
        return distribution
    return {
        days: p
        * (late_probability / late if days > 0 else (1 - late_probability) / on_time)
        for days, p in distribution.items()
    }


def _condition(distribution, min_days):
    """The distribution of days late given at least ``min_days`` (the item
    is still open), renormalised; ``None`` when nothing is left."""
    kept = {days: p for days, p in distribution.items() if days >= min_days and p > 0}
    total = sum(kept.values())
    if total <= 0:
        return None
    return {days: p / total for days, p in kept.items()}


def weighted_median(distribution):
    """The smallest value at which the cumulative probability reaches half."""
    cumulative = 0.0
    values = sorted(distribution)
    for days in values:
        cumulative += distribution[days]
        if cumulative >= 0.5 - 1e-12:
            return days
    return values[-1]


def expected_payment_date(due, today, distribution):
    """The expected payment date of an item due on ``due`` still open on
    ``today``: due + the median days late among the outcomes still possible,
    never before today."""
    still_possible = _condition(distribution, (today - due).days)
    if still_possible is None:
        return today
    return max(due + timedelta(days=weighted_median(still_possible)), today)


def expected_invoice_date(due, today, customer, company, late_probability=None):
    """The expected payment date of an open invoice due on ``due``: its
    customer's history ``customer`` blended with its company's ``company``
    (DelayHistory each, the customer's may be None), re-weighted by the
    chance of paying late when known (the one rule the invoice, the
    prediction and the forecast show)."""
    return expected_date_of_blend(
        due, today, blend(customer, company), late_probability
    )


def expected_date_of_blend(due, today, blended, late_probability=None):
    """:func:`expected_invoice_date` with the customer's and company's
    histories already blended (:func:`blend`): callers dating every open
    invoice blend each customer once."""
    return expected_payment_date(due, today, reweight(blended, late_probability))


def week_shares(due, today, distribution, weeks=FORECAST_WEEKS):
    """Probability of an item due on ``due``, open on ``today``, being paid
    in each of the ``weeks`` weeks from today (week 0 = today to today + 6);
    what falls later is not listed, so the shares may sum to less than 1."""
    shares = [0.0] * weeks
    overdue_days = (today - due).days
    still_possible = _condition(distribution, overdue_days)
    if still_possible is None:
        if overdue_days > MAX_DAYS:
            return shares
        spread = min(UNKNOWN_OVERDUE_WEEKS, weeks)
        for week in range(spread):
            shares[week] = 1.0 / spread
        return shares
    for days, p in still_possible.items():
        week = (due + timedelta(days=days) - today).days // 7
        if 0 <= week < weeks:
            shares[week] += p
    return shares


@dataclass(frozen=True)
class ForecastItem:
    """An open item to forecast: ``key`` groups the amounts (customer,
    salesperson, ...); ``late_probability`` in 0-1 or None."""

    key: object
    partner: object
    due: object
    amount: float
    late_probability: float | None = None


def weekly_forecast(items, histories, company_history, today, weeks=FORECAST_WEEKS):
    """{(key, week index): expected amount}: each item's amount times its
    chance of being paid in that week.  ``histories``: {partner:
    DelayHistory}."""
    amounts = {}
    blends = {}
    for item in items:
        if item.partner not in blends:
            blends[item.partner] = blend(histories.get(item.partner), company_history)
        distribution = reweight(blends[item.partner], item.late_probability)
        for week, share in enumerate(week_shares(item.due, today, distribution, weeks)):
            if share:
                key = (item.key, week)
                amounts[key] = amounts.get(key, 0.0) + item.amount * share
    return amounts


@dataclass(frozen=True)
class BacktestResult:
    count: int
    mae_days: float | None
    naive_mae_days: float | None


def backtest(invoices, start, end, prior_weight=PRIOR_WEIGHT):
    """Mean absolute error in days of the expected payment date, against the
    naive rule "due date + the customer's average days late" (0 without
    history), on the invoices paid from ``start`` to ``end`` (excluded).

    ``invoices``: rows ``(partner, invoice_date, due, paid_on)`` (``paid_on``
    None while open), optionally with a fifth value, the late probability
    the model gave the invoice.  Each tested invoice is judged with only what
    was known on its invoice date: the payments made before it."""
    rows = [tuple(row) + (None,) * (5 - len(row)) for row in invoices]
    paid = sorted((row for row in rows if row[3] is not None), key=lambda r: r[3])
    tested = sorted((row for row in paid if start <= row[3] < end), key=lambda r: r[1])
    paid_dates = [row[3] for row in paid]
    histories = {}
    company = DelayHistory()
    raw_sums = {}
    added = 0
    errors = naive_errors = 0
    for partner, invoice_date, due, paid_on, probability in tested:
        known = bisect_left(paid_dates, invoice_date)
        for history_partner, _, history_due, history_paid, _ in paid[added:known]:
            days = (history_paid - history_due).days
            histories.setdefault(history_partner, DelayHistory()).add(days)
            company.add(days)
            count, total = raw_sums.get(history_partner, (0, 0))
            raw_sums[history_partner] = (count + 1, total + days)
        added = max(added, known)
        distribution = reweight(
            blend(histories.get(partner), company, prior_weight), probability
        )
        expected = expected_payment_date(due, invoice_date, distribution)
        count, total = raw_sums.get(partner, (0, 0))
        naive = due + timedelta(days=round(total / count) if count else 0)
        errors += abs((expected - paid_on).days)
        naive_errors += abs((naive - paid_on).days)
    if not tested:
        return BacktestResult(0, None, None)
    return BacktestResult(
        len(tested),
        round(errors / len(tested), 2),
        round(naive_errors / len(tested), 2),
    )
