import unittest
from datetime import date

from ..lib.discount import (
    amount_after_discount,
    scale_exactly,
    tier_index,
    tiers_problem,
)


class TestDiscountLib(unittest.TestCase):
    def test_tiers_problem(self):
        self.assertIsNone(tiers_problem([(7, 3.0), (15, 1.5)]))
        self.assertIsNone(tiers_problem([(10, 2.0)]))
        self.assertEqual(tiers_problem([(7, 3.0), (7, 1.5)]), "days_order")
        self.assertEqual(tiers_problem([(7, 3.0), (5, 1.5)]), "days_order")
        self.assertEqual(tiers_problem([(7, 3.0), (15, 3.0)]), "percentage_order")
        self.assertEqual(tiers_problem([(7, 3.0), (15, 0.0)]), "percentage_range")
        self.assertEqual(tiers_problem([(7, 100.0)]), "percentage_range")
        self.assertEqual(tiers_problem([(0, 3.0)]), "days_order")

    def test_amount_after_discount_by_computation(self):
        # 1000 untaxed + 150 tax.
        self.assertAlmostEqual(amount_after_discount(1150, 1000, 3, "excluded"), 1120)
        self.assertAlmostEqual(amount_after_discount(1150, 1000, 3, "mixed"), 1120)
        self.assertAlmostEqual(
            amount_after_discount(1150, 1000, 1.5, "included"), 1132.75
        )
        # Signed amounts (a vendor bill) keep their sign.
        self.assertAlmostEqual(
            amount_after_discount(-1150, -1000, 3, "excluded"), -1120
        )
        with self.assertRaises(ValueError):
            amount_after_discount(1, 1, 1, "other")

    def test_tier_index_on_each_boundary(self):
        deadlines = [date(2026, 1, 8), date(2026, 1, 16)]
        self.assertEqual(tier_index(deadlines, date(2026, 1, 7)), 0)
        self.assertEqual(tier_index(deadlines, date(2026, 1, 8)), 0)
        self.assertEqual(tier_index(deadlines, date(2026, 1, 9)), 1)
        self.assertEqual(tier_index(deadlines, date(2026, 1, 16)), 1)
        self.assertIsNone(tier_index(deadlines, date(2026, 1, 17)))
        self.assertIsNone(tier_index([], date(2026, 1, 1)))

    def test_scale_exactly_keeps_the_total(self):
        # Thirds of 10.00 do not round to 10.00 without moving a cent.
        scaled = scale_exactly([1.0, 1.0, 1.0], 10.0)
        self.assertAlmostEqual(sum(scaled), 10.0)
        self.assertEqual(sorted(scaled), [3.33, 3.33, 3.34])
        self.assertEqual(scale_exactly([30.0, 4.5], 17.25), [15.0, 2.25])
        self.assertEqual(scale_exactly([], 5.0), [])
        self.assertEqual(scale_exactly([0.0, 0.0], 5.0), [0.0, 5.0])
