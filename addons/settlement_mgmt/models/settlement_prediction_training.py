import json
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib.prediction import (
    Feature,
    NotEnoughHistory,
    auc,
    brier,
    calibration,
    calibration_fit,
    calibration_weeks,
    fit_platt,
    recency_weight,
    train,
)

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
)
# Days of the recent late share.
RECENT_DAYS = 90
# Weeks of history: the model learns from TRAINING_WEEKS before the last
# weeks held back to calibrate its probabilities (Platt scaling) on the most
# recent behaviour: the shortest of CALIBRATION_WEEKS holding
# MIN_CALIBRATION_OUTCOMES of each outcome.  The shorter, the closer to
# today's behaviour when the late rate drifts (backtest under drift: slope /
# intercept 0.82 / -0.48 on 13 weeks, 0.93 / 0.02 on 5); a small company
# needs the longer windows to have enough outcomes at all.  The backtest does
# the same standing BACKTEST_WEEKS ago and is judged on the invoices due since.
TRAINING_WEEKS = 104
CALIBRATION_WEEKS = (5, 9, 13)
BACKTEST_WEEKS = 17
# Older invoices weigh less when learning: a drifting late rate is learnt
# from the recent past rather than averaged over two years.
HALF_LIFE_DAYS = 365
# Platt scaling needs this many late and as many on-time invoices in the
# calibration window; with fewer it would mostly pull every probability to
# the middle, so the scorecard's own probabilities are kept.
MIN_CALIBRATION_OUTCOMES = 30
# Below this on the invoices held back the model guesses: no risk is shown.
MIN_AUC = 0.6


