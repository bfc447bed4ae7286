import json
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib.forecast import backtest as date_backtest
from ..lib.prediction import (
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
from .settlement_prediction_factors import FEATURES

# Weeks of history: the model learns from TRAINING_WEEKS before the last
# weeks held back to calibrate its probabilities (Platt scaling) on the most
# recent behaviour: the shortest of CALIBRATION_WEEKS holding
# MIN_CALIBRATION_OUTCOMES of each outcome.  The shorter, the closer to
# today's behaviour when the late rate drifts (backtest under drift: slope /
# intercept 0.82 / -0.48 on 13 weeks, 0.93 / 0.02 on 5); a small company
# needs the longer windows to have enough outcomes at all.  The backtest does
# the same standing BACKTEST_WEEKS ago and is judged on the invoices due since,
# recalibrated week by week as the weekly retraining does (see _backtest).
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
    _inherit = ["settlement.prediction.factors.mixin"]
    _description = "Late-Payment Model Training"

    def _history(self, company):
        """The payment history grouped by factor bins and age: (bins, weeks
        between the due date and today, late known today, late known at the
        backtest date, count, journal item id).  The invoices due in the
        weeks held back are one row each, with their journal item (the
        expected date's backtest dates each of them); the id is None in the
        groups before."""
        today = fields.Date.context_today(self)
        weeks = TRAINING_WEEKS + max(CALIBRATION_WEEKS) + BACKTEST_WEEKS
        backtest_from = today - timedelta(weeks=BACKTEST_WEEKS)
        names = SQL(", ").join(SQL.identifier(f.name) for f in FEATURES)
        rows = self.env.execute_query(
            SQL(
                """
            SELECT %(names)s, (%(today)s - due - 1) / 7 AS week,
                   COUNT(*) FILTER (WHERE late), COUNT(*) FILTER (WHERE late_then),
                   COUNT(*), CASE WHEN due >= %(backtest_from)s THEN id END AS item
              FROM (%(features)s) features
          GROUP BY %(names)s, week, item
            """,
                names=names,
                today=today,
                backtest_from=backtest_from,
                features=self._features_sql(
                    company,
                    today - timedelta(weeks=weeks),
                    "history",
                    backtest_from=backtest_from,
                ),
            )
        )
        size = len(FEATURES)
        return [(tuple(row[:size]), *row[size:]) for row in rows]

    def _rows_by_week(self, history):
        """The history's rows per weeks ago: every window below is a range
        of weeks."""
        by_week = {}
        for row in history:
            by_week.setdefault(row[1], []).append(row)
        return by_week

    def _weekly_counts(self, by_week, known):
        """``{weeks ago: [late, total]}``; ``known``: 2 for outcomes known
        today, 3 for the backtest date's."""
        return {
            week: [sum(row[known] for row in rows), sum(row[4] for row in rows)]
            for week, rows in by_week.items()
        }

    def _calibration_start(self, weekly, now_week):
        """The week the calibration window before ``now_week`` starts: the
        training learns from the weeks before it."""
        shifted = {week - now_week: counts for week, counts in weekly.items()}
        return now_week + calibration_weeks(
            shifted, CALIBRATION_WEEKS, MIN_CALIBRATION_OUTCOMES
        )

    def _platt(self, model, by_week, now_week, start, known):
        """``model`` Platt-scaled on the weeks from ``now_week`` to ``start``.
        Rows of the same bins are summed first: the invoices held back are
        one row each, and the fit iterates over its rows."""
        counts = {}
        for week in range(now_week, start):
            for row in by_week.get(week, ()):
                late_total = counts.setdefault(row[0], [0, 0])
                late_total[0] += row[known]
                late_total[1] += row[4]
        slope, intercept = fit_platt(
            [
                (model.log_odds(bins), late, total)
                for bins, (late, total) in counts.items()
            ],
            min_each=MIN_CALIBRATION_OUTCOMES,
        )
        return model.calibrated(slope, intercept)

    def _scorecard(self, by_week, now_week, known, start_model=None):
        """The scorecard, uncalibrated, as it would have been learnt
        ``now_week`` weeks ago: trained on TRAINING_WEEKS before the
        calibration window (recent invoices weighing more); with the week
        that window starts.  ``start_model``: a model of other weeks to begin
        the training from (same result, fewer steps)."""
        start = self._calibration_start(self._weekly_counts(by_week, known), now_week)
        groups = []
        for week in range(start, start + TRAINING_WEEKS):
            weight = recency_weight(7 * (week - start), HALF_LIFE_DAYS)
            groups.extend(
                (row[0], row[known] * weight, row[4] * weight)
                for row in by_week.get(week, ())
            )
        model = train(
            groups,
            [feature.bin_count for feature in FEATURES],
            [feature.name for feature in FEATURES],
            start=start_model,
        )
        return model, start

    def _fit(self, by_week, now_week, known):
        """The scorecard learnt ``now_week`` weeks ago, Platt-scaled on the
        calibration window after its training weeks."""
        model, start = self._scorecard(by_week, now_week, known)
        return self._platt(model, by_week, now_week, start, known)

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
    def _backtest(self, by_week, start_model=None):
        """The scorecard as it would have been learnt BACKTEST_WEEKS ago,
        judged on the invoices due since: (invoices held back, figures,
        figures before calibration, reliability table).  A young history (a
        new company, the demo) has no backtest: no invoice held back, empty
        figures, so the model is not marked reliable.

        The nightly job relearns every RETRAIN_DAYS, so the invoices due in
        a week are judged as the model stood when that week began: the same
        scorecard, its probabilities Platt-scaled again on the weeks just
        before (whose outcomes were known then: they had fallen due).  A
        scorecard judged on months of outcomes it never saw recalibrated
        would call every change of behaviour in them miscalibration (at
        30,000 customers of the bench: slope 1.35, intercept -0.38 with the
        one calibration of the backtest date; 1.05 / -0.03 week by week)."""
        try:
            raw, _start = self._scorecard(
                by_week, BACKTEST_WEEKS, 3, start_model=start_model
            )
        except NotEnoughHistory:
            empty = self._backtest_figures([])
            return 0, empty, empty, [], {}
        # Outcomes of invoices due before a week began were known then: today's.
        weekly = self._weekly_counts(by_week, 2)
        calibrated, uncalibrated, models = [], [], {}
        for week in range(BACKTEST_WEEKS):
            rows = by_week.get(week, ())
            if not rows:
                continue
            start = self._calibration_start(weekly, week + 1)
            model = models[week] = self._platt(raw, by_week, week + 1, start, 2)
            for row in rows:
                calibrated.append((model.probability(row[0]), row[2], row[4]))
                uncalibrated.append((raw.probability(row[0]), row[2], row[4]))
        return (
            int(sum(row[2] for row in calibrated)),
            self._backtest_figures(calibrated),
            self._backtest_figures(uncalibrated),
            calibration(calibrated),
            models,
        )

    @api.model
    def _date_backtest(self, company, history, models):
        """The expected payment date's backtest over the same weeks (see
        ``lib.forecast.backtest``): every invoice paid since the backtest date
        dated from the payments made before its invoice date, re-weighted by
        the chance of paying late the backtest's model of its due week
        (``models``: {weeks ago: model}) gave it (its factors: its row of
        ``history``); against the naive rule "due date + the customer's
        average days late".  A BacktestResult."""
        today = fields.Date.context_today(self)
        start = today - timedelta(weeks=BACKTEST_WEEKS)
        invoices = self.env.execute_query(
            SQL(
                """SELECT id, partner_id, invoice_date, due, paid_on
                     FROM (%s) history WHERE invoice_date IS NOT NULL""",
                self.env["settlement.receivable.query"]._invoice_items_sql(company),
            )
        )
        probabilities = {
            row[5]: models[row[1]].probability(row[0])
            for row in history
            if row[5] is not None and row[1] in models
        }
        return date_backtest(
            [
                (partner, invoice_date, due, paid_on, probabilities.get(item_id))
                for item_id, partner, invoice_date, due, paid_on in invoices
            ],
            start,
            today,
        )

    @api.model
    def _train(self, company):
        """Backtest standing BACKTEST_WEEKS ago, then learn from everything
        known; returns the new model record (None without enough history).
        One query reads the whole history."""
        today = fields.Date.context_today(self)
        history = self._history(company)
        by_week = self._rows_by_week(history)
        try:
            model = self._fit(by_week, 0, 2)
        except NotEnoughHistory:
            return None
        # The backtest's scorecard starts from today's: the same weights in
        # fewer steps.
        held_back_count, figures, uncalibrated, table, models = self._backtest(
            by_week, start_model=model
        )
        dates = self._date_backtest(company, history, models)
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
                "backtest_date_error": dates.mae_days or 0.0,
                "backtest_naive_date_error": dates.naive_mae_days or 0.0,
                "backtest_json": json.dumps({"uncalibrated": uncalibrated}),
                "reliable": total >= company.settlement_prediction_min_invoices
                and figures["auc"] >= MIN_AUC,
                "calibration_json": json.dumps(table),
                "weights_json": json.dumps(model.to_dict()),
            }
        )
