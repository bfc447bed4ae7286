from odoo import fields, models
from odoo.tools import SQL

# A quarter: the forecast compared is the first one kept at most this many
# days ago, so its 13 weeks have just gone by.
QUARTER_DAYS = 91


class SettlementCollectionForecastReview(models.Model):
    """Last quarter's collections forecast against the cash that came in.

    For each company, the forecast kept about a quarter ago (the first
    weekly forecast at most 91 days old): each of its weeks already over,
    what it expected and what customers actually paid that week (payments and
    bank statement lines credited to a receivable account, company
    currency).  Empty until a forecast is a week old."""

    _name = "settlement.collection.forecast.review"
    _description = "Collections Forecast against Collected"
    _auto = False
    _order = "company_id, week_start"
    _rec_name = "week_start"

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    snapshot_date = fields.Date(string="Forecast Date", readonly=True)
    week_index = fields.Integer(string="Week", readonly=True)
    week_start = fields.Date(string="Week Starting", readonly=True)
    forecast_amount = fields.Monetary(string="Forecast", readonly=True)
    collected_amount = fields.Monetary(string="Collected", readonly=True)
    difference = fields.Monetary(
        readonly=True, help="Collected minus forecast: positive when more came in."
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH baseline AS (
                SELECT company_id, MIN(snapshot_date) AS snapshot_date
                  FROM settlement_collection_forecast
                 WHERE snapshot_date >= %(today)s::date - %(quarter)s
              GROUP BY company_id
            ), week AS (
                SELECT baseline.company_id, baseline.snapshot_date,
                       company.currency_id, number AS week_index,
                       baseline.snapshot_date + 7 * (number - 1) AS week_start
                  FROM baseline
                  JOIN res_company company ON company.id = baseline.company_id
                 CROSS JOIN generate_series(1, 13) AS number
                 WHERE baseline.snapshot_date + 7 * number <= %(today)s
            ), forecast AS (
                SELECT forecast.company_id, forecast.week_index,
                       SUM(forecast.amount) AS amount
                  FROM settlement_collection_forecast forecast
                  JOIN baseline ON baseline.company_id = forecast.company_id
                               AND baseline.snapshot_date = forecast.snapshot_date
              GROUP BY 1, 2
            ), collected AS (
                SELECT week.company_id, week.week_index,
                       -SUM(line.balance) AS amount
                  FROM week
                  JOIN account_move_line line
                    ON line.company_id = week.company_id
                   AND line.date >= week.week_start
                   AND line.date < week.week_start + 7
                  JOIN account_move move ON move.id = line.move_id
                 WHERE %(receivable)s
                   AND line.balance < 0
                   AND (move.origin_payment_id IS NOT NULL
                        OR move.statement_line_id IS NOT NULL)
              GROUP BY 1, 2
            )
            SELECT week.company_id * 100 + week.week_index AS id,
                   week.company_id, week.currency_id, week.snapshot_date,
                   week.week_index, week.week_start,
                   COALESCE(forecast.amount, 0) AS forecast_amount,
                   COALESCE(collected.amount, 0) AS collected_amount,
                   COALESCE(collected.amount, 0) - COALESCE(forecast.amount, 0)
                       AS difference
              FROM week
         LEFT JOIN forecast ON forecast.company_id = week.company_id
                           AND forecast.week_index = week.week_index
         LEFT JOIN collected ON collected.company_id = week.company_id
                            AND collected.week_index = week.week_index
            """,
            # the user's today, as the forecast's dates are
            today=fields.Date.context_today(self),
            quarter=QUARTER_DAYS,
            receivable=self.env["settlement.receivable.query"]._receivable_sql(),
        )
