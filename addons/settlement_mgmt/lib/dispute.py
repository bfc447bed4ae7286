"""Dispute states, shared by the models and their SQL (no ORM here)."""

# A dispute is open while new or under review: reminders pause for it.
OPEN_STATES = ("new", "under_review")
