"""Identity of an open receivable item (no ORM here).

An item of the due schedule (``settlement.receivable.item``) is either a
receivable journal item or an unpaid instalment of an active plan.  Both kinds
share one integer id, which reminders store (``item_ref`` of reminded items)
so that an item is reminded once per level whatever the run:

* a journal item ``n`` is ``2 * n``;
* a plan instalment ``n`` is ``2 * n + 1``.

The encoding is stored in databases: change it only with a migration of the
stored ``item_ref`` values.  ``settlement.receivable.query`` writes the same
expressions in SQL (``_item_ref_sql`` and its decoders).
"""

from typing import NamedTuple

MOVE_LINE = "move_line"
PLAN_LINE = "plan_line"


class ItemRef(NamedTuple):
    """A decoded item id: its kind (MOVE_LINE or PLAN_LINE) and the id of the
    journal item or instalment."""

    kind: str
    id: int


def item_ref_of_move_line(move_line_id):
    """The item id of the journal item ``move_line_id``."""
    return int(move_line_id) * 2


def item_ref_of_plan_line(plan_line_id):
    """The item id of the plan instalment ``plan_line_id``."""
    return int(plan_line_id) * 2 + 1


def decode_item_ref(item_ref):
    """The ItemRef an item id stands for."""
    record_id, odd = divmod(int(item_ref), 2)
    return ItemRef(PLAN_LINE if odd else MOVE_LINE, record_id)
