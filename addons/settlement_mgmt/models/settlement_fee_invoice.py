from odoo import Command, api, models

from ..lib.internal_context import credit_check_done_context


class SettlementFeeInvoice(models.AbstractModel):
    """The one builder of the customer invoices the addon charges on its own:
    late fees and interest of reminders, fees and interest of instalment
    plans.  ``_prepare_fee_invoice_vals`` is the hook to extend (an analytic
    account, a fiscal position…), as core's ``_prepare_invoice``."""

    _name = "settlement.fee.invoice"
    _description = "Settlement Fee Invoice"

    @api.model
    def _prepare_fee_invoice_line_vals(self, product, label, amount):
        # No taxes: a fee or interest is the price of paying late, agreed in
        # the dunning policy or the plan, not a taxable supply.
        return {
            "product_id": product.id,
            "name": label,
            "quantity": 1.0,
            "price_unit": amount,
            "tax_ids": [Command.clear()],
        }

    @api.model
    def _prepare_fee_invoice_vals(
        self, kind, partner, currency, lines, invoice_date, origin, date_due=None
    ):
        """Values of the fee invoice of ``partner``: ``kind`` names the
        company's fee product ("late_fee" or "plan_fee", see
        ``res.company._settlement_service_product``), ``lines`` is a list of
        (label, amount) in ``currency``; ``date_due`` replaces the payment
        term's due date when given."""
        product = self.env.company._settlement_service_product(kind)
        vals = {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "currency_id": currency.id,
            "invoice_date": invoice_date,
            "invoice_origin": origin,
            "invoice_line_ids": [
                Command.create(
                    self._prepare_fee_invoice_line_vals(product, label, amount)
                )
                for label, amount in lines
            ],
        }
        if date_due:
            vals["invoice_date_due"] = date_due
        return vals

    @api.model
    def _create_fee_invoice(
        self,
        kind,
        company,
        partner,
        currency,
        lines,
        invoice_date,
        origin,
        date_due=None,
        post=True,
    ):
        """Create (and post unless ``post`` is false) the fee invoice in
        ``company``.  The credit check is skipped: a fee follows from a debt
        the customer already has, a credit hold must not block charging it."""
        builder = self.with_company(company)
        vals = builder._prepare_fee_invoice_vals(
            kind, partner, currency, lines, invoice_date, origin, date_due=date_due
        )
        move = (
            builder.env["account.move"]
            .with_context(**credit_check_done_context())
            .create(vals)
        )
        if post:
            move.action_post()
        return move