class SettlementPredictionTrainingMixin(models.AbstractModel):
    """How a late-payment model is learnt and judged: the factors of every
    invoice as they stood on its invoice date (one query), the scorecard
    trained on the past and calibrated on the most recent weeks, and the
    backtest of the same method standing BACKTEST_WEEKS ago.  Mixed into
    ``settlement.prediction.model``, which stores the result."""

    _name = "settlement.prediction.training.mixin"
    _description = "Late-Payment Model Training"

    def _bin_sql(self, feature, value):
        if not feature.bounds:
            return value
        return SQL(
            "(SELECT COUNT(*) FROM unnest(%s::float[]) AS bound WHERE %s > bound)",
            list(feature.bounds),
            value,
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
            "reminders": SQL("COALESCE(reminders.count, 0)"),
            "prior_invoices": SQL("COALESCE(history.prior_count, 0)"),
            "dispute": SQL("COALESCE(disputes.level, 0)"),
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
            ), history AS (
                SELECT item.id,
                       COUNT(*) AS prior_count,
                       SUM(prior.amount) AS due_amount,
                       SUM(prior.amount) FILTER (
                           WHERE COALESCE(prior.paid_on, item.invoice_date) > prior.due
                       ) AS late_amount,
                       SUM(prior.amount) FILTER (
                           WHERE prior.due >= item.invoice_date - %(recent_days)s
                       ) AS recent_amount,
                       SUM(prior.amount) FILTER (
                           WHERE prior.due >= item.invoice_date - %(recent_days)s
                             AND COALESCE(prior.paid_on, item.invoice_date) > prior.due
                       ) AS recent_late_amount,
                       SUM(prior.amount) FILTER (
                           WHERE prior.paid_on < prior.due
                             AND prior.paid_on < item.invoice_date
                       ) AS early_amount,
                       SUM(prior.amount * GREATEST(LEAST(
                           COALESCE(prior.paid_on, item.invoice_date),
                           item.invoice_date) - prior.due, 0))
                           / NULLIF(SUM(prior.amount), 0) AS days_late
                  FROM scoped item
                  JOIN item prior
                    ON prior.partner_id = item.partner_id
                   AND prior.due < item.invoice_date
                   AND prior.due >= item.invoice_date - 365
              GROUP BY item.id
            ), reminders AS (
                SELECT item.id, COUNT(*) AS count
                  FROM scoped item
                  JOIN settlement_dunning_communication communication
                    ON communication.partner_id = item.partner_id
                   AND communication.date < item.invoice_date
                   AND communication.date >= item.invoice_date - 365
              GROUP BY item.id
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
              LEFT JOIN reminders ON reminders.id = item.id
              LEFT JOIN disputes ON disputes.id = item.id
            """,
            items=self.env["settlement.receivable.query"]._invoice_items_sql(company),
            scope=scopes[scope],
            bins=bins,
            raw=raw,
            company=company.id,
            recent_days=RECENT_DAYS,
            today=today,
            then=backtest_from or today,
            # Learning reads disputes opened by the due date; an open invoice
            # every dispute opened so far.
            dispute_until=SQL("item.due") if scope == "history" else today,
        )

    def _history(self, company):
        """The payment history grouped by factor bins and age: (bins, weeks
        between the due date and today, late known today, late known at the
        backtest date, count)."""
        today = fields.Date.context_today(self)
        weeks = TRAINING_WEEKS + max(CALIBRATION_WEEKS) + BACKTEST_WEEKS
        names = SQL(", ").join(SQL.identifier(f.name) for f in FEATURES)
        rows = self.env.execute_query(
            SQL(
                """
            SELECT %(names)s, (%(today)s - due - 1) / 7 AS week,
                   COUNT(*) FILTER (WHERE late), COUNT(*) FILTER (WHERE late_then),
                   COUNT(*)
              FROM (%(features)s) features
          GROUP BY %(names)s, week
            """,
                names=names,
                today=today,
                features=self._features_sql(
                    company,
                    today - timedelta(weeks=weeks),
                    "history",
                    backtest_from=today - timedelta(weeks=BACKTEST_WEEKS),
                ),
            )
        )
        size = len(FEATURES)
        return [(tuple(row[:size]), *row[size:]) for row in rows]

    def _fit(self, history, now_week, known):
        """The calibrated model as it would have been learnt ``now_week`` weeks
        ago: trained on TRAINING_WEEKS before the calibration window (recent
        invoices weighing more), then Platt-scaled on that window.
        ``known``: 2 for outcomes known today, 3 for the backtest date's."""
        weekly = {}
        for row in history:
            counts = weekly.setdefault(row[1] - now_week, [0, 0])
            counts[0] += row[known]
            counts[1] += row[4]
        start = now_week + calibration_weeks(
            weekly, CALIBRATION_WEEKS, MIN_CALIBRATION_OUTCOMES
        )
        groups, window = [], []
        for row in history:
            bins, week = row[0], row[1]
            if start <= week < start + TRAINING_WEEKS:
                weight = recency_weight(7 * (week - start), HALF_LIFE_DAYS)
                groups.append((bins, row[known] * weight, row[4] * weight))
            elif now_week <= week < start:
                window.append(row)
        model = train(
            groups,
            [feature.bin_count for feature in FEATURES],
            [feature.name for feature in FEATURES],
        )
        slope, intercept = fit_platt(
            [(model.log_odds(row[0]), row[known], row[4]) for row in window],
            min_each=MIN_CALIBRATION_OUTCOMES,
        )
        return model.calibrated(slope, intercept)

    @api.model
    def _backtest_figures(self, scored):
        slope, intercept = calibration_fit(scored) or (0.0, 0.0)
        return {
            "auc": auc(scored) or 0.0,
            "brier": brier(scored) or 0.0,
            "slope": slope,
            "intercept": intercept,
            "distinct": len({round(p, 9) for p, _late, total in scored if total}),
        }

    @api.model
    def _backtest(self, history):
        """The model as it would have been learnt BACKTEST_WEEKS ago, judged
        on the invoices due since: (invoices held back, figures, figures
        before calibration, reliability table).  A young history (a new
        company, the demo) has no backtest: no invoice held back, empty
        figures, so the model is not marked reliable."""
        try:
            earlier = self._fit(history, BACKTEST_WEEKS, 3)
        except NotEnoughHistory:
            empty = self._backtest_figures([])
            return 0, empty, empty, []
        held_back = [row for row in history if row[1] < BACKTEST_WEEKS]
        calibrated = [(earlier.probability(r[0]), r[2], r[4]) for r in held_back]
        raw = earlier.calibrated(1.0, 0.0)
        uncalibrated = [(raw.probability(r[0]), r[2], r[4]) for r in held_back]
        return (
            int(sum(row[4] for row in held_back)),
            self._backtest_figures(calibrated),
            self._backtest_figures(uncalibrated),
            calibration(calibrated),
        )

    @api.model
    def _train(self, company):
        """Backtest standing BACKTEST_WEEKS ago, then learn from everything
        known; returns the new model record (None without enough history).
        One query reads the whole history."""
        today = fields.Date.context_today(self)
        history = self._history(company)
        try:
            model = self._fit(history, 0, 2)
        except NotEnoughHistory:
            return None
        held_back_count, figures, uncalibrated, table = self._backtest(history)
        learnt = [
            row for row in history if row[1] < TRAINING_WEEKS + max(CALIBRATION_WEEKS)
        ]
        late = sum(row[2] for row in learnt)
        total = sum(row[4] for row in learnt)
        return self.env["settlement.prediction.model"].create(
            {
                "company_id": company.id,
                "trained_at": fields.Datetime.now(),
                "sample_count": total,
                "late_rate": 100.0 * late / total,
                "backtest_date": today - timedelta(weeks=BACKTEST_WEEKS),
                "backtest_count": held_back_count,
                "backtest_auc": figures["auc"],
                "backtest_brier": figures["brier"],
                "backtest_slope": figures["slope"],
                "backtest_intercept": figures["intercept"],
                "backtest_distinct": figures["distinct"],
                "backtest_json": json.dumps({"uncalibrated": uncalibrated}),
                "reliable": total >= company.settlement_prediction_min_invoices
                and figures["auc"] >= MIN_AUC,
                "calibration_json": json.dumps(table),
                "weights_json": json.dumps(model.to_dict()),
            }
        )
