"""Amounts typed by a person, read exactly: no float rounding of what was
typed, so 1e308 or forty digits cannot overflow or turn into another number."""

import re
from decimal import Decimal

# Digits, optionally a point and decimals; as many as a person may paste (a
# huge amount is refused by the caller with the figure owed in its message,
# which helps more than "not a number").
AMOUNT_PATTERN = re.compile(r"\d{1,400}(\.\d{1,400})?", re.ASCII)
# Far above anything a customer owes: an amount read as a float is capped
# here, so the caller's own limits refuse it without overflowing a float.
AMOUNT_CEILING = Decimal("1e15")


class AmountError(ValueError):
    """Why a typed amount was refused: ``reason`` is "format" (not a plain
    positive number), "zero" or "decimals" (more than the currency has)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def parse_positive_amount(text, decimals):
    """``text`` ("1,250.50", thousands commas allowed) as a positive
    Decimal with at most ``decimals`` decimals; :class:`AmountError`
    otherwise."""
    cleaned = str(text or "").replace(",", "").strip()
    if not AMOUNT_PATTERN.fullmatch(cleaned):
        raise AmountError("format")
    amount = Decimal(cleaned)
    if not amount:
        raise AmountError("zero")
    if -amount.normalize().as_tuple().exponent > decimals:
        raise AmountError("decimals")
    return amount


def parse_portal_amount(text, decimals):
    """:func:`parse_positive_amount` as a float (for the ORM), capped at
    :data:`AMOUNT_CEILING`."""
    return float(min(parse_positive_amount(text, decimals), AMOUNT_CEILING))
