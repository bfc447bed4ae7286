from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..lib.schedule import (
    MAX_INSTALMENTS,
    ScheduleError,
    check_schedule,
)

LIVE_STATES = ("proposed", "active")
# Set only by the workflow (buttons, portal acceptance, payments, the default
# cron), which checks who may run it and then writes them in sudo.
WORKFLOW_FIELDS = {
    "state": "draft",
    "accepted_by": None,
    "accepted_on": None,
    "date_defaulted": None,
    "fee_move_id": None,
}
# Instalment columns computed from the payments, never stored.
COMPUTED_LINE_FIELDS = frozenset(("amount_paid", "amount_residual", "payment_state"))
# The agreement itself: frozen once the plan leaves draft.
AGREEMENT_FIELDS = frozenset(
    (
        "partner_id",
        "company_id",
        "currency_id",
        "move_ids",
        "amount_total",
        "amount_fee",
        "line_ids",
    )
)


class SettlementInstalmentPlan(models.Model):
    """A payment arrangement: open invoices of one customer paid by instalments.

    The invoices stay as they are (legal due date, ledger, audit trail); the plan
    is the agreement on top of them.  Payments are registered on the invoices the
    usual ways and the plan reads what is left to pay from their residuals,
    allocated to the instalments oldest first."""

    _name = "settlement.instalment.plan"
    _description = "Instalment Plan"
    _inherit = [
        "settlement.numbered.mixin",
        "settlement.decision.mixin",
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _decision_fields = WORKFLOW_FIELDS
    _sequence_code = "settlement.instalment.plan"
    _order = "id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one("res.currency", required=True)
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        required=True,
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),"
        " ('commercial_partner_id', '=', partner_id),"
        " ('currency_id', '=', currency_id)]",
    )
    line_ids = fields.One2many(
        "settlement.instalment.plan.line", "plan_id", string="Instalments", copy=True
    )
    amount_total = fields.Monetary(
        string="Plan Total",
        readonly=True,
        tracking=True,
        help="What the invoices still owed when the plan was made.",
    )
    amount_fee = fields.Monetary(
        string="Fee and Interest",
        readonly=True,
        help="Charged for the arrangement and included in the plan total; invoiced "
        "when the plan starts.",
    )
    fee_move_id = fields.Many2one(
        "account.move",
        string="Fee Invoice",
        readonly=True,
        copy=False,
        check_company=True,
    )
    amount_paid = fields.Monetary(string="Paid", compute="_compute_amounts")
    amount_residual = fields.Monetary(string="Left to Pay", compute="_compute_amounts")
    paid_percent = fields.Float(string="Progress", compute="_compute_amounts")
    next_line_id = fields.Many2one(
        "settlement.instalment.plan.line",
        string="Next Instalment",
        compute="_compute_amounts",
    )
    state = fields.Selection(
        selection=[
            ("draft", "Draft"),
            ("requested", "Requested"),
            ("proposed", "Proposed"),
            ("active", "Active"),
            ("completed", "Completed"),
            ("defaulted", "Defaulted"),
            ("cancelled", "Cancelled"),
            ("refused", "Refused"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    note = fields.Text(string="Terms", help="Conditions shown to the customer.")
    date_defaulted = fields.Date(string="Defaulted On", readonly=True, copy=False)
    accepted_by = fields.Char(readonly=True, copy=False, tracking=True)
    accepted_on = fields.Datetime(readonly=True, copy=False)

    @api.depends(
        "amount_total",
        "line_ids.amount",
        "move_ids.amount_residual",
        "amount_fee",
        "fee_move_id",
        "state",
    )
    def _compute_amounts(self):
        for plan in self:
            residual_now = sum(plan.move_ids.mapped("amount_residual"))
            if not plan.fee_move_id:
                residual_now += plan.amount_fee
            paid = (
                max(plan.amount_total - residual_now, 0.0) if plan.amount_total else 0.0
            )
            plan.amount_paid = paid
            plan.amount_residual = max(plan.amount_total - paid, 0.0)
            plan.paid_percent = (
                paid * 100.0 / plan.amount_total if plan.amount_total else 0.0
            )
            lines = plan.line_ids.sorted(lambda line: (line.date_due, line.id))
            plan.next_line_id = lines.filtered(lambda line: line.amount_residual > 0)[
                :1
            ]

    def write(self, vals):
        self._check_decision_write(vals)  # before the agreement's own check
        if not self.env.su and AGREEMENT_FIELDS & set(vals):
            self._check_schedule_editable()
        return super().write(vals)

    def _decision_error(self, names, creating=False):
        return AccessError(
            self.env._(
                "The status and the customer's acceptance of an instalment plan "
                "change only through its buttons and the customer portal."
            )
        )

    def _check_schedule_editable(self):
        """Users change the invoices, total and instalments of draft plans only;
        once proposed or accepted, the agreement stays as the customer saw it."""
        if self.env.su:
            return
        frozen = self.filtered(lambda plan: plan.state != "draft")
        if frozen:
            raise UserError(
                self.env._(
                    "The invoices and instalments of plan %(plan)s can only be "
                    "changed while it is a draft.",
                    plan=frozen[0].name,
                )
            )

    def _check_workflow_access(self):
        """Who may press the plan's buttons: those who may write the plans."""
        self.check_access("write")

    def _compute_access_url(self):
        for plan in self:
            plan.access_url = f"/my/plans/{plan.id}"

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if any(plan.state not in ("draft", "cancelled") for plan in self):
            raise UserError(
                self.env._("Cancel the instalment plan before deleting it.")
            )

    # ------------------------------------------------------------------
    # Validation
    # ------------------------------------------------------------------

    def _schedule_message(self, error):
        code, value = error.code, error.value
        if code == "empty":
            return self.env._("Add at least one instalment.")
        if code == "too_many":
            return self.env._(
                "A plan can have at most %(count)s instalments.", count=MAX_INSTALMENTS
            )
        if code == "missing_date":
            return self.env._("Every instalment needs a due date.")
        if code == "date_in_past":
            return self.env._(
                "The instalment due on %(date)s is in the past.", date=value
            )
        if code == "dates_not_increasing":
            return self.env._(
                "Due dates must increase from one instalment to the next "
                "(%(date)s does not).",
                date=value,
            )
        if code == "non_positive":
            return self.env._("Every instalment must be a positive amount.")
        return self.env._(
            "The instalments add up to %(scheduled)s, not to the plan total %(total)s.",
            scheduled=self.currency_id.format(value or 0.0),
            total=self.currency_id.format(self.amount_total),
        )

    def _check_invoices(self):
        self.ensure_one()
        if not self.move_ids:
            raise ValidationError(self.env._("Choose the invoices the plan settles."))
        for move in self.move_ids:
            if move.move_type != "out_invoice" or move.state != "posted":
                raise ValidationError(
                    self.env._(
                        "%(invoice)s is not a posted customer invoice.",
                        invoice=move.name,
                    )
                )
            if move.commercial_partner_id != self.partner_id:
                raise ValidationError(
                    self.env._(
                        "%(invoice)s belongs to another customer.", invoice=move.name
                    )
                )
            if move.currency_id != self.currency_id:
                raise ValidationError(
                    self.env._(
                        "%(invoice)s is in another currency: one plan, one currency.",
                        invoice=move.name,
                    )
                )
            if move.currency_id.is_zero(move.amount_residual):
                raise ValidationError(
                    self.env._("%(invoice)s is already paid.", invoice=move.name)
                )
        others = self.search(
            [
                ("id", "not in", self.ids),
                ("state", "in", LIVE_STATES),
                ("move_ids", "in", self.move_ids.ids),
            ]
        )
        if others:
            taken = others.move_ids & self.move_ids
            raise ValidationError(
                self.env._(
                    "%(invoices)s already belong to plan %(plan)s.",
                    invoices=", ".join(taken.mapped("name")),
                    plan=others[0].name,
                )
            )

    def _check_schedule(self):
        self.ensure_one()
        lines = self.line_ids.sorted(lambda line: (line.sequence, line.id))
        try:
            check_schedule(
                [(line.date_due, line.amount) for line in lines],
                self.amount_total,
                fields.Date.context_today(self),
                self.currency_id.rounding,
            )
        except ScheduleError as error:
            raise ValidationError(self._schedule_message(error)) from error

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------

    def _check_state(self, allowed):
        if any(plan.state not in allowed for plan in self):
            raise UserError(
                self.env._("This action is not possible in the plan's current state.")
            )

    def action_propose(self):
        """Offer the plan to the customer, who accepts it on the portal."""
        self._check_workflow_access()
        self._check_state(("draft",))
        for plan in self:
            plan._check_invoices()
            plan._check_schedule()
        self.sudo().write({"state": "proposed"})
        for plan in self:
            plan._portal_ensure_token()
            plan.message_subscribe(partner_ids=plan.partner_id.ids)

    def action_activate(self):
        """Start the plan, e.g. agreed with the customer by phone or on the portal."""
        self._check_workflow_access()
        self._check_state(("draft", "proposed"))
        for plan in self:
            plan._check_invoices()
            plan._check_schedule()
        self.sudo().write({"state": "active"})
        self._invoice_fee()
        for plan in self:
            plan._portal_ensure_token()
            plan.message_post(
                body=self.env._(
                    "Plan active: %(count)s instalments, the last due on %(date)s.",
                    count=len(plan.line_ids),
                    date=max(plan.line_ids.mapped("date_due")),
                )
            )

    def _portal_accept(self, name):
        """The customer accepts a proposed plan on the portal, signing with its
        name.  Checked again as of today; nothing is written on refusal."""
        self.ensure_one()
        name = (name or "").strip()
        if self.state != "proposed":
            raise UserError(
                self.env._("This plan is no longer waiting for your acceptance.")
            )
        if not name or len(name) > 128:
            raise UserError(self.env._("Type your full name to accept the plan."))
        try:
            self._check_invoices()
            self._check_schedule()
        except ValidationError as error:
            raise UserError(
                self.env._(
                    "This proposal cannot be accepted any more (%(reason)s). Please "
                    "contact us for a new one.",
                    reason=error.args[0],
                )
            ) from error
        self.write(
            {
                "state": "active",
                "accepted_by": name,
                "accepted_on": fields.Datetime.now(),
            }
        )
        self._invoice_fee()
        self.message_post(
            body=self.env._("Accepted on the customer portal by %(name)s.", name=name)
        )
        responsible = self.company_id._settlement_responsible(
            self.user_id, self.partner_id.commercial_partner_id.user_id
        )
        if responsible:
            # Written for the accountant who gets it, in its own language.
            assignee_env = self.with_context(lang=responsible.lang).env
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=assignee_env._(
                    "Plan %(plan)s accepted by the customer", plan=self.name
                ),
                user_id=responsible.id,
            )

    def _invoice_fee(self):
        """Post the invoice of the plan's fee and interest, due with the last
        instalment, and settle it with the plan.  No taxes: it is the price of
        paying later, agreed in the plan."""
        for plan in self.filtered(lambda p: p.amount_fee and not p.fee_move_id):
            fee_move = self.env["settlement.fee.invoice"]._create_fee_invoice(
                "plan_fee",
                plan.company_id,
                plan.partner_id,
                plan.currency_id,
                [
                    (
                        self.env._(
                            "Fee and interest of instalment plan %(plan)s",
                            plan=plan.name,
                        ),
                        plan.amount_fee,
                    )
                ],
                fields.Date.context_today(self),
                plan.name,
                date_due=max(plan.line_ids.mapped("date_due")),
            )
            # Internal: the fee invoice joins the plan it was made for.
            plan.sudo().write(
                {"fee_move_id": fee_move.id, "move_ids": [Command.link(fee_move.id)]}
            )

    def _portal_amount_to_pay(self):
        """What the customer should pay now on an active plan: every instalment
        due until today, or else the next one."""
        self.ensure_one()
        if self.state != "active":
            return 0.0
        today = fields.Date.context_today(self)
        unpaid = self.line_ids.filtered(
            lambda line: not self.currency_id.is_zero(line.amount_residual)
        )
        due = unpaid.filtered(lambda line: line.date_due <= today) or unpaid[:1]
        return self.currency_id.round(sum(due.mapped("amount_residual")))

    def _portal_payment_available(self):
        """Whether a payment provider can take this plan's payments online."""
        self.ensure_one()
        providers = (
            self.env["payment.provider"]
            .sudo()
            ._get_compatible_providers(
                self.company_id.id,
                self.partner_id.id,
                self._portal_amount_to_pay(),
                currency_id=self.currency_id.id,
            )
        )
        return bool(providers)

    def _portal_open_invoices(self):
        """The plan's invoices still open, the oldest due first."""
        return self.move_ids.filtered(
            lambda move: move.state == "posted"
            and not move.currency_id.is_zero(move.amount_residual)
        ).sorted(lambda move: (move.invoice_date_due or move.date, move.id))

    def action_cancel(self):
        self._check_workflow_access()
        self._check_state(("draft", "proposed", "active", "defaulted"))
        self.sudo().write({"state": "cancelled"})

    def action_draft(self):
        """Back to draft to change the plan; an acceptance given for the old
        terms does not carry over to new ones."""
        self._check_workflow_access()
        self._check_state(("proposed", "cancelled"))
        self.sudo().write(
            {"state": "draft", "accepted_by": False, "accepted_on": False}
        )

    def _overdue_beyond_grace(self):
        """The active plans in ``self`` with an instalment unpaid beyond the grace."""
        today = fields.Date.context_today(self)
        late = self.browse()
        for plan in self.filtered(lambda record: record.state == "active"):
            limit = today - timedelta(days=plan.company_id.settlement_plan_grace_days)
            if any(
                line.date_due < limit
                and not plan.currency_id.is_zero(line.amount_residual)
                for line in plan.line_ids
            ):
                late |= plan
        return late

    def _mark_defaulted(self):
        # Internal: decided from the instalments left unpaid (the daily cron).
        self.sudo().write(
            {"state": "defaulted", "date_defaulted": fields.Date.context_today(self)}
        )
        for plan in self:
            plan.message_post(
                body=self.env._(
                    "Plan defaulted: an instalment is unpaid beyond the grace period. "
                    "The remaining %(amount)s is due under the invoices' own terms.",
                    amount=plan.currency_id.format(plan.amount_residual),
                )
            )
            if plan.user_id:
                plan.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._(
                        "Instalment plan %(name)s defaulted", name=plan.name
                    ),
                    user_id=plan.user_id.id,
                )

    @api.model
    def _cron_settlement_plan_defaults(self, batch_size=100):
        """Daily: default active plans with an instalment unpaid beyond the grace
        days.  Only active plans are candidates, so a rerun or a resumed crash
        defaults nothing twice; one batch per call, the cron runner commits."""
        earliest_grace = min(
            self.env["res.company"]
            .search([("active", "=", True)])
            .mapped("settlement_plan_grace_days")
            or [0]
        )
        limit = fields.Date.context_today(self) - timedelta(days=earliest_grace)
        candidates = self.search(
            [("state", "=", "active"), ("line_ids.date_due", "<", limit)], order="id"
        )
        late = candidates._overdue_beyond_grace()
        batch = late[:batch_size]
        batch._mark_defaulted()
        self.env["ir.cron"]._notify_progress(
            done=len(batch), remaining=len(late) - len(batch)
        )

    def _update_completion(self):
        """Active plans whose invoices are settled are completed."""
        for plan in self.filtered(lambda record: record.state == "active"):
            if plan.currency_id.is_zero(plan.amount_residual):
                # Internal: decided from the invoices' residuals.
                plan.sudo().state = "completed"
                plan.message_post(body=self.env._("Every instalment is paid."))

    # ------------------------------------------------------------------
    # Schedule
    # ------------------------------------------------------------------

    def _set_schedule(self, dates_and_amounts):
        self.ensure_one()
        self.line_ids = [Command.clear()] + [
            Command.create({"sequence": index, "date_due": date, "amount": amount})
            for index, (date, amount) in enumerate(dates_and_amounts, start=1)
        ]
