"""Issue #21 items 1-3, where the user meets them: in the web client."""

import json
import os
import shutil

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import SettlementCommon

CHECKS = os.path.join(os.path.dirname(__file__), "backend_ux_checks.js")


@tagged("post_install", "-at_install")
class TestBackendUx(SettlementCommon, HttpCase):
    """Open: 1,200 invoice 30 days overdue with 200 paid (1,000 open, bucket
    1-30), 500 of the other customer 100 days overdue (over 90), 300 not due:
    1,800 open, 1,500 overdue."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.overdue = cls._invoice(cls.customer, 1200.0, days_old=60, due_days=30)
        cls._pay(cls.overdue, 200.0, days_old=5)
        cls.older = cls._invoice(cls.other_customer, 500.0, days_old=100, due_days=0)
        cls.not_due = cls._invoice(cls.customer, 300.0, days_old=0, due_days=30)
        cls.env["res.users"].browse(cls.env.ref("base.user_admin").id).write(
            {
                "company_ids": [Command.link(cls.env.company.id)],
                "company_id": cls.env.company.id,
            }
        )

    def _check_browser(self):
        self.assertTrue(
            shutil.which("chromium") or shutil.which("google-chrome"),
            "browser tests need headless Chromium (apt-get install chromium)",
        )

    def _js(self, url, call):
        with open(CHECKS, encoding="utf-8") as file:
            code = file.read()
        self.browser_js(url, f"{code}\nrun(() => {call});", login="admin", timeout=120)

    # 1. ------------------------------------------------------------------
    def test_open_receivables_rows_and_aging_pivot(self):
        self._check_browser()
        self._js(
            "/odoo/action-settlement_mgmt.account_move_line_action_settlement_open",
            "checkOpenReceivables()",
        )

    def test_open_amount_by_aging_bucket(self):
        Line = self.env["account.move.line"]
        domain = [
            ("partner_id", "in", (self.customer | self.other_customer).ids),
            ("account_type", "=", "asset_receivable"),
            ("reconciled", "=", False),
        ]
        groups = dict(
            Line._read_group(
                domain, ["settlement_aging_bucket"], ["amount_residual:sum"]
            )
        )
        self.assertEqual(groups, {"0": 300.0, "1": 1000.0, "4": 500.0})
        labels = dict(Line._settlement_aging_selection())
        self.assertEqual(labels["1"], "1–30")
        self.assertEqual(labels["4"], "91+")
        self.assertEqual(
            Line.search([*domain, ("settlement_aging_bucket", "=", "1")]).move_id,
            self.overdue,
        )
        self.assertEqual(
            Line.search(
                [*domain, ("settlement_aging_bucket", "in", ["0", "4"])]
            ).move_id,
            self.not_due | self.older,
        )

    # 2. ------------------------------------------------------------------
    def test_dashboard_menu_opens_todays_page(self):
        self._check_browser()
        self._js("/odoo", "checkDashboard()")

    def test_dashboard_is_one_page_refreshed_by_controllers_only(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "settlement_mgmt.settlement_dashboard_action"
        )
        dashboard = self.env["settlement.dashboard"].browse(action["res_id"])
        self.assertEqual(dashboard.display_name, "Receivables Dashboard")
        user = new_test_user(
            self.env,
            login="ux_dash_user",
            groups="settlement_mgmt.group_settlement_user",
            company_id=self.env.company.id,
        )
        self.assertEqual(dashboard.with_user(user).overdue, 1500.0)
        for method in ("action_refresh", "action_train"):
            with self.assertRaises(AccessError):
                getattr(dashboard.with_user(user), method)()
        self.assertTrue(dashboard.with_user(self.controller).action_refresh())

    # 3. ------------------------------------------------------------------
    def test_no_technical_values(self):
        self._check_browser()
        company = self.env.company
        company.settlement_dunning_policy_id = (
            self.env.ref("settlement_mgmt.dunning_policy_standard")
            .sudo()
            .copy({"company_id": company.id})
        )
        self.customer.write({"email": "ap@ux.example.com", "credit_limit": 800.0})
        draft = self._invoice(self.customer, 90.0, post=False)
        refund = self._invoice(self.other_customer, 40.0, move_type="out_refund")
        # Exposure 1,000 + 300 + the 90 draft = 1,390 of 800: 173.75 %.
        planned = self._invoice(self.other_customer, 600.0, days_old=0, due_days=30)
        plan = self._proposed_plan(planned, instalments=2)
        plan.action_activate()
        Engine = self.env["settlement.dunning.engine"]
        reminder = Engine._dunning_send(
            company,
            Engine._dunning_candidates(company, partners=self.customer),
            self.today,
        ).filtered(lambda reminder: reminder.call_state == "to_call")
        self.assertTrue(reminder.mail_message_id)
        self.env(su=True)["settlement.risk.score"]._cron_settlement_risk_scores()
        first_due = plan.line_ids.sorted("date_due")[0].date_due
        ids = {
            "invoices": (self.not_due | draft | refund).ids,
            "plan": plan.id,
            "next_due": first_due.strftime("%m/%d/%Y"),
            "reminder": reminder.id,
            "partner": self.customer.id,
        }
        self._js("/odoo", f"checkTechnicalValues({json.dumps(ids)})")

    # 5. ------------------------------------------------------------------
    def test_reminder_preview_in_the_browser(self):
        self._check_browser()
        self.env.company.settlement_dunning_policy_id = (
            self.env.ref("settlement_mgmt.dunning_policy_standard")
            .sudo()
            .copy({"company_id": self.env.company.id})
        )
        (self.customer | self.other_customer).email = "ap@ux.example.com"
        self._js(
            "/odoo",
            "checkReminderPreview("
            + json.dumps({"customer": self.customer.name, "invoice": self.overdue.name})
            + ")",
        )

    # 9. ------------------------------------------------------------------
    def test_disputed_badge_beside_the_partial_ribbon(self):
        """1,200 invoice, 200 paid (core's "Partial" ribbon), 300 disputed
        through the dispute form: the badge shows and the ribbon does not
        cover it (it was a second ribbon drawn exactly under "Partial")."""
        self._check_browser()
        dispute = self.env["settlement.dispute"].create(
            {
                "move_id": self.overdue.id,
                "reason_id": self.env.ref("settlement_mgmt.dispute_reason_price").id,
                "amount": 300.0,
            }
        )
        self.assertTrue(self.overdue.settlement_is_disputed, dispute.name)
        self._js(
            "/odoo", f"checkRibbonAndBadges({json.dumps({'invoice': self.overdue.id})})"
        )

    def test_offer_is_empty_without_a_discount(self):
        draft = self._invoice(self.customer, 90.0, post=False)
        refund = self._invoice(self.customer, 40.0, move_type="out_refund")
        for move in (self.not_due, draft, refund):
            self.assertIs(move.settlement_discount_offer, False)

    def test_instalment_and_dialog_names(self):
        planned = self._invoice(self.other_customer, 600.0, days_old=0, due_days=30)
        plan = self._proposed_plan(planned, instalments=2)
        line = plan.line_ids.sorted("date_due")[0]
        self.assertNotIn("settlement.instalment.plan.line", line.display_name)
        self.assertIn(plan.name, line.display_name)
        self.assertIn("300.00", line.display_name)

    # 10. -----------------------------------------------------------------
    def test_collections_is_an_app(self):
        self._check_browser()
        self._js("/odoo", "checkCollectionsApp()")
