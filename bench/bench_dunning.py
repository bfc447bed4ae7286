"""Dunning run benchmark, inside ``odoo shell`` (through ``./dev bench``).

Times the level computation (one SQL scan) and the whole run (recording each
reminder with its items, fee invoices, queued e-mails, call activities), with
the number of SQL queries, then a rerun the same day (must send nothing).
Printed letters are timed apart on a sample (one wkhtmltopdf run each, the
same cost in any tool); the run itself is measured without them.  When OCA's
account_credit_control is installed (``./dev bench`` does it unless
BENCH_OCA=0), its run (credit control lines for the day, with its standard
three-level policy on the receivable accounts) is measured on the same data.
Everything is rolled back afterwards so the benchmark can be repeated.
"""

import json
import os

from odoo import fields

from bench.common import measure_once


def oca_credit_control_run(env, today):
    """OCA account_credit_control's run for ``today``: its credit control lines."""
    policy = env.ref("account_credit_control.credit_control_3_time")
    policy.account_ids = env["account.account"].search(
        [
            *env["account.account"]._check_company_domain(env.company),
            ("account_type", "=", "asset_receivable"),
        ]
    )
    run = env["credit.control.run"].create(
        {"date": today, "policy_ids": [(6, 0, policy.ids)]}
    )
    run.generate_credit_lines()
    return run.line_ids


def _send(env, Engine, company, candidates, today):
    """The run itself (record + send), a rerun the same day, a sample of letters."""
    rows = []
    sent, row = measure_once(
        env,
        "run (record + send)",
        lambda: Engine._dunning_send(company, candidates, today),
    )
    row["reminders"] = len(sent)
    row["items"] = len(sent.line_ids)
    rows.append(row)
    again, row = measure_once(
        env,
        "rerun same day",
        lambda: Engine._dunning_send(
            company, Engine._dunning_candidates(company), today
        ),
    )
    row["reminders"] = len(again)
    rows.append(row)
    sample = sent[:10]
    _result, row = measure_once(env, "letters (sample)", sample._render_letters)
    row["reminders"] = len(sample)
    rows.append(row)
    return rows


def bench(env):
    company = env.company
    Engine = env["settlement.dunning.engine"]
    today = fields.Date.context_today(Engine)
    rows = []
    levels = env["settlement.dunning.level"].search([("company_id", "=", company.id)])
    # Letters off for the run (wkhtmltopdf is measured on a sample below).
    letters = levels.channel_ids.filtered(lambda line: line.channel == "letter")
    kept_letters = letters.copy_data()
    letters.unlink()
    candidates, row = measure_once(
        env, "levels per item", lambda: Engine._dunning_candidates(company)
    )
    row["reminders"] = len(candidates)
    row["items"] = sum(len(items) for items in candidates.values())
    rows.append(row)
    if os.environ.get("BENCH_DUNNING_SEND", "1") == "1":
        rows += _send(env, Engine, company, candidates, today)
    env["settlement.dunning.level.channel"].create(kept_letters)
    env.cr.rollback()
    if "credit.control.run" in env:
        lines, row = measure_once(
            env,
            "OCA account_credit_control run (lines only, nothing sent)",
            lambda: oca_credit_control_run(env, today),
        )
        row["lines"] = len(lines)
        rows.append(row)
        env.cr.rollback()
    print("BENCH" + json.dumps(rows))


if __name__ in ("__main__", "builtins"):
    bench(env)  # noqa: F821 - provided by odoo shell
