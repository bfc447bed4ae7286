from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SettlementDunningPolicy(models.Model):
    """How a company reminds its customers: ordered levels and their actions."""

    _name = "settlement.dunning.policy"
    _description = "Dunning Policy"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_ids = fields.One2many(
        "settlement.dunning.level", "policy_id", string="Levels", copy=True
    )
    tolerance = fields.Monetary(
        string="Minimum Amount",
        help="No reminder is sent for less than this (company currency).",
    )
    fee_move_state = fields.Selection(
        selection=[("draft", "Draft"), ("posted", "Posted")],
        string="Late Fee Invoices",
        default="posted",
        required=True,
        help="Post late fee invoices at once, or leave them in draft for review.",
    )
    collector_id = fields.Many2one(
        "res.users",
        domain="[('share', '=', False)]",
        help="Gets the phone calls to make. Empty: the customer's salesperson.",
    )
    legal_user_id = fields.Many2one(
        "res.users",
        string="Legal Contact",
        domain="[('share', '=', False)]",
        help="Gets the hand-over activities of levels that pass a customer to "
        "legal or a collection agency. Empty: the collector.",
    )

    @api.constrains("tolerance")
    def _check_tolerance(self):
        if any(policy.tolerance < 0 for policy in self):
            raise ValidationError(self.env._("The minimum amount cannot be negative."))

    def _sorted_levels(self):
        self.ensure_one()
        return self.level_ids.sorted(lambda level: (level.days, level.id))
