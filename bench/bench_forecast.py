"""Expected payment dates and collections forecast, inside ``odoo shell``
(``./dev bench forecast``; part of ``./dev bench growth``).

On the benchmark database: the chronological backtest of the expected
payment date (every invoice paid in the last 180 days, its date computed
from the payments made before its invoice date) against the naive rule "due
date + the customer's average days late" -- mean absolute error in days --;
then the 13-week forecast of every open item (one query for the items, one
for the histories) and the expected dates of 500 open invoices.  Rolled back.
"""

import json
from datetime import timedelta

from odoo import fields
from odoo.tools import SQL

from odoo.addons.settlement_mgmt.lib.forecast import backtest

from bench.common import measure_once

BACKTEST_DAYS = 180


def bench(env):
    company = env.company
    today = fields.Date.context_today(env["account.move"])
    rows = []
    history, row = measure_once(
        env,
        "read the invoice history",
        lambda: env.execute_query(
            SQL(
                """SELECT partner_id, invoice_date, due, paid_on
                     FROM (%s) history WHERE invoice_date IS NOT NULL""",
                env["settlement.receivable.query"]._invoice_items_sql(company),
            )
        ),
    )
    row["invoices"] = len(history)
    rows.append(row)
    result, row = measure_once(
        env,
        "backtest expected payment date (paid in the last 180 days)",
        lambda: backtest(history, today - timedelta(days=BACKTEST_DAYS), today),
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
