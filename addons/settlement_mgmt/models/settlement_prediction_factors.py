from odoo import fields, models
from odoo.tools import SQL

from ..lib.prediction import Feature

# Every factor is binned; bin 0 is the reference the others are compared with.
# The customer's record (late_share, days_late, relative_amount,
# prior_invoices: -1 or 0 without history) is read over the 12 months before
# the invoice, as it stood on the invoice date.  A customer whose invoices were
# all paid on time has a late share of 0 (bin 1), not "no history" (bin 0).
FEATURES = (
    Feature("late_share", (-0.5, 0.0, 0.1, 0.25, 0.5, 0.75), 7),
    Feature("days_late", (0.0, 5.0, 15.0, 30.0, 60.0), 6),
    # Share of the amount settled in full before its due date (backtest under
    # drift: AUC 0.872 -> 0.875).
    Feature("early_share", (-0.5, 0.0, 0.25, 0.5, 0.75), 6),
    Feature("amount", (500.0, 2000.0, 10000.0), 4),
    Feature("relative_amount", (-0.5, 0.5, 1.5, 3.0), 5),
    Feature("term_days", (0.0, 30.0, 45.0), 4),
    # The month, not the quarter: late months (holidays, year end) are single
    # months, and a quarter learnt from them made its quiet months look risky
    # (backtest under drift: AUC 0.863 -> 0.872, calibration intercept -1.34
    # -> -0.48 before the shorter calibration window).
    Feature("due_month", (), 12),
    Feature("reminders", (0.0, 2.0, 5.0, 10.0), 5),
    Feature("prior_invoices", (0.0, 3.0, 10.0, 30.0), 5),
    # 0 none, 1 another invoice of the customer disputed and still open on
    # the invoice date, 2 this invoice disputed by its due date.
    Feature("dispute", (), 3),
    # The late share over the last RECENT_DAYS: a customer whose payments
    # change is seen within weeks, not averaged over a year.
    Feature("recent_late_share", (-0.5, 0.0, 0.1, 0.25, 0.5, 0.75), 7),
    # Of what the customer settled in the 12 months before the invoice (by
    # settlement date), the share that took more than one payment.
    Feature("split_share", (-0.5, 0.0, 0.25, 0.5), 5),
    # Promises to pay broken and instalment plans defaulted in those months.
    Feature("broken_commitments", (0.0, 1.0), 3),
    # Days since the customer's first invoice (0: this is its first).
    Feature("tenure_days", (0.0, 90.0, 365.0, 730.0), 5),
)
# Days of the recent late share.
RECENT_DAYS = 90
# The running totals of the customer's record read at each probe of an
# invoice dated D (see _customer_record_sql): at D, at D - 365 (the year's
# window starts) and at D - RECENT_DAYS.
RUNNING_TOTALS = {
    "now": (
        "n amount late late_due early settled settled_on reminders paid split"
    ).split(),
    "year": (
        "n amount late late_due early paid_late paid_late_on reminders paid split"
    ).split(),
    "recent": "amount late".split(),
}


