from odoo import fields, models


class SettlementDunningFeeWaive(models.TransientModel):
    _name = "settlement.dunning.fee.waive"
    _description = "Waive Late Fee"

    communication_ids = fields.Many2many(
        "settlement.dunning.communication",
        relation="settlement_dunning_fee_waive_rel",
        required=True,
    )
    reason = fields.Text(required=True)

    def action_waive(self):
        self.ensure_one()
        self.communication_ids._waive_fee(self.reason)
        return {"type": "ir.actions.act_window_close"}
