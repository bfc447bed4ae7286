from odoo import api, fields, models
from odoo.exceptions import UserError


class SettlementCreditOverrideGrant(models.TransientModel):
    _name = "settlement.credit.override.grant"
    _description = "Override Credit Block"

    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        required=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'draft')]",
    )
    block_message = fields.Text(
        string="Blocked Because", compute="_compute_block_message", readonly=True
    )
    reason = fields.Text(
        required=True,
        help="Why the block is lifted; kept on the invoice and the customer.",
    )
    post_invoices = fields.Boolean(string="Post Now", default=True)

    @api.depends("move_ids")
    def _compute_block_message(self):
        for wizard in self:
            messages = wizard.move_ids.sudo()._settlement_credit_block_messages()
            wizard.block_message = "\n\n".join(
                f"{move.display_name}\n{messages[move.id]}"
                for move in wizard.move_ids
                if move.id in messages
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
        moves = self.move_ids.filtered(
            lambda move: move.state == "draft" and move.move_type == "out_invoice"
        )
        messages = moves.sudo()._settlement_credit_block_messages()
        if not messages:
            raise UserError(
                self.env._("Nothing to override: these invoices are not blocked.")
            )
        blocked = moves.filtered(lambda move: move.id in messages)
        self.env["settlement.credit.override"].sudo().create(
            [self._override_values(move, reason, messages[move.id]) for move in blocked]
        )
        if self.post_invoices:
            moves.action_post()
        for move in blocked:
            body = self.env._(
                "Credit block overridden by %(user)s: %(reason)s",
                user=self.env.user.name,
                reason=reason,
            )
            move.message_post(body=body)
            move.commercial_partner_id._message_log(
                body=self.env._(
                    "%(invoice)s: credit block overridden by %(user)s: %(reason)s",
                    invoice=move.display_name,
                    user=self.env.user.name,
                    reason=reason,
                )
            )
        return {"type": "ir.actions.act_window_close"}

    def _override_values(self, move, reason, message):
        partner = move.commercial_partner_id.with_company(move.company_id)
        return {
            "move_id": move.id,
            "partner_id": partner.id,
            "company_id": move.company_id.id,
            "user_id": self.env.user.id,
            "reason": reason,
            "block_message": message,
            "amount": abs(move.amount_total_signed),
            "exposure": partner.settlement_exposure,
            "credit_limit": partner.credit_limit,
        }
