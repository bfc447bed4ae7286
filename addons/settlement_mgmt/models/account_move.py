from odoo import api, fields, models
from odoo.tools.sql import create_index

from ..lib.dispute import OPEN_STATES as DISPUTE_OPEN_STATES
from ..lib.internal_context import credit_check_done


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = [
        "account.move",
        "settlement.invoice.pay.many",
        "settlement.invoice.dispute.mixin",
        "settlement.invoice.prediction.mixin",
        "settlement.invoice.forecast.mixin",
        "settlement.credit.checked.mixin",
    ]
    _settlement_credit_counts_as_draft = True

    def init(self):
        result = super().init()
        # The credit check sums the customer's draft invoices on every
        # posting: without this small index it reads every draft of the
        # database (its cost grew with the data, not with the customer).
        create_index(
            self.env.cr,
            "account_move__settlement_draft_customer_index",
            self._table,
            ["commercial_partner_id"],
            where="state = 'draft' AND move_type IN ('out_invoice', 'out_refund')",
        )
        return result

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
    settlement_discount_ids = fields.One2many(
        "settlement.invoice.discount",
        "move_id",
        string="Early Payment Discounts",
        readonly=True,
        help="Every discount tier this invoice offers, frozen when it was posted.",
    )
    settlement_discount_offer = fields.Char(
        string="Early Payment Offer",
        compute="_compute_settlement_discount_offer",
        help="What the customer pays today to settle the invoice with the discount "
        "still running, until when, and what it saves.",
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
                lambda dispute: dispute.state in DISPUTE_OPEN_STATES
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

    def _settlement_pay_urls(self, ensure_tokens=False):
        """{invoice id: its portal page with the customer's access token}:
        core's "Pay Now" page, reachable without a portal account.  With
        ``ensure_tokens``, invoices without a token get one (core creates
        them one record at a time); without, only those that have one."""
        urls = {}
        for move in self.sudo():
            if ensure_tokens:
                move._portal_ensure_token()
            if move.access_token:
                urls[move.id] = move.get_base_url() + move.get_portal_url()
        return urls

    def action_settlement_view_last_reminder(self):
        self.ensure_one()
        return self.settlement_last_reminder_id._get_records_action()

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

    def _settlement_credit_checked(self):
        return self.filtered(
            lambda move: move.move_type == "out_invoice" and move.commercial_partner_id
        )

    def _settlement_credit_amount(self):
        self.ensure_one()
        return self.amount_total_signed

    def _settlement_credit_blocked_title(self):
        return self.env._("Posting is blocked by the customer's credit.")

    def _post(self, soft=True):
        # Every way of posting (button, list action, RPC, automation) ends here.
        to_check = self.filtered(
            lambda move: move.move_type == "out_invoice" and move.state == "draft"
        )
        # Only server code can skip the check (lib/internal_context.py): a key
        # sent in an RPC context is client data and grants nothing.
        if to_check and not credit_check_done(self.env.context):
            to_check._settlement_check_credit()
        posted = super()._post(soft=soft)
        self.env["settlement.invoice.discount"]._offer_on_posting(posted)
        return posted

    # ------------------------------------------------------------------
    # Tiered early payment discounts: core's hooks, answered by the offer
    # (settlement.invoice.discount) and its accounting
    # (settlement.discount.accounting)
    # ------------------------------------------------------------------

    @api.depends("settlement_discount_ids", "payment_state")
    def _compute_settlement_discount_offer(self):
        offers = self.env["settlement.invoice.discount"]._offer_summaries(
            self, fields.Date.context_today(self)
        )
        for move in self:
            move.settlement_discount_offer = offers.get(move.id, False)

    def button_draft(self):
        result = super().button_draft()
        self.env["settlement.invoice.discount"]._withdraw(self)
        return result

    def _is_eligible_for_early_payment_discount(self, currency, reference_date):
        return super()._is_eligible_for_early_payment_discount(
            currency, reference_date
        ) or self.env["settlement.discount.accounting"]._later_tier_runs(
            self, currency, reference_date
        )

    @api.model
    def _get_invoice_counterpart_amls_for_early_payment_discount(
        self, aml_values_list, open_balance
    ):
        Accounting = self.env["settlement.discount.accounting"]
        return super()._get_invoice_counterpart_amls_for_early_payment_discount(
            Accounting._counterpart_on_payment_date(aml_values_list), open_balance
        )

    def _get_invoice_counterpart_amls_for_early_payment_discount_per_payment_term_line(
        self,
    ):
        counterpart = super()._get_invoice_counterpart_amls_for_early_payment_discount_per_payment_term_line  # noqa: E501
        return self.env["settlement.discount.accounting"]._scale_to_running_tier(
            self, counterpart()
        )

    def js_assign_outstanding_line(self, line_id):
        self.ensure_one()
        lines = self.env["settlement.discount.accounting"]._settle_with_running_tier(
            self, self.env["account.move.line"].browse(line_id)
        )
        return (
            lines.reconcile() if lines else super().js_assign_outstanding_line(line_id)
        )
