from odoo import api, fields, models
from odoo.tools import format_date, formatLang

from ..lib.schedule import allocate_payment
from .settlement_instalment_plan import COMPUTED_LINE_FIELDS


class SettlementInstalmentPlanLine(models.Model):
    _name = "settlement.instalment.plan.line"
    _description = "Instalment"
    _order = "plan_id, sequence, date_due, id"

    plan_id = fields.Many2one(
        "settlement.instalment.plan", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=1)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    date_due = fields.Date(string="Due Date", required=True)
    amount = fields.Monetary(required=True)
    amount_paid = fields.Monetary(string="Paid", compute="_compute_payment")
    amount_residual = fields.Monetary(string="Left to Pay", compute="_compute_payment")
    payment_state = fields.Selection(
        selection=[
            ("upcoming", "Upcoming"),
            ("due", "Due Today"),
            ("paid", "Paid"),
            ("overdue", "Overdue"),
        ],
        string="Status",
        compute="_compute_payment",
    )

    @api.depends("plan_id.name", "sequence", "date_due", "amount")
    def _compute_display_name(self):
        for line in self:
            line.display_name = self.env._(
                "%(plan)s: %(amount)s due %(date)s",
                plan=line.plan_id.name or self.env._("Instalment"),
                amount=formatLang(self.env, line.amount, currency_obj=line.currency_id),
                date=format_date(self.env, line.date_due),
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self.env["settlement.instalment.plan"].browse(
                list({vals["plan_id"] for vals in vals_list if vals.get("plan_id")})
            )._check_schedule_editable()
        return super().create(vals_list)

    def write(self, vals):
        # Computing the payment columns assigns them to every instalment of the
        # plan: those columns are not stored and change nothing.
        if not self.env.su and set(vals) - COMPUTED_LINE_FIELDS:
            plans = self.plan_id
            if vals.get("plan_id"):
                plans |= plans.browse(vals["plan_id"])
            plans._check_schedule_editable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft_schedules(self):
        self.plan_id._check_schedule_editable()

    @api.depends("amount", "plan_id.amount_paid", "date_due")
    def _compute_payment(self):
        today = fields.Date.context_today(self)
        for plan in self.plan_id:
            lines = plan.line_ids.sorted(
                lambda line: (line.sequence, line.date_due, line.id)
            )
            residuals = allocate_payment(
                lines.mapped("amount"),
                plan.amount_paid,
                plan.currency_id.rounding or 0.01,
            )
            for line, residual in zip(lines, residuals, strict=True):
                line.amount_residual = residual
                line.amount_paid = line.amount - residual
                if plan.currency_id.is_zero(residual):
                    line.payment_state = "paid"
                elif line.date_due < today:
                    line.payment_state = "overdue"
                elif line.date_due == today:
                    line.payment_state = "due"
                else:
                    line.payment_state = "upcoming"
        for line in self - self.plan_id.line_ids:
            line.amount_residual = line.amount
            line.amount_paid = 0.0
            line.payment_state = "upcoming"
