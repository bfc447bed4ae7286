from odoo import api, fields, models
from odoo.exceptions import UserError


class SettlementStatementSend(models.TransientModel):
    _name = "settlement.statement.send"
    _description = "Send Statement of Account"

    partner_ids = fields.Many2many(
        "res.partner",
        relation="settlement_statement_send_partner_rel",
        string="Customers",
        required=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        date_from, date_to = self.env["settlement.statement"]._default_period()
        values.setdefault("date_from", date_from)
        values.setdefault("date_to", date_to)
        if self.env.context.get("active_model") == "res.partner":
            values["partner_ids"] = [(6, 0, self.env.context.get("active_ids", []))]
        return values

    def action_send(self):
        self.ensure_one()
        if self.date_from > self.date_to:
            raise UserError(self.env._("The start of the period is after its end."))
        if self.date_to > fields.Date.context_today(self):
            raise UserError(self.env._("A statement cannot end in the future."))
        partners = self.partner_ids.commercial_partner_id
        contacts = partners._settlement_invoice_contacts()
        without_email = partners.filtered(lambda partner: not contacts[partner].email)
        if without_email:
            raise UserError(
                self.env._(
                    "These customers have no e-mail address: %(names)s",
                    names=", ".join(without_email.mapped("name")),
                )
            )
        sent = self.env["settlement.statement.sending"]
        for partner in partners:
            sent |= sent._send(partner, self.date_from, self.date_to, self.company_id)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s statements sent.", count=len(sent)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
