from odoo import fields, models


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    def _create_payments(self):
        # The discount write-off is built deep inside core without the payment
        # date; our later tiers read it from the context.
        payment_date = fields.Date.to_string(self.payment_date)
        if self.env.context.get("settlement_discount_date") != payment_date:
            return self.with_context(
                settlement_discount_date=payment_date
            )._create_payments()
        return super()._create_payments()
