from odoo import api, models
from odoo.exceptions import AccessError

# A value a new record may give a guarded field: any, or the current user.
ANY_VALUE = object()
CURRENT_USER = object()


class SettlementDecisionMixin(models.AbstractModel):
    """Fields only the workflow writes: decisions (a dispute's state and
    accepted amount), outcomes (a promise kept or broken), audit facts (who
    released a hold) and agreements (a plan's acceptance).

    A form shows them read-only, but a client can send any field over RPC:
    ``create`` and ``write`` refuse them unless in sudo.  The workflow methods
    check the user's role first, then write them in sudo -- a path no client
    reaches.  A model lists its fields in ``_decision_fields``: the value a new
    record may carry (``None``: none, ``ANY_VALUE``, ``CURRENT_USER`` or a
    constant such as the initial state), and words its refusal in
    ``_decision_error``."""

    _name = "settlement.decision.mixin"
    _description = "Fields Written Only by the Workflow"

    _decision_fields = {}

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                forged = sorted(
                    name
                    for name in self._decision_fields.keys() & vals.keys()
                    if not self._decision_value_allowed(name, vals[name])
                )
                if forged:
                    raise self._decision_error(forged, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._check_decision_write(vals)
        return super().write(vals)

    def _check_decision_write(self, vals):
        """Refuse guarded fields in ``vals`` outside sudo (a model calls it
        first when it checks more before writing)."""
        if not self.env.su:
            guarded = sorted(self._decision_fields.keys() & vals.keys())
            if guarded:
                raise self._decision_error(guarded)

    def _decision_value_allowed(self, name, value):
        allowed = self._decision_fields[name]
        if allowed is ANY_VALUE:
            return True
        if allowed is CURRENT_USER:
            return value == self.env.uid
        return not value or value == allowed

    def _decision_error(self, names, creating=False):
        """The refusal of ``names`` (sorted field names); models word it."""
        return AccessError(
            self.env._(
                "%(fields)s change only through the record's buttons.",
                fields=self._decision_field_labels(names),
            )
        )

    def _decision_field_labels(self, names):
        return ", ".join(self._fields[name].string for name in names)
