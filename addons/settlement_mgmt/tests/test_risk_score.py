from odoo.tests import tagged

from .common import SettlementCommon


@tagged("post_install", "-at_install")
class TestRiskScore(SettlementCommon):
    def _score(self, partner):
        return self.env["settlement.risk.score"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.env.company.id)]
        )

    def test_late_payer_on_time_payer_and_overdue(self):
        on_time = self.env["res.partner"].create(
            {"name": "On Time", "is_company": True}
        )
        paid_on_time = self._invoice(on_time, 500.0, days_old=60, due_days=30)
        self._pay(paid_on_time, days_old=35)
        late = self._invoice(self.customer, 500.0, days_old=60, due_days=30)
        self._pay(late, days_old=10)  # due 30 days ago, paid 20 days after due date
        self._invoice(self.other_customer, 500.0, days_old=45, due_days=30)

        self.env["settlement.risk.score"]._cron_settlement_risk_scores()

        # Hand-computed: 20 days late on average costs 35 * 20/60 = 11.67 points,
        # all of it paid late costs 20: 68.3 (C).  Unpaid 15 days after the due
        # date: 35 * 15/60 = 8.75, late 20, all overdue 25: 46.25 (D).
        self.assertEqual(
            (self._score(on_time).score, self._score(on_time).grade), (100, "A")
        )
        late_score = self._score(self.customer)
        self.assertAlmostEqual(late_score.weighted_days_late, 20.0)
        self.assertEqual(late_score.late_share, 100.0)
        self.assertEqual((late_score.score, late_score.grade), (68.3, "C"))
        overdue = self._score(self.other_customer)
        self.assertEqual(overdue.weighted_days_late, 15.0)
        self.assertEqual(overdue.overdue_ratio, 100.0)
        self.assertAlmostEqual(overdue.score, 46.25, delta=0.051)
        self.assertEqual(overdue.grade, "D")
        self.assertEqual(self.customer_contact.settlement_risk_grade, "C")
        risky = self.env["res.partner"].search([("settlement_risk_grade", "=", "C")])
        self.assertIn(self.customer, risky)

    def test_reconciliation_rescores_the_customer_at_once(self):
        invoice = self._invoice(self.customer, 500.0, days_old=45, due_days=30)
        self.env["settlement.risk.score"]._recompute(self.env.company)
        self.assertEqual(self._score(self.customer).grade, "D")
        self._pay(invoice)
        # paid today, 15 days late: 100 - 8.75 - 20 = 71.25 (B)
        score = self._score(self.customer)
        self.assertEqual(score.overdue_ratio, 0.0)
        self.assertEqual(score.weighted_days_late, 15.0)
        self.assertEqual(score.grade, "B")

    def test_cron_is_idempotent_and_set_based(self):
        for index in range(3):
            partner = self.env["res.partner"].create({"name": f"P{index}"})
            self._invoice(partner, 100.0, days_old=40, due_days=30)
        Score = self.env["settlement.risk.score"]
        Score._cron_settlement_risk_scores()
        count = Score.search_count([])
        Score._cron_settlement_risk_scores()
        self.assertEqual(Score.search_count([]), count)
        self.env.flush_all()
        few = self.env.cr.sql_log_count
        Score._recompute(self.env.company)
        self.env.flush_all()
        few = self.env.cr.sql_log_count - few
        for index in range(10):
            partner = self.env["res.partner"].create({"name": f"Q{index}"})
            self._invoice(partner, 100.0, days_old=40, due_days=30)
        self.env.flush_all()
        many = self.env.cr.sql_log_count
        Score._recompute(self.env.company)
        self.assertEqual(self.env.cr.sql_log_count - many, few)
