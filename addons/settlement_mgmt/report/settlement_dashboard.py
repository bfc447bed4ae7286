from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, html_escape

from ..lib.dispute import OPEN_STATES as DISPUTE_OPEN_STATES

TOP_CUSTOMERS = 10


class SettlementDashboard(models.Model):
    """The receivables landing page: today's figures at a glance, with the way
    to every trend (graph and pivot views of the snapshots and monthly KPIs).

    One record (``settlement_dashboard_main``) that its menu opens; it stores
    nothing: every figure is computed when read, for the company the user is
    working in, so the page is always today's."""

    _name = "settlement.dashboard"
    _description = "Receivables Dashboard"

    company_id = fields.Many2one("res.company", compute="_compute_company_id")
    currency_id = fields.Many2one("res.currency", compute="_compute_company_id")
    dso = fields.Float(string="DSO (days)", digits=(8, 1), compute="_compute_figures")
    cei = fields.Float(
        string="Collection Effectiveness (%)", digits=(5, 1), compute="_compute_figures"
    )
    receivable = fields.Monetary(
        string="Receivables",
        compute="_compute_figures",
        help="Today, what customers owe once their own open credit notes and "
        "unapplied payments are applied; a customer with credit left counts "
        "for nothing.",
    )
    overdue = fields.Monetary(
        compute="_compute_figures",
        help="Today, the part of the receivables past its due date, net of "
        "each customer's open credits (oldest due first).",
    )
    overdue_share = fields.Float(
        string="Overdue (%)", digits=(5, 1), compute="_compute_figures"
    )
    promises_kept_share = fields.Float(
        string="Promises Kept (%)",
        digits=(5, 1),
        compute="_compute_figures",
        help="Over the last 12 months.",
    )
    disputes_open = fields.Integer(string="Open Disputes", compute="_compute_figures")
    resolution_days = fields.Float(
        string="Days to Resolve Disputes", digits=(8, 1), compute="_compute_figures"
    )
    high_risk_count = fields.Integer(
        string="Invoices at High Risk", compute="_compute_figures"
    )
    prediction_note = fields.Char(compute="_compute_figures")
    model_auc = fields.Float(
        string="Prediction AUC", digits=(4, 3), compute="_compute_figures"
    )
    aging_html = fields.Html(compute="_compute_figures", sanitize=True)
    top_customers_html = fields.Html(compute="_compute_figures", sanitize=True)

    @api.depends_context("company")
    def _compute_company_id(self):
        self.company_id = self.env.company
        self.currency_id = self.env.company.currency_id

    def _compute_display_name(self):
        for dashboard in self:
            dashboard.display_name = self.env._("Receivables Dashboard")

    @api.depends_context("company")
    def _compute_figures(self):
        for dashboard in self:
            company = dashboard.company_id
            kpis = self.env["settlement.receivable.kpi"].search(
                [("company_id", "=", company.id)], order="date desc", limit=2
            )
            latest = kpis[:1]
            dashboard.dso = latest.dso
            dashboard.cei = kpis[1:2].cei or latest.cei
            # Today's figures from the due schedule, net of open credits.
            labels, buckets = dashboard._net_aging()
            owed = sum(amount for amount, _count in buckets.values())
            overdue = sum(
                amount for index, (amount, _count) in buckets.items() if index
            )
            dashboard.receivable = owed
            dashboard.overdue = overdue
            dashboard.overdue_share = 100.0 * overdue / owed if owed else 0.0
            year = self.env["settlement.receivable.kpi"].search(
                [("company_id", "=", company.id)], order="date desc", limit=12
            )
            kept = sum(year.mapped("promises_kept"))
            closed = kept + sum(year.mapped("promises_broken"))
            dashboard.promises_kept_share = 100.0 * kept / closed if closed else 0.0
            resolved = year.filtered("disputes_resolved")
            dashboard.resolution_days = (
                sum(k.resolution_days * k.disputes_resolved for k in resolved)
                / sum(resolved.mapped("disputes_resolved"))
                if resolved
                else 0.0
            )
            dashboard.disputes_open = self.env["settlement.dispute"].search_count(
                [
                    ("company_id", "=", company.id),
                    ("state", "in", DISPUTE_OPEN_STATES),
                ]
            )
            dashboard.high_risk_count = self.env[
                "settlement.payment.prediction"
            ].search_count([("company_id", "=", company.id), ("risk", "=", "high")])
            model = self.env["settlement.prediction.model"].search(
                [("company_id", "=", company.id)], limit=1
            )
            dashboard.model_auc = model.backtest_auc
            dashboard.prediction_note = model.reliability_note or (
                not model
                and self.env._("Not enough history yet: no model could be learnt.")
            )
            dashboard.aging_html = "".join(
                dashboard._aging_bar(labels[index], index, amount, owed)
                for index, (amount, _count) in sorted(buckets.items())
            )
            dashboard.top_customers_html = dashboard._top_customers_html()

    def _net_aging(self):
        """(bucket labels, {bucket index: (amount, items)}) of what customers
        owe today, net of their open credits (``amount_net`` of the due
        schedule): bucket 0 is not due, the others by days overdue.  Credits
        left over once a customer's debt is settled are not receivables and
        never make a bucket negative."""
        company = self.company_id
        items = self.env["settlement.receivable.item"]
        items._flush_sources()
        today = fields.Date.context_today(self)
        boundaries = company._settlement_aging_boundaries()
        rows = self.env.execute_query(
            SQL(
                """
            SELECT %(bucket)s, SUM(item.amount_net), COUNT(*)
              FROM %(items)s item
             WHERE item.company_id = %(company)s AND item.amount_net > 0
          GROUP BY 1
            """,
                bucket=company._settlement_aging_bucket_sql(
                    SQL("%s - item.date_due", today), boundaries
                ),
                items=items._table_sql,
                company=company.id,
            )
        )
        labels = self.env["res.company"]._settlement_aging_labels(boundaries)
        return labels, {index: (amount, count) for index, amount, count in rows}

    def _aging_bar(self, label, index, amount, total):
        width = max(1, round(100 * amount / total)) if total > 0 else 1
        tone = "bg-success" if index == 0 else "bg-danger"
        return (
            f'<div class="d-flex align-items-center mb-1">'
            f'<span class="w-25">{html_escape(label)}</span>'
            f'<div class="flex-grow-1 mx-2"><div class="{tone}" '
            f'style="height: 0.9rem; width: {width}%"></div></div>'
            f'<span class="text-end w-25">'
            f"{html_escape(self.currency_id.format(amount))}</span></div>"
        )

    def _top_customers_html(self):
        today = fields.Date.context_today(self)
        items = self.env["settlement.receivable.item"]
        items._flush_sources()
        # Overdue net of each customer's open credits, oldest due first.
        rows = self.env.execute_query(
            SQL(
                """
            SELECT commercial.id, commercial.name, SUM(item.amount_net),
                   MAX(%(today)s - item.date_due)
              FROM %(items)s item
              JOIN res_partner commercial ON commercial.id = item.partner_id
             WHERE item.company_id = %(company)s
               AND item.date_due < %(today)s
               AND item.amount_net > 0
          GROUP BY commercial.id, commercial.name
          ORDER BY 3 DESC, 1 LIMIT %(limit)s
            """,
                today=today,
                items=items._table_sql,
                company=self.company_id.id,
                limit=TOP_CUSTOMERS,
            )
        )
        body = "".join(
            f'<tr><td><a href="/odoo/res.partner/{partner_id}">{html_escape(name)}</a>'
            f'</td><td class="text-end">{html_escape(self.currency_id.format(amount))}'
            f'</td><td class="text-end">{days}</td></tr>'
            for partner_id, name, amount, days in rows
        )
        return (
            '<table class="table table-sm mb-0"><thead><tr>'
            f"<th>{html_escape(self.env._('Customer'))}</th>"
            f'<th class="text-end">{html_escape(self.env._("Overdue"))}</th>'
            f'<th class="text-end">{html_escape(self.env._("Oldest (days)"))}</th>'
            f"</tr></thead><tbody>{body}</tbody></table>"
        )

    def _check_controller(self):
        if not self.env.user.has_group("settlement_mgmt.group_settlement_controller"):
            raise AccessError(
                self.env._(
                    "Only a Credit Controller can refresh the dashboard or "
                    "retrain the prediction."
                )
            )

    def action_refresh(self):
        """Take today's snapshot and recompute the monthly figures now; the
        form reloads the figures."""
        self.ensure_one()
        self._check_controller()
        today = fields.Date.context_today(self)
        self.env["settlement.receivable.snapshot"]._take(self.company_id, today)
        self.env["settlement.receivable.kpi"]._refresh(self.company_id, today)
        return True

    def action_train(self):
        """Retrain the late-payment model and predict the open invoices now."""
        self.ensure_one()
        self._check_controller()
        model = self.env["settlement.prediction.model"]._train(self.company_id)
        if model:
            self.env["settlement.payment.prediction"]._predict(model)
        return True

    def _open(self, xml_id, domain=None, context=None):
        action = self.env["ir.actions.act_window"]._for_xml_id(xml_id)
        if domain is not None:
            action["domain"] = domain
        if context:
            action["context"] = context
        return action

    def action_open_kpis(self):
        return self._open("settlement_mgmt.settlement_receivable_kpi_action")

    def action_open_aging(self):
        return self._open(
            "settlement_mgmt.settlement_receivable_snapshot_action",
            [("dimension", "=", "age")],
        )

    def action_open_levels(self):
        return self._open(
            "settlement_mgmt.settlement_receivable_snapshot_action",
            [("dimension", "=", "level")],
        )

    def action_open_disputes(self):
        return self._open("settlement_mgmt.settlement_dispute_action_analysis")

    def action_open_promises(self):
        return self._open("settlement_mgmt.settlement_promise_action")

    def action_open_predictions(self):
        return self._open("settlement_mgmt.settlement_payment_prediction_action")

    def action_open_model(self):
        return self._open("settlement_mgmt.settlement_prediction_model_action")

    def action_open_alerts(self):
        activity_type = self.env.ref("settlement_mgmt.mail_activity_type_payment_alert")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Payment Alerts"),
            "res_model": "mail.activity",
            "views": [[False, "list"], [False, "form"]],
            "domain": [("activity_type_id", "=", activity_type.id)],
        }
