import contextlib
import json
import shutil
import time
from datetime import timedelta

from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

from .chrome import ChromePageMixin
from .common import SettlementCommon

LANGS = ("fa_IR", "ar_001", "he_IL")


@tagged("post_install", "-at_install")
class TestPortalPlanRequestBrowser(ChromePageMixin, SettlementCommon, HttpCase):
    """The main flow in headless Chromium for a Persian, an Arabic and a
    Hebrew customer: open the request form from the plans page, type the
    first date in the customer's calendar, preview the schedule, send the
    request (inside the rules) and accept the plan by typing a name.
    Screenshots ``plan_request_<step>_<lang>.png`` are kept as artefacts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in LANGS:
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"].search(
            [("name", "=", "settlement_mgmt")]
        )._update_translations(list(LANGS))
        cls.env.company.write(
            {
                "settlement_portal_plan_requests": True,
                "settlement_portal_plan_grades": "A, B",
                "settlement_portal_plan_max_total": 2000.0,
                "settlement_portal_plan_max_instalments": 6,
                "settlement_portal_plan_min_down_share": 10.0,
                "settlement_portal_plan_monthly": True,
            }
        )
        cls.customers = {}
        for code in LANGS:
            customer = cls.env["res.partner"].create(
                {"name": f"Plan request {code}", "is_company": True, "lang": code}
            )
            contact = cls.env["res.partner"].create(
                {"name": f"Contact {code}", "parent_id": customer.id, "lang": code}
            )
            login = f"plan_request_{code}"
            user = cls._portal_user(login, contact)
            user.lang = code
            history = cls._invoice(customer, 10000.0, days_old=60, due_days=30)
            cls._pay(history, days_old=31)
            overdue = cls._invoice(customer, 300.0, days_old=50, due_days=30)
            overdue |= cls._invoice(customer, 200.0, days_old=40, due_days=30)
            cls.customers[code] = (customer, login, overdue)
        cls.env["settlement.risk.score"]._recompute(cls.env.company)

    def _plans(self, customer):
        """The customer's plans, once the page's own requests (chatter…) are
        done: they share the test's database cursor."""
        self._wait_remaining_requests()
        return self.env["settlement.instalment.plan"].search(
            [("partner_id", "=", customer.id)]
        )

    def _wait(self, browser, condition, timeout=30.0):
        """Wait until the page (loaded) satisfies the JS ``condition``."""
        expression = f"document.readyState === 'complete' && !!({condition})"
        deadline = time.time() + timeout
        while time.time() < deadline:
            # An AssertionError: the page is navigating.
            with contextlib.suppress(AssertionError):
                if self._evaluate(browser, expression):
                    return
            time.sleep(0.25)
        self._screenshot(browser, "plan_request_failure.png")
        text = self._evaluate(browser, "location.href + ' ' + document.body.innerText")
        self.fail(f"the page never showed {condition}: {text[:1500]}")

    def test_dates_are_read_back_as_the_customer_sees_them(self):
        # Arabic writes month names ("31 ديسمبر, 2026"): typed back as shown,
        # every month reads as the same day (it did not before).
        Statement = self.env["settlement.statement"]
        for code in LANGS:
            customer = self.customers[code][0]
            for month in range(1, 13):
                day = self.today.replace(day=1, month=month) + timedelta(days=27)
                with self.subTest(lang=code, day=str(day)):
                    shown = Statement._format_date(day, customer)
                    self.assertEqual(Statement._parse_date(shown, customer), day)

    def test_request_preview_submit_and_accept_in_each_language(self):
        self.assertTrue(
            shutil.which("chromium") or shutil.which("google-chrome"),
            "browser tests need headless Chromium (apt-get install chromium)",
        )
        Statement = self.env["settlement.statement"]
        for code in LANGS:
            customer, login, overdue = self.customers[code]
            name = customer.name
            first_date = Statement._format_date(
                self.today + timedelta(days=10), customer
            )
            browser = ChromeBrowser(self, headless=True)
            try:
                self.authenticate(login, login, browser=browser)
                self.cr.flush()
                self.cr.clear()
                with self.subTest(lang=code):
                    browser.navigate_to(self.base_url() + "/my/plans", wait_stop=True)
                    self._wait(
                        browser,
                        "document.querySelector('.o_settlement_plan_request_link')",
                    )
                    self.assertEqual(
                        self._evaluate(
                            browser, "getComputedStyle(document.body).direction"
                        ),
                        "rtl",
                    )
                    self._evaluate(
                        browser,
                        "document.querySelector('.o_settlement_plan_request_link').click()",
                    )
                    self._wait(browser, "document.querySelector('#plan_first_date')")
                    self._evaluate(
                        browser,
                        "document.querySelector('#plan_first_date').value = "
                        f"{json.dumps(first_date)};"
                        "document.querySelector('#plan_instalments').value = '3';"
                        "document.querySelector('.o_settlement_plan_request_preview')"
                        ".click()",
                    )
                    self._wait(
                        browser,
                        "document.querySelector('.o_settlement_plan_request_quote')",
                    )
                    rows = self._evaluate(
                        browser,
                        "document.querySelectorAll("
                        "'.o_settlement_plan_request_quote tbody tr').length",
                    )
                    self.assertEqual(rows, 4)  # the down payment and 3 instalments
                    self._screenshot(browser, f"plan_request_preview_{code}.png")
                    self._evaluate(
                        browser,
                        "document.querySelector('.o_settlement_plan_request_submit')"
                        ".click()",
                    )
                    self._wait(
                        browser, "document.querySelector('.o_settlement_plan_accept')"
                    )
                    self._screenshot(browser, f"plan_request_accept_{code}.png")
                    self._evaluate(
                        browser,
                        "document.querySelector('#settlement_accept_name').value = "
                        f"{json.dumps(name)};"
                        "document.querySelector('.o_settlement_plan_accept button')"
                        ".click()",
                    )
                    self._wait(browser, "location.search.includes('message=accepted')")
                    self._screenshot(browser, f"plan_request_accepted_{code}.png")
            finally:
                browser.stop()
                self._wait_remaining_requests()
            # The page's own requests share the test's cursor: read the
            # database once the browser is gone.
            plan = self._plans(customer)
            self.assertEqual(plan.move_ids, overdue)
            self.assertEqual((plan.state, plan.accepted_by), ("active", name))
            self.assertEqual(len(plan.line_ids), 4)
