from odoo import models


class SettlementDunningCommunication(models.Model):
    _inherit = "settlement.dunning.communication"

    def _sms_recipient(self):
        """The customer's invoicing contact, as for the e-mail."""
        self.ensure_one()
        return self.env["res.partner"].browse(
            self.partner_id.address_get(["invoice"])["invoice"]
        )
