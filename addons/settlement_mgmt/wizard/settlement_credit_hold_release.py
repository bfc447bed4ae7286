from odoo import fields, models


class SettlementCreditHoldRelease(models.TransientModel):
    _name = "settlement.credit.hold.release"
    _description = "Release Credit Hold"

    hold_ids = fields.Many2many("settlement.credit.hold", string="Holds", required=True)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.hold_ids._release(self.reason)
        return {"type": "ir.actions.act_window_close"}