class SettlementPredictionFactorsMixin(models.AbstractModel):
    """The factors of the late-payment model: for every customer invoice, its
    customer's record, amount, terms, season, reminders and disputes as they
    stood on its invoice date, binned (see FEATURES), in one query.  Mixed
    into the training, which learns from them, and read by the nightly
    predictions of the open invoices."""

    _name = "settlement.prediction.factors.mixin"
    _description = "Late-Payment Factors"

    def _bin_sql(self, feature, value):
        """SQL: the bin of ``value``, the number of the feature's bounds it
        exceeds (0 when NULL).  A CASE from the top bound down, not a count
        over the bounds: a subquery per row and factor cost a quarter of the
        open invoices' factors at 10,000 customers."""
        if not feature.bounds:
            return value
        return SQL(
            "CASE %s ELSE 0 END",
            SQL(" ").join(
                SQL("WHEN %s > %s THEN %s", value, float(bound), index)
                for index, bound in reversed(list(enumerate(feature.bounds, start=1)))
            ),
        )

    def _customer_record_sql(self):
        """SQL of the ``history`` CTE of :meth:`_features_sql`: the customer's
        record over the year before each ``scoped`` invoice's date D, read
        from the customer's ``item`` rows due in [D - 365, D): id,
        prior_count, due_amount, late_amount (paid after the due date or
        still open), recent_amount and recent_late_amount (due in the last
        RECENT_DAYS), early_amount (settled before the due date), days_late
        (amount-weighted days between the due date and the payment, or D
        while unpaid then), reminders (sent to the customer in the year
        before D), paid_amount and split_amount (settled in that year by
        settlement date, and of it settled in more than one payment).

        Pairing every invoice with every earlier one of its customer costs
        the square of a customer's invoices: 12.5 million pairs for a customer
        with 5,000 open items, 15 s whatever the size of the company.  So the
        sums are running totals instead, one sort of the items' due and
        payment dates and the reminders' dates with three probes per invoice
        (D, D - 365, D - 90); a window's sum is the difference of two running
        totals.  Days late: an item due in the window and late adds amount x
        (D - due) less amount x (D - paid on) when it was paid before D; the
        items paid before D but due before the window are taken off by the
        same running totals, except those paid over a year late, and later
        than D, which are paired directly (rare).  Every sum is exact
        ``numeric``."""
        late = SQL("(item.paid_on IS NULL OR item.paid_on > item.due)")
        paid_late = SQL("item.paid_on > item.due")
        return SQL(
            """
            WITH point AS (
                -- kind 0, a probe, sorts before the items of its date: a
                -- running total at a probe sums what is due before it.
                SELECT item.partner_id, probe.at, 0 AS kind, item.id AS probe_id,
                       probe.name, 0 AS n, 0 AS amount, 0 AS late, 0 AS late_due,
                       0 AS early, 0 AS paid_late, 0 AS paid_late_on,
                       0 AS settled, 0 AS settled_on, 0 AS reminders,
                       0 AS paid, 0 AS split
                  FROM scoped item
                 CROSS JOIN LATERAL (VALUES
                       ('now', item.invoice_date),
                       ('year', item.invoice_date - 365),
                       ('recent', item.invoice_date - %(recent_days)s)
                       ) AS probe(name, at)
                 UNION ALL
                -- every item of the customer on its due date
                SELECT item.partner_id, item.due, 1, NULL, NULL, 1, item.amount,
                       CASE WHEN %(late)s THEN item.amount ELSE 0 END,
                       CASE WHEN %(late)s THEN item.amount * (item.due - %(epoch)s)
                            ELSE 0 END,
                       CASE WHEN item.paid_on < item.due THEN item.amount ELSE 0 END,
                       CASE WHEN %(paid_late)s THEN item.amount ELSE 0 END,
                       CASE WHEN %(paid_late)s
                            THEN item.amount * (item.paid_on - %(epoch)s) ELSE 0 END,
                       0, 0, 0, 0, 0
                  FROM item
                 UNION ALL
                -- and every item settled again on its settlement date
                SELECT item.partner_id, item.paid_on, 1, NULL, NULL, 0, 0, 0, 0, 0,
                       0, 0,
                       CASE WHEN %(paid_late)s THEN item.amount ELSE 0 END,
                       CASE WHEN %(paid_late)s
                            THEN item.amount * (item.paid_on - %(epoch)s) ELSE 0 END,
                       0, item.amount,
                       CASE WHEN item.parts > 1 THEN item.amount ELSE 0 END
                  FROM item
                 WHERE item.paid_on IS NOT NULL
                 UNION ALL
                -- every reminder sent to the customer on its date
                SELECT partner_id, date, 1, NULL, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
                       0, 0
                  FROM settlement_dunning_communication
            ), running AS (
                SELECT probe_id, name,
                       SUM(n) OVER w AS n, SUM(amount) OVER w AS amount,
                       SUM(late) OVER w AS late, SUM(late_due) OVER w AS late_due,
                       SUM(early) OVER w AS early,
                       SUM(paid_late) OVER w AS paid_late,
                       SUM(paid_late_on) OVER w AS paid_late_on,
                       SUM(settled) OVER w AS settled,
                       SUM(settled_on) OVER w AS settled_on,
                       SUM(reminders) OVER w AS reminders,
                       SUM(paid) OVER w AS paid, SUM(split) OVER w AS split
                  FROM point
                WINDOW w AS (PARTITION BY partner_id ORDER BY at, kind
                             ROWS UNBOUNDED PRECEDING)
            ), probed AS (
                SELECT probe_id AS id,
                       %(by_name)s
                  FROM running
                 WHERE probe_id IS NOT NULL
              GROUP BY probe_id
            ), paid_over_a_year_late AS (
                SELECT item.id,
                       SUM(prior.amount * (item.invoice_date - prior.paid_on))
                           AS amount
                  FROM scoped item
                  JOIN item prior
                    ON prior.partner_id = item.partner_id
                   AND prior.paid_on - prior.due > 365
                   AND prior.due < item.invoice_date - 365
                   AND prior.paid_on >= item.invoice_date
              GROUP BY item.id
            ), window_sums AS (
                SELECT probed.id, item.invoice_date - %(epoch)s AS day,
                       now_n - year_n AS prior_count,
                       now_amount - year_amount AS due_amount,
                       now_late - year_late AS late_amount,
                       now_amount - recent_amount AS recent_amount,
                       now_late - recent_late AS recent_late_amount,
                       now_early - year_early AS early_amount,
                       now_reminders - year_reminders AS reminders,
                       now_late_due - year_late_due AS late_due,
                       -- paid late before D and due in the window
                       now_settled - year_paid_late AS settled,
                       now_settled_on - year_paid_late_on
                           - COALESCE(rare.amount, 0) AS settled_on,
                       -- settled in the window, by settlement date
                       now_paid - year_paid AS paid_amount,
                       now_split - year_split AS split_amount
                  FROM probed
                  JOIN scoped item ON item.id = probed.id
                  LEFT JOIN paid_over_a_year_late rare ON rare.id = probed.id
            )
            SELECT id, prior_count, due_amount, late_amount, recent_amount,
                   recent_late_amount, early_amount, reminders, paid_amount,
                   split_amount,
                   (day * late_amount - late_due - (day * settled - settled_on))
                       / NULLIF(due_amount, 0) AS days_late
              FROM window_sums
            """,
            late=late,
            paid_late=paid_late,
            epoch=SQL("DATE '2000-01-01'"),
            recent_days=RECENT_DAYS,
            by_name=SQL(", ").join(
                SQL(
                    "MAX(%s) FILTER (WHERE name = %s) AS %s",
                    SQL.identifier(column),
                    name,
                    SQL.identifier(f"{name}_{column}"),
                )
                for name, columns in RUNNING_TOTALS.items()
                for column in columns
            ),
        )

    def _features_sql(self, company, as_of, scope, backtest_from=None):
        """Binned factors of customer invoices with what became of them.

        ``scope``: ``history`` (due from ``as_of`` to yesterday) or ``open``
        (still to pay).  Columns: id, move, customer, due date, one bin per
        factor, paid late (known today), days after the due date it was paid
        (or today while unpaid), paid late as known on ``backtest_from``, then
        the raw value of every factor (for models that bin nothing, such as
        the bench's baseline).  A customer's record is read as it stood on
        each invoice's date, so learning never sees the future; a dispute on
        the invoice counts when it was opened by the due date."""
        today = fields.Date.context_today(self)
        self.env["settlement.receivable.query"]._flush()
        self.env["settlement.dunning.communication"].flush_model()
        self.env["settlement.dispute"].flush_model()
        self.env["settlement.promise"].flush_model(["state", "date_closed"])
        self.env["settlement.instalment.plan"].flush_model(["date_defaulted"])
        scopes = {
            "history": SQL("item.due >= %s AND item.due < %s", as_of, today),
            "open": SQL("item.residual > 0"),
        }
        values = {
            "late_share": SQL(
                """CASE WHEN history.due_amount > 0
                        THEN COALESCE(history.late_amount, 0) / history.due_amount
                        ELSE -1 END"""
            ),
            "recent_late_share": SQL(
                """CASE WHEN history.recent_amount > 0
                        THEN COALESCE(history.recent_late_amount, 0)
                             / history.recent_amount
                        ELSE -1 END"""
            ),
            "early_share": SQL(
                """CASE WHEN history.due_amount > 0
                        THEN COALESCE(history.early_amount, 0) / history.due_amount
                        ELSE -1 END"""
            ),
            "days_late": SQL("COALESCE(history.days_late, 0)"),
            "amount": SQL("item.amount"),
            "relative_amount": SQL(
                """CASE WHEN history.due_amount > 0
                        THEN item.amount * history.prior_count / history.due_amount
                        ELSE -1 END"""
            ),
            "term_days": SQL("item.due - item.invoice_date"),
            "due_month": SQL("EXTRACT(MONTH FROM item.due)::int - 1"),
            "reminders": SQL("COALESCE(history.reminders, 0)"),
            "prior_invoices": SQL("COALESCE(history.prior_count, 0)"),
            "dispute": SQL("COALESCE(disputes.level, 0)"),
            "split_share": SQL(
                """CASE WHEN history.paid_amount > 0
                        THEN COALESCE(history.split_amount, 0) / history.paid_amount
                        ELSE -1 END"""
            ),
            "broken_commitments": SQL("COALESCE(commitments.broken, 0)"),
            "tenure_days": SQL("item.invoice_date - first_invoice.day"),
        }
        bins = SQL(", ").join(
            SQL("%s AS %s", self._bin_sql(f, values[f.name]), SQL.identifier(f.name))
            for f in FEATURES
        )
        raw = SQL(", ").join(
            SQL("(%s)::float AS %s", values[f.name], SQL.identifier(f"raw_{f.name}"))
            for f in FEATURES
        )
        return SQL(
            """
            WITH item AS (%(items)s), scoped AS (
                SELECT * FROM item WHERE %(scope)s
            ), history AS (%(history)s
            ), disputes AS (
                SELECT item.id,
                       MAX(CASE WHEN dispute.move_id = item.move_id THEN 2 ELSE 1 END)
                           AS level
                  FROM scoped item
                  JOIN settlement_dispute dispute
                    ON dispute.partner_id = item.partner_id
                   AND dispute.company_id = %(company)s
                 WHERE (dispute.move_id = item.move_id
                        AND dispute.create_date::date <= %(dispute_until)s)
                    OR (dispute.move_id != item.move_id
                        AND dispute.create_date::date <= item.invoice_date
                        AND (dispute.date_resolved IS NULL
                             OR dispute.date_resolved::date > item.invoice_date))
              GROUP BY item.id
            ), commitments AS (
                -- promises broken and plans defaulted in the year before D
                SELECT item.id, COUNT(*) AS broken
                  FROM scoped item
                  JOIN (SELECT partner_id, date_closed AS day
                          FROM settlement_promise
                         WHERE state = 'broken' AND company_id = %(company)s
                         UNION ALL
                        SELECT partner.commercial_partner_id, plan.date_defaulted
                          FROM settlement_instalment_plan plan
                          JOIN res_partner partner ON partner.id = plan.partner_id
                         WHERE plan.date_defaulted IS NOT NULL
                           AND plan.company_id = %(company)s) broken
                    ON broken.partner_id = item.partner_id
                   AND broken.day < item.invoice_date
                   AND broken.day >= item.invoice_date - 365
              GROUP BY item.id
            ), first_invoice AS (
                -- known on every invoice's date: none came before the first
                SELECT partner_id, MIN(invoice_date) AS day
                  FROM item
              GROUP BY partner_id
            )
            SELECT item.id, item.move_id, item.partner_id, item.due, %(bins)s,
                   LEAST(COALESCE(item.paid_on, %(today)s), %(today)s) > item.due
                       AS late,
                   LEAST(COALESCE(item.paid_on, %(today)s), %(today)s) - item.due
                       AS delay,
                   LEAST(COALESCE(item.paid_on, %(then)s), %(then)s) > item.due
                       AS late_then,
                   %(raw)s
              FROM scoped item
              LEFT JOIN history ON history.id = item.id
              LEFT JOIN disputes ON disputes.id = item.id
              LEFT JOIN commitments ON commitments.id = item.id
              LEFT JOIN first_invoice ON first_invoice.partner_id = item.partner_id
            """,
            items=self.env["settlement.receivable.query"]._invoice_items_sql(company),
            scope=scopes[scope],
            history=self._customer_record_sql(),
            bins=bins,
            raw=raw,
            company=company.id,
            today=today,
            then=backtest_from or today,
            # Learning reads disputes opened by the due date; an open invoice
            # every dispute opened so far.
            dispute_until=SQL("item.due") if scope == "history" else today,
        )
