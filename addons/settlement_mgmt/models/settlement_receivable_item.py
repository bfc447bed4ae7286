from odoo import api, fields, models
from odoo.tools import SQL


class SettlementReceivableItem(models.Model):
    """What a customer owes and when, as agreed: the schedule of record.

    One row per open receivable journal item (so each instalment of a
    multi-line payment term is its own item, with its own due date), except
    for invoices settled by an active instalment plan: their journal items
    are replaced by the plan's unpaid instalments.  Payments reduce the
    instalments oldest first, as :func:`..lib.schedule.allocate_payment`
    does.  Credit overdue checks, reminders, statements and the portal read
    this view; the invoices, their legal due dates and the ledger stay
    untouched.

    Net before you chase: the customer's open credits (credit notes and
    payments not yet reconciled, i.e. negative residuals) settle its positive
    items of the same company and currency, oldest due date first.
    ``amount_net`` / ``amount_net_currency`` are what is left to collect on
    each item after that; everything that chases (overdue figures, holds,
    reminders, the dashboard) reads them, never ``amount_residual``.

    The schedule is a table kept in step with the ledger, not a view
    recomputed for every page: see :mod:`.settlement_receivable_item_store`.
    """

    _name = "settlement.receivable.item"
    _description = "Open Receivable Item"
    _auto = False
    _order = "date_due, id"
    _rec_name = "name"

    name = fields.Char(string="Reference", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    company_currency_id = fields.Many2one("res.currency", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    move_line_id = fields.Many2one("account.move.line", readonly=True)
    plan_id = fields.Many2one(
        "settlement.instalment.plan", string="Payment Plan", readonly=True
    )
    plan_line_id = fields.Many2one(
        "settlement.instalment.plan.line", string="Instalment", readonly=True
    )
    date_due = fields.Date(string="Due Date", readonly=True)
    amount_residual = fields.Monetary(
        string="Amount Due",
        currency_field="company_currency_id",
        readonly=True,
        help="In the company currency.",
    )
    amount_residual_currency = fields.Monetary(
        string="Amount Due in Currency", currency_field="currency_id", readonly=True
    )
    amount_net = fields.Monetary(
        string="Net Due",
        currency_field="company_currency_id",
        readonly=True,
        help="In the company currency: what is left to collect once the "
        "customer's open credit notes and unapplied payments in the same "
        "currency are applied, oldest due date first.  For a credit, what is "
        "left of it (negative).",
    )
    amount_net_currency = fields.Monetary(
        string="Net Due in Currency", currency_field="currency_id", readonly=True
    )
    discount_date = fields.Date(
        string="Early Discount Until",
        readonly=True,
        help="Core's early payment discount of the invoice, while nothing is paid.",
    )
    discount_amount_currency = fields.Monetary(
        string="Discounted Amount", currency_field="currency_id", readonly=True
    )
    tier_until = fields.Date(
        string="Discount Tier Ends",
        readonly=True,
        help="Last day of the discount tier shown: the next one (or core's "
        "own discount) runs from the day after.",
    )
    days_overdue = fields.Integer(compute="_compute_days_overdue")

    @api.depends("date_due")
    @api.depends_context("date")
    def _compute_days_overdue(self):
        today = fields.Date.context_today(self)
        for item in self:
            item.days_overdue = max((today - item.date_due).days, 0)

    # The id of an item says where it comes from (a journal item or a plan
    # instalment): see ..lib.item_ref and settlement.receivable.query's
    # _item_ref_sql.  Reminders store it (item_ref).

    @api.model
    def _net_sql(self, items):
        """SQL: the CTEs ``item_side`` and ``item_net`` that net the open
        credits of each customer against its positive items -- the one rule
        every chasing figure follows.

        ``items`` names a CTE with the columns id, partner_id (commercial),
        company_id, company_currency_id, currency_id, date_due,
        amount_residual (company currency) and amount_residual_currency.
        Credits (negative residuals: credit notes, unapplied payments) of a
        customer, company and currency settle its positive items oldest due
        date first; ``item_net`` adds ``net_currency`` (what is left of each
        item in its currency, negative for what is left of a credit) and
        ``net`` (the same in company currency, in proportion, rounded)."""
        return SQL(
            """
            item_side AS (
                SELECT item.*,
                       SUM(GREATEST(item.amount_residual_currency, 0))
                           OVER same_pot AS debit_total,
                       SUM(GREATEST(-item.amount_residual_currency, 0))
                           OVER same_pot AS credit_total,
                       SUM(GREATEST(item.amount_residual_currency, 0))
                           OVER oldest_first
                           - GREATEST(item.amount_residual_currency, 0)
                           AS debit_before,
                       SUM(GREATEST(-item.amount_residual_currency, 0))
                           OVER oldest_first
                           - GREATEST(-item.amount_residual_currency, 0)
                           AS credit_before
                  FROM %(items)s AS item
                WINDOW same_pot AS (
                           PARTITION BY item.partner_id, item.company_id,
                                        item.currency_id),
                       oldest_first AS (
                           PARTITION BY item.partner_id, item.company_id,
                                        item.currency_id
                           ORDER BY item.date_due, item.id
                           ROWS UNBOUNDED PRECEDING)
            ), item_netted AS (
                SELECT item_side.*,
                       CASE WHEN amount_residual_currency > 0
                            THEN amount_residual_currency
                                 - LEAST(amount_residual_currency,
                                         GREATEST(0, credit_total - debit_before))
                            WHEN amount_residual_currency < 0
                            THEN amount_residual_currency
                                 + LEAST(-amount_residual_currency,
                                         GREATEST(0, LEAST(debit_total, credit_total)
                                                     - credit_before))
                            ELSE amount_residual_currency
                        END AS net_currency
                  FROM item_side
            ), item_net AS (
                SELECT item_netted.*,
                       CASE WHEN net_currency = amount_residual_currency
                            THEN amount_residual
                            ELSE ROUND(amount_residual * net_currency
                                       / amount_residual_currency,
                                       net_rounding.decimal_places)
                        END AS net
                  FROM item_netted
                  JOIN res_currency net_rounding
                    ON net_rounding.id = item_netted.company_currency_id
            )""",
            items=items,
        )

    @api.model
    def _flush_sources(self, sync=True):
        """Write pending ORM changes the schedule reads, then bring the
        customers they touched up to date (:meth:`_sync`; a hot path passes
        ``sync=False`` and runs its query through :meth:`_after_sync`)."""
        self.env["settlement.receivable.query"]._flush()
        self.env["settlement.instalment.plan"].flush_model(
            ["state", "amount_total", "move_ids", "currency_id", "company_id"]
        )
        self.env["settlement.instalment.plan.line"].flush_model()
        self.env["account.move"].flush_model(
            ["amount_residual", "amount_residual_signed", "name", "payment_state"]
        )
        self.env["settlement.invoice.discount"].flush_model()
        if sync:
            self._sync()

    def flush_model(self, fnames=None):
        # Every ORM read of the schedule (search, read_group, fetch) flushes
        # the model first: that is where it catches up with the ledger.
        self._flush_sources()
        return super().flush_model(fnames)

    def flush_recordset(self, fnames=None):
        self._flush_sources()
        return super().flush_recordset(fnames)

    @api.model
    def _items_sql(self, partners=None):
        """SQL: the due schedule as the ledger, plans and discount tiers make
        it now -- the rows :mod:`.settlement_receivable_item_store` keeps in
        the table -- of every customer, or of the commercial partners
        ``partners`` (SQL of an integer array)."""
        Query = self.env["settlement.receivable.query"]
        plan_partners = SQL("TRUE")
        if partners is not None:
            plan_partners = SQL("plan.partner_id = ANY(%s)", partners)
        return SQL(
            """
            WITH plan_move AS (
                SELECT plan.id AS plan_id,
                       move.id AS move_id,
                       move.amount_residual,
                       move.amount_residual_signed
                  FROM settlement_instalment_plan plan
                  JOIN account_move_settlement_instalment_plan_rel rel
                    ON rel.settlement_instalment_plan_id = plan.id
                  JOIN account_move move ON move.id = rel.account_move_id
                 WHERE plan.state = 'active'
                   AND %(plan_partners)s
            ), plan_open AS (
                SELECT plan_id,
                       SUM(amount_residual) AS residual,
                       SUM(amount_residual_signed) AS residual_signed
                  FROM plan_move
              GROUP BY plan_id
            ), instalment AS (
                SELECT plan_line.id,
                       plan_line.plan_id,
                       plan_line.sequence,
                       plan_line.date_due,
                       plan_line.amount,
                       GREATEST(plan.amount_total - plan_open.residual, 0) AS paid,
                       SUM(plan_line.amount) OVER (
                           PARTITION BY plan_line.plan_id
                           ORDER BY plan_line.sequence, plan_line.date_due, plan_line.id
                       ) - plan_line.amount AS scheduled_before,
                       plan_open.residual AS plan_residual,
                       plan_open.residual_signed AS plan_residual_signed
                  FROM settlement_instalment_plan_line plan_line
                  JOIN settlement_instalment_plan plan ON plan.id = plan_line.plan_id
                  JOIN plan_open ON plan_open.plan_id = plan.id
            ), instalment_due AS (
                SELECT instalment.*,
                       LEAST(instalment.amount, GREATEST(0, instalment.amount
                             - GREATEST(0, instalment.paid
                                           - instalment.scheduled_before)))
                           AS residual_currency
                  FROM instalment
            ), item AS (
            SELECT %(line_ref)s AS id,
                   COALESCE(move.name, line.name) AS name,
                   partner.commercial_partner_id AS partner_id,
                   line.company_id,
                   line.company_currency_id,
                   line.currency_id,
                   line.move_id,
                   line.id AS move_line_id,
                   NULL::integer AS plan_id,
                   NULL::integer AS plan_line_id,
                   COALESCE(line.date_maturity, line.date) AS date_due,
                   line.amount_residual,
                   line.amount_residual_currency,
                   CASE WHEN move.payment_state = 'not_paid'
                        THEN COALESCE(tier.discount_date, line.discount_date)
                    END AS discount_date,
                   CASE WHEN move.payment_state = 'not_paid'
                         AND line.discount_date IS NOT NULL
                        THEN COALESCE(tier.amount_currency,
                                      line.discount_amount_currency)
                    END AS discount_amount_currency,
                   CASE WHEN move.payment_state = 'not_paid'
                        THEN tier.discount_date
                    END AS tier_until
              FROM account_move_line line
              JOIN account_move move ON move.id = line.move_id
              JOIN res_partner partner ON partner.id = line.partner_id
              -- the discount tier running today (core's own is the first)
              %(running_tier)s
             WHERE %(receivable)s
               AND NOT line.reconciled
               AND NOT EXISTS (SELECT 1 FROM plan_move
                                WHERE plan_move.move_id = line.move_id)
            UNION ALL
            SELECT %(instalment_ref)s,
                   plan.name || ' ' || instalment_due.sequence,
                   plan.partner_id,
                   plan.company_id,
                   company.currency_id,
                   plan.currency_id,
                   NULL,
                   NULL,
                   plan.id,
                   instalment_due.id,
                   instalment_due.date_due,
                   ROUND(instalment_due.residual_currency
                         * instalment_due.plan_residual_signed
                         / NULLIF(instalment_due.plan_residual, 0),
                         company_currency.decimal_places),
                   instalment_due.residual_currency,
                   NULL::date,
                   NULL::numeric,
                   NULL::date
              FROM instalment_due
              JOIN settlement_instalment_plan plan ON plan.id = instalment_due.plan_id
              JOIN res_company company ON company.id = plan.company_id
              JOIN res_currency company_currency
                ON company_currency.id = company.currency_id
             WHERE instalment_due.residual_currency > 0
            ), %(net)s
            SELECT item_net.id, item_net.name, item_net.partner_id,
                   item_net.company_id, item_net.company_currency_id,
                   item_net.currency_id, item_net.move_id, item_net.move_line_id,
                   item_net.plan_id, item_net.plan_line_id, item_net.date_due,
                   item_net.amount_residual, item_net.amount_residual_currency,
                   item_net.net AS amount_net,
                   item_net.net_currency AS amount_net_currency,
                   item_net.discount_date, item_net.discount_amount_currency,
                   item_net.tier_until
              FROM item_net
            """,
            running_tier=self.env["settlement.invoice.discount"]._running_tier_join(
                SQL("CURRENT_DATE")
            ),
            receivable=Query._receivable_sql(partners=partners),
            net=self._net_sql(SQL("item")),
            line_ref=Query._item_ref_sql(move_line_id=SQL("line.id")),
            instalment_ref=Query._item_ref_sql(plan_line_id=SQL("instalment_due.id")),
            plan_partners=plan_partners,
        )
