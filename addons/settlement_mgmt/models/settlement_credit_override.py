from odoo import api, fields, models
from odoo.exceptions import UserError


class SettlementCreditOverride(models.Model):
    """Audit record of a credit block lifted for one document.

    Created only by the override wizard; users may only read it (see the access
    rules) and nobody may delete it.
    """

    _name = "settlement.credit.override"
    _description = "Credit Override"
    _order = "create_date desc, id desc"
    _check_company_auto = True

    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        index=True,
        ondelete="cascade",
        readonly=True,
        check_company=True,
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        string="Approved By",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    reason = fields.Text(required=True, readonly=True)
    block_message = fields.Text(string="Blocked Because", readonly=True)
    amount = fields.Monetary(
        string="Approved Amount",
        readonly=True,
        help="Document total approved, in company currency. A larger total needs a "
        "new override.",
    )
    exposure = fields.Monetary(string="Exposure When Approved", readonly=True)
    credit_limit = fields.Monetary(string="Credit Limit When Approved", readonly=True)

    @api.depends("move_id", "partner_id")
    def _compute_display_name(self):
        for override in self:
            override.display_name = self.env._(
                "Override for %(document)s",
                document=override.move_id.display_name
                or override.partner_id.display_name,
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_audit_trail(self):
        raise UserError(
            self.env._("Credit overrides are an audit trail: they cannot be deleted.")
        )
