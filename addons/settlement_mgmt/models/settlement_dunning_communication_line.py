from odoo import api, fields, models
from odoo.tools import format_amount, format_date


class SettlementDunningCommunicationLine(models.Model):
    _name = "settlement.dunning.communication.line"
    _description = "Reminded Item"
    _order = "communication_id, date_due, id"

    communication_id = fields.Many2one(
        "settlement.dunning.communication",
        required=True,
        ondelete="cascade",
        index=True,
    )
    level_id = fields.Many2one(
        "settlement.dunning.level", required=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="communication_id.company_id", store=True)
    item_ref = fields.Integer(
        required=True,
        index=True,
        help="The open receivable item (journal item or plan instalment) reminded.",
    )
    move_id = fields.Many2one("account.move", string="Invoice")
    move_line_id = fields.Many2one("account.move.line", string="Journal Item")
    plan_line_id = fields.Many2one(
        "settlement.instalment.plan.line", string="Instalment"
    )
    name = fields.Char(string="Reference")
    date_due = fields.Date(string="Due Date")
    days_overdue = fields.Integer()
    currency_id = fields.Many2one("res.currency")
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    amount_residual_currency = fields.Monetary(
        string="Amount Due", currency_field="currency_id"
    )
    amount_residual = fields.Monetary(
        string="Amount Due (Company Currency)", currency_field="company_currency_id"
    )
    interest_amount = fields.Monetary(
        string="Interest", currency_field="company_currency_id"
    )
    discount_date = fields.Date(string="Early Discount Until")
    discount_amount_currency = fields.Monetary(
        string="Discounted Amount", currency_field="currency_id"
    )
    discount_note = fields.Char(
        string="Early Payment Offer", compute="_compute_discount_note"
    )

    @api.depends_context("lang")
    @api.depends("discount_date", "discount_amount_currency")
    def _compute_discount_note(self):
        for line in self:
            line.discount_note = line.discount_date and self.env._(
                "Pay %(amount)s by %(date)s to save %(saving)s",
                amount=format_amount(
                    self.env, line.discount_amount_currency, line.currency_id
                ),
                date=format_date(self.env, line.discount_date),
                saving=format_amount(
                    self.env,
                    line.amount_residual_currency - line.discount_amount_currency,
                    line.currency_id,
                ),
            )

    def init(self):
        # One reminder per item and level, even when two runs race.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS"
            " settlement_dunning_communication_line_item_level_uniq"
            " ON settlement_dunning_communication_line (item_ref, level_id)"
        )
