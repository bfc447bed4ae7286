from odoo import api, fields, models
from odoo.tools import SQL, html_escape

TOP_CUSTOMERS = 10


class SettlementDashboard(models.TransientModel):
    """The receivables landing page: today's figures at a glance, with the way
    to every trend (graph and pivot views of the snapshots and monthly KPIs)."""

    _name = "settlement.dashboard"
    _description = "Receivables Dashboard"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    dso = fields.Float(string="DSO (days)", digits=(8, 1), compute="_compute_figures")
    cei = fields.Float(
        string="Collection Effectiveness (%)", digits=(5, 1), compute="_compute_figures"
    )
    receivable = fields.Monetary(string="Receivables", compute="_compute_figures")
    overdue = fields.Monetary(compute="_compute_figures")
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
    model_auc = fields.Float(
        string="Prediction AUC", digits=(4, 3), compute="_compute_figures"
    )
    aging_html = fields.Html(compute="_compute_figures", sanitize=True)
    top_customers_html = fields.Html(compute="_compute_figures", sanitize=True)

    @api.depends("company_id")
    def _compute_figures(self):
        for dashboard in self:
            company = dashboard.company_id
            kpis = self.env["settlement.receivable.kpi"].search(
                [("company_id", "=", company.id)], order="date desc", limit=2
            )
            latest = kpis[:1]
            dashboard.dso = latest.dso
            dashboard.cei = kpis[1:2].cei or latest.cei
            dashboard.receivable = latest.receivable_closing
            dashboard.overdue = latest.receivable_overdue
            dashboard.overdue_share = (
                100.0 * latest.receivable_overdue / latest.receivable_closing
                if latest.receivable_closing
                else 0.0
            )
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
                    ("state", "in", ("new", "under_review")),
                ]
            )
            dashboard.high_risk_count = self.env[
                "settlement.payment.prediction"
            ].search_count([("company_id", "=", company.id), ("risk", "=", "high")])
            dashboard.model_auc = (
                self.env["settlement.prediction.model"]
                .search([("company_id", "=", company.id)], limit=1)
                .backtest_auc
            )
            dashboard.aging_html = dashboard._aging_html()
            dashboard.top_customers_html = dashboard._top_customers_html()

    def _aging_html(self):
        snapshot = self.env["settlement.receivable.snapshot"]
        latest = snapshot.search(
            [("company_id", "=", self.company_id.id)], order="date desc", limit=1
        )
        rows = snapshot.search(
            [
                ("company_id", "=", self.company_id.id),
                ("date", "=", latest.date),
                ("dimension", "=", "age"),
            ],
            order="bucket_index",
        )
        total = sum(rows.mapped("amount")) or 1.0
        return "".join(
            self._aging_bar(row.bucket, row.bucket_index, row.amount, total)
            for row in rows
        )

    def _aging_bar(self, label, index, amount, total):
        width = max(1, round(100 * amount / total))
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
        self.env["res.partner"]._settlement_flush_receivables()
        rows = self.env.execute_query(
            SQL(
                """
            SELECT commercial.id, commercial.name, SUM(line.amount_residual),
                   MAX(%(today)s - line.date_maturity)
              FROM account_move_line line
              JOIN account_account account ON account.id = line.account_id
              JOIN res_partner partner ON partner.id = line.partner_id
              JOIN res_partner commercial
                ON commercial.id = partner.commercial_partner_id
             WHERE account.account_type = 'asset_receivable'
               AND line.parent_state = 'posted' AND NOT line.reconciled
               AND line.company_id = %(company)s
               AND line.date_maturity < %(today)s
          GROUP BY commercial.id, commercial.name
            HAVING SUM(line.amount_residual) > 0
          ORDER BY 3 DESC LIMIT %(limit)s
            """,
                today=today,
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

    def action_refresh(self):
        """Take today's snapshot and recompute the monthly figures now."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        self.env["settlement.receivable.snapshot"]._take(self.company_id, today)
        self.env["settlement.receivable.kpi"]._refresh(self.company_id, today)
        return self._reopen()

    def action_train(self):
        """Retrain the late-payment model and predict the open invoices now."""
        self.ensure_one()
        model = self.env["settlement.prediction.model"]._train(self.company_id)
        if model:
            self.env["settlement.payment.prediction"]._predict(model)
        return self._reopen()

    def _reopen(self):
        return self.env["ir.actions.act_window"]._for_xml_id(
            "settlement_mgmt.settlement_dashboard_action"
        )

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
