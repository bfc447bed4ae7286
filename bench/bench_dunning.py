"""Dunning run benchmark, inside ``odoo shell`` (through ``./dev bench``).

Times the level computation (one SQL scan) and the whole run (recording each
reminder with its items, fee invoices, queued e-mails, call activities), with
the number of SQL queries, then a rerun the same day (must send nothing).
Printed letters are timed apart on a sample (one wkhtmltopdf run each, the
same cost in any tool); the run itself is measured without them.  Everything
is rolled back afterwards so the benchmark can be repeated.
"""

import json
import time
import tracemalloc

from odoo import fields


def measure(env, label, function):
    env.flush_all()
    env.invalidate_all()
    queries = env.cr.sql_log_count
    tracemalloc.start()
    started = time.perf_counter()
    result = function()
    env.flush_all()
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, {
        "step": label,
        "seconds": round(elapsed, 2),
        "queries": env.cr.sql_log_count - queries,
        "peak_mb": round(peak / 1e6, 1),
    }


def bench(env):
    company = env.company
    Communication = env["settlement.dunning.communication"]
    today = fields.Date.context_today(Communication)
    rows = []
    levels = env["settlement.dunning.level"].search([("company_id", "=", company.id)])
    lettered = levels.filtered("send_letter")
    levels.write({"send_letter": False})
    candidates, row = measure(
        env, "levels per item", lambda: Communication._dunning_candidates(company)
    )
    row["reminders"] = len(candidates)
    row["items"] = sum(len(items) for items in candidates.values())
    rows.append(row)
    sent, row = measure(
        env,
        "run (record + send)",
        lambda: Communication._dunning_send(company, candidates, today),
    )
    row["reminders"] = len(sent)
    row["items"] = len(sent.line_ids)
    rows.append(row)
    again, row = measure(
        env,
        "rerun same day",
        lambda: Communication._dunning_send(
            company, Communication._dunning_candidates(company), today
        ),
    )
    row["reminders"] = len(again)
    rows.append(row)
    sample = sent[:10]
    _result, row = measure(env, "letters (sample)", sample._render_letters)
    row["reminders"] = len(sample)
    rows.append(row)
    lettered.write({"send_letter": True})
    print("BENCH" + json.dumps(rows))
    env.cr.rollback()


if __name__ in ("__main__", "builtins"):
    bench(env)  # noqa: F821 - provided by odoo shell
