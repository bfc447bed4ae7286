from odoo import api, fields, models


class SettlementNumberedMixin(models.AbstractModel):
    """A record numbered by its sequence when it is created (DSP/, PLAN/,
    REM/, PTP/...); ``_sequence_code`` names the ``ir.sequence``."""

    _name = "settlement.numbered.mixin"
    _description = "Numbered Settlement Record"
    _sequence_code = None

    name = fields.Char(
        string="Number",
        required=True,
        readonly=True,
        copy=False,
        default="/",
        index=True,
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code(self._sequence_code) or "/"
                )
        return super().create(vals_list)
