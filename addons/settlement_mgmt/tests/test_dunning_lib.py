import unittest

from ..lib.dunning import accrued_interest, call_priority, late_fee, level_index

LEVELS = [-3, 7, 21, 45]


class TestLevelIndex(unittest.TestCase):
    def test_boundaries_day_before_on_and_after(self):
        cases = {
            -4: None,
            -3: 0,
            -2: 0,
            6: 0,
            7: 1,
            8: 1,
            20: 1,
            21: 2,
            44: 2,
            45: 3,
            400: 3,
        }
        for days, expected in cases.items():
            with self.subTest(days=days):
                self.assertEqual(level_index(days, LEVELS), expected)

    def test_no_levels(self):
        self.assertIsNone(level_index(100, []))


class TestLateFee(unittest.TestCase):
    def test_fixed_and_none(self):
        self.assertEqual(late_fee("fixed", 500, fixed=15), 15.0)
        self.assertEqual(late_fee("none", 500, fixed=15), 0.0)
        self.assertEqual(late_fee("fixed", 0, fixed=15), 0.0)

    def test_percent_with_bounds(self):
        self.assertEqual(late_fee("percent", 1000, percent=2), 20.0)
        self.assertEqual(late_fee("percent", 100, percent=2, minimum=5), 5.0)
        self.assertEqual(late_fee("percent", 100000, percent=2, maximum=250), 250.0)
        self.assertEqual(late_fee("percent", 333.33, percent=1.5), 5.0)
        self.assertEqual(late_fee("percent", 1000, percent=2, rounding=1), 20.0)

    def test_unknown_type(self):
        with self.assertRaises(ValueError):
            late_fee("daily", 100)


class TestInterest(unittest.TestCase):
    def test_by_hand(self):
        # 1,000 × 10% × 73/365 = 20.00
        self.assertEqual(accrued_interest(1000, 73, 10), 20.0)
        # grace days are not charged: 1,000 × 10% × (83 - 10)/365
        self.assertEqual(accrued_interest(1000, 83, 10, grace_days=10), 20.0)
        # 2,500 × 8% × 30/365 = 16.438… → 16.44
        self.assertEqual(accrued_interest(2500, 30, 8), 16.44)

    def test_nothing_within_grace_or_not_overdue(self):
        self.assertEqual(accrued_interest(1000, 5, 10, grace_days=5), 0.0)
        self.assertEqual(accrued_interest(1000, -3, 10), 0.0)
        self.assertEqual(accrued_interest(1000, 30, 0), 0.0)
        self.assertEqual(accrued_interest(-50, 30, 10), 0.0)


class TestCallPriority(unittest.TestCase):
    def test_riskier_customers_first_at_equal_amounts(self):
        self.assertGreater(call_priority(1000, 20), call_priority(1000, 90))
        self.assertEqual(call_priority(1000, 100), 1000.0)
        self.assertEqual(call_priority(1000, 0), 2000.0)
        self.assertEqual(call_priority(1000, None), 1500.0)
