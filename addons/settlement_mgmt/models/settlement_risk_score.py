from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib.scoring import RiskFactors, risk_score

HISTORY_DAYS = 365


class SettlementRiskScore(models.Model):
    """A customer's payment-risk score in one company, with its explanation.

    Written in one set-based pass by the nightly cron and, for the customers
    concerned, whenever a payment is reconciled.  Read-only for users.
    """

    _name = "settlement.risk.score"
    _description = "Customer Risk Score"
    _order = "score, id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    score = fields.Float(
        digits=(5, 1),
        aggregator="avg",
        help="0 to 100, higher is safer.",
    )
    score_scale = fields.Integer(
        string="Out of",
        compute="_compute_score_scale",
        help="A score reads out of 100 (shown as 72 / 100), not as a percentage.",
    )
    grade = fields.Selection(
        selection=[("A", "A"), ("B", "B"), ("C", "C"), ("D", "D"), ("E", "E")],
        index=True,
    )
    weighted_days_late = fields.Float(
        string="Average Days Late",
        digits=(8, 1),
        aggregator="avg",
        help="Days between due date and payment, averaged over the last 12 months "
        "weighted by amount; what is still overdue counts with its days overdue "
        "so far.",
    )
    late_share = fields.Float(
        string="Paid Late (%)",
        digits=(5, 1),
        aggregator="avg",
        help="Share of the amount due in the last 12 months that was paid after its "
        "due date or is still overdue.",
    )
    overdue_ratio = fields.Float(
        string="Overdue Now (%)",
        digits=(5, 1),
        aggregator="avg",
        help="Share of the open balance that is overdue today.",
    )
    broken_promises = fields.Integer()
    lost_disputes = fields.Integer(string="Disputes Lost")
    paid_amount = fields.Monetary(
        string="Amount Paid (12 months)",
        help="Payments on the items due in the last 12 months; with what is overdue "
        "now, the basis of the lateness figures.",
    )
    days_late_penalty = fields.Float(string="Points Lost: Days Late", digits=(5, 1))
    late_share_penalty = fields.Float(string="Points Lost: Paid Late", digits=(5, 1))
    overdue_penalty = fields.Float(string="Points Lost: Overdue Now", digits=(5, 1))
    promise_penalty = fields.Float(string="Points Lost: Broken Promises", digits=(5, 1))
    dispute_penalty = fields.Float(string="Points Lost: Disputes Lost", digits=(5, 1))
    computed_at = fields.Datetime(string="Computed On")

    _sql_constraints = [
        (
            "partner_company_uniq",
            "UNIQUE(partner_id, company_id)",
            "A customer has one risk score per company.",
        )
    ]

    def _compute_score_scale(self):
        self.score_scale = 100

    @api.depends("score", "grade")
    def _compute_display_name(self):
        for record in self:
            record.display_name = self.env._(
                "Grade %(grade)s, %(score)s / 100",
                grade=record.grade or "-",
                score=record.score,
            )

    def _payment_history(self, company, partners=None):
        """{commercial partner id: (RiskFactors, paid basis)} for ``company``.

        Lateness is weighted by amount over the items due in the last 12 months:
        each payment (partial reconciliation) counts with the days between the
        item's due date and the payment, and what is still overdue counts with
        the days it has been overdue so far, so a customer who does not pay at
        all is not better off than one who pays late."""
        today = fields.Date.context_today(self)
        since = today - timedelta(days=HISTORY_DAYS)
        self.env["settlement.receivable.query"]._flush()
        rows = self.env.execute_query(
            SQL(
                """
            WITH items AS (
                SELECT line.id,
                       partner.commercial_partner_id AS partner_id,
                       line.date_maturity,
                       line.amount_residual,
                       line.reconciled
                  FROM account_move_line line
                  JOIN res_partner partner ON partner.id = line.partner_id
                 WHERE %(receivable)s
                   AND line.balance > 0
                   AND (NOT line.reconciled OR line.date_maturity >= %(since)s)
            ), paid AS (
                SELECT items.partner_id,
                       SUM(partial.amount) AS amount,
                       SUM(partial.amount
                           * GREATEST(partial.max_date - items.date_maturity, 0))
                           AS weighted,
                       SUM(partial.amount) FILTER (
                           WHERE partial.max_date > items.date_maturity) AS late
                  FROM items
                  JOIN account_partial_reconcile partial
                    ON partial.debit_move_id = items.id
                 WHERE items.date_maturity >= %(since)s
              GROUP BY items.partner_id
            ), still_open AS (
                SELECT partner_id,
                       SUM(amount_residual) AS amount,
                       SUM(amount_residual) FILTER (
                           WHERE amount_residual > 0 AND date_maturity < %(today)s)
                           AS overdue,
                       SUM(amount_residual * (%(today)s - date_maturity)) FILTER (
                           WHERE amount_residual > 0 AND date_maturity < %(today)s)
                           AS overdue_weighted
                  FROM items
                 WHERE NOT reconciled
              GROUP BY partner_id
            )
            SELECT COALESCE(paid.partner_id, still_open.partner_id),
                   COALESCE(paid.amount, 0), COALESCE(paid.weighted, 0),
                   COALESCE(paid.late, 0), COALESCE(still_open.amount, 0),
                   COALESCE(still_open.overdue, 0),
                   COALESCE(still_open.overdue_weighted, 0)
              FROM paid
              FULL JOIN still_open ON still_open.partner_id = paid.partner_id
            """,
                receivable=self.env["settlement.receivable.query"]._receivable_sql(
                    company=company, partners=partners
                ),
                since=since,
                today=today,
            )
        )
        history = {}
        for (
            partner_id,
            paid,
            weighted,
            late,
            open_amount,
            overdue,
            overdue_weighted,
        ) in rows:
            basis = paid + overdue
            history[partner_id] = (
                RiskFactors(
                    weighted_days_late=(weighted + overdue_weighted) / basis
                    if basis
                    else 0.0,
                    late_share=(late + overdue) / basis if basis else 0.0,
                    overdue_ratio=overdue / open_amount if open_amount > 0 else 0.0,
                ),
                paid,
            )
        return history

    def _extra_risk_counts(self, company, partner_ids):
        """{partner id: (broken promises, lost disputes)} in the last 12 months.

        Broken promises to pay and defaulted instalment plans are broken
        promises; a dispute is lost when it was rejected (closed afterwards
        or not)."""
        since = fields.Datetime.now() - timedelta(days=HISTORY_DAYS)
        lost = (
            self.env["settlement.dispute"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", partner_ids),
                    ("company_id", "=", company.id),
                    ("resolution_note", "!=", False),
                    ("accepted_amount", "=", 0),
                    ("state", "in", ("rejected", "closed")),
                    ("date_resolved", ">=", since),
                ],
                groupby=["partner_id"],
                aggregates=["__count"],
            )
        )
        defaulted = (
            self.env["settlement.instalment.plan"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", partner_ids),
                    ("company_id", "=", company.id),
                    ("date_defaulted", ">=", since.date()),
                ],
                groupby=["partner_id"],
                aggregates=["__count"],
            )
        )
        broken = (
            self.env["settlement.promise"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", partner_ids),
                    ("company_id", "=", company.id),
                    ("state", "=", "broken"),
                    ("date_closed", ">=", since.date()),
                ],
                groupby=["partner_id"],
                aggregates=["__count"],
            )
        )
        counts = {}
        for partner, count in defaulted + broken:
            counts.setdefault(partner.id, [0, 0])[0] += count
        for partner, count in lost:
            counts.setdefault(partner.id, [0, 0])[1] = count
        return {partner_id: tuple(pair) for partner_id, pair in counts.items()}

    @api.model
    def _recompute(self, company, partners=None):
        """Score every customer of ``company`` (or only ``partners``) in one pass."""
        history = self._payment_history(company, partners)
        extra = self._extra_risk_counts(company, list(history))
        now = fields.Datetime.now()
        uid = self.env.uid
        rows = []
        for partner_id, (factors, paid) in history.items():
            broken, lost = extra.get(partner_id, (0, 0))
            factors = RiskFactors(
                weighted_days_late=factors.weighted_days_late,
                late_share=factors.late_share,
                overdue_ratio=factors.overdue_ratio,
                broken_promises=broken,
                lost_disputes=lost,
            )
            result = risk_score(factors)
            rows.append(
                SQL(
                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                    "%s, %s, %s, %s)",
                    partner_id,
                    company.id,
                    result.score,
                    result.grade,
                    round(factors.weighted_days_late, 1),
                    round(factors.late_share * 100, 1),
                    round(factors.overdue_ratio * 100, 1),
                    broken,
                    lost,
                    paid,
                    result.days_late_penalty,
                    result.late_share_penalty,
                    result.overdue_penalty,
                    result.promise_penalty,
                    result.dispute_penalty,
                    now,
                    uid,
                    now,
                    uid,
                    now,
                )
            )
        if rows:
            self.env.cr.execute(
                SQL(
                    """
                INSERT INTO settlement_risk_score (
                    partner_id, company_id, score, grade, weighted_days_late,
                    late_share, overdue_ratio, broken_promises, lost_disputes,
                    paid_amount, days_late_penalty, late_share_penalty,
                    overdue_penalty, promise_penalty, dispute_penalty, computed_at,
                    create_uid, create_date, write_uid, write_date)
                VALUES %s
                ON CONFLICT (partner_id, company_id) DO UPDATE SET
                    score = EXCLUDED.score,
                    grade = EXCLUDED.grade,
                    weighted_days_late = EXCLUDED.weighted_days_late,
                    late_share = EXCLUDED.late_share,
                    overdue_ratio = EXCLUDED.overdue_ratio,
                    broken_promises = EXCLUDED.broken_promises,
                    lost_disputes = EXCLUDED.lost_disputes,
                    paid_amount = EXCLUDED.paid_amount,
                    days_late_penalty = EXCLUDED.days_late_penalty,
                    late_share_penalty = EXCLUDED.late_share_penalty,
                    overdue_penalty = EXCLUDED.overdue_penalty,
                    promise_penalty = EXCLUDED.promise_penalty,
                    dispute_penalty = EXCLUDED.dispute_penalty,
                    computed_at = EXCLUDED.computed_at,
                    write_uid = EXCLUDED.write_uid,
                    write_date = EXCLUDED.write_date
                    """,
                    SQL(", ").join(rows),
                )
            )
        self.invalidate_model()
        return len(rows)

    @api.model
    def _cron_settlement_risk_scores(self):
        """Nightly: one set-based pass per company."""
        companies = self.env["res.company"].search([("active", "=", True)])
        for done, company in enumerate(companies, start=1):
            self._recompute(company)
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=len(companies) - done
            )
