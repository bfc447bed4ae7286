"""Portal statement page over HTTP and statement PDF, inside ``odoo shell``
(``./dev bench statement``).

Builds once (kept in the benchmark database) a customer with BENCH_ITEMS open
invoices (default 5,000) spread over two years and a customer with 10, each
with a portal user; then requests ``/my/statement`` as each customer through
Odoo's WSGI application in this process (a real HTTP request cycle: routing,
session, access rights, QWeb rendering; only the socket is skipped), covering
the whole history, and renders the statement PDF of the big customer over the
last BENCH_PDF_DAYS days (default: enough for about 2,000 documents).
Reports median time, SQL queries (all cursors) and items.
"""

import json
import os
import random
import statistics
import time
from datetime import timedelta

from werkzeug.test import Client

import odoo
from odoo import Command, fields, sql_db
from odoo.service import security

from odoo.addons.settlement_mgmt.lib.internal_context import credit_check_done_context

DAYS = 730


def customer_with_items(env, items, seed=7):
    """A customer with ``items`` posted open invoices and a portal user, made
    once per size."""
    key = f"settlement_bench.statement_customer.{items}"
    parameters = env["ir.config_parameter"].sudo()
    if parameters.get_param(key):
        return env["res.partner"].browse(int(parameters.get_param(key)))
    rng = random.Random(seed)
    today = fields.Date.context_today(env["account.move"])
    partner = env["res.partner"].create(
        {"name": f"Statement customer {items}", "is_company": True, "lang": "en_US"}
    )
    env["res.users"].with_context(no_reset_password=True).create(
        {
            "name": f"Statement portal {items}",
            "login": f"bench_statement_{items}",
            "partner_id": partner.id,
            "groups_id": [Command.set([env.ref("base.group_portal").id])],
        }
    )
    values = [
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": (date := today - timedelta(days=rng.randint(0, DAYS))),
            "invoice_date_due": date + timedelta(days=30),
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Goods",
                        "price_unit": rng.randint(50, 5000),
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
        for _index in range(items)
    ]
    Move = env["account.move"].with_context(
        **credit_check_done_context(), tracking_disable=True
    )
    for start in range(0, len(values), 500):
        Move.create(values[start : start + 500]).action_post()
        env.cr.commit()
    parameters.set_param(key, str(partner.id))
    env.cr.commit()
    return partner


def portal_client(env, partner):
    """A WSGI client logged in as ``partner``'s portal user."""
    user = partner.user_ids[:1]
    root = odoo.http.root
    session = root.session_store.new()
    session.update(odoo.http.get_default_session(), db=env.cr.dbname)
    session.uid = user.id
    session.login = user.login
    session.session_token = security.compute_session_token(session, env(user=user))
    session.context = dict(env["res.users"].with_user(user).context_get())
    root.session_store.save(session)
    client = Client(root)
    client.set_cookie("session_id", session.sid)
    return client


def timed(function, runs=5):
    times, queries = [], 0
    for _run in range(runs):
        before = sql_db.sql_counter
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
        queries = sql_db.sql_counter - before
    return round(statistics.median(times), 3), queries, result


def bench(env):
    items = int(os.environ.get("BENCH_ITEMS", 5000))
    big = customer_with_items(env, items)
    small = customer_with_items(env, 10)
    today = fields.Date.context_today(env["account.move"])
    since = fields.Date.to_string(today - timedelta(days=DAYS + 1))
    results = []
    for label, partner, url in (
        ("10 items, default period", small, "/my/statement"),
        (f"{items} items, default period", big, "/my/statement"),
        (
            f"{items} items, whole history",
            big,
            f"/my/statement?date_from={since}&date_to={today}",
        ),
    ):
        client = portal_client(env, partner)

        def page(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response.get_data(as_text=True).count("<tr")

        seconds, queries, rows = timed(page)
        results.append(
            {
                "step": f"portal /my/statement over HTTP, {label}",
                "median_s": seconds,
                "queries": queries,
                "table_rows": rows,
            }
        )
    pdf_days = int(os.environ.get("BENCH_PDF_DAYS", DAYS * 2000 // max(items, 1)))
    date_from = today - timedelta(days=pdf_days)
    documents = env["account.move"].search_count(
        [
            ("partner_id", "=", big.id),
            ("state", "=", "posted"),
            ("date", ">=", date_from),
        ]
    )

    def pdf():
        content, _type = env["ir.actions.report"]._render_qweb_pdf(
            "settlement_mgmt.action_report_statement",
            big.ids,
            data={
                "date_from": fields.Date.to_string(date_from),
                "date_to": fields.Date.to_string(today),
                "statement_company_id": env.company.id,
            },
        )
        return len(content)

    seconds, queries, size = timed(pdf, runs=3)
    results.append(
        {
            "step": f"statement PDF, {documents} documents in the period",
            "median_s": seconds,
            "queries": queries,
            "pdf_bytes": size,
        }
    )
    results += compare_with_oca(env, big, today)
    print("BENCH" + json.dumps(results))


def compare_with_oca(env, partner, today):
    """Our statement against OCA's outstanding statement, same customer, as of
    today: HTML report and XLSX (sizes in bytes)."""
    Report = env["ir.actions.report"]
    Statement = env["settlement.statement"]
    date_from, _date_to = Statement._default_period()
    ours = {
        "date_from": fields.Date.to_string(date_from),
        "date_to": fields.Date.to_string(today),
        "statement_company_id": env.company.id,
    }
    steps = [
        (
            "settlement_mgmt statement, HTML report",
            lambda: len(
                Report._render_qweb_html(
                    "settlement_mgmt.action_report_statement", partner.ids, ours
                )[0]
            ),
        ),
        (
            "settlement_mgmt statement, XLSX",
            lambda: len(
                Statement._statement_xlsx(partner, date_from, today, env.company)
            ),
        ),
    ]
    if "outstanding.statement.wizard" in env:
        wizard = (
            env["outstanding.statement.wizard"]
            .with_context(active_ids=partner.ids, active_model="res.partner")
            .create({"date_end": today, "company_id": env.company.id})
        )
        data = json.loads(json.dumps(wizard._prepare_statement(), default=str))
        steps += [
            (
                "OCA partner_statement outstanding statement, HTML report",
                lambda: len(
                    Report._render_qweb_html(
                        "partner_statement.outstanding_statement", partner.ids, data
                    )[0]
                ),
            ),
            (
                "OCA partner_statement outstanding statement, XLSX",
                lambda: len(
                    Report._render_xlsx(
                        "p_s.report_outstanding_statement_xlsx", partner.ids, data
                    )[0]
                ),
            ),
        ]
    results = []
    for label, function in steps:
        seconds, queries, size = timed(function, runs=3)
        results.append(
            {"step": label, "median_s": seconds, "queries": queries, "bytes": size}
        )
    return results


if __name__ in ("__main__", "builtins"):
    bench(env)  # noqa: F821 - provided by odoo shell
