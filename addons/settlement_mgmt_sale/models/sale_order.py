from odoo import fields, models

from odoo.addons.settlement_mgmt.lib.internal_context import credit_check_done


class SaleOrder(models.Model):
    _inherit = "sale.order"

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

    def _settlement_credit_block_messages(self):
        """{order id: translated explanation} for the quotations in ``self`` that
        their customer's credit does not allow to confirm."""
        orders = self.filtered(lambda order: not order._settlement_is_prepaid())
        return self.env["res.partner"]._settlement_documents_blocked(
            orders,
            override_field="sale_order_id",
            partner_of=lambda order: order.partner_invoice_id.commercial_partner_id,
            amount_of=lambda order: order._settlement_company_amount(),
            document="order",
        )

    def action_confirm(self):
        # Every confirmation (button, portal signature, RPC) goes through here.
        # Only server code can skip the check (see settlement_mgmt's
        # lib/internal_context.py): an RPC context key grants nothing.
        if not credit_check_done(self.env.context):
            self._settlement_check_credit()
        return super().action_confirm()

    def _settlement_check_credit(self):
        messages = self.sudo()._settlement_credit_block_messages()
        if not messages:
            return
        blocked = self.browse(list(messages))
        details = "\n\n".join(
            f"{order.name}\n{messages[order.id]}" for order in blocked
        )
        self.env["res.partner"]._settlement_raise_credit_block(
            self.env._("Confirmation is blocked by the customer's credit."),
            details,
            {"default_sale_order_ids": blocked.ids},
        )
