import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import SettlementCommon
from .rpc import JsonRpcMixin


@tagged("post_install", "-at_install")
class TestPortalPlanRequest(JsonRpcMixin, SettlementCommon, HttpCase):
    """A customer requests a payment plan on the portal: 300 and 200 overdue,
    400 not due, a history of 10,000 paid on time (risk grade A or B).  The
    company's rules: grades A and B, at most 2,000 in all, 6 instalments,
    a down payment of 10 %, monthly or every two weeks, the first instalment
    within 30 days, no fee."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write(
            {
                "settlement_portal_plan_requests": True,
                "settlement_portal_plan_grades": "A, B",
                "settlement_portal_plan_max_total": 2000.0,
                "settlement_portal_plan_max_instalments": 6,
                "settlement_portal_plan_min_down_share": 10.0,
                "settlement_portal_plan_first_days": 30,
                "settlement_portal_plan_weekly": False,
                "settlement_portal_plan_biweekly": True,
                "settlement_portal_plan_monthly": True,
                "settlement_portal_plan_quarterly": False,
                "settlement_portal_plan_fee": 0.0,
                "settlement_portal_plan_interest": 0.0,
            }
        )
        cls.customer.write({"lang": "en_US", "email": "ap@plan.example.com"})
        history = cls._invoice(cls.customer, 10000.0, days_old=60, due_days=30)
        cls._pay(history, days_old=31)
        cls.first = cls._invoice(cls.customer, 300.0, days_old=50, due_days=30)
        cls.second = cls._invoice(cls.customer, 200.0, days_old=40, due_days=30)
        cls.not_due = cls._invoice(cls.customer, 400.0, days_old=0, due_days=30)
        cls.foreign = cls._invoice(cls.other_customer, 700.0, days_old=50, due_days=30)
        cls.env["settlement.risk.score"]._recompute(cls.company)  # the nightly cron
        cls.credit_controller = new_test_user(
            cls.env,
            login="sm_plan_controller",
            groups="settlement_mgmt.group_settlement_controller",
            lang="en_US",
        )
        cls.clerk = new_test_user(
            cls.env,
            login="sm_plan_clerk",
            groups="settlement_mgmt.group_settlement_user",
        )
        cls.customer.settlement_collector_id = cls.credit_controller
        cls._portal_pair("sm_planreq")
        cls.Plan = cls.env["settlement.instalment.plan"]
        cls.day = cls.today + timedelta(days=10)

    @staticmethod
    def _typed(day):
        """A date as an English customer reads it (en_US: month/day/year)."""
        return day.strftime("%m/%d/%Y")

    def _csrf(self):
        page = self.url_open("/my/plans/request")
        self.assertEqual(page.status_code, 200)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def _request(self, invoices, count="3", down="50", day=None, **extra):
        if "csrf_token" not in extra:  # a new session, unless its token is given
            self.authenticate("sm_planreq_a", "sm_planreq_a")
        day = self.day if day is None else day
        data = [
            ("csrf_token", extra.pop("csrf_token", None) or self._csrf()),
            ("instalments", count),
            ("down_payment", down),
            ("frequency", extra.pop("frequency", "monthly")),
            ("first_date", day if isinstance(day, str) else self._typed(day)),
            ("step", extra.pop("step", "submit")),
            *(("invoice_ids", str(getattr(move, "id", move))) for move in invoices),
        ]
        return self.url_open("/my/plans/request", data=data)

    def _written(self):
        """What a refused request must not leave behind."""
        return (
            self.Plan.sudo().search_count([]),
            self.env["mail.message"].search_count(
                [("model", "=", "res.partner"), ("res_id", "=", self.customer.id)]
            ),
        )

    # ------------------------------------------------------------------

    def test_the_form_lists_the_customers_open_invoices(self):
        self.assertIn(self.customer.settlement_risk_grade, ("A", "B"))
        self.authenticate("sm_planreq_a", "sm_planreq_a")
        page = self.url_open("/my/plans/request")
        self.assertEqual(page.status_code, 200)
        for invoice in (self.first, self.second, self.not_due):
            self.assertIn(invoice.name, page.text)
        self.assertNotIn(self.foreign.name, page.text)
        # The overdue ones ticked; 10 % of their 500 proposed as down payment.
        checked = [
            re.search(r'value="(\d+)"', tag).group(1)
            for tag in re.findall(r'<input[^>]*name="invoice_ids"[^>]*>', page.text)
            if "checked" in tag
        ]
        self.assertEqual(
            sorted(map(int, checked)), sorted((self.first | self.second).ids)
        )
        self.assertIn('value="50.00"', page.text)
        self.assertIn(self._typed(self.today + timedelta(days=30)), page.text)
        for start in ("/my/plans", "/my/statement"):
            self.assertIn('href="/my/plans/request"', self.url_open(start).text)

    def test_the_preview_shows_the_exact_schedule_and_writes_nothing(self):
        before = self._written()
        page = self._request(self.first | self.second, step="preview")
        self.assertEqual(page.status_code, 200)
        # 500 owed: 50 today, then 450 in three monthly instalments of 150.
        quote = page.text[page.text.index("o_settlement_plan_request_quote") :]
        days = [self.day + relativedelta(months=n) for n in range(3)]
        for day in (self.today, *days):
            self.assertIn(self._typed(day), quote)
        self.assertEqual(quote.count("150.00"), 3)
        self.assertIn("50.00", quote)
        self.assertIn("500.00", quote)
        self.assertIn("Inside our rules", quote)
        self.assertEqual(self._written(), before)

    def test_inside_the_rules_the_plan_goes_to_acceptance(self):
        response = self._request(self.first | self.second)
        self.assertEqual(response.status_code, 200)
        plan = self.Plan.search([("partner_id", "=", self.customer.id)])
        self.assertIn(f"/my/plans/{plan.id}", response.url)
        self.assertIn("accept the plan below", response.text)
        self.assertEqual(plan.state, "proposed")
        self.assertEqual(plan.move_ids, self.first | self.second)
        self.assertEqual(plan.amount_total, 500.0)
        days = [self.day + relativedelta(months=n) for n in range(3)]
        self.assertEqual(
            [(line.date_due, line.amount) for line in plan.line_ids],
            [(self.today, 50.0)] + [(day, 150.0) for day in days],
        )
        self.assertFalse(plan.request_reasons)
        self.assertIn("inside the rules", self.customer.message_ids[0].body)
        # The customer accepts it by typing its name, as any proposed plan.
        token = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
        accepted = self.url_open(
            plan.get_portal_url(),
            data={"csrf_token": token.group(1), "name": "Credit Contact"},
        )
        self.assertIn("the plan is active", accepted.text)
        self.assertEqual((plan.state, plan.accepted_by), ("active", "Credit Contact"))
        self.assertIn("accepted on the portal", self.customer.message_ids[0].body)

    def test_outside_the_rules_a_credit_controller_decides(self):
        # 7 instalments, no down payment: two rules broken.
        response = self._request(self.first | self.second, count="7", down="0")
        plan = self.Plan.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(plan.state, "requested")
        self.assertIn(f"/my/plans/{plan.id}", response.url)
        self.assertIn("Waiting for our review", response.text)
        self.assertIn("More than 6 instalments.", response.text)
        self.assertEqual(
            plan.request_reasons.splitlines(),
            ["More than 6 instalments.", "A down payment under $\xa050.00."],
        )
        # 500 in seven: six of 71.42 and 71.48 (the remainder on the last).
        self.assertEqual(plan.line_ids.mapped("amount"), [71.42] * 6 + [71.48])
        self.assertIn("a credit controller decides", self.customer.message_ids[0].body)
        activity = plan.activity_ids
        self.assertEqual(activity.user_id, self.credit_controller)
        self.assertIn("Decide on the payment plan", activity.summary)
        # In the collector's worklist.
        action = self.env.ref(
            "settlement_mgmt.settlement_instalment_plan_action_requests"
        )
        self.assertEqual(action.context, "{'search_default_requested': 1}")
        self.assertIn(plan, self.Plan.search([("state", "=", "requested")]))
        # A clerk neither approves nor edits; the controller edits, approves.
        with self.assertRaises(AccessError):
            plan.with_user(self.clerk).action_request_approve()
        with self.assertRaises(UserError):
            plan.line_ids[0].with_user(self.clerk).amount = 100.0
        lines = plan.with_user(self.credit_controller).line_ids
        lines[0].amount = 100.0
        lines[-1].amount = 71.48 - 28.58
        plan.with_user(self.credit_controller).action_request_approve()
        self.assertEqual(plan.state, "proposed")
        self.assertEqual(plan.line_ids[0].amount, 100.0)
        self.assertFalse(plan.activity_ids)
        told = plan.message_ids.filtered(lambda m: self.customer in m.partner_ids)
        self.assertEqual(len(told), 1)
        self.assertIn("is approved", told.subject)
        self.assertIn("approved by", self.customer.message_ids[0].body)

    def test_a_refusal_tells_the_customer_why(self):
        self._request(self.first, count="12", down="30")
        plan = self.Plan.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(plan.state, "requested")
        action = plan.with_user(self.credit_controller).action_request_refuse()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.credit_controller)
            .with_context(**action["context"])
            .create({"reason": "Twelve months is too long for this amount."})
        )
        wizard.action_refuse()
        self.assertEqual(plan.state, "refused")
        told = plan.message_ids.filtered(lambda m: self.customer in m.partner_ids)
        self.assertEqual(len(told), 1)
        self.assertIn("Twelve months is too long", str(told.body))
        self.assertIn("refused by", self.customer.message_ids[0].body)
        page = self.url_open(plan.get_portal_url())
        self.assertIn("Twelve months is too long", page.text)
        # The invoice is free for another request.
        again = self._request(self.first, count="3", down="30")
        self.assertIn("/my/plans/", again.url)
        self.assertEqual(self.Plan.search_count([("state", "=", "proposed")]), 1)

    def test_bad_input_is_refused_and_nothing_is_written(self):
        both = self.first | self.second
        cases = [
            (both, {"count": "0"}, "between 1 and 60"),
            (both, {"count": "61"}, "between 1 and 60"),
            (both, {"count": "-1"}, "whole number"),
            (both, {"count": "abc"}, "whole number"),
            (both, {"count": "9" * 40}, "whole number"),
            (both, {"down": "-5"}, "positive number"),
            (both, {"down": "abc"}, "positive number"),
            (both, {"down": "1e308"}, "positive number"),
            (both, {"down": "9" * 40}, "must be less than what the invoices still owe"),
            (both, {"down": "50.001"}, "positive number"),
            (both, {"down": "500"}, "less than what the invoices"),
            (both, {"down": "999999999999999"}, "less than what the invoices"),
            (both, {"day": self.today - timedelta(days=1)}, "from today to"),
            (both, {"day": self.today + timedelta(days=31)}, "from today to"),
            (both, {"day": self.today}, "after today"),
            (both, {"day": "31/31/2026"}, "Write the date"),
            (both, {"day": "99999-01-01"}, "Write the date"),
            (both, {"frequency": "daily"}, "how often"),
            ((self.foreign,), {}, "Choose the open invoices"),
            ((self.first, self.foreign), {}, "Choose the open invoices"),
            ((self.first, 99999999), {}, "Choose the open invoices"),
            (("x1",), {}, "Choose the open invoices"),
            ((), {}, "Choose the open invoices"),
        ]
        before = self._written()
        for invoices, values, message in cases:
            for step in ("preview", "submit"):
                with self.subTest(
                    values=str(values), invoices=str(invoices), step=step
                ):
                    response = self._request(invoices, step=step, **values)
                    self.assertEqual(response.status_code, 200)
                    error = re.search(
                        r'o_settlement_plan_request_error"[^>]*>([^<]*)<', response.text
                    )
                    self.assertTrue(error, "an error is shown")
                    self.assertIn(message, error.group(1))
                    self.assertEqual(self._written(), before)

    def test_double_submission_makes_one_plan(self):
        self.authenticate("sm_planreq_a", "sm_planreq_a")
        token = self._csrf()
        first = self._request(self.first, count="8", down="0", csrf_token=token)
        self.assertIn("Waiting for our review", first.text)
        again = self._request(self.first, count="8", down="0", csrf_token=token)
        self.assertIn("already in payment plan", again.text)
        self.assertEqual(self.Plan.search_count([]), 1)

    def test_anonymous_forged_and_switched_off(self):
        self.authenticate(None, None)
        page = self.url_open("/my/plans/request", allow_redirects=False)
        self.assertIn(page.status_code, (302, 303))
        self.assertIn("/web/login", page.headers["Location"])
        self.authenticate("sm_planreq_a", "sm_planreq_a")
        forged = self.url_open(
            "/my/plans/request",
            data={
                "instalments": "3",
                "first_date": self._typed(self.day),
                "invoice_ids": str(self.first.id),
                "step": "submit",
            },
        )
        self.assertEqual(forged.status_code, 400)
        self.assertFalse(self.Plan.search([]))
        self.company.settlement_portal_plan_requests = False
        page = self.url_open("/my/plans/request")
        self.assertTrue(page.url.endswith("/my/plans"))
        self.assertNotIn('href="/my/plans/request"', page.text)

    def test_a_customer_cannot_approve_its_own_request_over_rpc(self):
        self._request(self.first | self.second, count="8", down="0")
        plan = self.Plan.search([])
        self.assertEqual(plan.state, "requested")
        login = "sm_planreq_a"
        for method, args in (
            ("action_request_approve", [plan.ids]),
            ("action_propose", [plan.ids]),
            ("action_activate", [plan.ids]),
            ("write", [plan.ids, {"state": "proposed"}]),
            ("_request_refuse", [plan.ids, "no"]),
        ):
            with self.subTest(method=method):
                answer = self.rpc(login, "settlement.instalment.plan", method, args)
                self.assertRpcRefused(answer)
        self.assertEqual(plan.state, "requested")

    def test_fee_and_interest_as_the_company_sets_them(self):
        self.company.write(
            {
                "settlement_portal_plan_fee": 20.0,
                "settlement_portal_plan_interest": 12.0,
            }
        )
        self._request(self.first | self.second, count="3", down="50")
        plan = self.Plan.search([])
        days = [self.day + relativedelta(months=n) for n in range(3)]
        # 450 owed after the down payment, 150 repaid on each date: 12 % a
        # year on what is left, day by day since today.
        rate = Decimal("0.12") / 365
        interest = (
            450 * rate * (days[0] - self.today).days
            + 300 * rate * (days[1] - days[0]).days
            + 150 * rate * (days[2] - days[1]).days
        ).quantize(Decimal("0.01"), ROUND_HALF_UP)
        fee = Decimal(20) + interest
        total = Decimal(450) + fee
        part = (total / 3).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
        expected = [50.0, float(part), float(part), float(total - 2 * part)]
        self.assertEqual(plan.amount_fee, float(fee))
        self.assertEqual(plan.amount_total, 500.0 + float(fee))
        self.assertEqual(plan.line_ids.mapped("amount"), expected)

    def test_company_rules_refuse_nonsense(self):
        for values in (
            {"settlement_portal_plan_grades": "A, Z"},
            {"settlement_portal_plan_max_instalments": 0},
            {"settlement_portal_plan_min_down_share": 100.0},
            {"settlement_portal_plan_first_days": 0},
            {"settlement_portal_plan_max_total": -1.0},
            {"settlement_portal_plan_interest": 101.0},
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                with self.env.cr.savepoint():
                    self.company.write(values)
                    self.company.flush_recordset()

    def test_a_grade_outside_the_rules_goes_to_the_controller(self):
        self.company.settlement_portal_plan_grades = "E"
        self._request(self.first | self.second)
        plan = self.Plan.search([])
        self.assertEqual(plan.state, "requested")
        self.assertIn("payment history", plan.request_reasons)
