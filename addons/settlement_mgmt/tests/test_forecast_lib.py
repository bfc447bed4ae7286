import unittest
from datetime import date

from ..lib.forecast import (
    DelayHistory,
    ForecastItem,
    backtest,
    blend,
    expected_invoice_date,
    expected_payment_date,
    reweight,
    week_shares,
    weekly_forecast,
    weighted_median,
)


class TestDistribution(unittest.TestCase):
    def test_blend_shrinks_towards_the_company(self):
        # Customer: 10 and 20 days late; company: 0, 0, 0, 30 counting as two
        # invoices: 0 weighs 3 * 2/4 = 1.5, 30 weighs 0.5; total 4.
        customer = DelayHistory([10, 20])
        company = DelayHistory([0, 0, 0, 30])
        self.assertEqual(
            blend(customer, company, prior_weight=2),
            {10: 0.25, 20: 0.25, 0: 0.375, 30: 0.125},
        )
        # No history anywhere: paid on the due date.
        self.assertEqual(blend(None, DelayHistory()), {0: 1.0})

    def test_days_late_are_clipped(self):
        history = DelayHistory([400, -100])
        self.assertEqual(history.counts, {180: 1, -60: 1})

    def test_weighted_median(self):
        # Cumulative: 0 -> 0.375, 10 -> 0.625 reaches half.
        self.assertEqual(weighted_median({0: 0.375, 10: 0.25, 20: 0.25, 30: 0.125}), 10)

    def test_reweight_by_late_probability(self):
        # Late part 0.5 scaled to 0.2, on-time part 0.5 scaled to 0.8.
        result = reweight({-2: 0.5, 10: 0.5}, 0.2)
        self.assertAlmostEqual(result[-2], 0.8)
        self.assertAlmostEqual(result[10], 0.2)
        self.assertEqual(reweight({0: 1.0}, 0.7), {0: 1.0})
        self.assertEqual(reweight({0: 0.5, 5: 0.5}, None), {0: 0.5, 5: 0.5})


class TestExpectedDate(unittest.TestCase):
    distribution = {0: 0.375, 10: 0.25, 20: 0.25, 30: 0.125}

    def test_not_yet_due(self):
        self.assertEqual(
            expected_payment_date(
                date(2026, 1, 10), date(2026, 1, 1), self.distribution
            ),
            date(2026, 1, 20),
        )

    def test_invoice_date_from_histories_and_chance(self):
        # The customer paid 35 days late three times; the company's history
        # (one invoice's weight) is 2 days early: 35 days weighs 3/4, -2
        # weighs 1/4; a 30 % chance of paying late makes on time the median.
        customer, company = DelayHistory([35, 35, 35]), DelayHistory([-2])
        due, today = date(2026, 1, 31), date(2026, 1, 1)
        self.assertEqual(
            expected_invoice_date(due, today, customer, company), date(2026, 3, 7)
        )
        self.assertEqual(
            expected_invoice_date(due, today, customer, company, 0.3),
            date(2026, 1, 29),
        )
        # No history of its own: the company's.
        self.assertEqual(
            expected_invoice_date(due, today, None, company), date(2026, 1, 29)
        )

    def test_overdue_conditions_on_not_paid_yet(self):
        # 15 days overdue: 20 (0.25) and 30 (0.125) remain, 2/3 and 1/3:
        # median 20 days late.
        self.assertEqual(
            expected_payment_date(
                date(2026, 1, 10), date(2026, 1, 25), self.distribution
            ),
            date(2026, 1, 30),
        )

    def test_later_than_any_history_is_today(self):
        self.assertEqual(
            expected_payment_date(date(2025, 1, 10), date(2026, 1, 25), {0: 1.0}),
            date(2026, 1, 25),
        )


