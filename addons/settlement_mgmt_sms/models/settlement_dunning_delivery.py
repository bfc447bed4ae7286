from odoo import fields, models

from ..lib.sms_length import sms_text


def _keep_deliveries(deliveries):
    """On uninstall the SMS deliveries stay: they are the proof of what was
    sent, and their channel value reads as it was stored."""


class SettlementDunningDelivery(models.Model):
    _inherit = "settlement.dunning.delivery"

    channel = fields.Selection(
        selection_add=[("sms", "SMS")], ondelete={"sms": _keep_deliveries}
    )

    def _deliver_sms(self, messages):
        """Post each reminder's SMS in its conversation, queued: core's SMS
        queue sends it after the run's transaction commits, so a crash sends
        nothing twice.  Its state then follows the message's SMS
        notifications (see ``_compute_state``).  A customer without a mobile
        number, or whose number opted out (phone blacklist), gets no SMS: the
        delivery fails with the reason."""
        reminders = self.communication_id
        addresses = reminders._sms_addresses()
        to_send = self.browse()
        for delivery in self:
            _recipient, _number, reason = addresses[delivery.communication_id]
            if reason:
                delivery._mark_failed(reason)
            else:
                to_send |= delivery
        for template, deliveries in to_send.grouped(
            lambda delivery: reminders._sms_template(delivery.level_channel_id)
        ).items():
            bodies = template._render_field(
                "body", deliveries.communication_id.ids, compute_lang=True
            )
            for delivery in deliveries:
                reminder = delivery.communication_id
                recipient, number, _reason = addresses[reminder]
                delivery.mail_message_id = reminder._message_sms(
                    sms_text(bodies[reminder.id]),
                    partner_ids=recipient.ids,
                    sms_pid_to_number={recipient.id: number},
                    put_in_queue=True,
                )
