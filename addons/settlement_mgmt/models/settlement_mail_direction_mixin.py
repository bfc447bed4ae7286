from odoo import models

from ..lib.rtl_mail import with_direction


class SettlementMailDirectionMixin(models.AbstractModel):
    """E-mails sent from these records read in the recipient's direction:
    core's layouts set none, so a reminder or statement to a fa/ar/he
    customer would otherwise open left to right."""

    _name = "settlement.mail.direction.mixin"
    _inherit = ["mail.thread"]
    _description = "Right-to-Left E-mails"

    def _notify_by_email_render_layout(
        self, message, recipients_group, msg_vals=False, render_values=None
    ):
        body = super()._notify_by_email_render_layout(
            message, recipients_group, msg_vals=msg_vals, render_values=render_values
        )
        lang = (render_values or {}).get("lang") or self.env.lang
        return with_direction(
            body, lang and self.env["res.lang"]._get_data(code=lang).direction
        )
