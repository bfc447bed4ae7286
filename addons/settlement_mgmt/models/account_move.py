from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import RedirectWarning, UserError
from odoo.http import request
from odoo.tools.misc import formatLang

from ..lib.credit import BLOCK_HOLD, BLOCK_LIMIT, BLOCK_OVERDUE


class AccountMove(models.Model):
    _inherit = "account.move"

    settlement_override_ids = fields.One2many(
        "settlement.credit.override",
        "move_id",
        string="Credit Overrides",
        groups="settlement_mgmt.group_settlement_user",
    )
    settlement_credit_block = fields.Text(
        string="Credit Block",
        compute="_compute_settlement_credit_block",
        groups="settlement_mgmt.group_settlement_user",
        help="Why posting this invoice is blocked by the customer's credit.",
    )
    settlement_partner_on_hold = fields.Boolean(
        string="Customer on Hold",
        related="commercial_partner_id.settlement_on_hold",
        groups="settlement_mgmt.group_settlement_user",
    )

    @api.depends(
        "state", "partner_id", "amount_total_signed", "settlement_override_ids"
    )
    def _compute_settlement_credit_block(self):
        drafts = self.filtered(
            lambda move: move.state == "draft" and move.move_type == "out_invoice"
        )
        messages = drafts._settlement_credit_block_messages()
        for move in self:
            move.settlement_credit_block = messages.get(move.id, False)

    def _settlement_credit_block_messages(self):
        """{move id: translated explanation} for the customer invoices in ``self``
        that their customer's credit does not allow to post.

        A constant number of queries, whatever the number of invoices or the size
        of the customers' history."""
        invoices = self.filtered(
            lambda move: move.move_type == "out_invoice" and move.commercial_partner_id
        )
        if not invoices:
            return {}
        approved = (
            self.env["settlement.credit.override"]
            .sudo()
            ._read_group(
                [("move_id", "in", invoices.ids)],
                groupby=["move_id"],
                aggregates=["amount:max"],
            )
        )
        approved = {move.id: amount for move, amount in approved}
        messages = {}
        for company, company_moves in invoices.grouped("company_id").items():
            new_amounts = defaultdict(float)
            for move in company_moves:
                new_amounts[move.commercial_partner_id.id] += move.amount_total_signed
            blocked = (
                self.env["res.partner"]
                .with_company(company)
                ._settlement_block_reasons(new_amounts, company, company_moves.ids)
            )
            for move in company_moves:
                if move.commercial_partner_id.id not in blocked:
                    continue
                if move.id in approved and (
                    company.currency_id.compare_amounts(
                        abs(move.amount_total_signed), approved[move.id]
                    )
                    <= 0
                ):
                    continue
                reasons, exposure, oldest = blocked[move.commercial_partner_id.id]
                messages[move.id] = move._settlement_block_message(
                    reasons,
                    exposure,
                    oldest,
                    new_amounts[move.commercial_partner_id.id],
                )
        return messages

    def _settlement_block_message(self, reasons, exposure, oldest, new_amount):
        self.ensure_one()
        partner = self.commercial_partner_id.with_company(self.company_id)
        currency = self.company_id.currency_id

        def money(amount):
            return formatLang(self.env, amount, currency_obj=currency)

        lines = []
        if BLOCK_HOLD in reasons:
            holds = partner.settlement_hold_ids.filtered(
                lambda hold: hold.state == "active"
                and hold.company_id == self.company_id
            )
            lines.append(
                self.env._(
                    "%(customer)s is on credit hold: %(reason)s",
                    customer=partner.display_name,
                    reason="; ".join(holds.mapped("reason")),
                )
            )
        if BLOCK_LIMIT in reasons:
            lines.append(
                self.env._(
                    "This invoice brings %(customer)s's exposure to %(total)s, over "
                    "its credit limit of %(limit)s (already owed or invoiced: "
                    "%(exposure)s).",
                    customer=partner.display_name,
                    total=money(exposure.total + new_amount),
                    limit=money(partner.credit_limit),
                    exposure=money(exposure.total),
                )
            )
        if BLOCK_OVERDUE in reasons:
            lines.append(
                self.env._(
                    "%(customer)s has an item overdue by %(days)s days; %(allowed)s "
                    "days are allowed.",
                    customer=partner.display_name,
                    days=oldest,
                    allowed=self.company_id.settlement_overdue_days,
                )
            )
        return "\n".join(lines)

    def _post(self, soft=True):
        # Every way of posting (button, list action, RPC, automation) ends here.
        to_check = self.filtered(
            lambda move: move.move_type == "out_invoice" and move.state == "draft"
        )
        if to_check and not self.env.context.get("settlement_skip_credit_check"):
            to_check._settlement_check_credit()
        return super()._post(soft=soft)

    def _settlement_check_credit(self):
        messages = self.sudo()._settlement_credit_block_messages()
        if not messages:
            return
        blocked = self.browse(list(messages))
        text = "\n\n".join(
            f"{move.display_name}\n{messages[move.id]}" for move in blocked
        )
        # The button to the override wizard only makes sense in the web client;
        # crons and RPC callers (and core's autopost, which catches UserError)
        # get a plain UserError.
        interactive = bool(request) and not self.env.su
        if interactive and self.env.user.has_group(
            "settlement_mgmt.group_settlement_controller"
        ):
            action = {
                "type": "ir.actions.act_window",
                "name": self.env._("Override Credit Block"),
                "res_model": "settlement.credit.override.grant",
                "view_mode": "form",
                "views": [(False, "form")],
                "target": "new",
                "context": {"default_move_ids": blocked.ids},
            }
            raise RedirectWarning(
                self.env._(
                    "Posting is blocked by the customer's credit.\n\n%(details)s",
                    details=text,
                ),
                action,
                self.env._("Override with a reason"),
            )
        raise UserError(
            self.env._(
                "Posting is blocked by the customer's credit.\n\n%(details)s\n\n"
                "Ask a credit controller to override the block.",
                details=text,
            )
        )
