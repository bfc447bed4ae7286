from datetime import timedelta

from odoo import api, fields, models

from ..lib.discount import amount_after_discount, scale_exactly, tier_index
from ..lib.dispute import OPEN_STATES as DISPUTE_OPEN_STATES
from ..lib.internal_context import (
    DISCOUNT_DATE_KEY,
    credit_check_done,
    discount_date,
)


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = [
        "account.move",
        "settlement.invoice.pay.many",
        "settlement.credit.checked.mixin",
    ]
    _settlement_credit_counts_as_draft = True

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
    settlement_prediction_ids = fields.One2many(
        "settlement.payment.prediction",
        "move_id",
        groups="settlement_mgmt.group_settlement_user",
    )
    settlement_late_risk = fields.Selection(
        selection=[
            ("low", "Low"),
            ("medium", "Medium"),
            ("high", "High"),
            ("none", "Not Enough History"),
        ],
        string="Late-Payment Risk",
        compute="_compute_settlement_prediction",
        compute_sudo=True,
        groups="settlement_mgmt.group_settlement_user",
        help="Predicted nightly from the company's own payment history.",
    )
    settlement_late_probability = fields.Float(
        string="Chance of Paying Late (%)",
        digits=(5, 1),
        compute="_compute_settlement_prediction",
        compute_sudo=True,
        groups="settlement_mgmt.group_settlement_user",
    )
    settlement_expected_payment_date = fields.Date(
        string="Expected Payment",
        compute="_compute_settlement_prediction",
        compute_sudo=True,
        groups="settlement_mgmt.group_settlement_user",
    )
    settlement_late_factors = fields.Char(
        string="Main Factors",
        compute="_compute_settlement_prediction",
        compute_sudo=True,
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
        posted._settlement_offer_discounts()
        return posted

    # ------------------------------------------------------------------
    # Tiered early payment discounts, on top of core's single one
    # ------------------------------------------------------------------

    @api.depends_context("lang")
    @api.depends("settlement_prediction_ids")
    def _compute_settlement_prediction(self):
        for move in self:
            prediction = move.settlement_prediction_ids[:1]
            move.settlement_late_risk = prediction.risk
            move.settlement_late_probability = prediction.probability
            move.settlement_expected_payment_date = prediction.expected_date
            move.settlement_late_factors = prediction.factor_summary

    @api.depends("settlement_discount_ids", "payment_state")
    def _compute_settlement_discount_offer(self):
        today = fields.Date.context_today(self)
        for move in self:
            tier = move._settlement_discount_tier_at(today)
            # No tier (draft, credit note, no discount): no offer, never the
            # empty record.
            move.settlement_discount_offer = (
                tier.summary
                if tier
                and move.state == "posted"
                and move._is_eligible_for_early_payment_discount(
                    move.currency_id, today
                )
                else False
            )

    def _settlement_discount_tier_at(self, reference_date):
        """The discount tier offered on ``reference_date``, if any."""
        self.ensure_one()
        tiers = self.sudo().settlement_discount_ids
        index = tier_index(tiers.mapped("discount_date"), reference_date)
        return (
            self.env["settlement.invoice.discount"] if index is None else tiers[index]
        )

    def _settlement_offer_discounts(self):
        """Freeze the discount tiers of posted invoices: core's own discount, as
        stored on the receivable line, then the payment term's further tiers
        computed the same way."""
        values = []
        for move in self.filtered(
            lambda move: move.move_type in move._early_payment_discount_move_types()
            and move.invoice_payment_term_id.early_discount
        ):
            term_lines = move.line_ids.filtered(
                lambda line: line.display_type == "payment_term"
            )
            first_line = term_lines[:1]
            if len(term_lines) != 1 or not first_line.discount_date:
                continue
            values += move._settlement_discount_tier_values(first_line)
        if values:
            # Drafts drop their tiers (button_draft): nothing to replace here.
            self.env["settlement.invoice.discount"].sudo().create(values)

    @api.model
    def _settlement_offer_discounts_backfill(self):
        """Freeze the tiers of invoices posted before the addon (install) or
        before tiers existed (upgrade), in batches."""
        invoices = self.search(
            [
                ("state", "=", "posted"),
                ("move_type", "in", self._early_payment_discount_move_types()),
                ("invoice_payment_term_id.early_discount", "=", True),
                ("settlement_discount_ids", "=", False),
            ]
        )
        for start in range(0, len(invoices), 1000):
            batch = invoices[start : start + 1000]
            batch._settlement_offer_discounts()
            batch.invalidate_recordset()
        return invoices

    def _settlement_discount_tier_values(self, term_line):
        term = self.invoice_payment_term_id
        computation = term.early_pay_discount_computation
        sign = 1 if self.is_inbound(include_receipts=True) else -1
        untaxed_currency = self.amount_untaxed * sign
        untaxed = self.amount_untaxed_signed
        rate = (
            abs(term_line.amount_currency / term_line.balance)
            if term_line.balance
            else 0.0
        )
        date_ref = self.invoice_date or self.date
        values = []
        for sequence, (days, percentage) in enumerate(
            term._settlement_discount_tiers(), start=1
        ):
            if sequence == 1:
                amount_currency = term_line.discount_amount_currency
                balance = term_line.discount_balance
                discount_date = term_line.discount_date
            else:
                amount_currency = self.currency_id.round(
                    amount_after_discount(
                        term_line.amount_currency,
                        untaxed_currency,
                        percentage,
                        computation,
                    )
                )
                balance = self.company_currency_id.round(
                    amount_after_discount(
                        term_line.balance, untaxed, percentage, computation
                    )
                )
                rounding = self.invoice_cash_rounding_id
                difference = rounding and rounding.compute_difference(
                    self.currency_id, amount_currency
                )
                if difference and not self.currency_id.is_zero(difference):
                    amount_currency += difference
                    balance = self.company_currency_id.round(
                        amount_currency / rate if rate else 0.0
                    )
                discount_date = date_ref + timedelta(days=days)
            values.append(
                {
                    "move_id": self.id,
                    "sequence": sequence,
                    "discount_percentage": percentage,
                    "discount_date": discount_date,
                    "amount_currency": amount_currency,
                    "balance": balance,
                    "saving_amount": abs(term_line.amount_currency - amount_currency),
                    "saving_balance": abs(term_line.balance - balance),
                }
            )
        return values

    def button_draft(self):
        result = super().button_draft()
        self.env["settlement.invoice.discount"].sudo().search(
            [("move_id", "in", self.ids)]
        ).unlink()
        return result

    def _is_eligible_for_early_payment_discount(self, currency, reference_date):
        eligible = super()._is_eligible_for_early_payment_discount(
            currency, reference_date
        )
        if eligible or not reference_date or not self.invoice_date:
            return eligible
        # Past core's (first) tier: a later tier may still run.
        return bool(
            self._settlement_discount_tier_at(reference_date)
        ) and super()._is_eligible_for_early_payment_discount(currency, None)

    def _settlement_discount_reference_date(self):
        """The payment date the discount is computed for: set by whoever creates
        the payment (register wizard, outstanding credit matching), else today."""
        return fields.Date.to_date(
            discount_date(self.env.context)
        ) or fields.Date.context_today(self)

    @api.model
    def _get_invoice_counterpart_amls_for_early_payment_discount(
        self, aml_values_list, open_balance
    ):
        # The journal items come with the environment they were read in: give
        # them the payment date our per-invoice computation below needs.
        reference_date = discount_date(self.env.context)
        if reference_date:
            aml_values_list = [
                {
                    **values,
                    "aml": values["aml"].with_context(
                        **{DISCOUNT_DATE_KEY: reference_date}
                    ),
                }
                for values in aml_values_list
            ]
        return super()._get_invoice_counterpart_amls_for_early_payment_discount(
            aml_values_list, open_balance
        )

    def _get_invoice_counterpart_amls_for_early_payment_discount_per_payment_term_line(
        self,
    ):
        # Core computes the write-off for its own (first) tier; a later tier
        # grants less, in the same proportions of base and taxes.
        counterpart = super()._get_invoice_counterpart_amls_for_early_payment_discount_per_payment_term_line  # noqa: E501
        result = counterpart()
        tier = self._settlement_discount_tier_at(
            self._settlement_discount_reference_date()
        )
        if not tier or tier.sequence == 1:
            return result
        term_line = self.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        )
        entries = [
            vals
            for key in ("term_lines", "tax_lines", "base_lines")
            for vals in result[key].get(term_line, {}).values()
        ]
        for field, target, currency in (
            (
                "amount_currency",
                term_line.amount_currency - tier.amount_currency,
                self.currency_id,
            ),
            ("balance", term_line.balance - tier.balance, self.company_currency_id),
        ):
            scaled = scale_exactly(
                [vals[field] for vals in entries], target, currency.rounding
            )
            for vals, amount in zip(entries, scaled, strict=True):
                vals[field] = amount
        return result

    def js_assign_outstanding_line(self, line_id):
        # Matching a payment of exactly a running tier's discounted amount settles
        # the invoice with that discount, as the register payment wizard would.
        self.ensure_one()
        payment_line = self.env["account.move.line"].browse(line_id)
        discount_line = self._settlement_discount_writeoff(payment_line)
        if not discount_line:
            return super().js_assign_outstanding_line(line_id)
        open_lines = self.line_ids.filtered(
            lambda line: line.account_id == payment_line.account_id
            and not line.reconciled
        )
        return (payment_line + discount_line + open_lines).reconcile()

    def _settlement_discount_writeoff(self, payment_line):
        """The receivable line of a posted discount entry when ``payment_line``
        pays exactly the discounted amount of the tier running on its date;
        otherwise an empty recordset and nothing written."""
        self.ensure_one()
        Line = self.env["account.move.line"]
        term_lines = self.line_ids.filtered(
            lambda line: line.display_type == "payment_term" and not line.reconciled
        )
        payment_date = payment_line.date
        tier = self._settlement_discount_tier_at(payment_date)
        if (
            not tier
            or len(term_lines) != 1
            or payment_line.currency_id != self.currency_id
            or payment_line.account_id != term_lines.account_id
            or not self._is_eligible_for_early_payment_discount(
                self.currency_id, payment_date
            )
            or self.currency_id.compare_amounts(
                -payment_line.amount_residual_currency, tier.amount_currency
            )
        ):
            return Line
        direction = 1 if self.is_inbound(include_receipts=True) else -1
        open_balance = self.currency_id._convert(
            direction * tier.saving_amount,
            self.company_currency_id,
            self.company_id,
            payment_date,
        )
        counterpart = self.with_context(
            **{DISCOUNT_DATE_KEY: fields.Date.to_date(payment_date)}
        )._get_invoice_counterpart_amls_for_early_payment_discount(
            [
                {
                    "aml": term_lines,
                    "amount_currency": -term_lines.amount_residual_currency,
                    "balance": -term_lines.amount_residual,
                }
            ],
            open_balance,
        )
        line_values = [vals for group in counterpart.values() for vals in group]
        line_values.append(
            {
                "name": self.env._("Early Payment Discount"),
                "account_id": term_lines.account_id.id,
                "partner_id": term_lines.partner_id.id,
                "currency_id": self.currency_id.id,
                "amount_currency": -sum(
                    vals["amount_currency"] for vals in line_values
                ),
                "balance": -sum(vals["balance"] for vals in line_values),
            }
        )
        journal = self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self.company_id),
                ("type", "=", "general"),
            ],
            limit=1,
        )
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": payment_date,
                "journal_id": journal.id,
                "company_id": self.company_id.id,
                "ref": self.env._(
                    "Early payment discount on %(invoice)s", invoice=self.name
                ),
                "line_ids": [fields.Command.create(vals) for vals in line_values],
            }
        )
        entry.action_post()
        return entry.line_ids.filtered(
            lambda line: line.account_id == term_lines.account_id
        )
