import unittest
from datetime import date

from ..lib.amount_words import amount_in_words, split_amount, supports
from ..lib.calendars import calendar_date, format_calendar_date, native_digits


class TestAmountInWords(unittest.TestCase):
    def test_arabic_uses_the_currency_not_saudi_riyals(self):
        cases = {
            ("USD", 1234.56): "ألف ومئتان وأربعة وثلاثون دولاراً وستة وخمسون سنتاً",
            ("AED", 5): "خمسة دراهم",
            ("EGP", 11): "أحد عشر جنيهاً",
            ("ILS", 1.01): "شيكل واحد وأغورة واحدة",
            ("USD", 2): "دولاران اثنان",
            ("SAR", 3): "ثلاثة ريالات",
        }
        for (currency, amount), expected in cases.items():
            with self.subTest(currency=currency, amount=amount):
                self.assertEqual(amount_in_words(amount, currency, "ar"), expected)

    def test_persian_units_and_rials_without_decimals(self):
        self.assertEqual(
            amount_in_words(1234.56, "USD", "fa"),
            "هزار و دویست و سی و چهار دلار و پنجاه و شش سنت",
        )
        self.assertEqual(
            amount_in_words(2500000, "IRR", "fa", decimals=0),
            "دو میلیون و پانصد هزار ریال",
        )
        self.assertEqual(
            amount_in_words(75000, "IRT", "fa", decimals=0), "هفتاد و پنج هزار تومان"
        )
        self.assertEqual(amount_in_words(10.5, "AED", "fa"), "ده درهم و پنجاه فلس")

    def test_hebrew_gender_and_construct(self):
        self.assertEqual(amount_in_words(1, "ILS", "he"), "שקל אחד")
        self.assertEqual(amount_in_words(2, "USD", "he"), "שני דולרים")
        self.assertEqual(amount_in_words(2, "EGP", "he"), "שתי לירות מצריות")
        self.assertEqual(
            amount_in_words(1234.56, "ILS", "he"),
            "אלף מאתיים שלושים וארבעה שקלים וחמישים ושש אגורות",
        )
        self.assertEqual(
            amount_in_words(11.01, "SAR", "he"), "אחד עשר ריאלים סעודיים והללה אחת"
        )

    def test_english(self):
        self.assertEqual(amount_in_words(1, "USD", "en"), "one dollar")
        self.assertEqual(
            amount_in_words(20.01, "ILS", "en"), "twenty shekels and one agora"
        )
        self.assertEqual(amount_in_words(7, "AED", "en"), "seven dirhams")

    def test_rounding_and_support(self):
        self.assertEqual(split_amount(10.005), (10, 1))
        self.assertEqual(split_amount(-3.5), (3, 50))
        self.assertEqual(split_amount(1234.5, decimals=0), (1235, 0))
        self.assertTrue(supports("fa", "IRT"))
        self.assertFalse(supports("fa", "JPY"))
        with self.assertRaises(KeyError):
            amount_in_words(1, "JPY", "ar")


class TestCalendars(unittest.TestCase):
    def test_jalali_and_hijri_conversion(self):
        self.assertEqual(calendar_date(date(2026, 11, 22), "jalali"), (1405, 9, 1))
        self.assertEqual(calendar_date(date(2026, 3, 21), "jalali"), (1405, 1, 1))
        self.assertEqual(calendar_date(date(2026, 11, 22), "hijri"), (1448, 6, 12))
        self.assertEqual(calendar_date(date(2026, 11, 22), "gregorian"), (2026, 11, 22))
        with self.assertRaises(ValueError):
            calendar_date(date(2026, 11, 22), "julian")

    def test_formatting_and_digits(self):
        day = date(2026, 11, 22)
        self.assertEqual(format_calendar_date(day, "jalali"), "1405/09/01")
        self.assertEqual(
            format_calendar_date(day, "jalali", lang="fa", digits="persian", long=True),
            "۱ آذر ۱۴۰۵",
        )
        self.assertEqual(
            format_calendar_date(day, "hijri", lang="ar", digits="arabic", long=True),
            "١٢ جمادى الآخرة ١٤٤٨",
        )
        self.assertEqual(format_calendar_date(day), "2026-11-22")
        self.assertIsNone(format_calendar_date(None, "jalali"))
        self.assertEqual(native_digits("INV/2026/0012", "persian"), "INV/۲۰۲۶/۰۰۱۲")
