"""Nightly risk scoring benchmark, inside ``odoo shell`` (``./dev bench scoring``).

Times the nightly cron that scores every customer of the company from its
payment history (one set-based pass: lateness weighted by amount over 12
months, overdue ratio, broken promises, lost disputes) and its rerun, with the
number of SQL queries and how many customers were scored.  Rolled back.
"""

import json

from bench.common import measure_once


def bench(env):
    Score = env["settlement.risk.score"]
    rows = []
    for label in ("nightly scoring, all customers", "rerun (scores exist)"):
        _result, row = measure_once(env, label, Score._cron_settlement_risk_scores)
        row["customers"] = Score.search_count([("company_id", "=", env.company.id)])
        rows.append(row)
    env.cr.rollback()
    print("BENCH" + json.dumps(rows))


if __name__ in ("__main__", "builtins"):
    bench(env)  # noqa: F821 - provided by odoo shell
