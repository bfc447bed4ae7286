from odoo import fields, models


class SettlementDunningLevelChannel(models.Model):
    _inherit = "settlement.dunning.level.channel"

    # Uninstalling this module drops the SMS lines of the levels.
    channel = fields.Selection(
        selection_add=[("sms", "SMS")], ondelete={"sms": "cascade"}
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template",
        domain="[('model', '=', 'settlement.dunning.communication')]",
        help="The SMS of this level, in the customer's language; empty: the "
        "standard reminder SMS.",
    )
