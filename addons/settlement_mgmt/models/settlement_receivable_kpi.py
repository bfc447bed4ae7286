import calendar

from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.tools import SQL

from ..lib.kpi import collection_effectiveness, dso_countback

KPI_MONTHS = 12


class SettlementReceivableKpi(models.Model):
    """Collection figures of one company for one month, from the ledger and the
    month-end snapshots: receivables, credit sales, DSO (countback), collection
    effectiveness index, promises kept and broken, disputes and their
    resolution time.  Rewritten by the daily snapshot cron."""

    _name = "settlement.receivable.kpi"
    _description = "Collection KPIs"
    _order = "date desc, id"
    _rec_name = "date"

    date = fields.Date(
        string="Month", required=True, index=True, readonly=True, help="Month end."
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    credit_sales = fields.Monetary(
        readonly=True, help="Customer invoices less credit notes of the month."
    )
    receivable_opening = fields.Monetary(string="Receivables at Start", readonly=True)
    receivable_closing = fields.Monetary(string="Receivables at End", readonly=True)
    receivable_current = fields.Monetary(
        string="Not Due at End", readonly=True, help="Receivables not yet due."
    )
    receivable_overdue = fields.Monetary(string="Overdue at End", readonly=True)
    dso = fields.Float(
        string="DSO (days)",
        digits=(8, 1),
        readonly=True,
        aggregator="avg",
        help="Days sales outstanding, countback method: the days of the latest "
        "months' sales that the receivables at the end of the month represent.",
    )
    cei = fields.Float(
        string="Collection Effectiveness (%)",
        digits=(5, 1),
        readonly=True,
        aggregator="avg",
        help="(Receivables at start + sales - receivables at end) / (receivables at "
        "start + sales - not due at end). 100 % means everything due was collected.",
    )
    promises_kept = fields.Integer(readonly=True)
    promises_broken = fields.Integer(readonly=True)
    disputes_opened = fields.Integer(readonly=True)
    disputes_resolved = fields.Integer(readonly=True)
    resolution_days = fields.Float(
        string="Days to Resolve Disputes",
        digits=(8, 1),
        readonly=True,
        aggregator="avg",
    )

    _sql_constraints = [
        (
            "company_date_uniq",
            "UNIQUE(company_id, date)",
            "One set of collection figures per company and month.",
        )
    ]

    def _monthly(self, query):
        return {
            month.date(): values for month, *values in self.env.execute_query(query)
        }

    def _refresh(self, company, today, months=KPI_MONTHS):
        """Rewrite the figures of the last ``months`` months and the current one
        (to date) from a few grouped queries."""
        month_ends = self.env["settlement.receivable.snapshot"]._month_ends(
            today, months
        )
        ends = sorted({today, *month_ends})
        self.env["settlement.receivable.query"]._flush()
        for model in ("settlement.promise", "settlement.dispute"):
            self.env[model].flush_model()
        start = ends[0].replace(day=1) - relativedelta(months=months)
        receivable = self.env.execute_query(
            SQL(
                """
            SELECT date_trunc('month', line.date),
                   SUM(line.balance),
                   SUM(line.balance) FILTER (
                       WHERE move.move_type IN ('out_invoice', 'out_refund'))
              FROM account_move_line line
              JOIN account_move move ON move.id = line.move_id
             WHERE %s
               AND line.date <= %s
          GROUP BY 1 ORDER BY 1
            """,
                self.env["settlement.receivable.query"]._receivable_sql(
                    company=company
                ),
                today,
            )
        )
        # Running balance per month: everything before the window included.
        balance_at, sales_of, running = {}, {}, 0.0
        for month, change, sales in receivable:
            running += change
            balance_at[month.date()] = running
            sales_of[month.date()] = sales or 0.0
        self.env["settlement.receivable.snapshot"].flush_model()
        # Not due and overdue as the snapshots net them (credits applied to
        # the oldest items first); what is left of credits is in neither.
        current_at, overdue_at = {}, {}
        for day, current, overdue in self.env.execute_query(
            SQL(
                """SELECT date,
                          SUM(amount) FILTER (WHERE bucket_index = 0),
                          SUM(amount) FILTER (WHERE bucket_index > 0)
                     FROM settlement_receivable_snapshot
                    WHERE company_id = %s AND date = ANY(%s) AND dimension = 'age'
                 GROUP BY date""",
                company.id,
                ends,
            )
        ):
            current_at[day], overdue_at[day] = current or 0.0, overdue or 0.0
        promises = self._monthly(
            SQL(
                """SELECT date_trunc('month', date_closed),
                          COUNT(*) FILTER (WHERE state = 'kept'),
                          COUNT(*) FILTER (WHERE state = 'broken')
                     FROM settlement_promise
                    WHERE company_id = %s AND date_closed >= %s
                 GROUP BY 1""",
                company.id,
                start,
            )
        )
        opened = self._monthly(
            SQL(
                """SELECT date_trunc('month', create_date), COUNT(*)
                     FROM settlement_dispute
                    WHERE company_id = %s AND create_date >= %s GROUP BY 1""",
                company.id,
                start,
            )
        )
        resolved = self._monthly(
            SQL(
                """SELECT date_trunc('month', date_resolved), COUNT(*),
                          AVG(resolution_days)
                     FROM settlement_dispute
                    WHERE company_id = %s AND date_resolved >= %s GROUP BY 1""",
                company.id,
                start,
            )
        )

        def balance(day):
            months_until = [m for m in balance_at if m <= day.replace(day=1)]
            return balance_at[max(months_until)] if months_until else 0.0

        values = []
        for end in ends:
            month = end.replace(day=1)
            opening = balance(month - relativedelta(days=1))
            closing = balance(end)
            current = current_at.get(end, 0.0)
            history = [
                (
                    calendar.monthrange(back.year, back.month)[1]
                    if back != month
                    else end.day,
                    sales_of.get(back, 0.0),
                )
                for back in (month - relativedelta(months=n) for n in range(12))
            ]
            kept, broken = promises.get(month, (0, 0))
            count_resolved, days = resolved.get(month, (0, None))
            values.append(
                {
                    "date": end,
                    "company_id": company.id,
                    "credit_sales": sales_of.get(month, 0.0),
                    "receivable_opening": opening,
                    "receivable_closing": closing,
                    "receivable_current": current,
                    "receivable_overdue": overdue_at.get(end, 0.0),
                    "dso": dso_countback(closing, history) or 0.0,
                    "cei": collection_effectiveness(
                        opening, sales_of.get(month, 0.0), closing, current
                    )
                    or 0.0,
                    "promises_kept": kept,
                    "promises_broken": broken,
                    "disputes_opened": opened.get(month, (0,))[0],
                    "disputes_resolved": count_resolved,
                    "resolution_days": days or 0.0,
                }
            )
        self.search(
            [
                ("company_id", "=", company.id),
                "|",
                ("date", "in", ends),
                ("date", ">=", today.replace(day=1)),
            ]
        ).unlink()
        return self.create(values)
