from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..lib.aging import (
    DEFAULT_BOUNDARIES,
    MAX_BUCKETS,
    BucketLayoutError,
    bucket_labels,
    bucket_limits,
    parse_boundaries,
)
from ..lib.calendars import CALENDAR_SELECTION

CREDIT_POLICIES = [
    ("warn", "Warn only"),
    ("limit", "Block over credit limit"),
    ("limit_overdue", "Block over limit or when overdue"),
]


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = [
        "res.company",
        "settlement.company.discount",
        "settlement.company.collection",
    ]

    settlement_aging_days = fields.Char(
        string="Aging Buckets",
        default=", ".join(str(days) for days in DEFAULT_BOUNDARIES),
        required=True,
        help="Upper limits, in days overdue, of the aging buckets used by statements, "
        "aged receivables and analytics, separated by commas. '30, 60, 90' gives "
        "Not Due, 1–30, 31–60, 61–90 and 91+.",
    )
    settlement_alert_worsening = fields.Boolean(
        string="Alert When Payments Worsen",
        default=True,
        help="Schedule an activity for the customer's salesperson when the customer "
        "starts paying later or misses a first instalment.",
    )
    settlement_alert_days = fields.Integer(
        string="Alert Threshold (days)",
        default=10,
        help="Alert when a customer's average days late over the last 90 days exceed "
        "those of the 9 months before by at least this many days.",
    )

    settlement_prediction_min_invoices = fields.Integer(
        string="Predict From (invoices)",
        default=100,
        help="Late-payment risks are shown once the model has learnt from at "
        "least this many paid invoices and predicts the invoices held back for "
        "its backtest clearly better than chance (AUC of at least 0.6); before "
        "that, invoices say 'Not enough history'.",
    )

    @api.constrains("settlement_aging_days")
    def _check_settlement_aging_days(self):
        for company in self:
            try:
                parse_boundaries(company.settlement_aging_days)
            except BucketLayoutError as error:
                raise ValidationError(self._aging_layout_message(error)) from error

    def _aging_layout_message(self, error):
        messages = {
            "empty": self.env._(
                "Enter at least one aging bucket limit, for example 30, 60, 90."
            ),
            "not_a_number": self.env._(
                "Aging bucket limits must be whole numbers of days; "
                "'%(value)s' is not.",
                value=error.value,
            ),
            "not_positive": self.env._(
                "Aging bucket limits must be greater than zero."
            ),
            "not_increasing": self.env._(
                "Aging bucket limits must increase from left to right "
                "(%(value)s does not).",
                value=error.value,
            ),
            "too_many": self.env._(
                "At most %(count)s aging buckets are supported.", count=MAX_BUCKETS
            ),
        }
        return messages[error.code]

    def _settlement_aging_boundaries(self):
        self.ensure_one()
        return parse_boundaries(self.settlement_aging_days)

    @api.model
    def _settlement_aging_labels(self, boundaries):
        """The names of the aging buckets of ``boundaries``, everywhere they
        are shown: statements, exports, Open Receivables, snapshots and the
        dashboard ("Not Due", "1–30" … "91+")."""
        return bucket_labels(boundaries, self.env._("Not Due"))

    @api.model
    def _settlement_aging_bucket_sql(self, days_overdue, boundaries):
        """SQL of the bucket index of an item ``days_overdue`` (an SQL
        integer expression) days past due, written from the same limits as
        ``lib.aging.bucket_index``: a plain ``CASE`` over constants."""
        return SQL(
            "(CASE %s ELSE %s END)",
            SQL(" ").join(
                SQL("WHEN %s <= %s THEN %s", days_overdue, limit, index)
                for limit, index in bucket_limits(boundaries)
            ),
            len(boundaries) + 1,
        )

    settlement_credit_policy = fields.Selection(
        selection=CREDIT_POLICIES,
        string="Credit Policy",
        default="warn",
        required=True,
        help="What happens when a customer invoice is posted for a customer above "
        "its credit limit, or with items overdue for too long. A customer on hold "
        "is always blocked, whatever the policy.",
    )
    settlement_overdue_days = fields.Integer(
        string="Overdue Days Allowed",
        default=30,
        help="With the policy 'Block over limit or when overdue', a customer with an "
        "item overdue by more than this many days is blocked and put on hold by the "
        "nightly credit check.",
    )
    settlement_exclude_disputed = fields.Boolean(
        string="Exclude Disputed Amounts from Exposure",
        default=True,
        help="Amounts under an open dispute do not count towards the credit exposure "
        "or the overdue check.",
    )
    settlement_disputes_need_review = fields.Boolean(
        string="Disputes Count Once Under Review",
        default=True,
        help="A disputed amount leaves the credit exposure and the overdue check "
        "only once a credit controller has started its review, so that a customer "
        "cannot release its own credit by raising disputes on the portal. "
        "Reminders for the disputed part pause as soon as it is raised.",
    )

    settlement_plan_grace_days = fields.Integer(
        string="Instalment Grace Days",
        default=10,
        help="An active instalment plan with an instalment unpaid this many days after "
        "its due date is marked defaulted: the whole balance is due again.",
    )

    settlement_plan_fee_product_id = fields.Many2one(
        "product.product",
        string="Instalment Plan Fee Product",
        domain="[('type', '=', 'service')]",
        help="Product (and so income account) of the invoices for instalment plan "
        "fees and interest. Empty: a service 'Instalment plan fee and interest' "
        "without taxes is created when first needed.",
    )

    settlement_dunning_policy_id = fields.Many2one(
        "settlement.dunning.policy",
        string="Dunning Policy",
        domain="[('company_id', '=', id)]",
        help="Reminder levels for customers without a policy of their own. Empty: "
        "no reminders are sent.",
    )
    settlement_late_fee_product_id = fields.Many2one(
        "product.product",
        string="Late Fee Product",
        domain="[('type', '=', 'service')]",
        help="Product (and so income account) of late fee and interest invoices. "
        "Empty: a service 'Late payment fee and interest' without taxes is created "
        "when first needed.",
    )
    settlement_promise_grace_days = fields.Integer(
        string="Promise Grace Days",
        default=3,
        help="Days after a promised payment date before the promise counts as "
        "broken and reminders resume.",
    )
    settlement_portal_promises = fields.Boolean(
        string="Promises to Pay on the Portal",
        default=True,
        help="Customers promise to pay their overdue invoices from the portal, "
        "within the rules below; reminders pause for what they promised.",
    )
    settlement_portal_promise_days = fields.Integer(
        string="Promise at Most (Days Ahead)",
        default=30,
        help="How far ahead a customer may promise to pay from the portal.",
    )
    settlement_portal_promise_min_share = fields.Float(
        string="Promise at Least (% of Overdue)",
        default=50.0,
        help="The smallest share of the invoices chosen a portal promise covers.",
    )
    settlement_portal_promise_max_open = fields.Integer(
        string="Open Promises per Customer",
        default=1,
        help="How many promises a customer may have open at once from the portal.",
    )

    settlement_portal_plan_requests = fields.Boolean(
        string="Payment Plan Requests on the Portal",
        default=True,
        help="Customers request an instalment plan for their open invoices from "
        "the portal. Inside the rules below the plan is offered at once for "
        "their acceptance; outside them a credit controller decides.",
    )
    settlement_portal_plan_grades = fields.Char(
        string="Risk Grades Approved Automatically",
        default="A, B",
        help="Risk grades (A to E, separated by commas) of the customers whose "
        "requests inside the rules are approved automatically. A customer "
        "without a risk score yet goes to a credit controller.",
    )
    settlement_portal_plan_max_total = fields.Monetary(
        string="Plan Total Approved Automatically (at most)",
        currency_field="currency_id",
        default=2000.0,
        help="Requests for more than this, fee and interest included, go to a "
        "credit controller.",
    )
    settlement_portal_plan_max_instalments = fields.Integer(
        string="Instalments Approved Automatically (at most)",
        default=6,
        help="Requests with more instalments go to a credit controller.",
    )
    settlement_portal_plan_min_down_share = fields.Float(
        string="Down Payment at Least (% of Total)",
        default=10.0,
        help="Requests with a smaller down payment go to a credit controller.",
    )
    settlement_portal_plan_first_days = fields.Integer(
        string="First Instalment at Most (Days Ahead)",
        default=30,
        help="How far ahead a customer may set the first instalment of a plan "
        "it requests on the portal.",
    )
    settlement_portal_plan_weekly = fields.Boolean(string="Weekly Instalments")
    settlement_portal_plan_biweekly = fields.Boolean(
        string="Instalments Every Two Weeks", default=True
    )
    settlement_portal_plan_monthly = fields.Boolean(
        string="Monthly Instalments", default=True
    )
    settlement_portal_plan_quarterly = fields.Boolean(string="Quarterly Instalments")
    settlement_portal_plan_fee = fields.Monetary(
        string="Plan Fee for Portal Requests",
        currency_field="currency_id",
        help="A fixed charge added to plans customers request on the portal, "
        "invoiced when the plan starts.",
    )
    settlement_portal_plan_interest = fields.Float(
        string="Interest for Portal Requests (% a year)",
        digits=(5, 2),
        help="Simple interest on the balance still owed between instalments of "
        "plans customers request on the portal.",
    )

    settlement_calendar = fields.Selection(
        selection=CALENDAR_SELECTION,
        string="Calendar on Documents",
        help="Calendar of the dates on statements for customers without their own. "
        "Empty: Jalali for Persian-speaking customers, Gregorian otherwise.",
    )
    settlement_native_digits = fields.Boolean(
        string="Native Digits on Documents",
        help="Persian or Arabic-Indic digits on statements of customers writing "
        "Persian or Arabic, unless set on the customer.",
    )

    settlement_collections_user_id = fields.Many2one(
        "res.users",
        string="Collections Responsible",
        domain="[('share', '=', False)]",
        help="Gets the disputes customers raise on the portal and the to-dos of "
        "their plans when the invoice's salesperson cannot: none, archived, a "
        "portal user or OdooBot.",
    )

    def _settlement_responsible(self, *candidates):
        """The first of ``candidates`` (users, possibly empty) a person can
        act on for this company (active, internal, not OdooBot nor another
        bot, a user of the company), else the collections responsible of the
        company when that one can, else no user."""
        self.ensure_one()
        bot = self.env.ref("base.user_root", raise_if_not_found=False)
        for user in (*candidates, self.sudo().settlement_collections_user_id):
            user = user.sudo()
            if (
                user
                and user.active
                and not user.share
                and user != bot
                and not user._is_public()
                and self in user.company_ids
            ):
                return user
        return self.env["res.users"]

    def _settlement_service_product(self, kind):
        """The product of plan fee ("plan_fee") or late fee ("late_fee")
        invoices, created on first use.

        Made here rather than in XML data: product data loaded by this addon
        would be written before modules that extend products (sale) and fail
        on their required columns."""
        self.ensure_one()
        field_name, name, code = {
            "plan_fee": (
                "settlement_plan_fee_product_id",
                self.env._("Instalment plan fee and interest"),
                "PLAN-FEE",
            ),
            "late_fee": (
                "settlement_late_fee_product_id",
                self.env._("Late payment fee and interest"),
                "LATE-FEE",
            ),
        }[kind]
        if not self[field_name]:
            self.sudo()[field_name] = (
                self.env["product.product"]
                .sudo()
                .create(
                    {
                        "name": name,
                        "default_code": code,
                        "type": "service",
                        "sale_ok": False,
                        "purchase_ok": False,
                        "taxes_id": [Command.clear()],
                        "supplier_taxes_id": [Command.clear()],
                        "company_id": self.id,
                    }
                )
            )
        return self[field_name]

    @api.constrains("settlement_plan_grace_days")
    def _check_settlement_plan_grace_days(self):
        if any(company.settlement_plan_grace_days < 0 for company in self):
            raise ValidationError(
                self.env._("Instalment grace days cannot be negative.")
            )

    @api.constrains("settlement_promise_grace_days")
    def _check_settlement_promise_grace_days(self):
        if any(company.settlement_promise_grace_days < 0 for company in self):
            raise ValidationError(self.env._("Promise grace days cannot be negative."))

    @api.constrains(
        "settlement_portal_promise_days",
        "settlement_portal_promise_min_share",
        "settlement_portal_promise_max_open",
    )
    def _check_settlement_portal_promise_rules(self):
        for company in self:
            if company.settlement_portal_promise_days < 1:
                raise ValidationError(
                    self.env._("Portal promises need at least one day ahead.")
                )
            if not 0 <= company.settlement_portal_promise_min_share <= 100:
                raise ValidationError(
                    self.env._("The smallest share of a promise is 0 to 100 %.")
                )
            if company.settlement_portal_promise_max_open < 1:
                raise ValidationError(
                    self.env._("Allow at least one open promise per customer.")
                )

    @api.constrains(
        "settlement_portal_plan_grades",
        "settlement_portal_plan_max_total",
        "settlement_portal_plan_max_instalments",
        "settlement_portal_plan_min_down_share",
        "settlement_portal_plan_first_days",
        "settlement_portal_plan_fee",
        "settlement_portal_plan_interest",
    )
    def _check_settlement_portal_plan_rules(self):
        for company in self:
            if company._settlement_plan_grades() is None:
                raise ValidationError(
                    self.env._(
                        "Write the risk grades approved automatically as letters "
                        "A to E separated by commas, for example A, B."
                    )
                )
            if (
                company.settlement_portal_plan_max_total < 0
                or company.settlement_portal_plan_fee < 0
            ):
                raise ValidationError(
                    self.env._("Portal plan amounts cannot be negative.")
                )
            if not 1 <= company.settlement_portal_plan_max_instalments <= 60:
                raise ValidationError(
                    self.env._("Approve automatically 1 to 60 instalments.")
                )
            if not 0 <= company.settlement_portal_plan_min_down_share < 100:
                raise ValidationError(
                    self.env._("The smallest down payment is 0 to 99 % of the total.")
                )
            if not 1 <= company.settlement_portal_plan_first_days <= 366:
                raise ValidationError(
                    self.env._("The first instalment is 1 to 366 days ahead at most.")
                )
            if not 0 <= company.settlement_portal_plan_interest <= 100:
                raise ValidationError(
                    self.env._("The interest rate must be between 0 and 100% a year.")
                )

    def _settlement_plan_grades(self):
        """The risk grades of ``settlement_portal_plan_grades`` as a set, or
        None when it is not a list of grades."""
        self.ensure_one()
        grades = {
            part.strip().upper()
            for part in (self.settlement_portal_plan_grades or "").split(",")
            if part.strip()
        }
        return grades if grades <= set("ABCDE") else None

    def _settlement_plan_frequencies(self):
        """The instalment frequencies approved automatically on the portal."""
        self.ensure_one()
        return [
            frequency
            for frequency in ("weekly", "biweekly", "monthly", "quarterly")
            if self[f"settlement_portal_plan_{frequency}"]
        ]

    @api.constrains("settlement_prediction_min_invoices")
    def _check_settlement_prediction_min_invoices(self):
        if any(company.settlement_prediction_min_invoices < 1 for company in self):
            raise ValidationError(
                self.env._("Predictions need at least one invoice of history.")
            )

    @api.constrains("settlement_overdue_days")
    def _check_settlement_overdue_days(self):
        if any(company.settlement_overdue_days < 0 for company in self):
            raise ValidationError(
                self.env._("Overdue days allowed cannot be negative.")
            )
