from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare

from ..lib.dispute import OPEN_STATES

# Staff's decision on a dispute: written only by the workflow methods below,
# in sudo after their role check. A form marks them read-only, but a client can
# send any field over RPC: write() and create() refuse them.
DECISION_FIELDS = frozenset(
    {
        "state",
        "source",
        "accepted_amount",
        "credit_note_id",
        "resolution_note",
        "reopen_reason",
        "date_resolved",
        "resolution_days",
    }
)
# What is disputed: fixed once a credit controller has started the review
# (from then on the amount may leave the customer's credit exposure).
SUBJECT_FIELDS = frozenset({"move_id", "amount", "move_line_ids"})
DECIDER_GROUP = "settlement_mgmt.group_settlement_controller"


class SettlementDispute(models.Model):
    _name = "settlement.dispute"
    _description = "Invoice Dispute"
    _inherit = [
        "settlement.numbered.mixin",
        "settlement.decision.mixin",
        "settlement.dispute.workflow",
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _sequence_code = "settlement.dispute"
    # A new dispute starts new, raised in the backend, with no decision.
    _decision_fields = {name: None for name in DECISION_FIELDS} | {
        "state": "new",
        "source": "backend",
    }
    _order = "id desc"
    _check_company_auto = True
    # Customers may write in the conversation of the disputes they can read.
    _mail_post_access = "read"

    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted')]",
    )
    move_line_ids = fields.Many2many(
        "account.move.line",
        string="Disputed Lines",
        domain="[('move_id', '=', move_id), ('display_type', '=', 'product')]",
        help="Optionally, the invoice lines the customer disputes.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        related="move_id.commercial_partner_id",
        store=True,
        index=True,
    )
    company_id = fields.Many2one(related="move_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="move_id.currency_id", store=True)
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    amount = fields.Monetary(
        string="Disputed Amount",
        required=True,
        tracking=True,
        help="In the invoice currency; at most what is still unpaid on the invoice.",
    )
    amount_company = fields.Monetary(
        string="Disputed Amount (Company Currency)",
        currency_field="company_currency_id",
        compute="_compute_amount_company",
        store=True,
    )
    reason_id = fields.Many2one(
        "settlement.dispute.reason",
        required=True,
        tracking=True,
        domain="['|', ('company_id', '=', False), ('company_id', '=', company_id)]",
    )
    description = fields.Html(
        sanitize=True, sanitize_attributes=True, sanitize_form=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        tracking=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    date_deadline = fields.Date(
        string="Deadline",
        compute="_compute_date_deadline",
        store=True,
        readonly=False,
        tracking=True,
    )
    state = fields.Selection(
        selection=[
            ("new", "New"),
            ("under_review", "Under Review"),
            ("accepted", "Accepted"),
            ("rejected", "Rejected"),
            ("closed", "Closed"),
        ],
        default="new",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    source = fields.Selection(
        selection=[("backend", "Backend"), ("portal", "Customer Portal")],
        default="backend",
        required=True,
        readonly=True,
    )
    accepted_amount = fields.Monetary(readonly=True, tracking=True)
    credit_note_id = fields.Many2one("account.move", readonly=True, copy=False)
    resolution_note = fields.Text(readonly=True, tracking=True)
    reopen_reason = fields.Text(readonly=True, tracking=True)
    date_resolved = fields.Datetime(string="Resolved On", readonly=True, copy=False)
    resolution_days = fields.Float(
        string="Days to Resolution",
        readonly=True,
        aggregator="avg",
        digits=(8, 1),
        copy=False,
    )
    is_overdue = fields.Boolean(compute="_compute_is_overdue", string="Late")
    # Views, filters and portal pages ask this rather than naming the states.
    is_open = fields.Boolean(
        compute="_compute_is_open", search="_search_is_open", string="Open"
    )

    @api.depends("amount", "move_id.amount_total", "move_id.amount_total_signed")
    def _compute_amount_company(self):
        for dispute in self:
            move = dispute.move_id
            rate = (
                abs(move.amount_total_signed) / move.amount_total
                if move.amount_total
                else 1.0
            )
            dispute.amount_company = dispute.company_currency_id.round(
                dispute.amount * rate
            )

    @api.depends("reason_id.sla_days", "create_date")
    def _compute_date_deadline(self):
        today = fields.Date.context_today(self)
        for dispute in self:
            if dispute.reason_id and not dispute.date_deadline:
                start = (
                    fields.Date.to_date(dispute.create_date)
                    if dispute.create_date
                    else today
                )
                dispute.date_deadline = start + timedelta(
                    days=dispute.reason_id.sla_days
                )

    @api.depends("state")
    def _compute_is_open(self):
        for dispute in self:
            dispute.is_open = dispute.state in OPEN_STATES

    def _search_is_open(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        wanted = (operator == "=") == value
        return [("state", "in" if wanted else "not in", list(OPEN_STATES))]

    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for dispute in self:
            dispute.is_overdue = (
                dispute.state in OPEN_STATES
                and dispute.date_deadline
                and dispute.date_deadline < today
            )

    def _compute_access_url(self):
        for dispute in self:
            dispute.access_url = f"/my/disputes/{dispute.id}"

    # ------------------------------------------------------------------
    # Validation
    # ------------------------------------------------------------------

    @api.constrains("amount", "move_id", "state")
    def _check_amount(self):
        for dispute in self.filtered(lambda record: record.state in OPEN_STATES):
            move = dispute.move_id
            if move.move_type != "out_invoice" or move.state != "posted":
                raise ValidationError(
                    self.env._("Only posted customer invoices can be disputed.")
                )
            if (
                float_compare(
                    dispute.amount, 0.0, precision_rounding=dispute.currency_id.rounding
                )
                <= 0
            ):
                raise ValidationError(
                    self.env._("The disputed amount must be positive.")
                )
            others = move.settlement_dispute_ids.filtered(
                lambda other, current=dispute: other != current
                and other.state in OPEN_STATES
            )
            available = move.amount_residual - sum(others.mapped("amount"))
            if dispute.currency_id.compare_amounts(dispute.amount, available) > 0:
                raise ValidationError(
                    self.env._(
                        "The disputed amount %(amount)s is more than what is still "
                        "unpaid and not already disputed on %(invoice)s "
                        "(%(available)s).",
                        amount=dispute.currency_id.format(dispute.amount),
                        invoice=move.name,
                        available=dispute.currency_id.format(max(available, 0.0)),
                    )
                )

    @api.constrains("move_line_ids", "move_id")
    def _check_move_lines(self):
        for dispute in self:
            if dispute.move_line_ids.move_id - dispute.move_id:
                raise ValidationError(
                    self.env._("Disputed lines must belong to the disputed invoice.")
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("user_id") and vals.get("reason_id"):
                reason = self.env["settlement.dispute.reason"].browse(vals["reason_id"])
                if reason.user_id:
                    vals["user_id"] = reason.user_id.id
        disputes = super().create(vals_list)
        for dispute in disputes:
            dispute.message_subscribe(partner_ids=dispute.partner_id.ids)
            # Written for the staff who read them, in the responsible's language
            # (else the company's), not in the language of a customer who
            # raised the dispute on the portal.
            staff_env = self.with_context(
                lang=dispute.user_id.lang
                or dispute.company_id.partner_id.lang
                or self.env.lang
            ).env
            dispute.move_id._message_log(
                body=staff_env._(
                    "Dispute %(dispute)s raised for %(amount)s: %(reason)s",
                    dispute=dispute._get_html_link(title=dispute.name),
                    amount=dispute.currency_id.format(dispute.amount),
                    reason=dispute.reason_id.with_env(staff_env).name,
                )
            )
            if dispute.user_id:
                dispute.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=dispute.date_deadline,
                    summary=staff_env._("Review dispute %(name)s", name=dispute.name),
                    user_id=dispute.user_id.id,
                )
        return disputes

    def _decision_error(self, names, creating=False):
        if creating:
            return AccessError(
                self.env._(
                    "A dispute starts as New; its decision (%(fields)s) is recorded "
                    "by a credit controller with the dispute's buttons.",
                    fields=self._decision_field_labels(names),
                )
            )
        return AccessError(
            self.env._(
                "%(fields)s of a dispute change only with its buttons (Start "
                "Review, Accept, Reject, Close, Reopen).",
                fields=", ".join(sorted(self._fields[name].string for name in names)),
            )
        )

    def write(self, vals):
        if not self.env.su:
            self._check_user_write(vals)
        return super().write(vals)

    def _check_user_write(self, vals):
        """Refuse what only the workflow may change (see DECISION_FIELDS), then
        what is disputed once decided or under review."""
        self._check_decision_write(vals)
        if not SUBJECT_FIELDS & set(vals):
            return
        if any(dispute.state not in OPEN_STATES for dispute in self):
            raise UserError(
                self.env._("A decided dispute cannot be changed: reopen it first.")
            )
        if any(dispute.state != "new" for dispute in self) and not (
            self.env.user.has_group(DECIDER_GROUP)
        ):
            raise AccessError(
                self.env._(
                    "The invoice and amount of a dispute under review are changed "
                    "only by a credit controller."
                )
            )

    def _check_decider(self):
        """Deciding on a dispute (starting the review, which may take its amount
        out of the credit exposure, accepting, rejecting, reopening) is a credit
        controller's job (README, access rights)."""
        if not self.env.su and not self.env.user.has_group(DECIDER_GROUP):
            raise AccessError(
                self.env._("Only a credit controller can decide on a dispute.")
            )
        self.check_access("write")

    @api.model
    def _credit_states(self, company):
        """States of the disputes whose amount leaves the customer's credit
        exposure and overdue checks (when the company excludes disputed
        amounts at all).  By default only once a credit controller started the
        review: a dispute the customer raises on the portal must not release
        its own credit (reminders for it pause at once, see dunning)."""
        if company.settlement_disputes_need_review:
            return ("under_review",)
        return OPEN_STATES

    @api.ondelete(at_uninstall=False)
    def _unlink_only_new(self):
        if any(dispute.state != "new" for dispute in self):
            raise UserError(
                self.env._("Only new disputes can be deleted; close the others.")
            )

    # ------------------------------------------------------------------
    # Portal
    # ------------------------------------------------------------------

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Dispute %(name)s", name=self.name)

    @api.model
    def _portal_create(self, invoice, reason, amount, message, attachments):
        """Create a dispute raised by the customer on its portal.

        ``invoice`` comes from an access check by the controller; returns the
        dispute.  Validation errors are raised before anything is written."""
        if not reason or not reason.active:
            raise UserError(self.env._("Choose the reason of your dispute."))
        # A double click or a resent form must not raise the dispute twice.
        duplicate = self.sudo().search(
            [
                ("move_id", "=", invoice.id),
                ("reason_id", "=", reason.id),
                ("amount", "=", amount),
                ("source", "=", "portal"),
                ("state", "in", OPEN_STATES),
                ("create_date", ">=", fields.Datetime.now() - timedelta(minutes=10)),
            ],
            limit=1,
        )
        if duplicate:
            attachments.unlink()
            return duplicate
        dispute = self.sudo().create(
            {
                "move_id": invoice.id,
                "reason_id": reason.id,
                "amount": amount,
                "description": message,
                "source": "portal",
                "user_id": invoice.company_id._settlement_responsible(
                    reason.user_id,
                    invoice.invoice_user_id,
                    invoice.commercial_partner_id.user_id,
                ).id,
            }
        )
        for attachment in attachments:
            attachment.write({"res_model": dispute._name, "res_id": dispute.id})
        return dispute
