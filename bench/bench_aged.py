"""Aged receivables XLSX benchmark, inside ``odoo shell`` (``./dev bench aged``).

Compares, in the same run, our export with details today, three and six months back
against a floor: one raw SQL scan of today's open receivable items streamed
into xlsxwriter, writing as many cells per item as our detail (ten) but with no
as-of logic, no bucketing and no formatting; and, when OCA's
account_financial_report is installed in the database (``./dev bench`` does it
unless BENCH_OCA=0), its aged partner balance XLSX with move line details on
the same dates.
"""

import json
import tempfile
import time
import tracemalloc

import xlsxwriter
from dateutil.relativedelta import relativedelta

from odoo import fields

FLOOR_QUERY = """
    SELECT partner.name, '', 'USD', move.name, line.date, line.date_maturity,
           CURRENT_DATE - line.date_maturity, line.amount_residual_currency,
           line.amount_residual, line.amount_residual
      FROM account_move_line line
      JOIN account_account account ON account.id = line.account_id
      JOIN account_move move ON move.id = line.move_id
      JOIN res_partner partner ON partner.id = line.partner_id
     WHERE account.account_type = 'asset_receivable'
       AND line.parent_state = 'posted' AND NOT line.reconciled
       AND line.company_id = %s
  ORDER BY partner.name, line.date_maturity
"""


def floor(env):
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
        workbook = xlsxwriter.Workbook(file.name, {"constant_memory": True})
        sheet = workbook.add_worksheet()
        with env.cr._cnx.cursor(name="bench_floor") as cursor:
            cursor.itersize = 5000
            cursor.execute(FLOOR_QUERY, (env.company.id,))
            for row, values in enumerate(cursor):
                for column, value in enumerate(values):
                    sheet.write(row, column, value)
        workbook.close()
        return row + 1


def measure(env, label, function, runs=3):
    """Median time and queries of ``runs`` runs, then peak Python memory in one
    more run: tracemalloc slows Python several times, so it never runs while
    the clock does."""
    times = []
    for _run in range(runs):
        env.invalidate_all()
        queries = env.cr.sql_log_count
        started = time.perf_counter()
        rows = function()
        times.append(time.perf_counter() - started)
        queries = env.cr.sql_log_count - queries
    env.invalidate_all()
    tracemalloc.start()
    function()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    times.sort()
    return {
        "step": label,
        "median_s": round(times[len(times) // 2], 2),
        "queries": queries,
        "peak_mb": round(peak / 1e6, 1),
        "rows": rows,
    }


def oca_aged_partner_balance(env, date_at):
    """OCA's aged partner balance XLSX with details, as its wizard's Export
    button renders it; returns the size of the workbook in bytes."""
    wizard = env["aged.partner.balance.report.wizard"].create(
        {
            "date_at": date_at,
            "company_id": env.company.id,
            "receivable_accounts_only": True,
            "show_move_line_details": True,
        }
    )
    wizard.onchange_type_accounts_only()
    # The report action carries its data through JSON, dates as strings.
    data = json.loads(json.dumps(wizard._prepare_report_data(), default=str))
    content, _format = env["ir.actions.report"]._render_xlsx(
        "a_f_r.report_aged_partner_balance_xlsx", wizard.ids, data
    )
    return len(content)


def bench(env):
    Export = env["settlement.aged.receivable.export"]
    today = fields.Date.context_today(Export)
    with_oca = "aged.partner.balance.report.wizard" in env
    results = [measure(env, "floor: raw SQL + xlsxwriter", lambda: floor(env))]
    for label, date_at in (
        ("today", today),
        ("3 months back", today - relativedelta(months=3)),
        ("6 months back", today - relativedelta(months=6)),
    ):
        wizard = Export.create({"detail": True, "date_at": date_at})

        def run(wizard=wizard):
            with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
                return wizard._workbook(file.name)

        results.append(measure(env, f"settlement_mgmt detail, {label}", run))
        if with_oca:
            results.append(
                measure(
                    env,
                    f"OCA aged partner balance XLSX, details, {label}",
                    lambda date_at=date_at: oca_aged_partner_balance(env, date_at),
                )
            )
    base = results[0]["median_s"] or 0.01
    for result in results:
        result["x_floor"] = round(result["median_s"] / base, 2)
    print("BENCH" + json.dumps(results))
    env.cr.rollback()


if __name__ in ("__main__", "builtins"):
    bench(env)  # noqa: F821 - provided by odoo shell
