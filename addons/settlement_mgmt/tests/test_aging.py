import unittest
from datetime import date, timedelta

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..lib.aging import (
    DEFAULT_BOUNDARIES,
    MAX_BUCKETS,
    BucketLayoutError,
    bucket_index,
    bucket_labels,
    bucket_limits,
    bucket_ranges,
    parse_boundaries,
)


class TestAgingBuckets(unittest.TestCase):
    """Pure bucket arithmetic, no database."""

    def test_parse_accepts_spaces_and_trailing_commas(self):
        self.assertEqual(parse_boundaries(" 15,45 , 90,"), (15, 45, 90))

    def test_parse_rejections_carry_a_reason(self):
        cases = {
            "": "empty",
            " , ": "empty",
            "30, sixty": "not_a_number",
            "30, -60": "not_a_number",
            "30.5": "not_a_number",
            "0, 30": "not_positive",
            "30, 30": "not_increasing",
            "60, 30": "not_increasing",
            ",".join(str(days) for days in range(1, MAX_BUCKETS + 1)): "too_many",
        }
        for text, code in cases.items():
            with (
                self.subTest(text=text),
                self.assertRaises(BucketLayoutError) as caught,
            ):
                parse_boundaries(text)
            self.assertEqual(caught.exception.code, code, text)

    def test_bucket_edges(self):
        boundaries = DEFAULT_BOUNDARIES
        expected = {
            -400: 0,
            -1: 0,
            0: 0,
            1: 1,
            30: 1,
            31: 2,
            60: 2,
            61: 3,
            90: 3,
            91: 4,
            5000: 4,
        }
        for days, index in expected.items():
            with self.subTest(days=days):
                self.assertEqual(bucket_index(days, boundaries), index)

    def test_ranges_cover_every_overdue_day_once(self):
        boundaries = (10, 20, 45)
        ranges = bucket_ranges(boundaries)
        self.assertEqual(ranges, [(1, 10), (11, 20), (21, 45), (46, None)])
        for days in range(1, 100):
            index = bucket_index(days, boundaries)
            low, high = ranges[index - 1]
            self.assertTrue(low <= days and (high is None or days <= high), days)

    def test_labels_name_each_bucket_by_its_days(self):
        self.assertEqual(
            bucket_labels((30, 60, 90), "Not Due"),
            ["Not Due", "1–30", "31–60", "61–90", "91+"],
        )
        self.assertEqual(bucket_labels((15,), "X"), ["X", "1–15", "16+"])

    def test_limits_place_every_day_as_bucket_index_does(self):
        for boundaries in (DEFAULT_BOUNDARIES, (7,), (10, 20, 45, 120)):
            limits = bucket_limits(boundaries)
            for days in range(-5, 200):
                expected = next(
                    (index for limit, index in limits if days <= limit),
                    len(boundaries) + 1,
                )
                self.assertEqual(bucket_index(days, boundaries), expected, days)


@tagged("post_install", "-at_install")
class TestAgingLabelsAndSql(TransactionCase):
    """The names and the SQL every model uses for the buckets."""

    def test_sql_bucket_matches_python_on_every_day(self):
        boundaries = (10, 20, 45)
        day = date(2026, 6, 30)
        dues = [day - timedelta(days=days) for days in range(-3, 60)]
        bucket = self.env["res.company"]._settlement_aging_bucket_sql(
            SQL("%s - due", day), boundaries
        )
        rows = self.env.execute_query(
            SQL(
                "SELECT due, %s FROM unnest(%s::date[]) AS due ORDER BY due",
                bucket,
                dues,
            )
        )
        self.assertEqual(len(rows), len(dues))
        for due, index in rows:
            days = (day - due).days
            # Expected by hand: 0 up to the due day, then one bucket per limit.
            expected = 0 if days <= 0 else 1 if days <= 10 else 2 if days <= 20 else 3
            if days > 45:
                expected = 4
            self.assertEqual(index, expected, days)

    def test_one_wording_in_every_place_that_names_buckets(self):
        company = self.env.company
        company.settlement_aging_days = "30, 60, 90"
        expected = ["Not Due", "1–30", "31–60", "61–90", "91+"]
        self.assertEqual(company._settlement_aging_labels((30, 60, 90)), expected)
        selection = self.env["account.move.line"]._settlement_aging_selection()
        self.assertEqual([label for _key, label in selection], expected)
