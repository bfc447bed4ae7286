"""Nightly risk scoring and late-payment model benchmark, inside ``odoo shell``
(``./dev bench scoring``).

Times the nightly cron that scores every customer of the company from its
payment history (one set-based pass: lateness weighted by amount over 12
months, overdue ratio, broken promises, lost disputes) and its rerun, with the
number of SQL queries and how many customers were scored.

Then the late-payment model against a baseline on the same chronological
split: the invoices due in the model's last BACKTEST_WEEKS are held back, and
a plain logistic regression (scikit-learn, requirements-bench.txt; the addon
never imports it) learns from the same raw factors, unbinned and standardised,
on the invoices due before.  Both are judged with the addon's own AUC, Brier
and calibration slope/intercept; ours before and after Platt scaling.
Rolled back.
"""

import json
import sys
from datetime import timedelta

from odoo import fields

from odoo.addons.settlement_mgmt.lib.prediction import auc, brier, calibration_fit
from odoo.addons.settlement_mgmt.models.settlement_prediction_factors import FEATURES
from odoo.addons.settlement_mgmt.models.settlement_prediction_training import (
    BACKTEST_WEEKS,
    CALIBRATION_WEEKS,
    TRAINING_WEEKS,
)

from bench.common import measure_once


def _figures(scored):
    slope, intercept = calibration_fit(scored) or (float("nan"), float("nan"))
    return {
        "auc": round(auc(scored) or 0.0, 3),
        "brier": round(brier(scored) or 0.0, 3),
        "slope": round(slope, 2),
        "intercept": round(intercept, 2),
        "distinct": len({round(p, 9) for p, _late, _total in scored}),
    }


def _baseline(env, company):
    """A plain logistic regression on the raw factors, same split as ours."""
    try:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
    except ImportError:
        print(
            "scikit-learn missing: pip install -r requirements-bench.txt",
            file=sys.stderr,
        )
        return None
    Model = env["settlement.prediction.model"]
    today = fields.Date.context_today(Model)
    held_back_from = today - timedelta(weeks=BACKTEST_WEEKS)
    weeks = TRAINING_WEEKS + max(CALIBRATION_WEEKS) + BACKTEST_WEEKS
    start = today - timedelta(weeks=weeks)
    rows = env.execute_query(
        Model._features_sql(company, start, "history", backtest_from=held_back_from)
    )
    size = len(FEATURES)
    # id, move, customer, due, bins, late, delay, late then, raw factors
    late_at, late_then_at, raw_from = 4 + size, 6 + size, 7 + size
    learn = [row for row in rows if row[3] < held_back_from]
    test = [row for row in rows if row[3] >= held_back_from]
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    classifier.fit(
        [row[raw_from:] for row in learn], [bool(row[late_then_at]) for row in learn]
    )
    probabilities = classifier.predict_proba([row[raw_from:] for row in test])[:, 1]
    scored = [
        (float(p), int(bool(row[late_at])), 1)
        for p, row in zip(probabilities, test, strict=True)
    ]
    figures = _figures(scored)
    figures["late_rate_learnt"] = round(
        100.0 * sum(bool(row[late_then_at]) for row in learn) / max(len(learn), 1), 1
    )
    figures["late_rate_held_back"] = round(
        100.0 * sum(bool(row[late_at]) for row in test) / max(len(test), 1), 1
    )
    return figures


def bench(env):
    Score = env["settlement.risk.score"]
    rows = []
    for label in ("nightly scoring, all customers", "rerun (scores exist)"):
        _result, row = measure_once(env, label, Score._cron_settlement_risk_scores)
        row["customers"] = Score.search_count([("company_id", "=", env.company.id)])
        rows.append(row)
    company = env.company
    model, row = measure_once(
        env,
        "late-payment model vs logistic regression",
        lambda: env["settlement.prediction.model"]._train(company),
    )
    if model:
        before = json.loads(model.backtest_json)["uncalibrated"]
        row["ours"] = {
            "auc": round(model.backtest_auc, 3),
            "brier": round(model.backtest_brier, 3),
            "slope": round(model.backtest_slope, 2),
            "intercept": round(model.backtest_intercept, 2),
            "distinct": model.backtest_distinct,
            "held_back": model.backtest_count,
        }
        row["ours_before_calibration"] = {
            "auc": round(before["auc"], 3),
            "brier": round(before["brier"], 3),
            "slope": round(before["slope"], 2),
            "intercept": round(before["intercept"], 2),
            "distinct": before["distinct"],
        }
        row["baseline"] = _baseline(env, company)
        rows.append(row)
    env.cr.rollback()
    print("BENCH" + json.dumps(rows))


if __name__ in ("__main__", "builtins"):
    bench(env)  # noqa: F821 - provided by odoo shell