class TestWeekShares(unittest.TestCase):
    def test_spread_by_payment_day(self):
        # Due Saturday 10 January, today 1 January: payment on day 9 (week 1),
        # 19 (week 2) or 39 (week 5).
        shares = week_shares(
            date(2026, 1, 10), date(2026, 1, 1), {0: 0.5, 10: 0.25, 30: 0.25}
        )
        self.assertEqual(shares, [0, 0.5, 0.25, 0, 0, 0.25] + [0] * 7)

    def test_beyond_the_horizon_is_left_out(self):
        shares = week_shares(date(2026, 1, 10), date(2026, 1, 1), {0: 0.5, 170: 0.5})
        self.assertEqual(sum(shares), 0.5)

    def test_overdue_beyond_history_spreads_over_four_weeks(self):
        # 31 days overdue, history never later than 10 days: being chased.
        shares = week_shares(date(2025, 12, 1), date(2026, 1, 1), {0: 0.5, 10: 0.5})
        self.assertEqual(shares, [0.25] * 4 + [0] * 9)

    def test_overdue_beyond_the_longest_delay_is_left_out(self):
        # 214 days overdue (> 180): nobody in the history pays that late.
        shares = week_shares(date(2025, 6, 1), date(2026, 1, 1), {0: 1.0})
        self.assertEqual(shares, [0] * 13)

    def test_weekly_forecast_sums_items(self):
        today = date(2026, 1, 1)
        histories = {"a": DelayHistory([0]), "b": DelayHistory([7])}
        items = [
            ForecastItem("a", "a", date(2026, 1, 3), 100.0),
            ForecastItem("a", "a", date(2026, 1, 5), 50.0),
            ForecastItem("b", "b", date(2026, 1, 3), 80.0),
        ]
        # prior_weight on an empty company history is nothing: customer a
        # pays on the due date (week 0), b a week late (day 9, week 1).
        self.assertEqual(
            weekly_forecast(items, histories, DelayHistory(), today),
            {("a", 0): 150.0, ("b", 1): 80.0},
        )


class TestBacktest(unittest.TestCase):
    def test_hand_computed_errors(self):
        invoices = [
            ("A", date(2026, 1, 1), date(2026, 1, 31), date(2026, 2, 10)),  # +10
            ("A", date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 20)),  # +20
            ("A", date(2026, 5, 1), date(2026, 5, 31), date(2026, 6, 10)),  # +10
            ("B", date(2026, 2, 15), date(2026, 3, 17), date(2026, 3, 17)),  # 0
            ("B", date(2026, 6, 1), date(2026, 7, 1), None),  # open: not tested
        ]
        # B (known: A +10): expected 17/3 + 10, error 10; naive 0 days, error 0.
        # A2 (known: A +10): blend {10}: error 10; naive +10: error 10.
        # A3 (known: A +10, +20, B 0): weights 10: 4/3, 20: 4/3, 0: 1/3 ->
        # median 10: error 0; naive +15: error 5.
        result = backtest(invoices, date(2026, 3, 1), date(2026, 7, 1), prior_weight=1)
        self.assertEqual(result.count, 3)
        self.assertEqual(result.mae_days, round(20 / 3, 2))
        self.assertEqual(result.naive_mae_days, 5.0)

    def test_late_probability_moves_the_date(self):
        # Customer history half 0, half +20: with a 90 % chance of paying
        # late the median is +20, with 10 % it is 0.
        invoices = [
            ("A", date(2026, 1, 1), date(2026, 1, 11), date(2026, 1, 11)),
            ("A", date(2026, 1, 2), date(2026, 1, 12), date(2026, 2, 1)),
            ("A", date(2026, 3, 1), date(2026, 3, 11), date(2026, 3, 31), 0.9),
        ]
        result = backtest(invoices, date(2026, 3, 1), date(2026, 4, 1), prior_weight=0)
        self.assertEqual((result.count, result.mae_days), (1, 0.0))
        invoices[2] = (*invoices[2][:4], 0.1)
        result = backtest(invoices, date(2026, 3, 1), date(2026, 4, 1), prior_weight=0)
        self.assertEqual(result.mae_days, 20.0)
        # The naive rule: +10 on average, 10 days off either way.
        self.assertEqual(result.naive_mae_days, 10.0)

    def test_nothing_to_test(self):
        result = backtest([], date(2026, 3, 1), date(2026, 4, 1))
        self.assertEqual((result.count, result.mae_days), (0, None))
