from odoo import fields, models

from ..lib.calendars import CALENDAR_SELECTION


class SettlementPartnerDunning(models.AbstractModel):
    """How a customer is reminded and gets its statements: dunning policy,
    pauses, calendar and digits on documents, the monthly statement, and the
    reminders sent.  Mixed into res.partner (one res.partner class per addon);
    who may change these terms is decided there (CREDIT_SETTING_FIELDS)."""

    _name = "settlement.partner.dunning"
    _description = "Reminders and Statements"

    settlement_dunning_policy_id = fields.Many2one(
        "settlement.dunning.policy",
        string="Dunning Policy",
        company_dependent=True,
        groups="settlement_mgmt.group_settlement_user",
        help="Overrides the company's dunning policy for this customer.",
    )
    settlement_no_reminders = fields.Boolean(
        string="No Reminders",
        company_dependent=True,
        groups="settlement_mgmt.group_settlement_user",
        help="Never send this customer payment reminders.",
    )
    settlement_dunning_paused_until = fields.Date(
        string="Reminders Paused Until",
        company_dependent=True,
        groups="settlement_mgmt.group_settlement_user",
    )
    settlement_calendar = fields.Selection(
        selection=CALENDAR_SELECTION,
        string="Calendar on Documents",
        help="Calendar of the dates on statements. Empty: Jalali for Persian, "
        "Gregorian otherwise.",
    )
    settlement_native_digits = fields.Boolean(
        string="Native Digits on Documents",
        help="Write numbers with Persian or Arabic-Indic digits on statements.",
    )
    settlement_statement_opt_in = fields.Boolean(
        string="Monthly Statement",
        company_dependent=True,
        groups="settlement_mgmt.group_settlement_user",
        help="E-mail this customer its statement of account every month.",
    )
    settlement_communication_count = fields.Integer(
        string="Reminders Sent",
        compute="_compute_settlement_communication_count",
        groups="settlement_mgmt.group_settlement_user",
    )

    def _compute_settlement_communication_count(self):
        groups = self.env["settlement.dunning.communication"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)],
            groupby=["partner_id"],
            aggregates=["__count"],
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.settlement_communication_count = counts.get(
                partner.commercial_partner_id.id, 0
            )

    def action_settlement_view_communications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "settlement_mgmt.settlement_dunning_communication_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        return action

    def _settlement_invoice_contacts(self):
        """{customer: its invoicing contact}: where reminders, statements and
        SMS go — core's ``address_get`` (an invoice address among the
        customer's contacts, else the customer itself).  The contacts of all
        these customers are read together: ``address_get`` walks them
        through the prefetched ``child_ids``."""
        self.child_ids.mapped("type")
        return {
            partner: self.browse(partner.address_get(["invoice"])["invoice"])
            for partner in self
        }
