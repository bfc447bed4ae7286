import unittest
from datetime import date

from ..lib.schedule import (
    MAX_INSTALMENTS,
    ScheduleError,
    allocate_payment,
    check_schedule,
    due_dates,
    simple_interest,
    split_amount,
)

TODAY = date(2026, 11, 22)


class TestSplitAmount(unittest.TestCase):
    def test_remainder_goes_on_the_last_instalment(self):
        self.assertEqual(split_amount(100, 3), [33.33, 33.33, 33.34])
        self.assertEqual(split_amount(1000, 7)[-1], 142.9)
        self.assertEqual(split_amount(1000, 3, rounding=1), [333.0, 333.0, 334.0])
        self.assertEqual(split_amount(10, 4, rounding=0.05), [2.5, 2.5, 2.5, 2.5])

    def test_parts_always_add_up_exactly(self):
        for total in (0.07, 1.0, 99.99, 1234.56, 1_000_000.01):
            for count in (1, 2, 3, 7, 12):
                if round(total * 100) < count:
                    continue
                with self.subTest(total=total, count=count):
                    parts = split_amount(total, count)
                    self.assertEqual(round(sum(parts) * 100), round(total * 100))
                    self.assertEqual(len(set(parts[:-1])), min(1, count - 1))

    def test_refusals(self):
        for args, code in (
            ((100, 0), "empty"),
            ((100, MAX_INSTALMENTS + 1), "too_many"),
            ((0, 3), "non_positive"),
            ((-50, 2), "non_positive"),
            ((0.02, 3), "too_small"),
        ):
            with self.subTest(args=args), self.assertRaises(ScheduleError) as caught:
                split_amount(*args)
            self.assertEqual(caught.exception.code, code)


class TestDueDates(unittest.TestCase):
    def test_monthly_keeps_the_day_of_month_where_it_exists(self):
        self.assertEqual(
            due_dates(date(2027, 1, 31), 4, "monthly"),
            [
                date(2027, 1, 31),
                date(2027, 2, 28),
                date(2027, 3, 31),
                date(2027, 4, 30),
            ],
        )

    def test_weekly_and_quarterly(self):
        self.assertEqual(
            due_dates(date(2026, 12, 28), 3, "weekly"),
            [date(2026, 12, 28), date(2027, 1, 4), date(2027, 1, 11)],
        )
        self.assertEqual(
            due_dates(date(2026, 11, 30), 2, "quarterly")[1], date(2027, 2, 28)
        )
        with self.assertRaises(ScheduleError):
            due_dates(TODAY, 2, "yearly")


class TestCheckSchedule(unittest.TestCase):
    def _code(self, lines, total=100.0):
        with self.assertRaises(ScheduleError) as caught:
            check_schedule(lines, total, TODAY)
        return caught.exception.code

    def test_a_good_schedule_passes(self):
        check_schedule([(TODAY, 40.0), (date(2026, 12, 22), 60.0)], 100.0, TODAY)

    def test_every_refusal(self):
        later = date(2026, 12, 22)
        self.assertEqual(self._code([]), "empty")
        self.assertEqual(self._code([(date(2026, 11, 21), 100.0)]), "date_in_past")
        self.assertEqual(
            self._code([(later, 50.0), (later, 50.0)]), "dates_not_increasing"
        )
        self.assertEqual(
            self._code([(later, 50.0), (TODAY, 50.0)]), "dates_not_increasing"
        )
        self.assertEqual(self._code([(TODAY, 100.0), (later, 0.0)]), "non_positive")
        self.assertEqual(self._code([(TODAY, 150.0), (later, -50.0)]), "non_positive")
        self.assertEqual(self._code([(TODAY, 50.0), (later, 49.99)]), "sum_mismatch")
        self.assertEqual(self._code([(None, 100.0)]), "missing_date")


class TestAllocatePayment(unittest.TestCase):
    def test_oldest_instalment_first_and_exact_cents(self):
        self.assertEqual(
            allocate_payment([33.33, 33.33, 33.34], 50), [0.0, 16.66, 33.34]
        )
        self.assertEqual(allocate_payment([33.33, 33.33, 33.34], 100), [0.0, 0.0, 0.0])
        self.assertEqual(allocate_payment([33.33, 33.33, 33.34], 500), [0.0, 0.0, 0.0])
        self.assertEqual(allocate_payment([10.0, 20.0], 0), [10.0, 20.0])
        self.assertEqual(allocate_payment([10.0, 20.0], -5), [10.0, 20.0])


class TestSimpleInterest(unittest.TestCase):
    def test_declining_balance_by_hand(self):
        # 1,200 at 12%/year, repaid 600 after 31 days and 600 after 30 more:
        # 1200 × 0.12 × 31/365 + 600 × 0.12 × 30/365 = 12.2301 + 5.9178
        dates = [date(2026, 12, 23), date(2027, 1, 22)]
        self.assertEqual(simple_interest([600, 600], dates, TODAY, 12), 18.15)

    def test_zero_rate_and_rounding(self):
        dates = [date(2027, 11, 22)]
        self.assertEqual(simple_interest([1000], dates, TODAY, 0), 0.0)
        self.assertEqual(simple_interest([1000], dates, TODAY, 5), 50.0)
        self.assertEqual(simple_interest([999], dates, TODAY, 5, rounding=1), 50.0)

    def test_negative_rate_is_refused(self):
        with self.assertRaises(ScheduleError):
            simple_interest([100], [TODAY], TODAY, -1)
