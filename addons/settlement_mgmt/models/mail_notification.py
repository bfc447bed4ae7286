from odoo import models


class MailNotification(models.Model):
    _inherit = "mail.notification"

    def write(self, vals):
        result = super().write(vals)
        # Core writes "bounce" on a gateway bounce notice, this addon's
        # mail.mail on a recipient the mail server refused: a reminder's
        # delivery then moves to its next channel.
        if vals.get("notification_status") == "bounce":
            self.env["settlement.dunning.delivery"]._settlement_notifications_bounced(
                self
            )
        return result
