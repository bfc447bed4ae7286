from odoo import api, fields, models
from odoo.exceptions import UserError


class SettlementCollectionCaseItem(models.Model):
    """A receivable journal item handed over with a collection case: what was
    open on it at hand-over, and what is still open now (from the ledger)."""

    _name = "settlement.collection.case.item"
    _description = "Collection Case Item"
    _order = "date_due, id"

    case_id = fields.Many2one(
        "settlement.collection.case",
        string="Collection Case",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="case_id.company_id", store=True, index=True, string="Company"
    )
    partner_id = fields.Many2one(related="case_id.partner_id", string="Customer")
    case_state = fields.Selection(related="case_id.state", string="Case Status")
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Journal Item",
        required=True,
        index=True,
        ondelete="restrict",
    )
    move_id = fields.Many2one(
        related="move_line_id.move_id", store=True, string="Invoice"
    )
    date_due = fields.Date(string="Due Date", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    amount_handed_over = fields.Monetary(
        string="Open at Hand-over",
        currency_field="company_currency_id",
        readonly=True,
        help="In the company currency.",
    )
    amount_handed_over_currency = fields.Monetary(
        string="Open at Hand-over in Currency",
        currency_field="currency_id",
        readonly=True,
    )
    amount_open = fields.Monetary(
        string="Still Open",
        currency_field="company_currency_id",
        compute="_compute_amount_open",
        help="From the ledger, in the company currency.",
    )

    _sql_constraints = [
        (
            "case_line_uniq",
            "unique(case_id, move_line_id)",
            "A journal item is handed over once per case.",
        ),
    ]

    @api.depends("move_line_id.amount_residual")
    def _compute_amount_open(self):
        for item in self:
            item.amount_open = item.move_line_id.sudo().amount_residual

    @api.model
    def _values_from_line(self, line):
        return {
            "move_line_id": line.id,
            "date_due": line.date_maturity or line.date,
            "currency_id": line.currency_id.id,
            "amount_handed_over": line.amount_residual,
            "amount_handed_over_currency": line.amount_residual_currency,
        }

    @api.model
    def _check_lines(self, partner, company, lines):
        """``lines`` if they are open receivable items of ``partner`` in
        ``company``, oldest due first; else a clear refusal."""
        lines = lines.sudo()
        if not lines:
            raise UserError(self.env._("Choose the items to hand over."))
        wrong = lines.filtered(
            lambda line: line.company_id != company
            or line.partner_id.commercial_partner_id != partner
            or line.account_id.account_type != "asset_receivable"
            or line.parent_state != "posted"
            or line.reconciled
            or line.amount_residual <= 0
        )
        if wrong:
            raise UserError(
                self.env._(
                    "%(item)s is not an open receivable of %(customer)s in "
                    "%(company)s.",
                    item=wrong[0].move_id.name or wrong[0].name,
                    customer=partner.display_name,
                    company=company.display_name,
                )
            )
        return lines.sorted(lambda line: (line.date_maturity or line.date, line.id))
