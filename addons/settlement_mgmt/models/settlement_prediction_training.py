import json
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

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
    _inherit = ["settlement.prediction.factors.mixin"]
    _description = "Late-Payment Model Training"

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
