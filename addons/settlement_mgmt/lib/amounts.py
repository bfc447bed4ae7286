"""Amounts typed by a person, read exactly: no float rounding of what was
typed, so 1e308 or forty digits cannot overflow or turn into another number."""

import re
from decimal import Decimal

AMOUNT_PATTERN = re.compile(r"\d{1,15}(\.\d{1,6})?")


def parse_positive_amount(text, decimals):
    """``text`` ("1,250.50", thousands commas allowed) as a positive
    Decimal with at most ``decimals`` decimals; ValueError otherwise."""
    cleaned = str(text or "").replace(",", "").strip()
    if not AMOUNT_PATTERN.fullmatch(cleaned):
        raise ValueError("not a plain positive number")
    amount = Decimal(cleaned)
    if not amount:
        raise ValueError("zero")
    if -amount.normalize().as_tuple().exponent > decimals:
        raise ValueError("too many decimals")
    return amount
