from odoo import api, fields, models


class SettlementDunningDelivery(models.Model):
    """What a bounce changes: the bounced delivery keeps its proof (when it
    bounced, why), the customer's chatter says so, and the level's next
    channel is delivered instead, once.

    The hook is ``mail.notification.write``: core marks a notification
    ``bounce`` both when the mail gateway processes a bounce notice
    (``mail.thread._routing_handle_bounce``) and, through this addon's
    ``mail.mail``, when the mail server refuses the recipient.  Not the
    delivery's state compute: a compute runs whenever anything reads the
    field and must not create records or post messages."""

    _inherit = "settlement.dunning.delivery"

    @api.model
    def _settlement_notifications_bounced(self, notifications):
        """Handle the bounce of the deliveries whose message ``notifications``
        belong to, on the notifications' channel (one search)."""
        sent_on = {
            (notification.mail_message_id.id, notification.notification_type)
            for notification in notifications
        }
        deliveries = self.sudo().search(
            [
                ("mail_message_id", "in", [message_id for message_id, _ in sent_on]),
                ("date_bounced", "=", False),
            ]
        )
        deliveries.filtered(
            lambda delivery: (delivery.mail_message_id.id, delivery.channel) in sent_on
        )._on_bounce()

    def _on_bounce(self):
        """Record the bounce of each bounced delivery not handled yet, log it
        on the customer and deliver the next channel instead.  Idempotent: a
        delivery is handled once (``date_bounced``), however many bounce
        notices arrive."""
        bounced = self.filtered(
            lambda delivery: delivery.state == "bounced" and not delivery.date_bounced
        )
        if not bounced:
            return
        bounced.write({"date_bounced": fields.Datetime.now()})
        replacements = []
        for delivery in bounced:
            channel, line = delivery._next_channel()
            if channel:
                replacements.append(
                    {
                        "communication_id": delivery.communication_id.id,
                        "channel": channel,
                        "level_channel_id": line.id,
                        "replaces_id": delivery.id,
                    }
                )
        new = self.create(replacements)
        new._deliver()
        labels = dict(self._fields["channel"]._description_selection(self.env))
        next_by_bounced = {delivery.replaces_id: delivery for delivery in new}
        for delivery in bounced:
            replacement = next_by_bounced.get(delivery)
            communication = delivery.communication_id
            values = {
                "name": communication._get_html_link(),
                "channel": labels.get(delivery.channel, delivery.channel),
                "reason": delivery.failure_reason or self.env._("No reason given"),
            }
            if replacement:
                body = self.env._(
                    "The %(channel)s of reminder %(name)s bounced: %(reason)s. "
                    "Sent instead: %(next)s.",
                    next=labels.get(replacement.channel, replacement.channel),
                    **values,
                )
            else:
                body = self.env._(
                    "The %(channel)s of reminder %(name)s bounced: %(reason)s. "
                    "Its other channels go on as planned; none is left to send "
                    "it by instead.",
                    **values,
                )
            communication.partner_id.message_post(
                body=body, subtype_xmlid="mail.mt_note"
            )

    def _next_channel(self):
        """(channel, level channel line) to deliver instead of this bounced
        delivery: the level's first channel kept for a bounce that the
        reminder has not used yet, else a call if the reminder has none (a
        collector can always call); (False, no line) when nothing is left."""
        self.ensure_one()
        communication = self.communication_id
        used = set(communication.delivery_ids.mapped("channel"))
        Line = self.env["settlement.dunning.level.channel"]
        for line in communication.level_id.channel_ids:
            if line.trigger == "bounce" and line.channel not in used:
                return line.channel, line
        if "call" not in used:
            return "call", Line
        return False, Line
