from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    settlement_aging_days = fields.Char(
        related="company_id.settlement_aging_days",
        readonly=False,
    )
