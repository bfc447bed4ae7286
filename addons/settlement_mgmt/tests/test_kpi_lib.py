import unittest

from ..lib.kpi import (
    collection_effectiveness,
    dso_countback,
    payment_pattern_worsens,
    slope,
)

# Three months of 40,000 credit sales, the most recent first.
QUARTER = [(30, 40000.0), (31, 40000.0), (30, 40000.0)]


class TestDsoCountback(unittest.TestCase):
    def test_balance_inside_the_first_period(self):
        # 30,000 of the last 60,000: half of 31 days.
        self.assertEqual(dso_countback(30000.0, [(31, 60000.0), (30, 50000.0)]), 15.5)

    def test_balance_spanning_two_and_a_half_periods(self):
        # 100,000 = 40,000 (30 days) + 40,000 (31 days) + 20,000 of 40,000
        # (30 * 0.5 = 15 days): 30 + 31 + 15 = 76.
        self.assertEqual(dso_countback(100000.0, QUARTER), 76.0)
        # Exactly the first month's sales: its whole 30 days, no more.
        self.assertEqual(dso_countback(40000.0, QUARTER), 30.0)

    def test_history_exhausted_gives_a_lower_bound(self):
        # 200,000 exceeds the 120,000 of history: at least 30 + 31 + 30 days.
        self.assertEqual(dso_countback(200000.0, QUARTER), 91.0)

    def test_no_balance_or_no_history(self):
        self.assertEqual(dso_countback(0.0, QUARTER), 0.0)
        self.assertEqual(dso_countback(-500.0, QUARTER), 0.0)
        self.assertEqual(dso_countback(0.0, []), 0.0)
        self.assertIsNone(dso_countback(100.0, []))

    def test_period_without_sales_counts_whole(self):
        # 30 days without sales, then 31,000 of 62,000: 30 + 15.5 = 45.5.
        self.assertEqual(dso_countback(31000.0, [(30, 0.0), (31, 62000.0)]), 45.5)


class TestCollectionEffectiveness(unittest.TestCase):
    def test_hand_example(self):
        # (100,000 + 50,000 - 60,000) / (100,000 + 50,000 - 40,000) * 100
        # = 90,000 / 110,000 * 100 = 81.8181...
        self.assertAlmostEqual(
            collection_effectiveness(100000.0, 50000.0, 60000.0, 40000.0),
            81.818181818,
            places=6,
        )
        # Everything collected except what is not due yet: 100 %.
        self.assertEqual(collection_effectiveness(1000.0, 500.0, 200.0, 200.0), 100.0)

    def test_nothing_collectible(self):
        self.assertIsNone(collection_effectiveness(0.0, 100.0, 100.0, 100.0))
        self.assertIsNone(collection_effectiveness(0.0, 0.0, 0.0, 0.0))


class TestTrends(unittest.TestCase):
    def test_slope(self):
        self.assertEqual(slope([(1, 3), (2, 5), (3, 7), (4, 9)]), 2.0)
        # Means (1, 2); covariance (-1)(-1) + 0 + (1)(0) = 1; variance 2: 0.5.
        self.assertEqual(slope([(0, 1), (1, 3), (2, 2)]), 0.5)
        self.assertEqual(slope(iter([(0, 5), (10, 5)])), 0.0)
        self.assertIsNone(slope([(3, 1), (3, 8)]))
        self.assertIsNone(slope([(3, 1)]))
        self.assertIsNone(slope([]))

    def test_payment_pattern_worsens(self):
        self.assertTrue(payment_pattern_worsens(12.0, 5.0, 7.0))
        self.assertTrue(payment_pattern_worsens(20.0, 5.0, 7.0))
        self.assertFalse(payment_pattern_worsens(11.5, 5.0, 7.0))
        self.assertFalse(payment_pattern_worsens(2.0, 5.0, 7.0))
        self.assertFalse(payment_pattern_worsens(30.0, None, 7.0))
        self.assertFalse(payment_pattern_worsens(None, 5.0, 7.0))
