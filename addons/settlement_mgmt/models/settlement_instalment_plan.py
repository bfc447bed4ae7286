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
        "settlement.instalment.plan.portal",
        "settlement.instalment.plan.tracking",
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

    # ------------------------------------------------------------------
    # Schedule
    # ------------------------------------------------------------------

    def _set_schedule(self, dates_and_amounts):
        self.ensure_one()
        self.line_ids = [Command.clear()] + [
            Command.create({"sequence": index, "date_due": date, "amount": amount})
            for index, (date, amount) in enumerate(dates_and_amounts, start=1)
        ]
