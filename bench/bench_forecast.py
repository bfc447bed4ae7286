"""Expected payment dates and collections forecast, inside ``odoo shell``
(``./dev bench forecast``; part of ``./dev bench growth``).

On the benchmark database: the chronological backtest of the expected
payment date the late-payment model's form shows (every invoice paid in the
model's backtest window, the last BACKTEST_WEEKS, its date computed from the
payments made before its invoice date) against the naive rule "due date + the
customer's average days late" -- mean absolute error in days --, with and
without the chance of paying late the backtest's model of each week gave the
invoices due in it (their factors as of their invoice date);
then the 13-week forecast of every open item (one query for the items, one
for the histories) and the expected dates of 500 open invoices.  Rolled back.
"""

import json

from odoo import fields

from bench.common import measure_once


def bench(env):
    company = env.company
    today = fields.Date.context_today(env["account.move"])
    rows = []
    Model = env["settlement.prediction.model"]
    history = Model._history(company)
    models, row = measure_once(
        env,
        "late-payment model's backtest: the model of each held-back week",
        lambda: Model._backtest(Model._rows_by_week(history))[4],
    )
    row["weeks"] = len(models)
    rows.append(row)
    # The model form's figure (with the chance) and the history alone.
    for label, week_models in (("without", {}), ("with", models)):
        result, row = measure_once(
            env,
            f"backtest expected payment date ({label} the chance of paying late)",
            lambda week_models=week_models: Model._date_backtest(
                company, history, week_models
            ),
        )
        row.update(
            tested=result.count,
            mae_days=result.mae_days,
            naive_mae_days=result.naive_mae_days,
        )
        rows.append(row)
    Forecast = env["settlement.collection.forecast"]
    count, row = measure_once(
        env,
        "13-week forecast of every open item",
        lambda: Forecast._take(company, today),
    )
    groups = Forecast._read_group(
        [("company_id", "=", company.id), ("is_current", "=", True)],
        ["week_index"],
        ["amount:sum"],
    )
    row.update(
        rows=count,
        weeks={week: round(amount, 2) for week, amount in groups},
        open_amount=round(
            sum(
                env["settlement.receivable.item"]
                .search([("company_id", "=", company.id), ("amount_net", ">", 0)])
                .mapped("amount_net")
            ),
            2,
        ),
    )
    rows.append(row)
    moves = env["account.move"].search(
        [
            ("company_id", "=", company.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
        ],
        limit=500,
    )
    dates, row = measure_once(
        env,
        "expected dates of 500 open invoices",
        lambda: Forecast._expected_dates(moves),
    )
    row["invoices"] = len(dates)
    rows.append(row)
    env.cr.rollback()
    print("BENCH" + json.dumps(rows))


if __name__ in ("__main__", "builtins"):
    bench(env)  # noqa: F821 - provided by odoo shell
