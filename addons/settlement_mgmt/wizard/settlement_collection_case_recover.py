from odoo import api, fields, models

from ..lib.collection import commission


class SettlementCollectionCaseRecover(models.TransientModel):
    """Record what an agency or lawyer recovered: the gross amount the
    customer paid it, its commission (from the case's rate, editable) and
    the bank journal the net was remitted to."""

    _name = "settlement.collection.case.recover"
    _description = "Record a Collection Recovery"

    case_id = fields.Many2one("settlement.collection.case", required=True)
    company_id = fields.Many2one(related="case_id.company_id")
    currency_id = fields.Many2one(related="case_id.currency_id")
    foreign_currency = fields.Boolean(related="case_id.foreign_currency")
    amount_open = fields.Monetary(related="case_id.amount_open")
    date = fields.Date(required=True, default=fields.Date.context_today)
    amount_gross = fields.Monetary(
        string="Recovered (Gross)",
        help="What the customer paid the agency or lawyer, in the company currency.",
    )
    amount_commission = fields.Monetary(
        string="Commission",
        compute="_compute_amount_commission",
        store=True,
        readonly=False,
        help="Kept by the agency or lawyer: the case's rate by default.",
    )
    amount_net = fields.Monetary(string="Remitted (Net)", compute="_compute_amount_net")
    journal_id = fields.Many2one(
        "account.journal",
        string="Bank Journal",
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]",
    )
    memo = fields.Char()

    @api.depends("amount_gross", "case_id")
    def _compute_amount_commission(self):
        for wizard in self:
            wizard.amount_commission = commission(
                wizard.amount_gross or 0.0,
                wizard.case_id.commission_rate,
                wizard.currency_id.rounding or 0.01,
            )

    @api.depends("amount_gross", "amount_commission")
    def _compute_amount_net(self):
        for wizard in self:
            wizard.amount_net = wizard.amount_gross - wizard.amount_commission

    def action_confirm(self):
        self.ensure_one()
        self.case_id._record_recovery(
            self.amount_gross,
            self.amount_commission,
            self.journal_id,
            self.date,
            self.memo,
        )
        return {"type": "ir.actions.act_window_close"}
