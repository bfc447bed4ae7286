"""Instalment schedules: split an amount over dates, and check a schedule.

Amounts are split in whole units of the currency's rounding (0.01, 0.05, 1…) so
that the parts always add up to the total exactly; the rounding remainder goes
on the last instalment.
"""

from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

FREQUENCIES = {
    "weekly": relativedelta(weeks=1),
    "biweekly": relativedelta(weeks=2),
    "monthly": relativedelta(months=1),
    "quarterly": relativedelta(months=3),
}
MAX_INSTALMENTS = 60


class ScheduleError(ValueError):
    """A schedule that cannot be used; ``code`` says why, ``value`` shows where."""

    def __init__(self, code, value=None):
        super().__init__(code, value)
        self.code = code
        self.value = value


def _units(amount, rounding):
    return int(
        (Decimal(str(amount)) / Decimal(str(rounding))).to_integral_value(ROUND_HALF_UP)
    )


def split_amount(total, count, rounding=0.01):
    """``count`` amounts adding up to ``total`` exactly, equal but for the last."""
    if count < 1:
        raise ScheduleError("empty", count)
    if count > MAX_INSTALMENTS:
        raise ScheduleError("too_many", count)
    units = _units(total, rounding)
    if units <= 0:
        raise ScheduleError("non_positive", total)
    if units < count:
        raise ScheduleError("too_small", total)
    base, remainder = divmod(units, count)
    step = Decimal(str(rounding))
    parts = [base] * count
    parts[-1] += remainder
    return [float(part * step) for part in parts]


def due_dates(first_date, count, frequency):
    """``count`` due dates from ``first_date`` at ``frequency``.

    Monthly dates keep the day of the first one where the month has it (31 Jan,
    28/29 Feb, 31 Mar), instead of drifting to the 28th."""
    if frequency not in FREQUENCIES:
        raise ScheduleError("unknown_frequency", frequency)
    step = FREQUENCIES[frequency]
    return [first_date + step * index for index in range(count)]


def check_schedule(lines, total, today, rounding=0.01):
    """Raise :class:`ScheduleError` unless ``lines`` [(date, amount)] is usable:
    1 to MAX_INSTALMENTS lines, positive amounts adding up exactly to ``total``,
    dates strictly increasing and none before ``today``."""
    if not lines:
        raise ScheduleError("empty")
    if len(lines) > MAX_INSTALMENTS:
        raise ScheduleError("too_many", len(lines))
    previous = None
    for date, amount in lines:
        if not date:
            raise ScheduleError("missing_date")
        if date < today:
            raise ScheduleError("date_in_past", date)
        if previous is not None and date <= previous:
            raise ScheduleError("dates_not_increasing", date)
        if _units(amount, rounding) <= 0:
            raise ScheduleError("non_positive", amount)
        previous = date
    scheduled = sum(_units(amount, rounding) for _date, amount in lines)
    if scheduled != _units(total, rounding):
        raise ScheduleError(
            "sum_mismatch", float(Decimal(scheduled) * Decimal(str(rounding)))
        )


def allocate_payment(residuals, paid, rounding=0.01):
    """Spread ``paid`` over instalment residuals, oldest first.

    Returns the new residuals; what exceeds them all is ignored (the caller
    keeps it on the customer's account)."""
    step = Decimal(str(rounding))
    left = max(_units(paid, rounding), 0)
    result = []
    for residual in residuals:
        units = _units(residual, rounding)
        used = min(units, left)
        result.append(float((units - used) * step))
        left -= used
    return result


def simple_interest(principal_parts, dates, start, annual_rate, rounding=0.01):
    """Simple interest on a declining balance, rounded to the currency.

    The customer owes the sum of ``principal_parts`` from ``start``; each part
    is repaid on its date in ``dates``, so every period accrues
    ``balance × annual_rate% × days / 365`` on what is still owed.  An
    explainable figure a customer can check with a calculator."""
    if annual_rate < 0:
        raise ScheduleError("negative_rate", annual_rate)
    step = Decimal(str(rounding))
    balance = sum(Decimal(str(part)) for part in principal_parts)
    rate = Decimal(str(annual_rate)) / Decimal(100) / Decimal(365)
    interest = Decimal(0)
    previous = start
    for part, date in zip(principal_parts, dates, strict=True):
        days = max((date - previous).days, 0)
        interest += balance * rate * days
        balance -= Decimal(str(part))
        previous = date
    return float((interest / step).to_integral_value(ROUND_HALF_UP) * step)
