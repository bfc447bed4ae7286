from odoo import fields, models


class SettlementCreditOverride(models.Model):
    _inherit = "settlement.credit.override"

    sale_order_id = fields.Many2one(
        "sale.order",
        string="Sales Order",
        index=True,
        ondelete="cascade",
        readonly=True,
        check_company=True,
    )
