"""Amounts in words per (language, currency), written by hand from grammar.

Arabic: 1 and 2 follow the noun and agree with it (درهم واحد, هللة واحدة);
3-10 take the gender opposite to the noun's (ثلاثة دراهم, ثلاث هللات), the
noun in the plural; 11-99 take the noun in the accusative singular, the
units of 21-99 again opposite in gender (ستة وخمسون فلساً, ست وخمسون هللة);
round hundreds and thousands take the genitive singular.  Masculine: dirham,
fils, riyal, dinar, pound (جنيه), piastre (قرش), dollar, cent, euro, shekel;
feminine: halala, agora.  Hebrew: shekel, dollar, cent, euro masculine;
agora feminine.  Persian numbers have no gender and nouns stay singular.
Below one unit only the subunits are written; a currency without a subunit
in use (Iranian rial, toman) writes its fraction as cheques do, "56/100".
"""

from datetime import timedelta

from odoo.tests import BaseCase, tagged

from odoo.addons.settlement_mgmt.lib.amount_words import amount_in_words

from .common import SettlementCommon

AMOUNTS = (1, 2, 3, 11, 56, 1234.56, 3.05, 0.56)

ARABIC = {
    "AED": (
        "درهم واحد",
        "درهمان اثنان",
        "ثلاثة دراهم",
        "أحد عشر درهماً",
        "ستة وخمسون درهماً",
        "ألف ومئتان وأربعة وثلاثون درهماً وستة وخمسون فلساً",
        "ثلاثة دراهم وخمسة فلوس",
        "ستة وخمسون فلساً",
    ),
    "SAR": (
        "ريال واحد",
        "ريالان اثنان",
        "ثلاثة ريالات",
        "أحد عشر ريالاً",
        "ستة وخمسون ريالاً",
        "ألف ومئتان وأربعة وثلاثون ريالاً وست وخمسون هللة",
        "ثلاثة ريالات وخمس هللات",
        "ست وخمسون هللة",
    ),
    "EGP": (
        "جنيه واحد",
        "جنيهان اثنان",
        "ثلاثة جنيهات",
        "أحد عشر جنيهاً",
        "ستة وخمسون جنيهاً",
        "ألف ومئتان وأربعة وثلاثون جنيهاً وستة وخمسون قرشاً",
        "ثلاثة جنيهات وخمسة قروش",
        "ستة وخمسون قرشاً",
    ),
    "USD": (
        "دولار واحد",
        "دولاران اثنان",
        "ثلاثة دولارات",
        "أحد عشر دولاراً",
        "ستة وخمسون دولاراً",
        "ألف ومئتان وأربعة وثلاثون دولاراً وستة وخمسون سنتاً",
        "ثلاثة دولارات وخمسة سنتات",
        "ستة وخمسون سنتاً",
    ),
    "EUR": (
        "يورو واحد",
        "يوروان اثنان",
        "ثلاثة يورو",
        "أحد عشر يورو",
        "ستة وخمسون يورو",
        "ألف ومئتان وأربعة وثلاثون يورو وستة وخمسون سنتاً",
        "ثلاثة يورو وخمسة سنتات",
        "ستة وخمسون سنتاً",
    ),
    "ILS": (
        "شيكل واحد",
        "شيكلان اثنان",
        "ثلاثة شيكلات",
        "أحد عشر شيكلاً",
        "ستة وخمسون شيكلاً",
        "ألف ومئتان وأربعة وثلاثون شيكلاً وست وخمسون أغورة",
        "ثلاثة شيكلات وخمس أغورات",
        "ست وخمسون أغورة",
    ),
    # The Iranian rial named as such (a bare "ريال" is the Saudi riyal); the
    # adjective agrees with the noun: dual -ان, plural feminine, accusative.
    "IRR": (
        "ريال إيراني واحد",
        "ريالان إيرانيان اثنان",
        "ثلاثة ريالات إيرانية",
        "أحد عشر ريالاً إيرانياً",
        "ستة وخمسون ريالاً إيرانياً",
        "ألف ومئتان وأربعة وثلاثون ريالاً إيرانياً و56/100",
        "ثلاثة ريالات إيرانية و05/100",
        "صفر ريال إيراني و56/100",
    ),
}


