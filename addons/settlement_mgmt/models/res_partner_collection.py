from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib.collection import ACTIVE_STATES


class ResPartnerCollection(models.Model):
    """A partner as a collection agency or lawyer (commission and terms),
    and a customer's collection cases."""

    _inherit = "res.partner"

    settlement_collection_kind = fields.Selection(
        selection=[("agency", "Collection Agency"), ("lawyer", "Lawyer")],
        string="Collects Debts As",
        help="Set on a collection agency or a lawyer to hand customers over to it.",
    )
    settlement_collection_commission = fields.Float(
        string="Collection Commission (%)",
        digits=(5, 2),
        help="Share of what it collects that the agency or lawyer keeps; the "
        "default of each case handed over to it.",
    )
    settlement_collection_terms = fields.Text(
        string="Collection Terms",
        help="The agreement with the agency or lawyer (fees, reporting, limits).",
    )
    settlement_collection_case_ids = fields.One2many(
        "settlement.collection.case", "partner_id", string="Collection Cases"
    )
    settlement_collection_case_count = fields.Integer(
        string="Collection Case Count",
        compute="_compute_settlement_collection_case_count",
    )
    settlement_collection_case_active = fields.Boolean(
        string="With a Collection Case",
        compute="_compute_settlement_collection_case_count",
    )

    def _compute_settlement_collection_case_count(self):
        Case = self.env["settlement.collection.case"]
        if not Case.has_access("read"):
            self.settlement_collection_case_count = 0
            self.settlement_collection_case_active = False
            return
        groups = Case._read_group(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "in", self.env.companies.ids),
            ],
            ["partner_id", "state"],
            ["__count"],
        )
        counts, active = {}, set()
        for partner, state, count in groups:
            counts[partner.id] = counts.get(partner.id, 0) + count
            if state in ACTIVE_STATES:
                active.add(partner.id)
        for partner in self:
            commercial = partner.commercial_partner_id.id
            partner.settlement_collection_case_count = counts.get(commercial, 0)
            partner.settlement_collection_case_active = commercial in active

    @api.constrains("settlement_collection_commission")
    def _check_settlement_collection_commission(self):
        for partner in self:
            if not 0 <= partner.settlement_collection_commission < 100:
                raise ValidationError(
                    self.env._(
                        "The collection commission of %(partner)s is a percentage "
                        "from 0 to below 100.",
                        partner=partner.display_name,
                    )
                )

    def action_settlement_collection_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "settlement_mgmt.settlement_collection_case_action"
        )
        cases = self.env["settlement.collection.case"].search(
            [("partner_id", "=", self.commercial_partner_id.id)]
        )
        action["domain"] = [("id", "in", cases.ids)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        if len(cases) == 1:
            action.update(view_mode="form", res_id=cases.id, views=[(False, "form")])
        return action

    def action_settlement_hand_over(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Hand Over to Collection"),
            "res_model": "settlement.collection.case.open",
            "view_mode": "form",
            "target": "new",
            "context": {
                "active_model": "res.partner",
                "active_ids": self.commercial_partner_id.ids,
            },
        }
