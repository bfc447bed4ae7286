from odoo import api, fields, models
from odoo.exceptions import UserError


class SettlementCreditOverrideGrant(models.TransientModel):
    _name = "settlement.credit.override.grant"
    _description = "Override Credit Block"

    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'draft')]",
    )
    block_message = fields.Text(
        string="Blocked Because", compute="_compute_block_message", readonly=True
    )
    reason = fields.Text(
        required=True,
        help="Why the block is lifted; kept on the document and the customer.",
    )
    post_invoices = fields.Boolean(
        string="Post / Confirm Now",
        default=True,
        help="Post the invoices (confirm the orders) once the override is recorded.",
    )

    def _blocked_documents(self):
        """[(document, explanation)] for the documents of the wizard that are blocked.

        Extended by settlement_mgmt_sale for sales orders."""
        self.ensure_one()
        moves = self.move_ids.filtered(
            lambda move: move.state == "draft" and move.move_type == "out_invoice"
        )
        messages = moves.sudo()._settlement_credit_block_messages()
        return [(move, messages[move.id]) for move in moves if move.id in messages]

    def _document_values(self, document):
        """Override fields linking to ``document`` and its customer and amount."""
        return {
            "move_id": document.id,
            "partner_id": document.commercial_partner_id.id,
            "company_id": document.company_id.id,
            "amount": abs(document.amount_total_signed),
        }

    def _credit_positions(self, values):
        """{company id: {commercial partner id: CreditPosition}} of the
        customers of the override ``values``: one reading per company."""
        service = self.env["settlement.credit.service"]
        partner_ids_by_company = {}
        for document_values in values:
            partner_ids_by_company.setdefault(document_values["company_id"], set()).add(
                document_values["partner_id"]
            )
        return {
            company_id: service._positions(
                self.env["res.partner"].browse(sorted(partner_ids)),
                self.env["res.company"].browse(company_id),
            )
            for company_id, partner_ids in partner_ids_by_company.items()
        }

    def _release_documents(self):
        """Post what the override unblocked. Extended for sales orders."""
        self.move_ids.filtered(lambda move: move.state == "draft").action_post()
        return True

    @api.depends("move_ids")
    def _compute_block_message(self):
        for wizard in self:
            wizard.block_message = "\n\n".join(
                f"{document.display_name}\n{message}"
                for document, message in wizard._blocked_documents()
            )

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group("settlement_mgmt.group_settlement_controller"):
            raise UserError(
                self.env._("Only a credit controller can override a credit block.")
            )
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(
                self.env._("Give the reason for overriding the credit block.")
            )
        blocked = self._blocked_documents()
        if not blocked:
            raise UserError(
                self.env._("Nothing to override: these documents are not blocked.")
            )
        values = [self._document_values(document) for document, _message in blocked]
        positions = self._credit_positions(values)
        for document_values, (_document, message) in zip(values, blocked, strict=True):
            # the position the block was decided on: the exposure and the
            # limit raised by the components that raise it (a guarantee, say)
            position = positions[document_values["company_id"]][
                document_values["partner_id"]
            ]
            document_values.update(
                {
                    "user_id": self.env.user.id,
                    "reason": reason,
                    "block_message": message,
                    "exposure": position.exposure.total,
                    "credit_limit": position.limit(),
                }
            )
        overrides = self.env["settlement.credit.override"].sudo().create(values)
        if self.post_invoices:
            self._release_documents()
        for (document, _message), override in zip(blocked, overrides, strict=True):
            document.message_post(
                body=self.env._(
                    "Credit block overridden by %(user)s: %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                )
            )
            override.partner_id._message_log(
                body=self.env._(
                    "%(document)s: credit block overridden by %(user)s: %(reason)s",
                    document=document.display_name,
                    user=self.env.user.name,
                    reason=reason,
                )
            )
        return {"type": "ir.actions.act_window_close"}
