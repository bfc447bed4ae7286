"""How a taken early payment discount tier is booked.

Core books one discount (its first tier) from the register payment wizard.
``account.move`` only delegates its hooks here, so every way of paying books
the tier running on the payment date the same way: the register wizard
(``_counterpart_on_payment_date``, ``_scale_to_running_tier``), matching an
outstanding payment on the invoice (``_settle_with_running_tier``) and a
portal payment of several invoices (``_payment_write_off_values``)."""

from odoo import api, fields, models

from ..lib.discount import scale_exactly
from ..lib.internal_context import DISCOUNT_DATE_KEY, discount_date


class SettlementDiscountAccounting(models.AbstractModel):
    _name = "settlement.discount.accounting"
    _description = "Early Payment Discount Accounting"

    @api.model
    def _later_tier_runs(self, invoice, currency, reference_date):
        """Whether ``invoice``, past core's (first) tier on ``reference_date``,
        still qualifies for a later tier of the addon."""
        if not reference_date or not invoice.invoice_date:
            return False
        Discount = self.env["settlement.invoice.discount"]
        # Without a date, core checks everything but the date: currency, type,
        # payment term and nothing paid yet.
        return bool(
            Discount._running_tier(invoice, reference_date)
        ) and invoice._is_eligible_for_early_payment_discount(currency, None)

    @api.model
    def _payment_date(self):
        """The payment date the discount is computed for: set by whoever creates
        the payment (register wizard, outstanding credit matching), else today."""
        return fields.Date.to_date(
            discount_date(self.env.context)
        ) or fields.Date.context_today(self)

    @api.model
    def _counterpart_on_payment_date(self, aml_values_list):
        """Core's ``aml_values_list`` with its journal items in an environment
        that knows the payment date: they come with the one they were read in,
        and the per-invoice computation (``_scale_to_running_tier``) needs it."""
        reference_date = discount_date(self.env.context)
        if not reference_date:
            return aml_values_list
        return [
            {
                **values,
                "aml": values["aml"].with_context(
                    **{DISCOUNT_DATE_KEY: reference_date}
                ),
            }
            for values in aml_values_list
        ]

    @api.model
    def _scale_to_running_tier(self, invoice, counterpart):
        """Core's write-off ``counterpart`` of ``invoice`` for its own (first)
        tier, scaled to the later tier running on the payment date: it grants
        less, in the same proportions of base and taxes."""
        tier = self.env["settlement.invoice.discount"]._running_tier(
            invoice, self._payment_date()
        )
        if not tier or tier.sequence == 1:
            return counterpart
        term_line = invoice.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        )
        entries = [
            vals
            for key in ("term_lines", "tax_lines", "base_lines")
            for vals in counterpart[key].get(term_line, {}).values()
        ]
        for field, target, currency in (
            (
                "amount_currency",
                term_line.amount_currency - tier.amount_currency,
                invoice.currency_id,
            ),
            (
                "balance",
                term_line.balance - tier.balance,
                invoice.company_currency_id,
            ),
        ):
            scaled = scale_exactly(
                [vals[field] for vals in entries], target, currency.rounding
            )
            for vals, amount in zip(entries, scaled, strict=True):
                vals[field] = amount
        return counterpart

    @api.model
    def _settle_with_running_tier(self, invoice, payment_line):
        """The journal items to reconcile when ``payment_line``, matched on
        ``invoice``, pays exactly the discounted amount of the tier running on
        its date (as the register payment wizard would settle it), the
        discount entry posted; otherwise an empty recordset and nothing
        written."""
        discount_line = self._post_discount_entry(invoice, payment_line)
        if not discount_line:
            return discount_line
        open_lines = invoice.line_ids.filtered(
            lambda line: line.account_id == payment_line.account_id
            and not line.reconciled
        )
        return payment_line + discount_line + open_lines

    @api.model
    def _post_discount_entry(self, invoice, payment_line):
        """The receivable line of a posted discount entry, in the company's
        discount journal, when ``payment_line`` pays exactly the discounted
        amount of ``invoice``'s tier running on its date; otherwise an empty
        recordset and nothing written."""
        invoice.ensure_one()
        Line = self.env["account.move.line"]
        term_lines = invoice.line_ids.filtered(
            lambda line: line.display_type == "payment_term" and not line.reconciled
        )
        payment_date = payment_line.date
        currency = invoice.currency_id
        tier = self.env["settlement.invoice.discount"]._running_tier(
            invoice, payment_date
        )
        if (
            not tier
            or len(term_lines) != 1
            or payment_line.currency_id != currency
            or payment_line.account_id != term_lines.account_id
            or not invoice._is_eligible_for_early_payment_discount(
                currency, payment_date
            )
            or currency.compare_amounts(
                -payment_line.amount_residual_currency, tier.amount_currency
            )
        ):
            return Line
        # Before anything is computed: a missing journal is the user's to fix.
        journal = invoice.company_id._settlement_discount_journal()
        direction = 1 if invoice.is_inbound(include_receipts=True) else -1
        open_balance = currency._convert(
            direction * tier.saving_amount,
            invoice.company_currency_id,
            invoice.company_id,
            payment_date,
        )
        counterpart = invoice.with_context(
            **{DISCOUNT_DATE_KEY: fields.Date.to_date(payment_date)}
        )._get_invoice_counterpart_amls_for_early_payment_discount(
            [
                {
                    "aml": term_lines,
                    "amount_currency": -term_lines.amount_residual_currency,
                    "balance": -term_lines.amount_residual,
                }
            ],
            open_balance,
        )
        line_values = [vals for group in counterpart.values() for vals in group]
        line_values.append(
            {
                "name": self.env._("Early Payment Discount"),
                "account_id": term_lines.account_id.id,
                "partner_id": term_lines.partner_id.id,
                "currency_id": currency.id,
                "amount_currency": -sum(
                    vals["amount_currency"] for vals in line_values
                ),
                "balance": -sum(vals["balance"] for vals in line_values),
            }
        )
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": payment_date,
                "journal_id": journal.id,
                "company_id": invoice.company_id.id,
                "ref": self.env._(
                    "Early payment discount on %(invoice)s", invoice=invoice.name
                ),
                "line_ids": [fields.Command.create(vals) for vals in line_values],
            }
        )
        entry.action_post()
        return entry.line_ids.filtered(
            lambda line: line.account_id == term_lines.account_id
        )

    @api.model
    def _payment_write_off_values(self, invoice, saving, on_date):
        """The write-off lines of a payment granting ``saving`` on ``invoice``
        for the tier running on ``on_date``: the register payment wizard's
        computation, with the addon's tiers (``DISCOUNT_DATE_KEY``). They go
        on the payment's own entry, in the payment's journal."""
        invoice.ensure_one()
        term_lines = invoice.line_ids.filtered(
            lambda line: line.display_type == "payment_term" and not line.reconciled
        )
        open_balance = invoice.currency_id._convert(
            saving, invoice.company_currency_id, invoice.company_id, on_date
        )
        counterpart = invoice.with_context(
            **{DISCOUNT_DATE_KEY: on_date}
        )._get_invoice_counterpart_amls_for_early_payment_discount(
            [
                {
                    "aml": line,
                    "amount_currency": -line.amount_residual_currency,
                    "balance": -line.amount_residual,
                }
                for line in term_lines
            ],
            open_balance,
        )
        return [
            {**vals, "partner_id": invoice.commercial_partner_id.id}
            for group in counterpart.values()
            for vals in group
        ]
