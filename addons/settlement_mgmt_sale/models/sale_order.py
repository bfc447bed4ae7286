from collections import defaultdict

from odoo import fields, models


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
        orders = self.filtered(lambda order: not order._settlement_is_prepaid())
        if not orders:
            return {}
        approved = dict(
            self.env["settlement.credit.override"]
            .sudo()
            ._read_group(
                [("sale_order_id", "in", orders.ids)],
                groupby=["sale_order_id"],
                aggregates=["amount:max"],
            )
        )
        messages = {}
        for company, company_orders in orders.grouped("company_id").items():
            new_amounts = defaultdict(float)
            amounts = {}
            for order in company_orders:
                amounts[order] = order._settlement_company_amount()
                commercial = order.partner_invoice_id.commercial_partner_id
                new_amounts[commercial.id] += amounts[order]
            blocked = (
                self.env["res.partner"]
                .with_company(company)
                ._settlement_block_reasons(new_amounts, company)
            )
            for order in company_orders:
                commercial = order.partner_invoice_id.commercial_partner_id
                if commercial.id not in blocked:
                    continue
                if order in approved and (
                    company.currency_id.compare_amounts(amounts[order], approved[order])
                    <= 0
                ):
                    continue
                reasons, exposure, oldest = blocked[commercial.id]
                messages[order.id] = order._settlement_block_message(
                    reasons, exposure, oldest, new_amounts[commercial.id]
                )
        return messages

    def _settlement_block_message(self, reasons, exposure, oldest, new_amount):
        self.ensure_one()
        return (
            self.partner_invoice_id.commercial_partner_id._settlement_block_explanation(
                self.company_id, reasons, exposure, oldest, new_amount, document="order"
            )
        )

    def action_confirm(self):
        # Every confirmation (button, portal signature, RPC) goes through here.
        if not self.env.context.get("settlement_skip_credit_check"):
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
