from odoo import api, fields, models


class SettlementCollectionCaseRecovery(models.Model):
    """Money an agency or lawyer recovered on a case: the gross amount the
    customer paid it, the commission it kept, the net it remitted, and the
    payment and entry that booked them (see the case's ``_record_recovery``)."""

    _name = "settlement.collection.case.recovery"
    _description = "Collection Case Recovery"
    _order = "date desc, id desc"

    case_id = fields.Many2one(
        "settlement.collection.case",
        string="Collection Case",
        required=True,
        index=True,
        ondelete="restrict",
        readonly=True,
    )
    company_id = fields.Many2one(
        related="case_id.company_id", store=True, index=True, string="Company"
    )
    partner_id = fields.Many2one(
        related="case_id.partner_id", store=True, string="Customer"
    )
    handler_id = fields.Many2one(
        related="case_id.handler_id", string="Agency or Lawyer"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, readonly=True)
    amount_gross = fields.Monetary(string="Recovered (Gross)", readonly=True)
    amount_commission = fields.Monetary(string="Commission", readonly=True)
    amount_net = fields.Monetary(
        string="Remitted (Net)", compute="_compute_amount_net", store=True
    )
    journal_id = fields.Many2one("account.journal", readonly=True)
    payment_id = fields.Many2one("account.payment", readonly=True)
    commission_move_id = fields.Many2one(
        "account.move", string="Commission Entry", readonly=True
    )
    memo = fields.Char(readonly=True)

    @api.depends("amount_gross", "amount_commission")
    def _compute_amount_net(self):
        for recovery in self:
            recovery.amount_net = recovery.amount_gross - recovery.amount_commission
