from odoo import fields, models


class SettlementInvoiceDisputeMixin(models.AbstractModel):
    """An invoice's disputes as the invoice shows them: what is disputed, how
    many, and the buttons to raise or list them (``account.move`` inherits
    it). The dispute itself is ``settlement.dispute``. What is disputed
    (``settlement_is_disputed``, ``settlement_disputed_amount``) is stored on
    ``account.move`` itself: an amount needs the invoice's currency."""

    _name = "settlement.invoice.dispute.mixin"
    _description = "Invoice Under Dispute"

    settlement_dispute_ids = fields.One2many(
        "settlement.dispute",
        "move_id",
        string="Disputes",
        groups="settlement_mgmt.group_settlement_user",
    )
    settlement_dispute_count = fields.Integer(
        compute="_compute_settlement_dispute_count",
        groups="settlement_mgmt.group_settlement_user",
    )

    def _compute_settlement_dispute_count(self):
        counts = dict(
            self.env["settlement.dispute"]._read_group(
                [("move_id", "in", self.ids)],
                groupby=["move_id"],
                aggregates=["__count"],
            )
        )
        for move in self:
            move.settlement_dispute_count = counts.get(move, 0)

    def _settlement_portal_disputable(self):
        """Whether the customer may raise a dispute on this invoice from the portal."""
        self.ensure_one()
        return (
            self.move_type == "out_invoice"
            and self.state == "posted"
            and self.currency_id.compare_amounts(
                self.amount_residual - self.settlement_disputed_amount, 0.0
            )
            > 0
        )

    def action_settlement_open_dispute(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dispute"),
            "res_model": "settlement.dispute",
            "view_mode": "form",
            "context": {
                "default_move_id": self.id,
                "default_amount": self.amount_residual
                - self.settlement_disputed_amount,
            },
        }

    def action_settlement_view_disputes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "settlement_mgmt.settlement_dispute_action"
        )
        action["domain"] = [("move_id", "=", self.id)]
        action["context"] = {"default_move_id": self.id}
        return action
