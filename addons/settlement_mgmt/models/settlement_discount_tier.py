from odoo import api, fields, models


class SettlementDiscountTier(models.Model):
    _name = "settlement.discount.tier"
    _description = "Early Payment Discount Tier"
    _order = "payment_term_id, discount_days, id"

    payment_term_id = fields.Many2one(
        "account.payment.term",
        string="Payment Terms",
        required=True,
        ondelete="cascade",
        index=True,
    )
    # The payment terms' company (empty: shared), for the company record rule.
    company_id = fields.Many2one(
        related="payment_term_id.company_id", store=True, index=True
    )
    discount_percentage = fields.Float(
        string="Discount %",
        required=True,
        digits="Discount",
        help="Discount granted when the invoice is paid after the previous tier "
        "ended and within these days.",
    )
    discount_days = fields.Integer(
        string="Within Days",
        required=True,
        help="Days after the invoice date this discount stays available.",
    )

    @api.constrains("discount_percentage", "discount_days", "payment_term_id")
    def _check_tier_fits_its_term(self):
        # Tiers written on their own, not through the payment term's list.
        self.payment_term_id._check_settlement_discount_tiers()
