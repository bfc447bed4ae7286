from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def reconcile(self):
        # Register payment, bank reconciliation, outstanding credits and
        # reversals all reconcile here: paying the overdue items releases the
        # automatic hold at once and refreshes the customer's risk score.
        result = super().reconcile()
        receivable = self.filtered(
            lambda line: line.account_type == "asset_receivable" and line.partner_id
        )
        for company, lines in receivable.grouped("company_id").items():
            lines.partner_id.sudo()._settlement_on_receivable_change(company)
        if receivable:
            plans = (
                self.env["settlement.instalment.plan"]
                .sudo()
                .search(
                    [
                        ("move_ids", "in", receivable.move_id.ids),
                        ("state", "=", "active"),
                    ]
                )
            )
            plans._update_completion()
        return result

    def _get_installments_data(
        self, payment_currency=None, payment_date=None, next_payment_date=None
    ):
        # Core proposes its own (first) discount tier; past it, a later tier of
        # ours may still run on the payment date.
        installments = super()._get_installments_data(
            payment_currency=payment_currency,
            payment_date=payment_date,
            next_payment_date=next_payment_date,
        )
        move = self.move_id
        tier = move._settlement_discount_tier_at(
            payment_date or fields.Date.context_today(self)
        )
        if not tier or tier.sequence == 1:
            return installments
        sign = move.direction_sign
        for installment in installments:
            if installment["type"] != "early_payment_discount":
                continue
            line = installment["line"]
            installment.update(
                {
                    "amount_residual_currency": tier.amount_currency,
                    "amount_residual": tier.balance,
                    "amount_residual_currency_unsigned": -sign * tier.amount_currency,
                    "amount_residual_unsigned": -sign * tier.balance,
                    "discount_amount_currency": line.amount_currency
                    - tier.amount_currency,
                    "discount_amount": line.balance - tier.balance,
                }
            )
        return installments
