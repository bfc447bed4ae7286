from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib.discount import tiers_problem


class AccountPaymentTerm(models.Model):
    _inherit = "account.payment.term"

    settlement_discount_tier_ids = fields.One2many(
        "settlement.discount.tier",
        "payment_term_id",
        string="Further Discount Tiers",
        copy=True,
        help="Smaller discounts for later payments, after the early payment "
        "discount above has ended.",
    )

    def _settlement_discount_tiers(self):
        """``(days, percentage)`` of every discount tier, best first: core's early
        payment discount, then ours."""
        self.ensure_one()
        if not self.early_discount:
            return []
        return [(self.discount_days, self.discount_percentage)] + [
            (tier.discount_days, tier.discount_percentage)
            for tier in self.settlement_discount_tier_ids.sorted("discount_days")
        ]

    @api.constrains(
        "early_discount",
        "discount_days",
        "discount_percentage",
        "settlement_discount_tier_ids",
    )
    def _check_settlement_discount_tiers(self):
        messages = {
            "percentage_range": self.env._(
                "Every discount percentage must be above 0 and below 100."
            ),
            "days_order": self.env._(
                "Each discount tier must last strictly more days than the one "
                "before it."
            ),
            "percentage_order": self.env._(
                "Each discount tier must grant a strictly smaller percentage than "
                "the one before it."
            ),
        }
        for term in self.filtered("settlement_discount_tier_ids"):
            if not term.early_discount:
                raise ValidationError(
                    self.env._(
                        "%(term)s: further discount tiers need the early payment "
                        "discount to be enabled.",
                        term=term.display_name,
                    )
                )
            problem = tiers_problem(term._settlement_discount_tiers())
            if problem:
                raise ValidationError(
                    self.env._(
                        "%(term)s: %(problem)s",
                        term=term.display_name,
                        problem=messages[problem],
                    )
                )
