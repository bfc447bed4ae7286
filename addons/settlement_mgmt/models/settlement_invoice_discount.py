from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import format_amount, format_date

from ..lib.printed_amount import amount_blocks


class SettlementInvoiceDiscount(models.Model):
    """The discount tiers an invoice offers, frozen when it is posted (like core
    freezes its early discount on the receivable line): editing the payment terms
    later does not change what was offered."""

    _name = "settlement.invoice.discount"
    _description = "Early Payment Discount Offered on an Invoice"
    _order = "move_id, discount_date, id"

    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="move_id.company_id", store=True)
    partner_id = fields.Many2one(
        related="move_id.commercial_partner_id", string="Customer", store=True
    )
    currency_id = fields.Many2one(related="move_id.currency_id", store=True)
    company_currency_id = fields.Many2one(related="move_id.company_currency_id")
    sequence = fields.Integer(string="Tier", required=True)
    discount_percentage = fields.Float(string="Discount %", digits="Discount")
    discount_date = fields.Date(string="Pay By", required=True)
    amount_currency = fields.Monetary(
        string="Amount to Pay",
        currency_field="currency_id",
        help="Signed like the receivable line: what settles the invoice in this tier.",
    )
    balance = fields.Monetary(
        string="Amount to Pay (Company Currency)",
        currency_field="company_currency_id",
    )
    saving_amount = fields.Monetary(string="Saving", currency_field="currency_id")
    saving_balance = fields.Monetary(
        string="Saving (Company Currency)", currency_field="company_currency_id"
    )
    summary = fields.Char(string="Offer", compute="_compute_summary")

    _sql_constraints = [
        (
            "move_sequence_unique",
            "UNIQUE(move_id, sequence)",
            "An invoice offers each discount tier once.",
        )
    ]

    @api.depends_context("lang")
    @api.depends("amount_currency", "discount_date", "saving_amount")
    def _compute_summary(self):
        for tier in self:
            tier.summary = self.env._(
                "Pay %(amount)s by %(date)s to save %(saving)s",
                amount=format_amount(
                    self.env, abs(tier.amount_currency), tier.currency_id
                ),
                date=format_date(self.env, tier.discount_date),
                saving=format_amount(self.env, tier.saving_amount, tier.currency_id),
            )

    def _summary_printed(self):
        """The offer as Markup for the invoice PDF: the same sentence, with
        its amounts printable in right-to-left text (lib.printed_amount)."""
        self.ensure_one()
        amount, saving = (
            amount_blocks(format_amount(self.env, value, self.currency_id), symbol)
            for value, symbol in (
                (abs(self.amount_currency), self.currency_id.symbol),
                (self.saving_amount, self.currency_id.symbol),
            )
        )
        # The translated sentence, its values put in as Markup.
        sentence = self.env._("Pay %(amount)s by %(date)s to save %(saving)s")
        return Markup(escape(sentence)) % {
            "amount": amount,
            "date": format_date(self.env, self.discount_date),
            "saving": saving,
        }

    @api.model
    def _running_tier_join(self, on_date, condition=None):
        """SQL joining ``tier`` (discount_date, amount_currency): the tier of
        ``line.move_id`` still running on ``on_date`` (a date or SQL), for the
        due schedule and the dunning run."""
        return SQL(
            """LEFT JOIN LATERAL (
                    SELECT offer.discount_date, offer.amount_currency
                      FROM settlement_invoice_discount offer
                     WHERE offer.move_id = line.move_id
                       AND %s
                       AND offer.discount_date >= %s
                  ORDER BY offer.discount_date
                     LIMIT 1
                   ) tier ON TRUE""",
            condition or SQL("TRUE"),
            on_date,
        )
