"""How deliveries sum up: one rule for a delivery's recipients and for a
reminder's channels (pure, no ORM)."""

# The worst state wins: a failure or a bounce is what the collector must see,
# then what still waits; "sent" only when everything went.
WORST_FIRST = ("failed", "bounced", "queued")


def summary_state(states):
    """The state of a whole made of parts in ``states``."""
    return next((state for state in WORST_FIRST if state in states), "sent")


def joined_reasons(reasons):
    """The distinct non-empty ``reasons`` in order, "; "-joined, or False."""
    return "; ".join(dict.fromkeys(reason for reason in reasons if reason)) or False
