from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import format_amount, format_date

from ..lib.discount import amount_after_discount, tier_index
from ..lib.printed_amount import amount_blocks

# Invoices whose tiers the backfill freezes per flush: bounds memory on
# databases with many invoices posted before the addon.
BACKFILL_BATCH = 1000


class SettlementInvoiceDiscount(models.Model):
    """The discount tiers an invoice offers, frozen when it is posted (like core
    freezes its early discount on the receivable line): editing the payment terms
    later does not change what was offered.

    The model also owns the offer's life: ``_offer_on_posting`` (called by
    ``account.move._post``), ``_withdraw`` (``button_draft``), the tier running
    on a date (``_running_tier``) and what the invoice form says about it
    (``_offer_summaries``). How a taken discount is booked lives in
    ``settlement.discount.accounting``."""

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

    # ------------------------------------------------------------------
    # The offer's life, on behalf of account.move
    # ------------------------------------------------------------------

    @api.model
    def _running_tier(self, invoice, reference_date):
        """The tier ``invoice`` offers on ``reference_date``, if any."""
        invoice.ensure_one()
        tiers = invoice.sudo().settlement_discount_ids
        index = tier_index(tiers.mapped("discount_date"), reference_date)
        return self.browse() if index is None else tiers[index]

    @api.model
    def _offer_summaries(self, invoices, on_date):
        """{invoice id: what the customer pays on ``on_date`` to settle it with
        the discount still running} for posted invoices that still qualify."""
        summaries = {}
        for invoice in invoices.filtered(lambda move: move.state == "posted"):
            tier = self._running_tier(invoice, on_date)
            # No tier (credit note, no discount, partly paid): no offer.
            if tier and invoice._is_eligible_for_early_payment_discount(
                invoice.currency_id, on_date
            ):
                summaries[invoice.id] = tier.summary
        return summaries

    @api.model
    def _offer_on_posting(self, invoices):
        """Freeze the discount tiers of just posted ``invoices``: core's own
        discount, as stored on the receivable line, then the payment term's
        further tiers computed the same way."""
        values = []
        for invoice in invoices.filtered(
            lambda move: move.move_type in move._early_payment_discount_move_types()
            and move.invoice_payment_term_id.early_discount
        ):
            term_lines = invoice.line_ids.filtered(
                lambda line: line.display_type == "payment_term"
            )
            # Core discounts single-instalment terms only: so do the tiers.
            if len(term_lines) != 1 or not term_lines.discount_date:
                continue
            values += self._tier_values(invoice, term_lines)
        if values:
            # Drafts drop their tiers (_withdraw): nothing to replace here.
            self.sudo().create(values)

    @api.model
    def _withdraw(self, invoices):
        """Reset to draft, ``invoices`` offer nothing until posted again."""
        self.sudo().search([("move_id", "in", invoices.ids)]).unlink()

    @api.model
    def _backfill(self):
        """Freeze the tiers of invoices posted before the addon (install) or
        before tiers existed (upgrade), in batches."""
        Move = self.env["account.move"].sudo()
        invoices = Move.search(
            [
                ("state", "=", "posted"),
                ("move_type", "in", Move._early_payment_discount_move_types()),
                ("invoice_payment_term_id.early_discount", "=", True),
                ("settlement_discount_ids", "=", False),
            ]
        )
        for start in range(0, len(invoices), BACKFILL_BATCH):
            batch = invoices[start : start + BACKFILL_BATCH]
            self._offer_on_posting(batch)
            batch.invalidate_recordset()
        return invoices

    @api.model
    def _tier_values(self, invoice, term_line):
        """Creation values of every tier ``invoice`` offers: the first is
        core's discount as frozen on ``term_line``; the later ones apply the
        payment term's computation (included/excluded/mixed) the same way."""
        term = invoice.invoice_payment_term_id
        computation = term.early_pay_discount_computation
        sign = 1 if invoice.is_inbound(include_receipts=True) else -1
        untaxed_currency = invoice.amount_untaxed * sign
        untaxed = invoice.amount_untaxed_signed
        rate = (
            abs(term_line.amount_currency / term_line.balance)
            if term_line.balance
            else 0.0
        )
        date_ref = invoice.invoice_date or invoice.date
        currency = invoice.currency_id
        company_currency = invoice.company_currency_id
        values = []
        for sequence, (days, percentage) in enumerate(
            term._settlement_discount_tiers(), start=1
        ):
            if sequence == 1:
                amount_currency = term_line.discount_amount_currency
                balance = term_line.discount_balance
                discount_date = term_line.discount_date
            else:
                amount_currency = currency.round(
                    amount_after_discount(
                        term_line.amount_currency,
                        untaxed_currency,
                        percentage,
                        computation,
                    )
                )
                balance = company_currency.round(
                    amount_after_discount(
                        term_line.balance, untaxed, percentage, computation
                    )
                )
                rounding = invoice.invoice_cash_rounding_id
                difference = rounding and rounding.compute_difference(
                    currency, amount_currency
                )
                if difference and not currency.is_zero(difference):
                    amount_currency += difference
                    balance = company_currency.round(
                        amount_currency / rate if rate else 0.0
                    )
                discount_date = date_ref + timedelta(days=days)
            values.append(
                {
                    "move_id": invoice.id,
                    "sequence": sequence,
                    "discount_percentage": percentage,
                    "discount_date": discount_date,
                    "amount_currency": amount_currency,
                    "balance": balance,
                    "saving_amount": abs(term_line.amount_currency - amount_currency),
                    "saving_balance": abs(term_line.balance - balance),
                }
            )
        return values
