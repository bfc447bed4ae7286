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

    def _sms_recipient(self):
        """The customer's invoicing contact, as for the e-mail."""
        self.ensure_one()
        return self.env["res.partner"].browse(
            self.partner_id.address_get(["invoice"])["invoice"]
        )
