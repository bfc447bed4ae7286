from odoo import fields, models
from odoo.tools import SQL


class SettlementDisputeAnalysis(models.Model):
    """Per company and invoice month: how much was invoiced, how much of it was
    disputed, and how fast disputes were resolved."""

    _name = "settlement.dispute.analysis"
    _description = "Dispute Analysis by Month"
    _auto = False
    _order = "month desc"
    _rec_name = "month"

    month = fields.Date(string="Invoice Month", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    invoiced_amount = fields.Monetary(string="Invoiced", readonly=True)
    disputed_amount = fields.Monetary(string="Disputed", readonly=True)
    dispute_count = fields.Integer(string="Disputes", readonly=True)
    disputed_share = fields.Float(
        string="Disputed (%)",
        readonly=True,
        aggregator="avg",
        digits=(5, 2),
        help="Share of the amount invoiced in the month that customers disputed.",
    )
    avg_resolution_days = fields.Float(
        string="Average Days to Resolution",
        readonly=True,
        aggregator="avg",
        digits=(8, 1),
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH invoiced AS (
                SELECT date_trunc('month', invoice_date)::date AS month,
                       company_id,
                       SUM(amount_total_signed) AS amount
                  FROM account_move
                 WHERE move_type = 'out_invoice' AND state = 'posted'
              GROUP BY 1, 2
            ), disputed AS (
                SELECT date_trunc('month', invoice.invoice_date)::date AS month,
                       dispute.company_id,
                       SUM(dispute.amount_company) AS amount,
                       COUNT(*) AS disputes,
                       AVG(dispute.resolution_days)
                           FILTER (WHERE dispute.date_resolved IS NOT NULL) AS days
                  FROM settlement_dispute dispute
                  JOIN account_move invoice ON invoice.id = dispute.move_id
              GROUP BY 1, 2
            )
            SELECT (COALESCE(i.company_id, d.company_id) * 100000
                    + EXTRACT(YEAR FROM COALESCE(i.month, d.month)) * 12
                    + EXTRACT(MONTH FROM COALESCE(i.month, d.month)))::integer AS id,
                   COALESCE(i.month, d.month) AS month,
                   COALESCE(i.company_id, d.company_id) AS company_id,
                   COALESCE(i.amount, 0) AS invoiced_amount,
                   COALESCE(d.amount, 0) AS disputed_amount,
                   COALESCE(d.disputes, 0) AS dispute_count,
                   CASE WHEN i.amount > 0 THEN 100 * COALESCE(d.amount, 0) / i.amount
                        ELSE 0 END AS disputed_share,
                   d.days AS avg_resolution_days
              FROM invoiced i
              FULL JOIN disputed d ON d.month = i.month AND d.company_id = i.company_id
            """
        )
