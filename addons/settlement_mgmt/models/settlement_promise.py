from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from .settlement_decision_mixin import ANY_VALUE

# The outcome of a promise, set by the nightly check (or a cancellation), never
# written by a client: a "kept" promise weighs differently in the risk score.
# The watermark is the server's own at creation (whatever a client sends).
OUTCOME_FIELDS = {
    "state": "open",
    "amount_paid": None,
    "date_closed": None,
    "reconcile_watermark": ANY_VALUE,
}


class SettlementPromise(models.Model):
    """A customer's promise to pay an amount by a date.  Reminders pause for
    the promised items until the date plus the company's grace days; then the
    promise is kept if payments since it cover the amount, broken otherwise
    (and the risk score counts it)."""

    _name = "settlement.promise"
    _description = "Promise to Pay"
    _inherit = [
        "settlement.numbered.mixin",
        "settlement.decision.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _decision_fields = OUTCOME_FIELDS
    _sequence_code = "settlement.promise"
    _order = "date_promised desc, id desc"
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
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(required=True, tracking=True)
    date_promised = fields.Date(string="Promised For", required=True, tracking=True)
    channel = fields.Selection(
        selection=[
            ("phone", "Phone"),
            ("email", "E-mail"),
            ("letter", "Letter"),
            ("meeting", "Meeting"),
            ("portal", "Portal"),
        ],
        default="phone",
        required=True,
    )
    note = fields.Text()
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'),"
        " ('commercial_partner_id', '=', partner_id), ('amount_residual', '>', 0)]",
        help="Empty: the promise covers everything the customer owes.",
    )
    communication_id = fields.Many2one(
        "settlement.dunning.communication", string="Reminder", readonly=True
    )
    state = fields.Selection(
        selection=[
            ("open", "Open"),
            ("kept", "Kept"),
            ("broken", "Broken"),
            ("cancelled", "Cancelled"),
        ],
        default="open",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    amount_paid = fields.Monetary(
        string="Paid Since", readonly=True, help="Payments received since the promise."
    )
    date_closed = fields.Date(string="Closed On", readonly=True)
    reconcile_watermark = fields.Integer(
        readonly=True,
        copy=False,
        help="Last reconciliation when the promise was made: later ones pay it.",
    )
    user_id = fields.Many2one(
        "res.users", string="Taken By", default=lambda self: self.env.user
    )

    @api.model_create_multi
    def create(self, vals_list):
        # Reconciliation ids grow with time, unlike create dates that are equal
        # within a transaction: what is reconciled after this id pays the promise.
        self.env["account.partial.reconcile"].flush_model()
        self.env.cr.execute(
            "SELECT COALESCE(MAX(id), 0) FROM account_partial_reconcile"
        )
        watermark = self.env.cr.fetchone()[0]
        for vals in vals_list:
            vals["reconcile_watermark"] = watermark
        promises = super().create(vals_list)
        # The collector checks the payment the day after the promised date.
        for company in promises.company_id:
            of_company = promises.filtered(
                lambda p, company=company: p.company_id == company
            )
            self.env["res.partner"]._settlement_plan_next_action(
                company,
                {
                    promise.partner_id: promise.date_promised + timedelta(days=1)
                    for promise in of_company.sorted("date_promised", reverse=True)
                },
                replace=True,
            )
        for promise in promises.filtered("communication_id"):
            if promise.communication_id.call_state == "to_call":
                promise.communication_id._close_call("promise")
        return promises

    def _decision_error(self, names, creating=False):
        """Kept or broken is decided by the nightly check from the payments
        since the promise (OUTCOME_FIELDS); a user only cancels an open one."""
        return AccessError(
            self.env._(
                "Whether a promise to pay is kept or broken is decided from the "
                "payments received; cancel an open promise instead."
            )
        )

    @api.constrains("amount", "date_promised", "partner_id", "move_ids")
    def _check_promise(self):
        today = fields.Date.context_today(self)
        for promise in self:
            if promise.currency_id.compare_amounts(promise.amount, 0) <= 0:
                raise ValidationError(
                    self.env._("The promised amount must be positive.")
                )
            if promise.state == "open" and promise.date_promised < today:
                raise ValidationError(
                    self.env._("The promised date cannot be in the past.")
                )
            if promise.partner_id != promise.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._("Record the promise on the company, not its contact.")
                )
            foreign = promise.move_ids - promise.move_ids.filtered_domain(
                [("commercial_partner_id", "=", promise.partner_id.id)]
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "%(invoices)s belong to another customer.",
                        invoices=", ".join(foreign.mapped("name")),
                    )
                )

    def action_cancel(self):
        if any(promise.state != "open" for promise in self):
            raise UserError(self.env._("Only open promises can be cancelled."))
        self.check_access("write")
        self.sudo().write(
            {"state": "cancelled", "date_closed": fields.Date.context_today(self)}
        )

    @api.model
    def _settlement_promised(self, company, customers, today):
        """{customer id: True (everything) or set of invoice ids} under an open
        promise still within its date plus the grace days."""
        grace = timedelta(days=company.settlement_promise_grace_days)
        promises = self.sudo().search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", customers.ids),
                ("state", "=", "open"),
                ("date_promised", ">=", today - grace),
            ]
        )
        covered = {}
        for promise in promises:
            current = covered.get(promise.partner_id.id, set())
            if not promise.move_ids or current is True:
                covered[promise.partner_id.id] = True
            else:
                covered[promise.partner_id.id] = current | set(promise.move_ids.ids)
        return covered

    def _paid_since(self):
        """{promise id: amount received since the promise on what it covers}
        in one query: partial reconciliations of the customer's receivable
        debits made after the promise."""
        if not self:
            return {}
        self.env["settlement.receivable.query"]._flush()
        self.flush_recordset(
            ["partner_id", "company_id", "move_ids", "reconcile_watermark"]
        )
        rows = self.env.execute_query(
            SQL(
                """
            SELECT promise.id, COALESCE(SUM(partial.amount), 0)
              FROM settlement_promise promise
              JOIN res_partner partner
                ON partner.commercial_partner_id = promise.partner_id
              JOIN account_move_line line
                ON line.partner_id = partner.id
               AND line.company_id = promise.company_id
              JOIN account_partial_reconcile partial
                ON partial.debit_move_id = line.id
               AND partial.id > promise.reconcile_watermark
             WHERE promise.id = ANY(%(ids)s)
               AND %(receivable)s
               AND (NOT EXISTS (SELECT 1 FROM account_move_settlement_promise_rel rel
                                 WHERE rel.settlement_promise_id = promise.id)
                    OR line.move_id IN (SELECT rel.account_move_id
                                          FROM account_move_settlement_promise_rel rel
                                         WHERE rel.settlement_promise_id = promise.id))
          GROUP BY promise.id
            """,
                ids=self.ids,
                receivable=self.env["settlement.receivable.query"]._receivable_sql(),
            )
        )
        return dict(rows)

    def _close(self, today):
        """Keep the promises whose amount was paid, break those past their
        date plus grace; leave the others open."""
        paid = self._paid_since()
        closed = self.browse()
        for promise in self:
            amount_paid = paid.get(promise.id, 0.0)
            grace = timedelta(days=promise.company_id.settlement_promise_grace_days)
            if promise.currency_id.compare_amounts(amount_paid, promise.amount) >= 0:
                state = "kept"
            elif promise.date_promised + grace < today:
                state = "broken"
            else:
                continue
            # The outcome is read from the payments: internal, never a client's.
            promise.sudo().write(
                {"state": state, "amount_paid": amount_paid, "date_closed": today}
            )
            closed |= promise
            if state == "broken":
                promise.message_post(
                    body=self.env._(
                        "Promise broken: %(paid)s received of %(amount)s promised for "
                        "%(date)s. Reminders resume.",
                        paid=promise.currency_id.format(amount_paid),
                        amount=promise.currency_id.format(promise.amount),
                        date=promise.date_promised,
                    )
                )
                if promise.user_id:
                    promise.activity_schedule(
                        "mail.mail_activity_data_todo",
                        summary=self.env._(
                            "%(customer)s broke its promise to pay",
                            customer=promise.partner_id.name,
                        ),
                        user_id=promise.user_id.id,
                    )
            else:
                promise.message_post(body=self.env._("Promise kept."))
        closed.filtered(lambda promise: promise.state == "broken")._portal_tell_broken()
        return closed

    @api.model
    def _cron_settlement_promises(self, batch_size=200):
        """Daily: close open promises that were paid or are past their date
        plus grace.  Closed promises leave the search, so reruns and resumed
        crashes close nothing twice."""
        today = fields.Date.context_today(self)
        open_promises = self.search([("state", "=", "open")], order="id")
        closed = self.browse()
        checked = 0
        for start in range(0, len(open_promises), batch_size):
            batch = open_promises[start : start + batch_size]
            closed |= batch._close(today)
            checked += len(batch)
            if len(closed) >= batch_size:
                break
        self.env["ir.cron"]._notify_progress(
            done=len(closed),
            remaining=0
            if checked >= len(open_promises)
            else len(open_promises) - checked,
        )
