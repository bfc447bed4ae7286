from odoo.tests import new_test_user, tagged

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestAutomaticHolds(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_policy("limit_overdue", overdue_days=30)
        cls.late = cls._invoice(cls.customer, 300.0, days_old=90, due_days=30)
        cls._invoice(cls.other_customer, 300.0, days_old=50, due_days=30)  # 20 days: ok

    def _active_holds(self, partner=None):
        domain = [("state", "=", "active"), ("hold_type", "=", "overdue")]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        return self.env["settlement.credit.hold"].search(domain)

    def test_cron_holds_only_customers_beyond_the_allowance_once(self):
        Hold = self.env["settlement.credit.hold"]
        Hold._cron_settlement_credit_holds()
        hold = self._active_holds(self.customer)
        self.assertEqual(len(hold), 1)
        self.assertIn("60 days", hold.reason)
        self.assertEqual(hold.user_id, self.env.ref("base.user_root"))
        self.assertFalse(self._active_holds(self.other_customer))

        Hold._cron_settlement_credit_holds()
        self.assertEqual(len(self._active_holds(self.customer)), 1)

    def test_warn_policy_customers_are_not_held(self):
        self.customer.settlement_credit_policy = "warn"
        self.env["settlement.credit.hold"]._cron_settlement_credit_holds()
        self.assertFalse(self._active_holds(self.customer))

    def test_paying_the_overdue_item_releases_at_once(self):
        self.env["settlement.credit.hold"]._cron_settlement_credit_holds()
        hold = self._active_holds(self.customer)
        self._pay(self.late, 100.0)
        self.assertEqual(hold.state, "active", "still overdue after a partial payment")
        self._pay(self.late)
        self.assertEqual(hold.state, "released")
        self.assertTrue(hold.release_reason)
        self.assertFalse(self.customer.settlement_on_hold)

    def test_manual_hold_survives_payment_and_cron(self):
        manual = self.env["settlement.credit.hold"].create(
            {"partner_id": self.customer.id, "reason": "Legal case"}
        )
        self._pay(self.late)
        self.env["settlement.credit.hold"]._cron_settlement_credit_holds()
        self.assertEqual(manual.state, "active")

    def test_cron_works_in_batches_and_resumes(self):
        third = self.env["res.partner"].create({"name": "Third", "is_company": True})
        self._invoice(third, 50.0, days_old=100, due_days=10)
        Hold = self.env["settlement.credit.hold"]
        Hold._cron_settlement_credit_holds(batch_size=1)
        self.assertEqual(len(self._active_holds()), 1)
        Hold._cron_settlement_credit_holds(batch_size=1)
        self.assertEqual(len(self._active_holds()), 2)
        Hold._cron_settlement_credit_holds(batch_size=1)
        self.assertEqual(len(self._active_holds()), 2)
        self.assertEqual(self._active_holds().partner_id, self.customer | third)


@tagged("post_install", "-at_install")
class TestCreditMultiCompany(SettlementCommon):
    def test_holds_and_exposure_stay_in_their_company(self):
        company_2 = self.setup_other_company()["company"]
        self.env["settlement.credit.hold"].with_company(company_2).create(
            {
                "partner_id": self.customer.id,
                "reason": "Company 2 only",
                "company_id": company_2.id,
            }
        )
        self._set_policy("warn")
        self.assertFalse(
            self.customer.with_company(self.env.company).settlement_on_hold
        )
        self.assertTrue(self.customer.with_company(company_2).settlement_on_hold)

        invoice = self._invoice(self.customer, 100.0, post=False)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(
            self.customer.with_company(company_2).settlement_open_receivable, 0.0
        )

        user_1 = new_test_user(
            self.env,
            login="sm_company_1",
            groups="settlement_mgmt.group_settlement_user",
            company_id=self.env.company.id,
            company_ids=[self.env.company.id],
        )
        visible = self.env["settlement.credit.hold"].with_user(user_1).search([])
        self.assertFalse(visible)
