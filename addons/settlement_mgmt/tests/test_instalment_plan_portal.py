import shutil

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestInstalmentPlanPortal(SettlementCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(cls.customer, 900.0)
        cls._portal_pair("plan_portal")
        cls.plan = cls._proposed_plan(cls.invoice)

    def _csrf(self, url):
        page = self.url_open(url)
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        return page.text[start : page.text.index('"', start)]

    def test_customer_sees_and_accepts_the_proposed_plan(self):
        self.authenticate("plan_portal_a", "plan_portal_a")
        url = f"/my/plans/{self.plan.id}"
        page = self.url_open(url)
        self.assertIn(self.plan.name, page.text)
        self.assertIn("300.00", page.text)
        self.assertIn(self.plan.name, self.url_open("/my/plans").text)
        token = self._csrf(url)
        response = self.url_open(url, data={"csrf_token": token, "name": "  "})
        self.assertIn("Type your full name", response.text)
        self.assertEqual(self.plan.state, "proposed")
        response = self.url_open(
            url, data={"csrf_token": token, "name": "Credit Contact"}
        )
        self.assertIn("message=accepted", response.url)
        self.assertEqual(self.plan.state, "active")
        self.assertEqual(self.plan.accepted_by, "Credit Contact")
        self.assertTrue(self.plan.accepted_on)
        again = self.url_open(url, data={"csrf_token": token, "name": "Credit Contact"})
        self.assertIn("no longer waiting", again.text)

    def test_other_customers_and_missing_csrf_are_refused(self):
        url = f"/my/plans/{self.plan.id}"
        self.authenticate("plan_portal_b", "plan_portal_b")
        self.assertTrue(self.url_open(url).url.endswith("/my"))
        self.assertNotIn(self.plan.name, self.url_open("/my/plans").text)
        self.authenticate("plan_portal_a", "plan_portal_a")
        response = self.url_open(url, data={"name": "Credit Contact"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.plan.state, "proposed")

    def test_draft_plans_are_not_shown(self):
        self.plan.action_draft()
        self.authenticate("plan_portal_a", "plan_portal_a")
        self.assertTrue(self.url_open(f"/my/plans/{self.plan.id}").url.endswith("/my"))

    def test_acceptance_in_headless_chromium(self):
        self.assertTrue(
            shutil.which("chromium") or shutil.which("google-chrome"),
            "browser tests need headless Chromium (apt-get install chromium)",
        )
        method = self.env.ref("payment.payment_method_unknown")
        self.env["payment.provider"].create(
            {
                "name": "Test Provider",
                "code": "none",
                "state": "test",
                "is_published": True,
                "payment_method_ids": [Command.set(method.ids)],
                "available_currency_ids": [
                    Command.set(self.env.company.currency_id.ids)
                ],
            }
        )
        method.active = True
        self.start_tour("/my/plans", "settlement_plan_portal", login="plan_portal_a")
        self.assertEqual(self.plan.state, "active")
        self.assertEqual(self.plan.accepted_by, "Credit Contact")
