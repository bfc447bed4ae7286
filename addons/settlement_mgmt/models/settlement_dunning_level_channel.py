from odoo import api, fields, models
from odoo.exceptions import ValidationError

# The channels this addon delivers itself.  A bridge module adds one with
# ``selection_add=[("sms", "SMS")], ondelete={"sms": "cascade"}`` on both
# ``settlement.dunning.level.channel.channel`` and
# ``settlement.dunning.delivery.channel`` and one method
# ``settlement.dunning.delivery._deliver_sms``.  The letter comes first: the
# engine delivers the channels in this order, and the e-mail attaches the
# letter printed just before it.
CHANNELS = [
    ("letter", "Letter"),
    ("email", "E-mail"),
    ("call", "Phone Call"),
]


class SettlementDunningLevelChannel(models.Model):
    """One way a dunning level reaches the customer (e-mail, letter, call, or
    a channel a bridge module adds); each reminder of the level gets one
    delivery per channel line."""

    _name = "settlement.dunning.level.channel"
    _description = "Reminder Channel"
    _order = "level_id, sequence, id"

    level_id = fields.Many2one(
        "settlement.dunning.level", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="level_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    channel = fields.Selection(selection=CHANNELS, required=True, default="email")
    trigger = fields.Selection(
        selection=[
            ("always", "Every Reminder"),
            ("bounce", "When the E-mail Bounces"),
        ],
        string="When",
        required=True,
        default="always",
        help="Every Reminder: the reminder is sent on this channel.  When the "
        "E-mail Bounces: only if the reminder's e-mail bounces, as the next "
        "channel (a letter to print, a call for the collector).  A level "
        "without such a channel falls back to a call.",
    )

    _sql_constraints = [
        (
            "level_channel_uniq",
            "unique(level_id, channel)",
            "A level uses each channel once.",
        ),
    ]

    @api.constrains("channel")
    def _check_channel_delivered(self):
        # A channel whose module defines no delivery method would fail every
        # run: refuse it when the level is set up (``_channel_method`` says
        # which method is missing).
        Delivery = self.env["settlement.dunning.delivery"]
        for channel in set(self.mapped("channel")):
            Delivery._channel_method(channel)

    @api.constrains("channel", "trigger")
    def _check_trigger(self):
        if any(line.trigger == "bounce" and line.channel == "email" for line in self):
            raise ValidationError(
                self.env._(
                    "An e-mail cannot replace a bounced e-mail: keep the channels "
                    "used when the e-mail bounces for a letter, a call or another "
                    "channel."
                )
            )

    @api.depends("channel", "level_id")
    def _compute_display_name(self):
        labels = dict(self._fields["channel"]._description_selection(self.env))
        for line in self:
            line.display_name = labels.get(line.channel, line.channel or "")
