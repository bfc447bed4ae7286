from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..lib.schedule import (
    MAX_INSTALMENTS,
    ScheduleError,
    due_dates,
    simple_interest,
    split_amount,
)


class SettlementInstalmentPlanCreate(models.TransientModel):
    _name = "settlement.instalment.plan.create"
    _description = "Create Instalment Plan"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        required=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),"
        " ('commercial_partner_id', '=', partner_id), ('amount_residual', '>', 0),"
        " ('company_id', '=', company_id)]",
    )
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_totals", store=True, readonly=True
    )
    amount_total = fields.Monetary(
        string="Still Owed", compute="_compute_totals", store=True, readonly=True
    )
    down_payment = fields.Monetary(help="Paid first, today; the rest is split.")
    instalment_count = fields.Integer(string="Instalments", default=3, required=True)
    frequency = fields.Selection(
        selection=[
            ("weekly", "Weekly"),
            ("biweekly", "Every two weeks"),
            ("monthly", "Monthly"),
            ("quarterly", "Quarterly"),
        ],
        default="monthly",
        required=True,
    )
    first_date = fields.Date(
        string="First Due Date",
        required=True,
        default=lambda self: fields.Date.context_today(self) + timedelta(days=30),
    )
    fee_fixed = fields.Monetary(
        string="Plan Fee", help="A fixed charge for the arrangement, invoiced."
    )
    interest_rate = fields.Float(
        string="Interest (% a year)",
        digits=(5, 2),
        help="Simple interest on the balance still owed between instalments.",
    )
    amount_fee = fields.Monetary(
        string="Fee and Interest", compute="_compute_preview", readonly=True
    )
    preview = fields.Html(compute="_compute_preview", sanitize=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "account.move" and context.get("active_ids"):
            moves = self.env["account.move"].browse(context["active_ids"])
            values["move_ids"] = [Command.set(moves.ids)]
            values["partner_id"] = moves[:1].commercial_partner_id.id
            values["company_id"] = moves[:1].company_id.id
        elif context.get("active_model") == "res.partner" and context.get("active_id"):
            partner = (
                self.env["res.partner"]
                .browse(context["active_id"])
                .commercial_partner_id
            )
            moves = self.env["account.move"].search(
                [
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("commercial_partner_id", "=", partner.id),
                    ("amount_residual", ">", 0),
                    ("company_id", "=", self.env.company.id),
                    ("currency_id", "=", self.env.company.currency_id.id),
                ]
            )
            values["partner_id"] = partner.id
            values["move_ids"] = [Command.set(moves.ids)]
        return values

    @api.depends("move_ids")
    def _compute_totals(self):
        for wizard in self:
            wizard.currency_id = (
                wizard.move_ids[:1].currency_id or wizard.company_id.currency_id
            )
            wizard.amount_total = sum(wizard.move_ids.mapped("amount_residual"))

    def _schedule(self):
        """([(date, amount)], fee and interest) of the plan the wizard would
        make; raises UserError."""
        self.ensure_one()
        currency = self.currency_id
        if len(self.move_ids.currency_id) > 1:
            raise UserError(
                self.env._("All invoices of a plan must be in the same currency.")
            )
        if len(self.move_ids.commercial_partner_id) > 1:
            raise UserError(
                self.env._("All invoices of a plan must be of the same customer.")
            )
        if not 1 <= self.instalment_count <= MAX_INSTALMENTS:
            raise UserError(
                self.env._(
                    "Choose between 1 and %(count)s instalments.", count=MAX_INSTALMENTS
                )
            )
        today = fields.Date.context_today(self)
        if self.first_date and self.first_date < today:
            raise UserError(self.env._("The first due date cannot be in the past."))
        if currency.compare_amounts(self.down_payment, 0) < 0 or (
            currency.compare_amounts(self.down_payment, self.amount_total) >= 0
        ):
            raise UserError(
                self.env._(
                    "The down payment must be at least zero and less than the total."
                )
            )
        if currency.compare_amounts(self.fee_fixed, 0) < 0:
            raise UserError(self.env._("The plan fee cannot be negative."))
        if not 0 <= self.interest_rate <= 100:
            raise UserError(
                self.env._("The interest rate must be between 0 and 100% a year.")
            )
        principal = self.amount_total - self.down_payment
        try:
            dates = due_dates(self.first_date, self.instalment_count, self.frequency)
            interest = simple_interest(
                split_amount(principal, self.instalment_count, currency.rounding),
                dates,
                today,
                self.interest_rate,
                currency.rounding,
            )
            fee = currency.round(self.fee_fixed + interest)
            amounts = split_amount(
                principal + fee, self.instalment_count, currency.rounding
            )
        except ScheduleError as error:
            raise UserError(
                self.env._(
                    "These invoices cannot be split into %(count)s instalments.",
                    count=self.instalment_count,
                )
            ) from error
        schedule = list(zip(dates, amounts, strict=True))
        if not currency.is_zero(self.down_payment):
            schedule.insert(0, (today, self.down_payment))
        return schedule, fee

    @api.depends(
        "move_ids",
        "down_payment",
        "instalment_count",
        "frequency",
        "first_date",
        "fee_fixed",
        "interest_rate",
    )
    def _compute_preview(self):
        for wizard in self:
            wizard.amount_fee = 0.0
            try:
                schedule, wizard.amount_fee = (
                    wizard._schedule()
                    if wizard.move_ids and wizard.first_date
                    else ([], 0.0)
                )
            except UserError as error:
                wizard.preview = f'<p class="text-danger">{error.args[0]}</p>'
                continue
            rows = "".join(
                f"<tr><td>{index}</td><td>{fields.Date.to_string(date)}</td>"
                f'<td class="text-end">{wizard.currency_id.format(amount)}</td></tr>'
                for index, (date, amount) in enumerate(schedule, start=1)
            )
            wizard.preview = f'<table class="table table-sm mb-0">{rows}</table>'

    def action_create(self):
        self.ensure_one()
        schedule, fee = self._schedule()
        values = {
            "partner_id": self.partner_id.commercial_partner_id.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "move_ids": [Command.set(self.move_ids.ids)],
            "amount_total": self.amount_total + fee,
            "amount_fee": fee,
        }
        # Check before writing anything.
        self.env["settlement.instalment.plan"].new(values)._check_invoices()
        plan = self.env["settlement.instalment.plan"].create(values)
        plan._set_schedule(schedule)
        plan._check_schedule()
        return plan._get_records_action()
