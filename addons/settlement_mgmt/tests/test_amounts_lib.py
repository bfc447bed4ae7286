"""Amounts typed by a customer on the portal (promises, plan requests,
disputes), read by lib/amounts."""

from decimal import Decimal
from unittest import TestCase

from ..lib.amounts import AmountError, parse_portal_amount, parse_positive_amount
from ..lib.record_ids import parse_record_ids


class TestAmountsLib(TestCase):
    def test_plain_amounts_are_read_exactly(self):
        self.assertEqual(parse_positive_amount("1,250.50", 2), Decimal("1250.50"))
        self.assertEqual(parse_positive_amount(" 7 ", 0), Decimal("7"))
        self.assertEqual(parse_portal_amount("0.105", 3), 0.105)

    def test_refusals_say_why(self):
        cases = {
            "": "format",
            "-5": "format",
            "1e3": "format",
            "NaN": "format",
            "۱۲": "format",  # the controllers turn native digits to Latin first
            "9" * 401: "format",
            "0.00": "zero",
            "1.234": "decimals",
        }
        for text, reason in cases.items():
            with self.subTest(text=text), self.assertRaises(AmountError) as caught:
                parse_positive_amount(text, 2)
            self.assertEqual(caught.exception.reason, reason)

    def test_huge_amounts_are_capped_not_overflowed(self):
        self.assertEqual(parse_positive_amount("1" + "0" * 308, 2), Decimal("1e308"))
        self.assertEqual(parse_portal_amount("1" + "0" * 308, 2), 1e15)
        self.assertEqual(parse_portal_amount("999999999999999", 2), 999999999999999.0)


class TestRecordIds(TestCase):
    def test_ids_in_order_without_repeats(self):
        self.assertEqual(parse_record_ids(["3,1", "3", " 2 "], 10), [3, 1, 2])

    def test_anything_else_is_refused_before_a_lookup(self):
        for values in ([], [""], ["1,abc"], ["-1"], ["1e3"], ["9" * 13], ["1"] * 11):
            with self.subTest(values=values):
                self.assertIsNone(parse_record_ids(values, 10))
