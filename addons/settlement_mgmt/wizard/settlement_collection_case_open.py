from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

USER_GROUP = "settlement_mgmt.group_settlement_user"


class SettlementCollectionCaseOpen(models.TransientModel):
    """Hand a customer over to a collection agency or lawyer, from the
    customer form or from items selected in the Due Schedule."""

    _name = "settlement.collection.case.open"
    _description = "Hand Over to Collection"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        domain="[('parent_id', '=', False)]",
    )
    handler_id = fields.Many2one(
        "res.partner",
        string="Agency or Lawyer",
        required=True,
        domain="[('settlement_collection_kind', '!=', False)]",
    )
    commission_rate = fields.Float(
        string="Commission (%)", related="handler_id.settlement_collection_commission"
    )
    move_line_ids = fields.Many2many(
        "account.move.line",
        string="Items to Hand Over",
        domain="[('partner_id', 'child_of', partner_id),"
        " ('company_id', '=', company_id),"
        " ('account_id.account_type', '=', 'asset_receivable'),"
        " ('parent_state', '=', 'posted'), ('reconciled', '=', False),"
        " ('amount_residual', '>', 0)]",
        help="By default the customer's overdue items.",
    )
    amount_total = fields.Monetary(
        string="Open Amount", compute="_compute_amount_total"
    )

    @api.depends("move_line_ids")
    def _compute_amount_total(self):
        for wizard in self:
            wizard.amount_total = sum(wizard.move_line_ids.mapped("amount_residual"))

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        ids = context.get("active_ids") or []
        if context.get("active_model") == "settlement.receivable.item" and ids:
            items = self.env["settlement.receivable.item"].browse(ids)
            if items.filtered("plan_line_id"):
                raise UserError(
                    self.env._(
                        "Instalments of a payment plan cannot be handed over: "
                        "cancel the plan first."
                    )
                )
            if len(items.partner_id) != 1 or len(items.company_id) != 1:
                raise UserError(
                    self.env._("Choose the items of one customer and one company.")
                )
            values.update(
                partner_id=items.partner_id.id,
                company_id=items.company_id.id,
                move_line_ids=[(6, 0, items.move_line_id.ids)],
            )
        elif context.get("active_model") == "res.partner" and len(ids) == 1:
            partner = self.env["res.partner"].browse(ids).commercial_partner_id
            company = self.env.company
            values.update(
                partner_id=partner.id,
                company_id=company.id,
                move_line_ids=[(6, 0, self._overdue_lines(partner, company).ids)],
            )
        return values

    @api.model
    def _overdue_lines(self, partner, company):
        return self.env["account.move.line"].search(
            [
                ("partner_id", "child_of", partner.id),
                ("company_id", "=", company.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", ">", 0),
                ("date_maturity", "<", fields.Date.context_today(self)),
            ],
            order="date_maturity, id",
        )

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group(USER_GROUP):
            raise AccessError(
                self.env._(
                    "Only settlement users can hand customers over to collection."
                )
            )
        if self.company_id not in self.env.companies:
            raise AccessError(
                self.env._(
                    "You cannot open a collection case in %(company)s.",
                    company=self.company_id.display_name,
                )
            )
        partner = self.partner_id.commercial_partner_id
        partner.check_access("read")
        if not self.handler_id.settlement_collection_kind:
            raise UserError(
                self.env._(
                    "%(partner)s is neither a collection agency nor a lawyer.",
                    partner=self.handler_id.display_name,
                )
            )
        Case = self.env["settlement.collection.case"]
        existing = Case._active_case(partner, self.company_id)
        if existing:
            raise UserError(
                self.env._(
                    "%(customer)s already has the open collection case %(case)s.",
                    customer=partner.display_name,
                    case=existing.name,
                )
            )
        case = Case._open_case(
            partner, self.company_id, self.handler_id, self.move_line_ids
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "settlement.collection.case",
            "view_mode": "form",
            "res_id": case.id,
        }
