"""Context values that only server code can build.

A JSON-RPC client sends its context as JSON: strings, numbers, booleans, null,
lists and objects, nothing else.  Whatever lets server code skip a check (an
internal caller that already decided, such as a fee invoice or a credit note the
addon makes itself) therefore travels in the context as an instance of a private
class compared by identity, or as a typed value (a ``date``) that JSON cannot
produce: a client that sends the same key gets no effect.

Pure Python, no ORM: the models import the helpers below.
"""

from datetime import date


class _InternalMarker:
    """A value no client can send: compared by identity, survives copies."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<internal: {self.name}>"

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


# The caller already decided about the customer's credit (fee invoices the addon
# bills itself, documents released by a recorded override).
CREDIT_CHECK_DONE_KEY = "settlement_internal_credit_check_done"
CREDIT_CHECK_DONE = _InternalMarker("credit check done by the caller")

# The payment date for which a discount tier is chosen, set by the addon's own
# payment paths (register wizard, matching an outstanding payment).
DISCOUNT_DATE_KEY = "settlement_discount_date"


def credit_check_done_context():
    """The context that lets internal code post without a second credit check."""
    return {CREDIT_CHECK_DONE_KEY: CREDIT_CHECK_DONE}


def credit_check_done(context):
    """Whether internal code asked to skip the credit check (never a client)."""
    return context.get(CREDIT_CHECK_DONE_KEY) is CREDIT_CHECK_DONE


def discount_date(context):
    """The payment date set by internal code, or None: a string or number sent
    by a client is ignored (JSON has no date type)."""
    value = context.get(DISCOUNT_DATE_KEY)
    return value if isinstance(value, date) else None
