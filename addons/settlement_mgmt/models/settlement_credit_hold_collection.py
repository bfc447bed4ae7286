from odoo import api, models
from odoo.exceptions import UserError


class SettlementCreditHoldCollection(models.Model):
    """The hold of a customer handed over to collection: placed when its
    case opens, released when the case closes, never by hand meanwhile."""

    _inherit = "settlement.credit.hold"

    def _check_no_active_case(self):
        """A case's hold lasts as long as the case: it is released when the
        case closes (recovered, written off, returned), never by hand."""
        held = self.filtered(
            lambda hold: hold.hold_type == "collection" and hold.state == "active"
        )
        if not held:
            return
        Case = self.env["settlement.collection.case"].sudo()
        for hold in held:
            case = Case._active_case(hold.partner_id, hold.company_id)
            if case:
                raise UserError(
                    self.env._(
                        "%(customer)s is with %(handler)s under collection case "
                        "%(case)s: the hold ends when the case is closed.",
                        customer=hold.partner_id.display_name,
                        handler=case.handler_id.display_name,
                        case=case.name,
                    )
                )

    @api.model
    def _settlement_place_case_hold(self, case):
        """Hold the customer of a newly opened collection case (or keep the
        collection hold it has)."""
        hold, _placed = self._settlement_place_system_hold(
            case.partner_id,
            case.company_id,
            "collection",
            self.env._(
                "Handed over to %(handler)s under collection case %(case)s.",
                handler=case.handler_id.display_name,
                case=case.name,
            ),
        )
        return hold

    @api.model
    def _settlement_release_case_holds(self, cases):
        """Release the holds of closed ``cases``."""
        for case in cases:
            hold = case.sudo().hold_id
            if hold.state == "active":
                hold._release(
                    self.env._(
                        "Collection case %(case)s closed: %(state)s.",
                        case=case.name,
                        state=dict(
                            case._fields["state"]._description_selection(self.env)
                        )[case.state],
                    )
                )

    @api.model
    def _cron_settlement_credit_holds(self, batch_size=200):
        """Nightly, first: a customer that paid straight to the company what
        was handed over has its case recovered and its hold released (a
        recovery recorded on the case does it at once).  Closed cases leave
        the search, so reruns change nothing."""
        self.env["settlement.collection.case"].sudo().search(
            [("is_active", "=", True)]
        )._sync_state_from_ledger()
        return super()._cron_settlement_credit_holds(batch_size=batch_size)