@tagged("post_install", "-at_install")
class TestAmountWords(BaseCase):
    def _check(self, lang, currency, cases, decimals=2):
        for amount, expected in cases:
            with self.subTest(lang=lang, currency=currency, amount=amount):
                self.assertEqual(
                    amount_in_words(amount, currency, lang, decimals), expected
                )

    def test_arabic_units_agree_in_gender_and_number(self):
        for currency, expected in ARABIC.items():
            self._check("ar", currency, zip(AMOUNTS, expected, strict=True))

    def test_arabic_round_numbers_and_three_decimals(self):
        self._check(
            "ar",
            "AED",
            [
                (0, "صفر درهم"),
                (100, "مئة درهم"),
                (200, "مئتا درهم"),
                (2000, "ألفا درهم"),
                (3000, "ثلاثة آلاف درهم"),
                (11000, "أحد عشر ألف درهم"),
                (2500000, "مليونان وخمسمئة ألف درهم"),
                (13.18, "ثلاثة عشر درهماً وثمانية عشر فلساً"),
            ],
        )
        self._check(
            "ar",
            "SAR",
            [
                (13.18, "ثلاثة عشر ريالاً وثماني عشرة هللة"),
                (1.01, "ريال واحد وهللة واحدة"),
            ],
        )
        self._check("ar", "KWD", [(1.5, "دينار واحد وخمسمئة فلس")], decimals=3)

    def test_persian(self):
        cases = {
            "IRR": (
                "هزار و دویست و سی و چهار ریال و 56/100",
                "صفر ریال و 56/100",
            ),
            "IRT": (
                "هزار و دویست و سی و چهار تومان و 56/100",
                "صفر تومان و 56/100",
            ),
            "USD": (
                "هزار و دویست و سی و چهار دلار و پنجاه و شش سنت",
                "پنجاه و شش سنت",
            ),
            "EUR": (
                "هزار و دویست و سی و چهار یورو و پنجاه و شش سنت",
                "پنجاه و شش سنت",
            ),
        }
        for currency, expected in cases.items():
            self._check("fa", currency, zip((1234.56, 0.56), expected, strict=True))
        # Whole rials as Iranian amounts are: no fraction to write.
        self._check("fa", "IRR", [(2500000, "دو میلیون و پانصد هزار ریال")])

    def test_hebrew(self):
        cases = {
            "ILS": (
                "אלף מאתיים שלושים וארבעה שקלים וחמישים ושש אגורות",
                "שני שקלים ואגורה אחת",
                "שקל אחד ושתי אגורות",
            ),
            "USD": (
                "אלף מאתיים שלושים וארבעה דולרים וחמישים ושישה סנטים",
                "שני דולרים וסנט אחד",
                "דולר אחד ושני סנטים",
            ),
            "EUR": (
                "אלף מאתיים שלושים וארבעה אירו וחמישים ושישה סנטים",
                "שני אירו וסנט אחד",
                "אירו אחד ושני סנטים",
            ),
        }
        for currency, expected in cases.items():
            self._check(
                "he", currency, zip((1234.56, 2.01, 1.02), expected, strict=True)
            )
        self._check(
            "he",
            "IRR",
            [(1234.56, "אלף מאתיים שלושים וארבעה ריאלים איראניים ו-56/100")],
        )
        self._check("he", "ILS", [(0.56, "חמישים ושש אגורות")])

    def test_english(self):
        self._check(
            "en",
            "USD",
            [
                (1, "one dollar"),
                (
                    1234.56,
                    "one thousand two hundred and thirty-four dollars"
                    " and fifty-six cents",
                ),
                (3.05, "three dollars and five cents"),
                (0.56, "fifty-six cents"),
                (0, "zero dollars"),
            ],
        )
        self._check(
            "en",
            "EUR",
            [
                (1.01, "one euro and one cent"),
                (
                    1234.56,
                    "one thousand two hundred and thirty-four euros"
                    " and fifty-six cents",
                ),
                (0.56, "fifty-six cents"),
            ],
        )
        self._check("en", "IRR", [(0.56, "zero rials and 56/100")])


@tagged("post_install", "-at_install")
class TestStatementAmountWords(SettlementCommon):
    """The words printed on the statement: the customer's language, the
    section's currency, its closing balance."""

    def _closing_words(self, lang, code, amount, native_digits=False):
        currency = self.setup_other_currency(code, rates=[("2000-01-01", 2.0)])
        self.env["res.lang"]._activate_lang(lang)
        customer = self.env["res.partner"].create(
            {
                "name": f"Words {code} {lang}",
                "is_company": True,
                "lang": lang,
                "settlement_native_digits": native_digits,
            }
        )
        self._invoice(customer, amount, days_old=3, currency_id=currency.id)
        statement = self.env["settlement.statement"]._statement_data(
            customer, self.today - timedelta(days=30), self.today
        )
        (section,) = statement["sections"]
        self.assertEqual(section["currency"], currency)
        return section["in_words"]

    def test_arabic_dirhams_and_fils(self):
        self.assertEqual(
            self._closing_words("ar_001", "AED", 1234.56),
            "ألف ومئتان وأربعة وثلاثون درهماً وستة وخمسون فلساً",
        )

    def test_persian_rials_keep_their_fraction(self):
        self.assertEqual(
            self._closing_words("fa_IR", "IRR", 1234.56),
            "هزار و دویست و سی و چهار ریال و 56/100",
        )

    def test_fraction_in_the_customers_digits(self):
        # A customer reading native digits reads the fraction in them too.
        self.assertEqual(
            self._closing_words("fa_IR", "IRR", 1234.56, native_digits=True),
            "هزار و دویست و سی و چهار ریال و ۵۶/۱۰۰",
        )
        self.assertEqual(
            self._closing_words("ar_001", "IRR", 3.05, native_digits=True),
            "ثلاثة ريالات إيرانية و٠٥/١٠٠",
        )
