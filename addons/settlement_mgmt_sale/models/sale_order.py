from odoo import fields, models

from odoo.addons.settlement_mgmt.lib.internal_context import credit_check_done


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "settlement.credit.checked.mixin"]
    _settlement_credit_override_field = "sale_order_id"
    _settlement_credit_wizard_field = "sale_order_ids"
    _settlement_credit_document = "order"

    settlement_override_ids = fields.One2many(
        "settlement.credit.override",
        "sale_order_id",
        string="Credit Overrides",
        groups="settlement_mgmt.group_settlement_user",
    )
    settlement_credit_block = fields.Text(
        string="Credit Block",
        compute="_compute_settlement_credit_block",
        groups="settlement_mgmt.group_settlement_user",
    )

    def _compute_settlement_credit_block(self):
        quotations = self.filtered(lambda order: order.state in ("draft", "sent"))
        messages = quotations.sudo()._settlement_credit_block_messages()
        for order in self:
            order.settlement_credit_block = messages.get(order.id, False)

    def _settlement_company_amount(self):
        self.ensure_one()
        return self.currency_id._convert(
            self.amount_total,
            self.company_id.currency_id,
            self.company_id,
            self.date_order or fields.Date.context_today(self),
        )

    def _settlement_is_prepaid(self):
        # Paid online before confirmation: no credit is given.
        self.ensure_one()
        return (
            self.currency_id.compare_amounts(self.amount_paid, self.amount_total) >= 0
        )

    # settlement.credit.checked.mixin: the order's side of the credit check

    def _settlement_credit_checked(self):
        return self.filtered(lambda order: not order._settlement_is_prepaid())

    def _settlement_credit_partner(self):
        self.ensure_one()
        return self.partner_invoice_id.commercial_partner_id

    def _settlement_credit_label(self):
        self.ensure_one()
        return self.name

    def _settlement_credit_amount(self):
        return self._settlement_company_amount()

    def _settlement_credit_blocked_title(self):
        return self.env._("Confirmation is blocked by the customer's credit.")

    def action_confirm(self):
        # Every confirmation (button, portal signature, RPC) goes through here.
        # Only server code can skip the check (see settlement_mgmt's
        # lib/internal_context.py): an RPC context key grants nothing.
        if not credit_check_done(self.env.context):
            self._settlement_check_credit()
        return super().action_confirm()
