from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.tools import SQL
from odoo.tools.sql import create_unique_index

from ..lib.forecast import (
    MAX_DAYS,
    MIN_DAYS,
    DelayHistory,
    ForecastItem,
    expected_invoice_date,
    weekly_forecast,
)

# Forecasts older than this are of no use to compare with what came in.
KEEP_DAYS = 400


class SettlementCollectionForecast(models.Model):
    """Cash expected from customers in each of the next 13 weeks, by
    customer and salesperson, in the company currency.

    Written with the daily receivables snapshot (and the dashboard's
    *Refresh*): the current forecast replaces the day's rows, and the first
    forecast of each calendar week is kept, so that a quarter later it can be
    compared with what was actually collected
    (``settlement.collection.forecast.review``).

    What is forecast: every open item of the due schedule
    (``settlement.receivable.item``: journal items, or the instalments of an
    active plan in place of its invoices, so planned invoices come in on
    their instalment dates and not their original ones), net of the
    customer's open credits, minus the share of the invoice under an open
    dispute (``settlement.receivable.query._undisputed_sql``, when the company
    leaves disputed amounts out of its overdue figures): a disputed amount is
    not expected as cash until the dispute is decided, and an accepted one
    ends as a credit note.  Each item's amount is spread over the weeks with
    its customer's history of days late (:mod:`..lib.forecast`)."""

    _name = "settlement.collection.forecast"
    _description = "Collections Forecast"
    _order = "snapshot_date desc, week_index, partner_id, id"

    snapshot_date = fields.Date(
        string="Forecast Date", required=True, index=True, readonly=True
    )
    is_current = fields.Boolean(
        string="Current Forecast",
        readonly=True,
        index=True,
        help="The forecast computed last for the company.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, ondelete="cascade"
    )
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", index=True, readonly=True
    )
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    week_index = fields.Integer(
        string="Week",
        readonly=True,
        help="1 for the week starting on the forecast date.",
    )
    week_start = fields.Date(string="Week Starting", readonly=True)
    amount = fields.Monetary(string="Expected Cash In", readonly=True)

    def init(self):
        # One row per company, day, customer, salesperson and week: the
        # daily rewrite deletes then inserts; a second run cannot double it.
        create_unique_index(
            self.env.cr,
            "settlement_collection_forecast_row_unique",
            self._table,
            [
                "company_id",
                "snapshot_date",
                "COALESCE(partner_id, 0)",
                "COALESCE(user_id, 0)",
                "week_index",
            ],
        )

    # ------------------------------------------------------------------
    # Inputs
    # ------------------------------------------------------------------

    @api.model
    def _delay_histories(self, company, today, partner_ids=None):
        """({commercial partner id: DelayHistory}, the company's) of the
        invoices of ``company`` settled before ``today``.  For every customer
        (the nightly forecast): one grouped query whose rows also make the
        company's history.  For the customers of a few invoices (a list of
        invoices showing their expected dates): their rows only, and the
        company's history of the day, kept in the cache — scanning every
        settled invoice of the company for each page of a list took seconds."""
        if partner_ids is not None:
            histories = {}
            for partner_id, days, count in self._delay_rows(
                company, today, partner_ids
            ):
                histories.setdefault(partner_id, DelayHistory()).add(days, count)
            # The key changes with every new reconciliation (ids only grow,
            # even across rolled-back transactions).
            self.env["account.partial.reconcile"].flush_model()
            last_reconcile_id = self.env.execute_query(
                SQL("SELECT MAX(id) FROM account_partial_reconcile")
            )[0][0]
            company_history = DelayHistory()
            for days, count in self._company_delay_counts(
                company.id, today, last_reconcile_id
            ):
                company_history.add(days, count)
            return histories, company_history
        histories, company_history = {}, DelayHistory()
        for partner_id, days, count in self._delay_rows(company, today):
            company_history.add(days, count)
            histories.setdefault(partner_id, DelayHistory()).add(days, count)
        return histories, company_history

    def _delay_rows(self, company, today, partner_ids=None):
        """Rows (commercial partner id, days late clipped to the forecast's
        range, invoices) of ``company``'s invoices settled before ``today``,
        of the customers ``partner_ids`` when given."""
        Query = self.env["settlement.receivable.query"]
        partner_filter = (
            SQL("history.partner_id = ANY(%s)", list(partner_ids))
            if partner_ids is not None
            else SQL("TRUE")
        )
        return self.env.execute_query(
            SQL(
                """
            SELECT history.partner_id,
                   LEAST(GREATEST(history.paid_on - history.due, %(low)s), %(high)s),
                   COUNT(*)
              FROM (%(invoices)s) history
             WHERE history.paid_on IS NOT NULL AND history.paid_on < %(today)s
               AND %(partner_filter)s
          GROUP BY 1, 2
                """,
                low=MIN_DAYS,
                high=MAX_DAYS,
                invoices=Query._invoice_items_sql(company),
                today=today,
                partner_filter=partner_filter,
            )
        )

    @api.model
    @tools.ormcache("company_id", "today", "last_reconcile_id")
    def _company_delay_counts(self, company_id, today, last_reconcile_id):
        """((days late, invoices), ...) of every invoice of the company settled
        before ``today``: the company's history, read again only when a
        reconciliation was added since (``last_reconcile_id``) or the day
        changed."""
        counts = {}
        company = self.env["res.company"].browse(company_id)
        for _partner_id, days, count in self._delay_rows(company, today):
            counts[days] = counts.get(days, 0) + count
        return tuple(sorted(counts.items()))

    @api.model
    def _open_items(self, company):
        """Rows (partner, salesperson, currency, due, amount to forecast,
        late probability in %) of the company's open items: one query over
        the due schedule."""
        Item = self.env["settlement.receivable.item"]
        Item._flush_sources()
        self.env["settlement.payment.prediction"].flush_model(
            ["move_id", "probability"]
        )
        dispute_join, undisputed = self.env[
            "settlement.receivable.query"
        ]._undisputed_sql(company)
        return self.env.execute_query(
            SQL(
                """
            SELECT line.partner_id, partner.user_id, line.company_currency_id,
                   line.date_due, line.amount_net * %(undisputed)s,
                   prediction.probability
              FROM %(items)s line
              %(dispute_join)s
         LEFT JOIN res_partner partner ON partner.id = line.partner_id
         LEFT JOIN settlement_payment_prediction prediction
                ON prediction.move_id = line.move_id
             WHERE line.company_id = %(company)s AND line.amount_net > 0
                """,
                items=Item._table_sql,
                undisputed=undisputed,
                dispute_join=dispute_join,
                company=company.id,
            )
        )

    # ------------------------------------------------------------------
    # Forecast
    # ------------------------------------------------------------------

    @api.model
    def _forecast_rows(self, company, today):
        """[(partner, salesperson, currency, week index 1-13, amount)]."""
        rows = self._open_items(company)
        histories, company_history = self._delay_histories(company, today)
        items = [
            ForecastItem(
                key=(partner_id, user_id, currency_id),
                partner=partner_id,
                due=due,
                amount=float(amount),
                late_probability=None if probability is None else probability / 100,
            )
            for partner_id, user_id, currency_id, due, amount, probability in rows
        ]
        amounts = weekly_forecast(items, histories, company_history, today)
        currencies = {
            currency.id: currency
            for currency in self.env["res.currency"].browse(
                {key[2] for key, _week in amounts}
            )
        }
        result = []
        for ((partner_id, user_id, currency_id), week), amount in sorted(
            amounts.items(), key=lambda pair: (pair[0][1], str(pair[0][0]))
        ):
            amount = currencies[currency_id].round(amount)
            if amount:
                result.append((partner_id, user_id, currency_id, week + 1, amount))
        return result

    @api.model
    def _take(self, company, today):
        """Replace the company's forecast of ``today`` and keep the first one
        of each calendar week (idempotent: running it twice gives the same
        rows)."""
        rows = self._forecast_rows(company, today)
        self.flush_model()
        cr = self.env.cr
        cr.execute(
            SQL(
                """DELETE FROM settlement_collection_forecast
                    WHERE company_id = %s AND snapshot_date = %s""",
                company.id,
                today,
            )
        )
        if rows:
            cr.execute(
                SQL(
                    """
                INSERT INTO settlement_collection_forecast
                       (snapshot_date, is_current, company_id, currency_id,
                        partner_id, user_id, week_index, week_start, amount,
                        create_uid, write_uid, create_date, write_date)
                SELECT %(today)s, TRUE, %(company)s, v.currency_id, v.partner_id,
                       v.user_id, v.week, %(today)s + 7 * (v.week - 1), v.amount,
                       %(uid)s, %(uid)s, now() at time zone 'UTC',
                       now() at time zone 'UTC'
                  FROM unnest(%(partners)s::int[], %(users)s::int[],
                              %(currencies)s::int[], %(weeks)s::int[],
                              %(amounts)s::numeric[])
                       AS v(partner_id, user_id, currency_id, week, amount)
                    """,
                    today=today,
                    company=company.id,
                    uid=self.env.uid,
                    partners=[row[0] for row in rows],
                    users=[row[1] for row in rows],
                    currencies=[row[2] for row in rows],
                    weeks=[row[3] for row in rows],
                    amounts=[row[4] for row in rows],
                )
            )
        cr.execute(
            SQL(
                """
            UPDATE settlement_collection_forecast
               SET is_current = (snapshot_date = %(today)s)
             WHERE company_id = %(company)s
               AND is_current IS DISTINCT FROM (snapshot_date = %(today)s);
            DELETE FROM settlement_collection_forecast forecast
             WHERE company_id = %(company)s
               AND snapshot_date < %(today)s
               AND (snapshot_date < %(oldest)s
                    OR snapshot_date > (
                        SELECT MIN(first.snapshot_date)
                          FROM settlement_collection_forecast first
                         WHERE first.company_id = forecast.company_id
                           AND date_trunc('week', first.snapshot_date)
                               = date_trunc('week', forecast.snapshot_date)))
                """,
                today=today,
                company=company.id,
                oldest=today - timedelta(days=KEEP_DAYS),
            )
        )
        self.invalidate_model()
        return len(rows)

    @api.model
    def _expected_dates(self, moves):
        """{invoice id: expected payment date} of the open customer invoices
        among ``moves``: their customer's history of days late (shrunk
        towards the company's) weighted by the invoice's chance of paying
        late, when the late-payment model gave one."""
        today = fields.Date.context_today(self)
        result = {}
        moves = moves.filtered(
            lambda move: move.move_type == "out_invoice"
            and move.state == "posted"
            and move.payment_state in ("not_paid", "partial")
            and move.invoice_date_due
        )
        for company in moves.company_id:
            company_moves = moves.filtered(lambda move, c=company: move.company_id == c)
            histories, company_history = self._delay_histories(
                company, today, company_moves.commercial_partner_id.ids
            )
            for move in company_moves:
                prediction = move.sudo().settlement_prediction_ids[:1]
                # An unreliable model writes no probability (risk "none").
                probability = (
                    prediction.probability
                    if prediction.risk not in (False, "none")
                    else None
                )
                result[move.id] = expected_invoice_date(
                    move.invoice_date_due,
                    today,
                    histories.get(move.commercial_partner_id.id),
                    company_history,
                    None if probability is None else probability / 100,
                )
        return result


class SettlementReceivableSnapshot(models.Model):
    _inherit = "settlement.receivable.snapshot"

    def _take(self, company, date_at):
        """Today's snapshot (nightly cron, dashboard refresh) also writes the
        collections forecast; backfilled month ends do not."""
        result = super()._take(company, date_at)
        if date_at == fields.Date.context_today(self):
            self.env["settlement.collection.forecast"]._take(company, date_at)
        return result
