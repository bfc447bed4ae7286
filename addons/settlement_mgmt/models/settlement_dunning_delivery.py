from odoo import api, fields, models
from odoo.exceptions import UserError

from ..lib.delivery import joined_reasons, summary_state
from .settlement_dunning_level_channel import CHANNELS

DELIVERY_STATES = [
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("printed", "Printed"),
    ("called", "Called"),
    ("bounced", "Bounced"),
    ("failed", "Failed"),
]

# How a message's notifications of the channel's type (core names them after
# the channel: "email", "sms", "snail") translate into a delivery state.
NOTIFICATION_STATES = {
    "ready": "queued",
    "process": "queued",
    "pending": "sent",
    "sent": "sent",
    "bounce": "bounced",
    "exception": "failed",
    "canceled": "failed",
}


class SettlementDunningDelivery(models.Model):
    """How one channel of a reminder reached the customer, or did not: the
    proof of delivery a case file quotes.  The engine creates one per channel
    of the level and calls ``_deliver_<channel>`` on them; message channels
    (e-mail, SMS) follow their message's notifications, a letter is printed,
    a call is called when the collector records its outcome."""

    _name = "settlement.dunning.delivery"
    _description = "Reminder Delivery"
    _order = "communication_id, id"

    communication_id = fields.Many2one(
        "settlement.dunning.communication",
        string="Reminder",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="communication_id.company_id", store=True)
    partner_id = fields.Many2one(related="communication_id.partner_id")
    channel = fields.Selection(selection=CHANNELS, required=True, readonly=True)
    level_channel_id = fields.Many2one(
        "settlement.dunning.level.channel",
        readonly=True,
        ondelete="set null",
        help="The level's channel line this delivery follows (its settings).",
    )
    mail_message_id = fields.Many2one(
        "mail.message",
        string="Message",
        readonly=True,
        index="btree_not_null",
        help="The message sent on this channel, in the reminder's conversation.",
    )
    message_ref = fields.Char(
        string="Message-ID",
        related="mail_message_id.message_id",
        help="The Message-ID header of the e-mail, as the customer's mail "
        "server received it: what a case file quotes as proof.",
    )
    date_bounced = fields.Datetime(
        string="Bounced On",
        readonly=True,
        help="When Odoo learned that the message bounced (a recipient refused "
        "by the mail server, or a bounce notice received); set once, when the "
        "next channel was scheduled.  Odoo Community does not track when an "
        "e-mail is opened.",
    )
    replaces_id = fields.Many2one(
        "settlement.dunning.delivery",
        string="Instead Of",
        readonly=True,
        ondelete="set null",
        help="The bounced delivery this one replaces.",
    )
    state = fields.Selection(
        selection=DELIVERY_STATES,
        required=True,
        # Written by the channel methods below; nobody else may write a
        # delivery (read-only access for every group).
        readonly=False,
        compute="_compute_state",
        store=True,
        precompute=True,
    )
    failure_reason = fields.Char(
        readonly=False,
        compute="_compute_state",
        store=True,
        precompute=True,
        help="Why the delivery failed or bounced, as the gateway or Odoo said.",
    )
    date_queued = fields.Datetime(
        string="Queued On", default=fields.Datetime.now, readonly=True
    )
    date_sent = fields.Datetime(
        string="Sent On",
        readonly=False,
        compute="_compute_state",
        store=True,
        precompute=True,
        help="When it left Odoo: the message handed to its gateway, the letter "
        "printed.",
    )
    date_done = fields.Datetime(
        string="Outcome On",
        readonly=False,
        compute="_compute_state",
        store=True,
        precompute=True,
        help="When its outcome was known: delivered, bounced, failed, printed or "
        "called.",
    )

    @api.depends(
        "mail_message_id.notification_ids.notification_status",
        "mail_message_id.notification_ids.failure_type",
        "mail_message_id.notification_ids.failure_reason",
    )
    def _compute_state(self):
        failure_types = dict(
            self.env["mail.notification"]
            ._fields["failure_type"]
            ._description_selection(self.env)
        )
        now = fields.Datetime.now()
        for delivery in self:
            # Without a message of its channel, a delivery keeps the state its
            # channel's method gave it (printed, called, failed on opt-out).
            notifications = delivery.mail_message_id.notification_ids.filtered(
                lambda notification, channel=delivery.channel: (
                    notification.notification_type == channel
                )
            )
            if not notifications:
                delivery.state = delivery.state or "queued"
                delivery.failure_reason = delivery.failure_reason or False
                delivery.date_sent = delivery.date_sent or False
                delivery.date_done = delivery.date_done or False
                continue
            states = {
                NOTIFICATION_STATES.get(notification.notification_status, "queued")
                for notification in notifications
            }
            # One recipient's failure or bounce is the delivery's.
            state = summary_state(states)
            problems = notifications.filtered(
                lambda notification: NOTIFICATION_STATES.get(
                    notification.notification_status
                )
                in ("failed", "bounced")
            )
            delivery.failure_reason = joined_reasons(
                " – ".join(
                    part
                    for part in (
                        failure_types.get(notification.failure_type),
                        notification.failure_reason,
                    )
                    if part
                )
                or self.env._("No reason given")
                for notification in problems
            )
            delivery.state = state
            if state != "queued":
                delivery.date_sent = delivery.date_sent or now
                delivery.date_done = delivery.date_done or now

    @api.depends_context("lang")
    @api.depends("communication_id.name", "channel")
    def _compute_display_name(self):
        labels = dict(self._fields["channel"]._description_selection(self.env))
        for delivery in self:
            delivery.display_name = self.env._(
                "%(reminder)s: %(channel)s",
                reminder=delivery.communication_id.name or "",
                channel=labels.get(delivery.channel, delivery.channel or ""),
            )

    # ------------------------------------------------------------------
    # Dispatch: one method per channel
    # ------------------------------------------------------------------

    def _deliver(self, messages=None):
        """Deliver each delivery through its channel's ``_deliver_<channel>``,
        channel by channel in the order of the channel selection, a recordset
        at a time.  ``messages`` ({(customer id, level id): (subject, body)})
        holds the e-mails a collector edited in the preview."""
        messages = messages or {}
        for channel, _label in self._fields["channel"].selection:
            deliveries = self.filtered(
                lambda delivery, channel=channel: delivery.channel == channel
            )
            if deliveries:
                deliveries._channel_method(channel)(messages)

    @api.model
    def _channel_method(self, channel):
        method_name = f"_deliver_{channel}"
        method = getattr(self, method_name, None)
        if not callable(method):
            raise UserError(
                self.env._(
                    "Reminders cannot be sent by %(channel)s: no module delivers "
                    "it (settlement.dunning.delivery has no method "
                    "%(method)s). Remove the channel from the dunning levels or "
                    "install the module that adds it.",
                    channel=channel,
                    method=method_name,
                )
            )
        return method

    def _deliver_letter(self, messages):
        """Print the letters; the report saves each PDF on its reminder."""
        self.communication_id._render_letters()
        now = fields.Datetime.now()
        printed = self.filtered(
            lambda delivery: delivery.communication_id.letter_attachment_id
        )
        printed.write({"state": "printed", "date_sent": now, "date_done": now})
        (self - printed)._mark_failed(self.env._("The letter could not be printed."))

    def _deliver_email(self, messages):
        """Queue each reminder's e-mail (mail queue: sent after commit); its
        state then follows the message's e-mail notifications."""
        for delivery in self:
            communication = delivery.communication_id
            communication._send_email(
                messages.get((communication.partner_id.id, communication.level_id.id))
            )
            delivery.mail_message_id = communication.mail_message_id

    def _deliver_call(self, messages):
        """Put the call on the collector's list: called once an outcome is
        recorded (``_mark_called``)."""
        for delivery in self:
            delivery.communication_id._schedule_call()

    def _mark_called(self):
        now = fields.Datetime.now()
        self.filtered(lambda delivery: delivery.channel == "call").write(
            {"state": "called", "date_sent": now, "date_done": now}
        )

    def _mark_failed(self, reason):
        """A delivery that could not even be attempted (no address, opted
        out): ``reason`` is shown to the collector."""
        self.write(
            {
                "state": "failed",
                "failure_reason": reason,
                "date_done": fields.Datetime.now(),
            }
        )
