"""Credit exposure arithmetic and the blocking decision, without the ORM.

Amounts are in the company currency.  A partner's exposure is what it owes now
plus what it is about to owe:

    open receivables + draft customer invoices + every exposure component
    (confirmed uninvoiced sales with settlement_mgmt_sale, ...)
    - amounts under open dispute (when the company excludes them)

and its credit limit is its own limit raised by the components that raise it
(a bank guarantee).  The components are registered on the ORM side
(``settlement.credit.service._exposure_components``); here they are names.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

POLICY_WARN = "warn"
POLICY_LIMIT = "limit"
POLICY_LIMIT_OVERDUE = "limit_overdue"

BLOCK_HOLD = "hold"
BLOCK_LIMIT = "limit"
BLOCK_OVERDUE = "overdue"


@dataclass(frozen=True)
class ExposureComponent:
    """One named part of a customer's credit position, computed for all the
    customers asked at once.

    ``method`` names a method of ``settlement.credit.service`` called as
    ``method(company, partner_ids)`` (commercial partner ids) that returns
    {commercial partner id: amount in company currency}, in one query whatever
    the number of customers.  Its amount adds to the exposure, or, with
    ``raises_limit``, to a positive credit limit (a bank guarantee; a customer
    without a limit stays without one, and a negative amount raises nothing).
    ``partner_field``: the res.partner field (computed by
    ``_compute_settlement_exposure``) that shows the amount, if any."""

    name: str
    method: str
    raises_limit: bool = False
    partner_field: str | None = None


@dataclass(frozen=True)
class Exposure:
    open_receivable: float = 0.0
    draft_invoices: float = 0.0
    disputed: float = 0.0
    exclude_disputed: bool = True
    # {component name: amount} of the exposure components
    components: Mapping[str, float] = field(default_factory=dict)

    @property
    def total(self):
        total = (
            self.open_receivable + self.draft_invoices + sum(self.components.values())
        )
        if self.exclude_disputed:
            total -= self.disputed
        return total


def effective_limit(limit, raises=()):
    """The credit limit once raised by the ``raises`` amounts (bank
    guarantees).  No limit (zero or less) stays no limit: a guarantee never
    makes a customer without a limit a limited one; negative raises count as
    none, so that a component can only widen the credit it is meant to."""
    if not limit or limit <= 0:
        return limit or 0.0
    return limit + sum(max(0.0, amount) for amount in raises)


def available_credit(limit, exposure_total):
    """Credit left under the limit (negative when over); None without a limit."""
    if not limit or limit <= 0:
        return None
    return limit - exposure_total


def usage_percent(limit, exposure_total):
    """Share of the limit used, in percent; 0 without a limit."""
    if not limit or limit <= 0:
        return 0.0
    return max(0.0, exposure_total) * 100.0 / limit


def needs_exposure(policy, limit):
    """Whether deciding on a new document under ``policy`` needs the partner's
    exposure and overdue figures at all (holds block whatever the policy)."""
    return policy == POLICY_LIMIT_OVERDUE or (
        policy == POLICY_LIMIT and bool(limit) and limit > 0
    )


def block_reasons(
    policy,
    on_hold,
    limit,
    exposure_total,
    new_amount,
    oldest_overdue_days,
    overdue_days_allowed,
):
    """Reasons that stop a new document of ``new_amount`` for this partner.

    A manual or automatic hold always blocks.  ``limit`` blocks when the new
    exposure would exceed a positive credit limit; ``limit_overdue`` also blocks
    when an item is overdue by more than ``overdue_days_allowed`` days.
    """
    reasons = []
    if on_hold:
        reasons.append(BLOCK_HOLD)
    if policy in (POLICY_LIMIT, POLICY_LIMIT_OVERDUE) and limit and limit > 0:
        if exposure_total + new_amount > limit:
            reasons.append(BLOCK_LIMIT)
    if policy == POLICY_LIMIT_OVERDUE and oldest_overdue_days > overdue_days_allowed:
        reasons.append(BLOCK_OVERDUE)
    return reasons
