"""What a user waits for on screen, inside ``odoo shell``
(``./dev bench interactive``; part of ``./dev bench growth``).

Each step calls the server the way the web client does when the page opens:
the action's list view and search filters are read from the database, the
list's fields become the ``specification`` of ``web_search_read`` (first page
of 80 rows, the count up to 10,001) or the ``web_read_group`` of a grouped
list, as the administrator (access rules applied, not the superuser).  Median
of five calls with the record cache emptied before each (the server's view
and translation caches stay warm, as on a running server).  Issue #27's bar:
each step at most 300 ms and as many queries at every size.  Read only.
"""

import json
import statistics
import time
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import fields
from odoo.tools.safe_eval import safe_eval

RUNS = 5
LIMIT = 80
RELATIONAL = ("many2one", "many2many", "one2many")


def _eval_context(env):
    today = fields.Date.context_today(env["res.partner"])
    return {
        "uid": env.uid,
        "context_today": lambda: today,
        "current_date": today.strftime("%Y-%m-%d"),
        "relativedelta": relativedelta,
        "datetime": datetime,
        "date": date,
    }


class ClientPage:
    """An action as the web client opens it: model with the action's context,
    its list fields as a read specification, its search filters by name."""

    def __init__(self, env, action_xmlid):
        action = env["ir.actions.act_window"]._for_xml_id(action_xmlid)
        self.eval_context = _eval_context(env)
        context = safe_eval(action.get("context") or "{}", self.eval_context)
        context = {
            key: value
            for key, value in context.items()
            if not key.startswith(("search_default_", "group_by"))
        }
        self.model = env[action["res_model"]].with_context(**context)
        self.domain = safe_eval(action.get("domain") or "[]", self.eval_context)
        list_view = next(
            (view_id for view_id, kind in action["views"] if kind == "list"), False
        )
        views = self.model.get_views([(list_view, "list"), (False, "search")])
        self.specification = self._specification(views["views"]["list"]["arch"])
        self.filters = {
            node.get("name"): node.get("domain")
            for node in etree.fromstring(views["views"]["search"]["arch"]).iter(
                "filter"
            )
            if node.get("domain") and node.get("name")
        }

    def _specification(self, arch):
        specification = {}
        model_fields = self.model._fields
        for node in etree.fromstring(arch).iterfind("field"):
            name = node.get("name")
            field = model_fields.get(name)
            if field is None:
                continue
            specification[name] = (
                {"fields": {"display_name": {}}} if field.type in RELATIONAL else {}
            )
        return specification

    def _domain(self, filters):
        domain = list(self.domain)
        for name in filters:
            domain += safe_eval(self.filters[name], self.eval_context)
        return domain

    def first_page(self, *filters):
        return self.model.web_search_read(
            self._domain(filters),
            self.specification,
            offset=0,
            limit=LIMIT,
            count_limit=10001,
        )

    def grouped(self, groupby, *filters):
        aggregates = [
            f"{name}:sum"
            for name in self.specification
            if self.model._fields[name].type in ("monetary", "float")
            and self.model._fields[name].aggregator == "sum"
        ]
        return self.model.web_read_group(
            self._domain(filters),
            aggregates,
            [groupby],
            limit=LIMIT,
            lazy=True,
        )

    def open_first_group(self, groupby, *filters):
        """The grouped list, then the rows of its first group unfolded."""
        groups = self.grouped(groupby, *filters)["groups"]
        if not groups:
            return None
        key = groups[0][groupby]
        value = key[0] if isinstance(key, (list, tuple)) else key
        return self.model.web_search_read(
            [*self._domain(filters), (groupby, "=", value)],
            self.specification,
            offset=0,
            limit=LIMIT,
        )


def measure(env, label, function):
    timings, queries, result = [], None, None
    for _run in range(RUNS):
        env.invalidate_all()
        before = env.cr.sql_log_count
        started = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - started)
        queries = env.cr.sql_log_count - before
    row = {
        "step": label,
        "median_s": round(statistics.median(timings), 3),
        "queries": queries,
    }
    if isinstance(result, dict) and "length" in result:
        row["rows"] = result["length"]
    return row


def bench(env):
    env = env(user=env.ref("base.user_admin").id, su=False)
    dashboard = env.ref("settlement_mgmt.settlement_dashboard_main")
    dashboard_view = dashboard.get_views([(False, "form")])["views"]["form"]
    dashboard_fields = {
        node.get("name"): {}
        for node in etree.fromstring(dashboard_view["arch"]).iter("field")
        if node.get("name") in dashboard._fields
    }
    due = ClientPage(env, "settlement_mgmt.settlement_receivable_item_action")
    open_items = ClientPage(
        env, "settlement_mgmt.account_move_line_action_settlement_open"
    )
    customers = ClientPage(env, "account.res_partner_action_customer")
    followup = ClientPage(env, "settlement_mgmt.res_partner_action_settlement_followup")
    invoices = ClientPage(env, "account.action_move_out_invoice_type")
    steps = [
        (
            "Due Schedule as it opens (overdue, grouped by customer)",
            lambda: due.grouped("partner_id", "overdue"),
        ),
        (
            "Due Schedule, a customer's group unfolded",
            lambda: due.open_first_group("partner_id", "overdue"),
        ),
        ("Due Schedule, first page, no filter", due.first_page),
        ("Open Receivables, first page", open_items.first_page),
        ("customer list, first page", customers.first_page),
        (
            "customers over their credit limit",
            lambda: customers.first_page("settlement_over_limit"),
        ),
        (
            "customers on credit hold",
            lambda: customers.first_page("settlement_on_hold"),
        ),
        (
            "customers of risk grade D or E",
            lambda: customers.first_page("settlement_grade_risky"),
        ),
        (
            "customers to follow up",
            lambda: followup.first_page("settlement_action_due"),
        ),
        ("invoice list, first page", invoices.first_page),
        (
            "dashboard",
            lambda: dashboard.invalidate_recordset()
            or dashboard.web_read(dashboard_fields),
        ),
    ]
    rows = [measure(env, label, function) for label, function in steps]
    env.cr.rollback()
    print("BENCH" + json.dumps(rows))


if __name__ in ("__main__", "builtins"):
    bench(env)  # noqa: F821 - provided by odoo shell
