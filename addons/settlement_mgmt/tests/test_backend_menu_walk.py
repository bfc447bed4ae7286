import json
import os
import shutil
import time
from datetime import timedelta

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

from .chrome import ChromePageMixin
from .common import SettlementCommon

LANGS = ("en_US", "fa_IR", "ar_001", "he_IL")
WALKER = os.path.join(os.path.dirname(__file__), "backend_menu_walker.js")
READY = "Boolean(window.odoo && odoo.__WOWL_DEBUG__ && odoo.__WOWL_DEBUG__.root)"


@tagged("post_install", "-at_install")
class TestBackendMenuWalk(ChromePageMixin, SettlementCommon, HttpCase):
    """Every backend menu of the addon, as admin, in en, fa, ar and he: each
    action, each of its view types, the first group of a list and its first
    record.  Fails on error dialogs, JS errors, HTTP errors and technical
    strings (``model.name,7``, ``model.name()``) a user would read."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in LANGS[1:]:
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"].search(
            [("name", "=", "settlement_mgmt")]
        )._update_translations(list(LANGS[1:]))
        cls._walk_data()

    @classmethod
    def _walk_data(cls):
        """What each menu lists, made the way users and crons make it."""
        company = cls.env.company
        policy = (
            cls.env.ref("settlement_mgmt.dunning_policy_standard")
            .sudo()
            .copy({"company_id": company.id})
        )
        company.settlement_dunning_policy_id = policy
        cls._set_policy("limit_overdue", overdue_days=20)
        (cls.customer | cls.other_customer).write({"email": "ap@walk.example.com"})
        # Overdue by 30 days (second reminder: a call), partly paid; not due;
        # a credit note; a draft; a two-instalment plan.
        overdue = cls._invoice(cls.customer, 1200.0, days_old=60, due_days=30)
        cls._pay(overdue, 200.0, days_old=5)
        cls._invoice(cls.other_customer, 800.0, days_old=40, due_days=10)
        cls._invoice(cls.customer, 300.0, days_old=2, due_days=30)
        cls._invoice(cls.other_customer, 150.0, move_type="out_refund")
        cls._invoice(cls.customer, 90.0, post=False)
        planned = cls._invoice(cls.other_customer, 600.0, days_old=1, due_days=30)
        cls._proposed_plan(planned, instalments=2).action_activate()
        cls.env["settlement.dispute"].create(
            {
                "move_id": overdue.id,
                "reason_id": cls.env.ref("settlement_mgmt.dispute_reason_price").id,
                "amount": 100.0,
            }
        )
        Engine = cls.env["settlement.dunning.engine"]
        reminders = Engine._dunning_send(
            company, Engine._dunning_candidates(company), cls.today
        )
        call = reminders.filtered(lambda reminder: reminder.call_state == "to_call")[:1]
        promise = call.action_call_promise()
        cls.env["settlement.promise"].with_context(**promise["context"]).create(
            {"date_promised": cls.today + timedelta(days=7)}
        )
        # The nightly crons, as the cron runner (superuser) calls them.
        cron_env = cls.env(su=True)
        cron_env["settlement.credit.hold"]._cron_settlement_credit_holds()
        cron_env["settlement.risk.score"]._cron_settlement_risk_scores()
        cron_env["settlement.receivable.snapshot"]._cron_settlement_snapshots()
        cron_env["settlement.payment.prediction"]._cron_settlement_predictions()
        cls.customer.settlement_statement_opt_in = True
        cron_env["settlement.statement.sending"]._cron_settlement_statements()
        # AccountTestInvoicingCommon makes cash-basis taxes and pricelists
        # without their settings, which Settings would warn about on opening:
        # make the fixture what a real database is.
        company.tax_exigibility = True
        cls.env.ref("base.group_user").write(
            {
                "implied_ids": [
                    Command.link(cls.env.ref("product.group_product_pricelist").id)
                ]
            }
        )
        cls.env["res.users"].browse(cls.env.ref("base.user_admin").id).write(
            {"company_ids": [Command.link(company.id)], "company_id": company.id}
        )

    def _menus(self):
        """The addon's menus with an action: everything under its root menu,
        and any menu of the addon placed elsewhere."""
        Menu = self.env["ir.ui.menu"].sudo()
        own = self.env["ir.model.data"].search(
            [("module", "=", "settlement_mgmt"), ("model", "=", "ir.ui.menu")]
        )
        menus = Menu.browse(own.mapped("res_id"))
        roots = menus.filtered(lambda menu: not menu.parent_id)
        menus |= Menu.search([("id", "child_of", roots.ids)])
        return menus.filtered("action").sorted(lambda menu: menu.complete_name)

    def _open_web_client(self, browser):
        # A freshly started threaded server may answer the first asset
        # requests with 500 (Python 3.11.7, gh-106905): reload until the web
        # client is up, then count HTTP errors from a clean slate.
        for _attempt in range(4):
            browser.navigate_to(self.base_url() + "/odoo", wait_stop=True)
            deadline = time.time() + 30
            while time.time() < deadline:
                if self._evaluate(browser, READY):
                    return
                time.sleep(0.3)
        self.fail("the web client did not start")

    def test_every_menu_in_every_language(self):
        self.assertTrue(
            shutil.which("chromium") or shutil.which("google-chrome"),
            "browser tests need headless Chromium (apt-get install chromium)",
        )
        menus = self._menus()
        self.assertGreater(len(menus), 15)
        with open(WALKER, encoding="utf-8") as file:
            walker = file.read()
        admin = self.env.ref("base.user_admin")
        problems = []
        http_errors = []

        def on_response(response, **_kw):
            if response["status"] >= 400:
                http_errors.append(f"HTTP {response['status']} {response['url']}")

        for code in LANGS:
            admin.lang = code
            browser = ChromeBrowser(self, headless=True)
            try:
                self.authenticate("admin", "admin", browser=browser)
                self.cr.flush()
                self.cr.clear()
                self._open_web_client(browser)
                browser._handlers["Network.responseReceived"] = on_response
                browser._websocket_request("Network.enable")
                self._evaluate(browser, walker)
                # The collectors work: two technical strings, one HTTP 404.
                self.assertEqual(
                    self._evaluate(browser, "window.__settlementWalk.selfTest()"), 2
                )
                self._evaluate(
                    browser, "fetch('/settlement/no-such-page').then(() => 1)"
                )
                deadline = time.time() + 5
                while not http_errors and time.time() < deadline:
                    time.sleep(0.1)
                self.assertIn("404", " ".join(http_errors))
                direction = self._evaluate(
                    browser, "getComputedStyle(document.body).direction"
                )
                if direction != ("ltr" if code == "en_US" else "rtl"):
                    problems.append(f"[{code}] the web client reads {direction}")
                for menu in menus:
                    http_errors.clear()
                    outcome = json.loads(
                        self._evaluate(
                            browser,
                            f"window.__settlementWalk.walk({menu.id})",
                            timeout=90.0,
                        )
                    )
                    found = outcome["problems"] + http_errors
                    problems += [f"[{code}] {menu.complete_name}: {p}" for p in found]
                    xml_id = menu.get_external_id()[menu.id] or f"menu_{menu.id}"
                    self._screenshot(
                        browser, f"backend_{code}_{xml_id.split('.')[-1]}.png"
                    )
            finally:
                browser.stop()
                self._wait_remaining_requests()
        self.assertFalse(problems, "\n".join(problems))
