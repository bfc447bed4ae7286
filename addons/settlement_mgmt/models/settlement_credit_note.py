from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class SettlementCreditNote(models.AbstractModel):
    """Credit notes of an exact amount, taxes included, made from an invoice
    with core's reversal: what an accepted dispute credits (and any part of an
    invoice the addon credits).  The amount on the credit note is the amount
    decided, to the cent: lines scaled, the rounding remainder on the largest
    line, the last tax cent through the tax totals."""

    _name = "settlement.credit.note"
    _description = "Exact Credit Notes"

    @api.model
    def _credit_invoice(self, invoice, amount, ref):
        """A posted credit note of exactly ``amount``, taxes included, made by
        core's reversal of ``invoice`` and reconciled with it: the whole
        invoice is reversed as it is; a part scales every line (see
        :meth:`_scale_credit_note`)."""
        reverse_date = fields.Date.context_today(self)
        credit_note = invoice._reverse_moves(
            default_values_list=[
                {
                    "ref": ref,
                    "invoice_date": reverse_date,
                    "date": reverse_date,
                    "invoice_payment_term_id": False,
                }
            ]
        )
        currency = invoice.currency_id
        if currency.compare_amounts(amount, invoice.amount_total):
            self._scale_credit_note(invoice, credit_note, amount)
        if currency.compare_amounts(credit_note.amount_total, amount):
            raise UserError(
                self.env._(
                    "A credit note of exactly %(amount)s cannot be made from "
                    "%(invoice)s (its unit prices have fewer decimals than its "
                    "currency): issue it by hand.",
                    amount=currency.format(amount),
                    invoice=invoice.name,
                )
            )
        credit_note.action_post()
        lines = (
            self.env["settlement.receivable.query"]
            ._receivable_lines(invoice.line_ids | credit_note.line_ids)
            .filtered(lambda line: not line.reconciled)
        )
        lines.reconcile()
        return credit_note

    @api.model
    def _scale_credit_note(self, invoice, credit_note, amount):
        """Bring the draft reversal ``credit_note`` down to ``amount``, taxes
        included: every line scaled by amount / invoice total, the rounding
        remainder on the largest line, and what tax rounding leaves (a cent)
        on its tax, through the tax totals a user edits for that in core."""
        currency = credit_note.currency_id
        ratio = amount / invoice.amount_total
        product_lines = credit_note.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        )
        credit_note.write(
            {
                "invoice_line_ids": [
                    Command.update(line.id, {"price_unit": line.price_unit * ratio})
                    for line in product_lines
                ]
            }
        )
        largest = product_lines.sorted(
            lambda line: (-abs(line.price_total), line.sequence, line.id)
        )[:1]
        if largest and not currency.is_zero(largest.price_subtotal):
            self._fit_line(credit_note, largest, amount)
        remainder = currency.round(amount - credit_note.amount_total)
        if not currency.is_zero(remainder):
            totals = credit_note.tax_totals
            groups = [
                group
                for subtotal in totals["subtotals"]
                for group in subtotal["tax_groups"]
            ]
            own = [
                group
                for group in groups
                if group["id"] in largest.tax_ids.tax_group_id.ids
            ]
            if own or groups:
                group = max(
                    own or groups, key=lambda group: abs(group["tax_amount_currency"])
                )
                group["tax_amount_currency"] += remainder
                credit_note.tax_totals = totals

    @api.model
    def _fit_line(self, credit_note, line, amount):
        """Put the rounding remainder on ``line``: the unit price (near its
        share of what the other lines leave, taxes included) that brings the
        credit note to ``amount``; when none does at its quantity (3 units
        move by 0.03), the line as one unit of its whole amount; else the
        closest total."""
        currency = credit_note.currency_id
        digits = self.env["decimal.precision"].precision_get("Product Price")
        step = 10**-digits

        def miss(price, values):
            credit_note.write(
                {
                    "invoice_line_ids": [
                        Command.update(line.id, {"price_unit": price, **values})
                    ]
                }
            )
            return abs(currency.round(amount - credit_note.amount_total))

        units = line.quantity * (1 - line.discount / 100)
        modes = [({}, 1.0)]
        if line.quantity != 1 or line.discount:
            modes.append(({"quantity": 1.0, "discount": 0.0}, units))
        best = None
        for values, scale in modes:
            line_total = amount - (credit_note.amount_total - line.price_total)
            # Untaxed and taxed amounts of a line move together with its price.
            price = round(
                line.price_unit * scale * line_total / line.price_total, digits
            )
            for candidate in (price + k * step for k in (0, -1, 1, -2, 2)):
                missed = miss(candidate, values)
                if currency.is_zero(missed):
                    return
                if best is None or missed < best[0]:
                    best = (missed, candidate, values)
        miss(best[1], best[2])
