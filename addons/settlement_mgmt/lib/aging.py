"""Aging buckets shared by statements, exports, dunning and analytics.

A bucket layout is a strictly increasing tuple of positive day boundaries, for
example ``(30, 60, 90)``, which yields the buckets *not due*, *1–30*, *31–60*,
*61–90* and *91+*.  Index 0 is always "not due" (days overdue <= 0).

:func:`bucket_limits` is the one definition of the layout: the models
generate their SQL ``CASE`` from it (``settlement.statement._aging_bucket_sql``)
and :func:`bucket_index` places an item by the same limits in Python (the
tests compare the two on every day of a range).
"""

from itertools import pairwise

DEFAULT_BOUNDARIES = (30, 60, 90)
MAX_BUCKETS = 8


class BucketLayoutError(ValueError):
    """The textual bucket layout cannot be used; ``code`` says why."""

    def __init__(self, code, value):
        super().__init__(code, value)
        self.code = code
        self.value = value


def parse_boundaries(text):
    """Return the boundaries written as ``"30, 60, 90"`` as a tuple of ints.

    Raises :class:`BucketLayoutError` with code ``not_a_number``,
    ``not_positive``, ``not_increasing``, ``empty`` or ``too_many``.
    """
    parts = [part.strip() for part in (text or "").split(",") if part.strip()]
    if not parts:
        raise BucketLayoutError("empty", text)
    boundaries = []
    for part in parts:
        if not part.isdigit():
            raise BucketLayoutError("not_a_number", part)
        boundaries.append(int(part))
    if boundaries[0] <= 0:
        raise BucketLayoutError("not_positive", boundaries[0])
    for previous, current in pairwise(boundaries):
        if current <= previous:
            raise BucketLayoutError("not_increasing", current)
    if len(boundaries) + 1 > MAX_BUCKETS:
        raise BucketLayoutError("too_many", len(boundaries))
    return tuple(boundaries)


def bucket_limits(boundaries):
    """``(most days overdue, bucket index)`` of every bucket but the last, in
    order: an item goes to the first bucket whose limit it does not pass, else
    to the last, ``len(boundaries) + 1``."""
    return [(0, 0), *((limit, index) for index, limit in enumerate(boundaries, 1))]


def bucket_index(days_overdue, boundaries):
    """Index of the bucket holding an item overdue by ``days_overdue`` days:
    :func:`bucket_limits` unrolled, as exports call it once per item."""
    if days_overdue <= 0:
        return 0
    for index, limit in enumerate(boundaries, start=1):
        if days_overdue <= limit:
            return index
    return len(boundaries) + 1


def bucket_ranges(boundaries):
    """``(low, high)`` days of each overdue bucket; ``high`` is None for the last."""
    lows = (1, *(limit + 1 for limit in boundaries))
    highs = (*boundaries, None)
    return list(zip(lows, highs, strict=True))


def bucket_labels(boundaries, not_due):
    """The buckets' names: ``not_due`` (translated by the caller), then the
    day ranges ``1–30`` … ``91+``.  Digits and a dash only, so a document
    can write them with native digits and isolate them in right-to-left
    text."""
    return [not_due] + [
        f"{low}–{high}" if high else f"{low}+"
        for low, high in bucket_ranges(boundaries)
    ]
