"""Credit exposure arithmetic and the blocking decision, without the ORM.

Amounts are in the company currency.  A partner's exposure is what it owes now
plus what it is about to owe:

    open receivables + draft customer invoices + confirmed uninvoiced sales
    - amounts under open dispute (when the company excludes them)
"""

from dataclasses import dataclass

POLICY_WARN = "warn"
POLICY_LIMIT = "limit"
POLICY_LIMIT_OVERDUE = "limit_overdue"

BLOCK_HOLD = "hold"
BLOCK_LIMIT = "limit"
BLOCK_OVERDUE = "overdue"


@dataclass(frozen=True)
class Exposure:
    open_receivable: float = 0.0
    draft_invoices: float = 0.0
    uninvoiced_sales: float = 0.0
    disputed: float = 0.0
    exclude_disputed: bool = True

    @property
    def total(self):
        total = self.open_receivable + self.draft_invoices + self.uninvoiced_sales
        if self.exclude_disputed:
            total -= self.disputed
        return total


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
