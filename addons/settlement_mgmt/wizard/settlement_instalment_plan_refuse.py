from odoo import fields, models


class SettlementInstalmentPlanRefuse(models.TransientModel):
    _name = "settlement.instalment.plan.refuse"
    _description = "Refuse a Requested Plan"

    plan_id = fields.Many2one(
        "settlement.instalment.plan", required=True, ondelete="cascade"
    )
    reason = fields.Text(required=True, help="Sent to the customer.")

    def action_refuse(self):
        self.ensure_one()
        self.plan_id._request_refuse(self.reason)
        return {"type": "ir.actions.act_window_close"}
