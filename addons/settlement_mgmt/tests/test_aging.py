import unittest

from ..lib.aging import (
    DEFAULT_BOUNDARIES,
    MAX_BUCKETS,
    BucketLayoutError,
    bucket_index,
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
