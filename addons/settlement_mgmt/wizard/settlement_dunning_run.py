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
    previewed = fields.Boolean(readonly=True)
    skip_note = fields.Text(
        string="Not Reminded", readonly=True, help="Why customers are not reminded."
    )
    reminder_count = fields.Integer(compute="_compute_totals")
    amount_total = fields.Monetary(compute="_compute_totals")
    currency_id = fields.Many2one(related="company_id.currency_id")

    @api.depends("line_ids.amount")
    def _compute_totals(self):
        for run in self:
            run.reminder_count = len(run.line_ids)
            run.amount_total = sum(run.line_ids.mapped("amount"))

    def _candidates(self, skipped=None):
        partners = self.partner_ids.commercial_partner_id or None
        return self.env["settlement.dunning.communication"]._dunning_candidates(
            self.company_id, partners=partners, skipped=skipped
        )

    def _skip_lines(self, skipped):
        """One line per reason a customer with overdue items is not reminded."""
        messages = {
            "reminded": self.env._(
                "%(count)s customer(s) already reminded at the level they reached"
            ),
            "promise": self.env._("%(count)s customer(s) with a promise to pay"),
            "paused": self.env._(
                '%(count)s customer(s) paused or marked "no reminders"'
            ),
            "minimum": self.env._(
                "%(count)s customer(s) owing less than the policy's minimum amount"
            ),
            "no_policy": self.env._("%(count)s customer(s) without a dunning policy"),
        }
        return [
            messages[reason] % {"count": len(customers)}
            for reason, customers in skipped.items()
            if customers
        ]

    def action_preview(self):
        self.ensure_one()
        skipped = {}
        candidates = self._candidates(skipped)
        lines = self._skip_lines(skipped)
        if not candidates:
            lines.insert(
                0,
                self.env._(
                    "Nothing to send today. Overdue items not already reminded, "
                    "disputed or settled by credits would be listed here."
                ),
            )
        self.previewed = True
        self.skip_note = "\n".join(lines)
        self.line_ids = [(5, 0, 0)] + [
            (
                0,
                0,
                {
                    "partner_id": customer.id,
                    "level_id": level.id,
                    "item_count": len(rows),
                    "amount": sum(row.amount for row in rows),
                    "max_days_overdue": max(row.days_overdue for row in rows),
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
        if not self.previewed:
            raise UserError(
                self.env._("Preview the reminders first: Send comes after it.")
            )
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
