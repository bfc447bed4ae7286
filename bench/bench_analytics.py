"""Collections analytics benchmark, inside ``odoo shell`` (``./dev bench analytics``).

On the benchmark database: the daily snapshot (today, by age and by dunning
level) with the monthly KPIs, the backfill of twelve month ends, training the
late-payment model with its backtest (invoices due in the last 120 days held
back), predicting every open invoice and the payment alerts.  Prints the
backtest figures (AUC, Brier score, calibration) with the times and queries.
Rolled back.
"""

import json

from odoo import fields

from bench.common import measure_once


def bench(env):
    company = env.company
    today = fields.Date.context_today(env["account.move"])
    Snapshot = env["settlement.receivable.snapshot"]
    rows = []
    _result, row = measure_once(
        env,
        "snapshot today (age, dunning level)",
        lambda: Snapshot._take(company, today),
    )
    rows.append(row)
    _result, row = measure_once(
        env,
        "backfill: snapshots of 12 month ends + KPIs",
        Snapshot._cron_settlement_snapshots,
    )
    rows.append(row)
    model, row = measure_once(
        env,
        "train late-payment model + backtest",
        lambda: env["settlement.prediction.model"]._train(company),
    )
    if model:
        row.update(
            invoices=model.sample_count,
            late_rate=round(model.late_rate, 1),
            held_back=model.backtest_count,
            auc=round(model.backtest_auc, 3),
            brier=round(model.backtest_brier, 3),
            calibration=[
                [round(p, 2), round(o, 2), int(n)]
                for p, o, n in json.loads(model.calibration_json)
            ],
        )
        rows.append(row)
        count, row = measure_once(
            env,
            "predict every open invoice",
            lambda: env["settlement.payment.prediction"]._predict(model),
        )
        row["invoices"] = count
        rows.append(row)
    alerted, row = measure_once(
        env,
        "payment alerts",
        lambda: env["res.partner"]._settlement_alert_worsening(company),
    )
    row["customers"] = len(alerted)
    rows.append(row)
    env.cr.rollback()
    print("BENCH" + json.dumps(rows))


if __name__ in ("__main__", "builtins"):
    bench(env)  # noqa: F821 - provided by odoo shell
