from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SettlementDisputeReason(models.Model):
    _name = "settlement.dispute.reason"
    _description = "Dispute Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    sla_days = fields.Integer(
        string="Days to Resolve",
        default=10,
        help="A new dispute with this reason is due to be resolved this many days "
        "after it is raised.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Default Responsible",
        help="Who handles disputes with this reason unless someone else is chosen.",
    )
    company_id = fields.Many2one(
        "res.company",
        help="Leave empty to offer the reason in every company.",
    )
    dispute_count = fields.Integer(compute="_compute_dispute_count", string="Disputes")

    @api.constrains("sla_days")
    def _check_sla_days(self):
        if any(reason.sla_days < 0 for reason in self):
            raise ValidationError(self.env._("Days to resolve cannot be negative."))

    def _compute_dispute_count(self):
        counts = dict(
            self.env["settlement.dispute"]._read_group(
                [("reason_id", "in", self.ids)],
                groupby=["reason_id"],
                aggregates=["__count"],
            )
        )
        for reason in self:
            reason.dispute_count = counts.get(reason, 0)
