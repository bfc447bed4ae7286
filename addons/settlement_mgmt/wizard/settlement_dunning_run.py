from odoo import api, fields, models
from odoo.exceptions import UserError


class SettlementDunningRun(models.TransientModel):
    """Preview the reminders due and send them by hand; the daily cron does
    the same unattended."""

    _name = "settlement.dunning.run"
    _description = "Send Reminders"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        help="Empty: every customer with something to remind.",
    )
    line_ids = fields.One2many(
        "settlement.dunning.run.line", "run_id", string="Preview", readonly=True
    )
    reminder_count = fields.Integer(compute="_compute_totals")
    amount_total = fields.Monetary(compute="_compute_totals")
    currency_id = fields.Many2one(related="company_id.currency_id")

    @api.depends("line_ids.amount")
    def _compute_totals(self):
        for run in self:
            run.reminder_count = len(run.line_ids)
            run.amount_total = sum(run.line_ids.mapped("amount"))

    def _candidates(self):
        partners = self.partner_ids.commercial_partner_id or None
        return self.env["settlement.dunning.communication"]._dunning_candidates(
            self.company_id, partners=partners
        )

    def action_preview(self):
        self.ensure_one()
        candidates = self._candidates()
        self.line_ids = [(5, 0, 0)] + [
            (
                0,
                0,
                {
                    "partner_id": customer.id,
                    "level_id": level.id,
                    "item_count": len(rows),
                    "amount": sum(row[8] for row in rows),
                    "max_days_overdue": max(row[7] for row in rows),
                },
            )
            for (customer, level), rows in candidates.items()
        ]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send Reminders"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_send(self):
        self.ensure_one()
        candidates = self._candidates()
        if not candidates:
            raise UserError(self.env._("There is no reminder to send today."))
        sent = self.env["settlement.dunning.communication"]._dunning_send(
            self.company_id, candidates, fields.Date.context_today(self)
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "settlement_mgmt.settlement_dunning_communication_action"
        )
        action["domain"] = [("id", "in", sent.ids)]
        action["context"] = {}
        return action


class SettlementDunningRunLine(models.TransientModel):
    _name = "settlement.dunning.run.line"
    _description = "Reminder Preview"
    _order = "partner_id, level_id"

    run_id = fields.Many2one(
        "settlement.dunning.run", required=True, ondelete="cascade"
    )
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    level_id = fields.Many2one("settlement.dunning.level", readonly=True)
    item_count = fields.Integer(string="Items", readonly=True)
    amount = fields.Monetary(readonly=True)
    currency_id = fields.Many2one(related="run_id.currency_id")
    max_days_overdue = fields.Integer(string="Days Overdue", readonly=True)
