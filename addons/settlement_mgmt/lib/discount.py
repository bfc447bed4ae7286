"""Tiered early-payment discounts: validation, tier amounts and selection.

A payment term offers its best discount first (core's ``discount_percentage``
within ``discount_days``) and then smaller ones for longer periods, e.g. 3 %
within 7 days, 1.5 % within 15 days, net 30. Amounts follow core's rules for
the three tax computations: ``included`` discounts the total, ``excluded`` and
``mixed`` only the untaxed amount (``mixed`` already lowered the tax on the
invoice itself).
"""

from bisect import bisect_left
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

COMPUTATIONS = ("included", "excluded", "mixed")


def tiers_problem(tiers):
    """Why the ``(days, percentage)`` tiers, best first, are inconsistent: one
    of ``"percentage_range"``, ``"days_order"``, ``"percentage_order"``, or None
    when every percentage lies in ]0, 100[, days strictly increase and
    percentages strictly decrease."""
    for days, percentage in tiers:
        if not 0 < percentage < 100:
            return "percentage_range"
        if days <= 0:
            return "days_order"
    for (days, percentage), (next_days, next_percentage) in pairwise(tiers):
        if next_days <= days:
            return "days_order"
        if next_percentage >= percentage:
            return "percentage_order"
    return None


def _round(value, rounding):
    step = Decimal(str(rounding))
    return float((Decimal(str(value)) / step).to_integral_value(ROUND_HALF_UP) * step)


def amount_after_discount(total, untaxed, percentage, computation):
    """What settles ``total`` (signed, untaxed part ``untaxed``) when
    ``percentage`` is granted, before rounding: the same float arithmetic as
    core's payment term, so the first tier equals core's stored amount once
    rounded by the currency."""
    if computation not in COMPUTATIONS:
        raise ValueError(computation)
    rate = percentage / 100.0
    if computation == "included":
        return total * (1 - rate)
    return total - untaxed * rate


def tier_index(deadlines, reference_date):
    """Index of the tier that applies on ``reference_date`` among tiers whose
    last days are ``deadlines`` (ascending), or None once the last one passed."""
    position = bisect_left(deadlines, reference_date)
    return position if position < len(deadlines) else None


def scale_exactly(amounts, target, rounding=0.01):
    """``amounts`` scaled so that they sum to ``target``, each rounded; the
    rounding remainder goes to the largest one so the total is exact."""
    total = sum(amounts)
    if not amounts:
        return []
    if not total:
        return [0.0] * (len(amounts) - 1) + [_round(target, rounding)]
    factor = Decimal(str(target)) / Decimal(str(total))
    scaled = [_round(Decimal(str(amount)) * factor, rounding) for amount in amounts]
    largest = max(range(len(amounts)), key=lambda index: abs(amounts[index]))
    scaled[largest] = _round(
        scaled[largest]
        + float(Decimal(str(target)) - sum(map(Decimal, map(str, scaled)))),
        rounding,
    )
    return scaled
