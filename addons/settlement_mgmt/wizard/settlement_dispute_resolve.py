from odoo import api, fields, models


class SettlementDisputeResolve(models.TransientModel):
    _name = "settlement.dispute.resolve"
    _description = "Resolve Dispute"

    dispute_id = fields.Many2one(
        "settlement.dispute", required=True, ondelete="cascade"
    )
    action = fields.Selection(
        selection=[("accept", "Accept"), ("reject", "Reject"), ("reopen", "Reopen")],
        required=True,
    )
    currency_id = fields.Many2one(related="dispute_id.currency_id")
    disputed_amount = fields.Monetary(related="dispute_id.amount")
    amount = fields.Monetary(
        string="Accepted Amount",
        compute="_compute_amount",
        store=True,
        readonly=False,
        help="A credit note for this amount is posted and reconciled with the invoice.",
    )
    note = fields.Text(
        help="Accept: kept on the dispute. Reject: sent to the customer. Reopen: why.",
    )

    @api.depends("dispute_id", "action")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = (
                wizard.dispute_id.amount if wizard.action == "accept" else 0.0
            )

    def action_confirm(self):
        self.ensure_one()
        dispute = self.dispute_id
        if self.action == "accept":
            dispute._accept(self.amount, (self.note or "").strip())
        elif self.action == "reject":
            dispute._reject(self.note)
        else:
            dispute._reopen(self.note)
        return {"type": "ir.actions.act_window_close"}
