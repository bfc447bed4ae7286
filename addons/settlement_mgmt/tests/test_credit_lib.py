import unittest

from ..lib.credit import (
    BLOCK_HOLD,
    BLOCK_LIMIT,
    BLOCK_OVERDUE,
    Exposure,
    available_credit,
    block_reasons,
    effective_limit,
    usage_percent,
)
from ..lib.scoring import RiskFactors, grade_for, risk_score


class TestExposureArithmetic(unittest.TestCase):
    def test_total_adds_commitments_and_drops_disputes_when_excluded(self):
        exposure = Exposure(
            open_receivable=650.0,
            draft_invoices=200.0,
            components={"uninvoiced_sales": 100.0},
            disputed=80.0,
        )
        self.assertEqual(exposure.total, 870.0)
        kept = Exposure(open_receivable=650.0, disputed=80.0, exclude_disputed=False)
        self.assertEqual(kept.total, 650.0)

    def test_limit_raises_widen_a_positive_limit_only(self):
        self.assertEqual(effective_limit(1000, [500, 250]), 1750)
        self.assertEqual(effective_limit(1000, [-400]), 1000)
        self.assertEqual(effective_limit(0, [500]), 0.0)
        self.assertEqual(effective_limit(None, [500]), 0.0)

    def test_available_credit_and_usage(self):
        self.assertIsNone(available_credit(0, 500))
        self.assertIsNone(available_credit(-10, 500))
        self.assertEqual(available_credit(1000, 1250), -250)
        self.assertEqual(usage_percent(1000, 250), 25.0)
        self.assertEqual(usage_percent(0, 250), 0.0)
        self.assertEqual(usage_percent(1000, -300), 0.0)


class TestBlockReasons(unittest.TestCase):
    def _reasons(
        self, policy, on_hold=False, limit=1000, exposure=900, new=50, oldest=0
    ):
        return block_reasons(policy, on_hold, limit, exposure, new, oldest, 30)

    def test_warn_only_blocks_nothing_but_holds(self):
        self.assertEqual(self._reasons("warn", exposure=5000, oldest=400), [])
        self.assertEqual(self._reasons("warn", on_hold=True), [BLOCK_HOLD])

    def test_limit_is_exceeded_strictly(self):
        self.assertEqual(self._reasons("limit", exposure=950, new=50), [])
        self.assertEqual(self._reasons("limit", exposure=950, new=50.01), [BLOCK_LIMIT])
        self.assertEqual(self._reasons("limit", limit=0, exposure=10**9), [])

    def test_overdue_needs_its_policy_and_more_days_than_allowed(self):
        self.assertEqual(self._reasons("limit", oldest=400), [])
        self.assertEqual(self._reasons("limit_overdue", oldest=30), [])
        self.assertEqual(self._reasons("limit_overdue", oldest=31), [BLOCK_OVERDUE])
        self.assertEqual(
            self._reasons("limit_overdue", on_hold=True, exposure=2000, oldest=31),
            [BLOCK_HOLD, BLOCK_LIMIT, BLOCK_OVERDUE],
        )


class TestRiskScore(unittest.TestCase):
    def test_perfect_payer(self):
        result = risk_score(RiskFactors())
        self.assertEqual((result.score, result.grade), (100.0, "A"))

    def test_worked_example(self):
        # 30 days late on average: 35 * 30/60 = 17.5 points; half paid late:
        # 20 * 0.5 = 10; a fifth overdue now: 25 * 0.2 = 5; one broken promise: 5.
        result = risk_score(
            RiskFactors(
                weighted_days_late=30,
                late_share=0.5,
                overdue_ratio=0.2,
                broken_promises=1,
            )
        )
        self.assertEqual(result.days_late_penalty, 17.5)
        self.assertEqual(result.late_share_penalty, 10.0)
        self.assertEqual(result.overdue_penalty, 5.0)
        self.assertEqual(result.promise_penalty, 5.0)
        self.assertEqual(result.score, 62.5)
        self.assertEqual(result.grade, "C")

    def test_penalties_are_capped_and_score_never_negative(self):
        result = risk_score(
            RiskFactors(
                weighted_days_late=400,
                late_share=3,
                overdue_ratio=2,
                broken_promises=9,
                lost_disputes=9,
            )
        )
        self.assertEqual(result.score, 0.0)
        self.assertEqual(result.days_late_penalty, 35.0)
        self.assertEqual(result.promise_penalty, 10.0)
        self.assertEqual(result.grade, "E")

    def test_grade_floors(self):
        expected = {
            100: "A",
            85: "A",
            84.9: "B",
            70: "B",
            69.9: "C",
            50: "C",
            49.9: "D",
        }
        expected.update({30: "D", 29.9: "E", 0: "E"})
        for score, grade in expected.items():
            with self.subTest(score=score):
                self.assertEqual(grade_for(score), grade)
