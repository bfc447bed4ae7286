"""Expected payment dates and collections forecast, inside ``odoo shell``
(``./dev bench forecast``; part of ``./dev bench growth``).

On the benchmark database: the chronological backtest of the expected
payment date (every invoice paid in the late-payment model's backtest window,
the last BACKTEST_WEEKS, its date computed from the payments made before its
invoice date) against the naive rule "due date + the customer's average days
late" -- mean absolute error in days --, with and without the chance of
paying late the model learnt standing at the start of the window gave the
invoices due since (their factors as of their invoice date);
then the 13-week forecast of every open item (one query for the items, one
for the histories) and the expected dates of 500 open invoices.  Rolled back.
"""

import json
from datetime import timedelta

from odoo import fields
from odoo.tools import SQL

from odoo.addons.settlement_mgmt.lib.forecast import backtest
from odoo.addons.settlement_mgmt.lib.prediction import NotEnoughHistory
from odoo.addons.settlement_mgmt.models.settlement_prediction_factors import FEATURES
from odoo.addons.settlement_mgmt.models.settlement_prediction_training import (
    BACKTEST_WEEKS,
    CALIBRATION_WEEKS,
    TRAINING_WEEKS,
)

from bench.common import measure_once


def _backtest_probabilities(env, company, start):
    """{item id: chance of paying late} of the invoices due from ``start``,
    from the model as it would have been learnt on ``start`` (the model's
    own backtest)."""
    Model = env["settlement.prediction.model"]
    try:
        earlier = Model._fit(Model._history(company), BACKTEST_WEEKS, 3)
    except NotEnoughHistory:
        return {}
    today = fields.Date.context_today(Model)
    weeks = TRAINING_WEEKS + max(CALIBRATION_WEEKS) + BACKTEST_WEEKS
    rows = env.execute_query(
        Model._features_sql(
            company, today - timedelta(weeks=weeks), "history", backtest_from=start
        )
    )
    size = len(FEATURES)
    return {
        row[0]: earlier.probability(tuple(row[4 : 4 + size]))
        for row in rows
        if row[3] >= start
    }


def bench(env):
    company = env.company
    today = fields.Date.context_today(env["account.move"])
    rows = []
    history, row = measure_once(
        env,
        "read the invoice history",
        lambda: env.execute_query(
            SQL(
                """SELECT id, partner_id, invoice_date, due, paid_on
                     FROM (%s) history WHERE invoice_date IS NOT NULL""",
                env["settlement.receivable.query"]._invoice_items_sql(company),
            )
        ),
    )
    row["invoices"] = len(history)
    rows.append(row)
    start = today - timedelta(weeks=BACKTEST_WEEKS)
    probabilities, row = measure_once(
        env,
        "late-payment model standing at the start of the window",
        lambda: _backtest_probabilities(env, company, start),
    )
    row["invoices"] = len(probabilities)
    rows.append(row)
    for label, items in (
        ("without", [item[1:] for item in history]),
        ("with", [(*item[1:], probabilities.get(item[0])) for item in history]),
    ):
        result, row = measure_once(
            env,
            f"backtest expected payment date ({label} the chance of paying late)",
            lambda items=items: backtest(items, start, today),
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
