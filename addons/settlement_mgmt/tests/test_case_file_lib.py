import unittest
from datetime import date

from ..lib.case_file import (
    case_file_member_name,
    dossier_period_start,
    safe_file_part,
)


class TestCaseFileNames(unittest.TestCase):
    def test_member_names_sort_in_dossier_order(self):
        self.assertEqual(
            case_file_member_name(1, "Dossier", "CASE-7", "fa_IR"),
            "01 Dossier CASE-7 (fa_IR).pdf",
        )
        self.assertEqual(
            case_file_member_name(12, "Invoice", "INV/2025/00001", None),
            "12 Invoice INV-2025-00001.pdf",
        )

    def test_unsafe_characters_and_empty_parts(self):
        self.assertEqual(safe_file_part('a\\b:c*?"d<>|e'), "a-b-c-d-e")
        self.assertEqual(safe_file_part("  two   words "), "two words")
        self.assertEqual(safe_file_part("../etc/passwd"), "..-etc-passwd")
        self.assertEqual(safe_file_part(""), "-")
        self.assertEqual(safe_file_part(None), "-")
        # Right-to-left names are kept as typed.
        self.assertEqual(safe_file_part("شرکت پارس"), "شرکت پارس")


class TestDossierPeriod(unittest.TestCase):
    def test_first_of_the_oldest_invoice_month(self):
        self.assertEqual(
            dossier_period_start(
                [date(2025, 3, 17), None, date(2025, 5, 2)], date(2025, 9, 1)
            ),
            date(2025, 3, 1),
        )

    def test_default_when_earlier_or_no_dates(self):
        self.assertEqual(
            dossier_period_start([date(2025, 9, 20)], date(2025, 8, 1)),
            date(2025, 8, 1),
        )
        self.assertEqual(dossier_period_start([], date(2025, 8, 1)), date(2025, 8, 1))
        self.assertEqual(
            dossier_period_start([None], date(2025, 8, 1)), date(2025, 8, 1)
        )
