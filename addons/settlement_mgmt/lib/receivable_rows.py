"""Named rows of the receivable queries (no ORM here).

Queries return dictionaries (``env.execute_query_dict``) whose keys are the
column aliases; these classes take them by name, so reordering a SELECT cannot
shift a figure into another one's place."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from .credit import Exposure, effective_limit


@dataclass(frozen=True)
class StatementBalance:
    """A customer's receivable balance in one currency, before the period and
    at its end."""

    opening: float
    closing: float


@dataclass(frozen=True)
class StatementMovement:
    """One document of a statement's period: its receivable items in one
    currency summed."""

    currency_id: int
    move_id: int
    date: date
    name: str
    ref: str
    move_type: str
    date_due: date | None
    amount: float


@dataclass(frozen=True)
class ReceivableFigures:
    """What one query tells about a commercial partner's receivables in a
    company (company currency)."""

    open_receivable: float = 0.0
    overdue: float = 0.0
    oldest_overdue_days: int = 0
    draft_invoices: float = 0.0
    disputed: float = 0.0
    on_hold: bool = False
    policy: str | None = None
    credit_limit: float = 0.0
    disputed_pending: float = 0.0


@dataclass(frozen=True)
class CreditPosition:
    """A customer's credit position: its exposure, what is overdue (net of
    its credits, disputed amounts out when the company says so), since how
    many days, whether it is on credit hold, its own policy and limit in the
    company and what raises that limit ({component name: amount})."""

    exposure: Exposure
    overdue: float
    oldest_overdue_days: int
    on_hold: bool
    policy: str | None = None
    credit_limit: float = 0.0
    limit_raises: Mapping[str, float] = field(default_factory=dict)
    disputed_pending: float = 0.0

    def limit(self, own_limit=None):
        """The credit limit that applies: ``own_limit`` (default: the one read
        with the figures) raised by the limit components."""
        own = self.credit_limit if own_limit is None else own_limit
        return effective_limit(own, self.limit_raises.values())

    def is_over_limit(self, own_limit=None):
        """Whether the exposure is above the limit that applies (see
        :meth:`limit`); a customer without a limit never is."""
        limit = self.limit(own_limit)
        return bool(limit and limit > 0 and self.exposure.total > limit)


@dataclass(frozen=True)
class CreditDecision:
    """Why new documents of ``new_amount`` are blocked for a customer
    (``reasons``: lib.credit BLOCK_* codes) and the position it was decided on."""

    reasons: tuple
    position: CreditPosition
    new_amount: float


@dataclass(frozen=True)
class DunningItem:
    """An open item that may need a reminder (amounts net of the customer's
    open credits and of what is disputed)."""

    item_ref: int  # see ..lib.item_ref
    partner_id: int
    move_id: int | None
    move_line_id: int | None
    plan_line_id: int | None
    name: str
    date_due: date
    days_overdue: int
    amount: float  # company currency
    amount_currency: float
    currency_id: int
    reminded_days: int | None  # highest level (its days) already reminded
    discount_date: date | None
    discount_amount_currency: float | None
