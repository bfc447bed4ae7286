from odoo import fields, models


class SettlementCollectionCaseWriteOff(models.TransientModel):
    """Write off what a collection case could not recover, with a reason."""

    _name = "settlement.collection.case.write.off"
    _description = "Write Off a Collection Case"

    case_id = fields.Many2one("settlement.collection.case", required=True)
    currency_id = fields.Many2one(related="case_id.currency_id")
    amount_open = fields.Monetary(related="case_id.amount_open", string="To Write Off")
    date = fields.Date(required=True, default=fields.Date.context_today)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.case_id._write_off(self.reason, self.date)
        return {"type": "ir.actions.act_window_close"}
