from odoo import api, fields, models


class SettlementCreditOverrideGrant(models.TransientModel):
    _inherit = "settlement.credit.override.grant"

    sale_order_ids = fields.Many2many(
        "sale.order",
        string="Sales Orders",
        domain="[('state', 'in', ('draft', 'sent'))]",
    )

    @api.depends("move_ids", "sale_order_ids")
    def _compute_block_message(self):
        return super()._compute_block_message()

    def _blocked_documents(self):
        blocked = super()._blocked_documents()
        orders = self.sale_order_ids.filtered(
            lambda order: order.state in ("draft", "sent")
        )
        messages = orders.sudo()._settlement_credit_block_messages()
        return blocked + [
            (order, messages[order.id]) for order in orders if order.id in messages
        ]

    def _document_values(self, document):
        if document._name != "sale.order":
            return super()._document_values(document)
        return {
            "sale_order_id": document.id,
            "partner_id": document.partner_invoice_id.commercial_partner_id.id,
            "company_id": document.company_id.id,
            "amount": document._settlement_company_amount(),
        }

    def _release_documents(self):
        result = super()._release_documents()
        self.sale_order_ids.filtered(
            lambda order: order.state in ("draft", "sent")
        ).action_confirm()
        return result
