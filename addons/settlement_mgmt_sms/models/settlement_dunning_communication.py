from odoo import api, fields, models


class SettlementDunningCommunication(models.Model):
    _inherit = "settlement.dunning.communication"

    # What the SMS says, written as the customer's statement writes it: its
    # calendar (Jalali for Persian) and digits, not the template engine's
    # Gregorian format_date.
    sms_amount_overdue = fields.Char(
        string="Amount Overdue as Written to the Customer",
        compute="_compute_sms_texts",
    )
    sms_oldest_due = fields.Char(
        string="Oldest Due Date as Written to the Customer",
        compute="_compute_sms_texts",
    )

    @api.depends("amount_overdue", "currency_id", "line_ids.date_due", "partner_id")
    def _compute_sms_texts(self):
        Statement = self.env["settlement.statement"]
        for reminder in self:
            partner = reminder.partner_id
            dues = [due for due in reminder.line_ids.mapped("date_due") if due]
            reminder.sms_amount_overdue = Statement._format_amount(
                reminder.amount_overdue, reminder.currency_id, partner
            )
            reminder.sms_oldest_due = (
                Statement._format_date(min(dues), partner) if dues else ""
            )

    def _sms_addresses(self):
        """{reminder: (recipient, number, reason)} for these reminders: the
        number in international format, or no number and why no SMS can go
        (no mobile, opted out) — what the delivery records and the preview
        shows, in the reader's language."""
        # The invoicing contact, as for the e-mail; all customers at once.
        contacts = self.partner_id._settlement_invoice_contacts()
        addresses = {}
        for reminder in self:
            recipient = contacts[reminder.partner_id]
            number = recipient.mobile or reminder.partner_id.mobile
            addresses[reminder] = (
                recipient,
                number and (recipient._phone_format(number=number) or number),
            )
        opted_out = set(
            self.env["phone.blacklist"]
            .sudo()
            .search([("number", "in", [number for _r, number in addresses.values()])])
            .mapped("number")
        )
        result = {}
        for reminder, (recipient, number) in addresses.items():
            if not number:
                reason = self.env._(
                    "%(customer)s has no mobile number: no SMS sent.",
                    customer=recipient.display_name,
                )
            elif number in opted_out:
                reason = self.env._(
                    "%(number)s opted out of SMS (blacklisted): no SMS sent.",
                    number=number,
                )
            else:
                reason = False
            result[reminder] = (recipient, False if reason else number, reason)
        return result

    @api.model
    def _sms_template(self, level_channel):
        """The template of the level's SMS line, else the standard one."""
        return level_channel.sms_template_id or self.env.ref(
            "settlement_mgmt_sms.sms_template_dunning_reminder"
        )
