"""Amounts typed by a person, read exactly: no float rounding of what was
typed, so 1e308 or forty digits cannot overflow or turn into another number."""

import re
from decimal import Decimal

# At most 15 digits before the point: far above anything a customer owes (the
# callers' own limits refuse it with the figure owed in their message) and
# exact as a float.
AMOUNT_PATTERN = re.compile(r"\d{1,15}(\.\d{1,6})?", re.ASCII)


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
    """:func:`parse_positive_amount` as a float (for the ORM)."""
    return float(parse_positive_amount(text, decimals))
