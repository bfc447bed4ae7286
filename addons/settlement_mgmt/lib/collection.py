"""Collection cases: the commission on a recovery and the case's status,
computed from amounts only (no ORM)."""

from decimal import ROUND_HALF_UP, Decimal

# A case is "active" while the customer's items are with the agency or
# lawyer: they leave normal dunning and the customer's credit stays blocked.
ACTIVE_STATES = ("open", "agency", "court", "partial")
CLOSED_STATES = ("recovered", "written_off", "returned")


def round_to(amount, rounding):
    """``amount`` rounded half up to a multiple of ``rounding`` (0.01...)."""
    step = Decimal(str(rounding))
    return float(
        (Decimal(str(amount)) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        * step
    )


def commission(gross, rate, rounding=0.01):
    """The agency's commission on ``gross`` at ``rate`` percent, rounded."""
    return round_to(gross * rate / 100.0, rounding)


def recovery_split(gross, commission_amount, open_amount, rounding=0.01):
    """(net remitted, problem) for a recovery of ``gross`` of which the agency
    keeps ``commission_amount``, on a case with ``open_amount`` still open.
    ``problem`` names what is wrong ("gross", "too_much", "commission") or is
    None; the net is ``gross - commission``."""
    half = rounding / 2.0
    if gross < half:
        return 0.0, "gross"
    if gross - open_amount > half:
        return 0.0, "too_much"
    if commission_amount < -half or commission_amount - gross > half:
        return 0.0, "commission"
    return round_to(gross - commission_amount, rounding), None


def state_after_recovery(open_amount, recovered, rounding=0.01):
    """The status the ledger gives a case: recovered when nothing is open,
    partly recovered once something came in, else None (unchanged)."""
    if open_amount < rounding / 2.0:
        return "recovered"
    if recovered >= rounding / 2.0:
        return "partial"
    return None
