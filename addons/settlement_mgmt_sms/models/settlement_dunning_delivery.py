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
        default_template = self.env.ref(
            "settlement_mgmt_sms.sms_template_dunning_reminder"
        )
        numbers = {}
        for delivery in self:
            recipient = delivery.communication_id._sms_recipient()
            number = recipient.mobile or delivery.communication_id.partner_id.mobile
            numbers[delivery] = (
                recipient,
                number and (recipient._phone_format(number=number) or number),
            )
        opted_out = set(
            self.env["phone.blacklist"]
            .sudo()
            .search([("number", "in", [number for _r, number in numbers.values()])])
            .mapped("number")
        )
        to_send = self.browse()
        for delivery, (recipient, number) in numbers.items():
            if not number:
                delivery._mark_failed(
                    self.env._(
                        "%(customer)s has no mobile number: no SMS sent.",
                        customer=recipient.display_name,
                    )
                )
            elif number in opted_out:
                delivery._mark_failed(
                    self.env._(
                        "%(number)s opted out of SMS (blacklisted): no SMS sent.",
                        number=number,
                    )
                )
            else:
                to_send |= delivery
        for template, deliveries in to_send.grouped(
            lambda delivery: delivery.level_channel_id.sms_template_id
            or default_template
        ).items():
            bodies = template._render_field(
                "body", deliveries.communication_id.ids, compute_lang=True
            )
            for delivery in deliveries:
                reminder = delivery.communication_id
                recipient, number = numbers[delivery]
                delivery.mail_message_id = reminder._message_sms(
                    sms_text(bodies[reminder.id]),
                    partner_ids=recipient.ids,
                    sms_pid_to_number={recipient.id: number},
                    put_in_queue=True,
                )
