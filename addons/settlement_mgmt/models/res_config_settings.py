from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    settlement_aging_days = fields.Char(
        related="company_id.settlement_aging_days",
        readonly=False,
    )
    settlement_alert_worsening = fields.Boolean(
        related="company_id.settlement_alert_worsening", readonly=False
    )
    settlement_prediction_min_invoices = fields.Integer(
        related="company_id.settlement_prediction_min_invoices", readonly=False
    )
    settlement_alert_days = fields.Integer(
        related="company_id.settlement_alert_days", readonly=False
    )
    settlement_credit_policy = fields.Selection(
        related="company_id.settlement_credit_policy",
        readonly=False,
    )
    settlement_overdue_days = fields.Integer(
        related="company_id.settlement_overdue_days",
        readonly=False,
    )
    settlement_exclude_disputed = fields.Boolean(
        related="company_id.settlement_exclude_disputed",
        readonly=False,
    )
    settlement_disputes_need_review = fields.Boolean(
        related="company_id.settlement_disputes_need_review",
        readonly=False,
    )

    settlement_discount_journal_id = fields.Many2one(
        related="company_id.settlement_discount_journal_id",
        readonly=False,
        check_company=True,
    )
    settlement_collection_commission_account_id = fields.Many2one(
        related="company_id.settlement_collection_commission_account_id",
        readonly=False,
        check_company=True,
    )
    settlement_bad_debt_account_id = fields.Many2one(
        related="company_id.settlement_bad_debt_account_id",
        readonly=False,
        check_company=True,
    )
    settlement_collections_user_id = fields.Many2one(
        related="company_id.settlement_collections_user_id",
        readonly=False,
    )
    settlement_plan_grace_days = fields.Integer(
        related="company_id.settlement_plan_grace_days",
        readonly=False,
    )
    settlement_plan_fee_product_id = fields.Many2one(
        related="company_id.settlement_plan_fee_product_id",
        readonly=False,
    )
    settlement_dunning_policy_id = fields.Many2one(
        related="company_id.settlement_dunning_policy_id",
        readonly=False,
    )
    settlement_late_fee_product_id = fields.Many2one(
        related="company_id.settlement_late_fee_product_id",
        readonly=False,
    )
    settlement_calendar = fields.Selection(
        related="company_id.settlement_calendar",
        readonly=False,
    )
    settlement_native_digits = fields.Boolean(
        related="company_id.settlement_native_digits",
        readonly=False,
    )
    settlement_promise_grace_days = fields.Integer(
        related="company_id.settlement_promise_grace_days",
        readonly=False,
    )
    settlement_portal_promises = fields.Boolean(
        related="company_id.settlement_portal_promises",
        readonly=False,
    )
    settlement_portal_promise_days = fields.Integer(
        related="company_id.settlement_portal_promise_days",
        readonly=False,
    )
    settlement_portal_promise_min_share = fields.Float(
        related="company_id.settlement_portal_promise_min_share",
        readonly=False,
    )
    settlement_portal_promise_max_open = fields.Integer(
        related="company_id.settlement_portal_promise_max_open",
        readonly=False,
    )

    settlement_portal_plan_requests = fields.Boolean(
        related="company_id.settlement_portal_plan_requests", readonly=False
    )
    settlement_portal_plan_grades = fields.Char(
        related="company_id.settlement_portal_plan_grades", readonly=False
    )
    settlement_portal_plan_max_total = fields.Monetary(
        related="company_id.settlement_portal_plan_max_total", readonly=False
    )
    settlement_portal_plan_max_instalments = fields.Integer(
        related="company_id.settlement_portal_plan_max_instalments", readonly=False
    )
    settlement_portal_plan_min_down_share = fields.Float(
        related="company_id.settlement_portal_plan_min_down_share", readonly=False
    )
    settlement_portal_plan_first_days = fields.Integer(
        related="company_id.settlement_portal_plan_first_days", readonly=False
    )
    settlement_portal_plan_weekly = fields.Boolean(
        related="company_id.settlement_portal_plan_weekly", readonly=False
    )
    settlement_portal_plan_biweekly = fields.Boolean(
        related="company_id.settlement_portal_plan_biweekly", readonly=False
    )
    settlement_portal_plan_monthly = fields.Boolean(
        related="company_id.settlement_portal_plan_monthly", readonly=False
    )
    settlement_portal_plan_quarterly = fields.Boolean(
        related="company_id.settlement_portal_plan_quarterly", readonly=False
    )
    settlement_portal_plan_fee = fields.Monetary(
        related="company_id.settlement_portal_plan_fee", readonly=False
    )
    settlement_portal_plan_interest = fields.Float(
        related="company_id.settlement_portal_plan_interest", readonly=False
    )

    @api.onchange("settlement_credit_policy")
    def _onchange_settlement_credit_policy(self):
        # Blocking uses core's credit limits: make them visible on partners.
        if self.settlement_credit_policy != "warn":
            self.account_use_credit_limit = True
