from odoo import fields, models

from ..lib.internal_context import DISCOUNT_DATE_KEY, discount_date


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    def _create_payments(self):
        # The discount write-off is built deep inside core without the payment
        # date; our later tiers read it from the context, as a date object that
        # no RPC client can send (lib/internal_context.py).
        payment_date = fields.Date.to_date(self.payment_date)
        if discount_date(self.env.context) != payment_date:
            return self.with_context(
                **{DISCOUNT_DATE_KEY: payment_date}
            )._create_payments()
        return super()._create_payments()
