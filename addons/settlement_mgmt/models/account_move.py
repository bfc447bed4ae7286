from odoo import api, fields, models


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
    settlement_dispute_ids = fields.One2many(
        "settlement.dispute",
        "move_id",
        string="Disputes",
        groups="settlement_mgmt.group_settlement_user",
    )
    settlement_is_disputed = fields.Boolean(
        string="Disputed",
        compute="_compute_settlement_disputed",
        store=True,
        help="An open dispute concerns this invoice.",
    )
    settlement_disputed_amount = fields.Monetary(
        string="Amount Disputed",
        compute="_compute_settlement_disputed",
        store=True,
        help="Amount under open dispute, in the invoice currency.",
    )
    settlement_dispute_count = fields.Integer(
        compute="_compute_settlement_dispute_count",
        groups="settlement_mgmt.group_settlement_user",
    )
    settlement_plan_id = fields.Many2one(
        "settlement.instalment.plan",
        string="Payment Plan",
        compute="_compute_settlement_plan_id",
        search="_search_settlement_plan_id",
        groups="settlement_mgmt.group_settlement_user",
        help="The proposed or active instalment plan that settles this invoice: its "
        "schedule, not the invoice's due date, is what the customer agreed to.",
    )
    settlement_last_reminder_id = fields.Many2one(
        "settlement.dunning.communication",
        string="Last Reminder",
        compute="_compute_settlement_last_reminder",
        groups="settlement_mgmt.group_settlement_user",
        help="The latest reminder that listed this invoice, and so its dunning level.",
    )
    settlement_last_reminder_level = fields.Char(
        string="Reminder Level",
        compute="_compute_settlement_last_reminder",
        groups="settlement_mgmt.group_settlement_user",
    )
    settlement_partner_on_hold = fields.Boolean(
        string="Customer on Hold",
        related="commercial_partner_id.settlement_on_hold",
        groups="settlement_mgmt.group_settlement_user",
    )

    @api.depends("settlement_dispute_ids.state", "settlement_dispute_ids.amount")
    def _compute_settlement_disputed(self):
        for move in self:
            open_disputes = move.sudo().settlement_dispute_ids.filtered(
                lambda dispute: dispute.state in ("new", "under_review")
            )
            move.settlement_is_disputed = bool(open_disputes)
            move.settlement_disputed_amount = sum(open_disputes.mapped("amount"))

    def _compute_settlement_last_reminder(self):
        groups = self.env["settlement.dunning.communication.line"]._read_group(
            [("move_id", "in", self.ids)],
            groupby=["move_id"],
            aggregates=["communication_id:max"],
        )
        Communication = self.env["settlement.dunning.communication"]
        latest = {move: Communication.browse(max_id) for move, max_id in groups}
        for move in self:
            reminder = latest.get(move, Communication)
            move.settlement_last_reminder_id = reminder
            move.settlement_last_reminder_level = reminder.level_id.name

    def _compute_settlement_plan_id(self):
        plans = self.env["settlement.instalment.plan"].search(
            [("move_ids", "in", self.ids), ("state", "in", ("proposed", "active"))]
        )
        by_move = {move: plan for plan in plans for move in plan.move_ids}
        for move in self:
            move.settlement_plan_id = by_move.get(move, False)

    def _search_settlement_plan_id(self, operator, value):
        live = [("state", "in", ("proposed", "active"))]
        Plan = self.env["settlement.instalment.plan"]
        if (operator, value) in (("=", False), ("!=", True)):
            return [("id", "not in", Plan.search(live).move_ids.ids)]
        return [
            ("id", "in", Plan.search([("id", operator, value), *live]).move_ids.ids)
        ]

    def _compute_settlement_dispute_count(self):
        counts = dict(
            self.env["settlement.dispute"]._read_group(
                [("move_id", "in", self.ids)],
                groupby=["move_id"],
                aggregates=["__count"],
            )
        )
        for move in self:
            move.settlement_dispute_count = counts.get(move, 0)

    def _settlement_portal_disputable(self):
        """Whether the customer may raise a dispute on this invoice from the portal."""
        self.ensure_one()
        return (
            self.move_type == "out_invoice"
            and self.state == "posted"
            and self.currency_id.compare_amounts(
                self.amount_residual - self.settlement_disputed_amount, 0.0
            )
            > 0
        )

    def action_settlement_open_dispute(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dispute"),
            "res_model": "settlement.dispute",
            "view_mode": "form",
            "context": {
                "default_move_id": self.id,
                "default_amount": self.amount_residual
                - self.settlement_disputed_amount,
            },
        }

    def action_settlement_view_last_reminder(self):
        self.ensure_one()
        return self.settlement_last_reminder_id._get_records_action()

    def action_settlement_view_disputes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "settlement_mgmt.settlement_dispute_action"
        )
        action["domain"] = [("move_id", "=", self.id)]
        action["context"] = {"default_move_id": self.id}
        return action

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
        return self.env["res.partner"]._settlement_documents_blocked(
            invoices,
            override_field="move_id",
            partner_of=lambda move: move.commercial_partner_id,
            amount_of=lambda move: move.amount_total_signed,
            document="invoice",
            drafts=True,
        )

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
        details = "\n\n".join(
            f"{move.display_name}\n{messages[move.id]}" for move in blocked
        )
        self.env["res.partner"]._settlement_raise_credit_block(
            self.env._("Posting is blocked by the customer's credit."),
            details,
            {"default_move_ids": blocked.ids},
        )
