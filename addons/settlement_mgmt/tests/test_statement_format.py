from datetime import date, datetime
from unittest.mock import PropertyMock, patch

from odoo.tests import TransactionCase, tagged
from odoo.tools import format_amount, format_date

NBSP = "\N{NO-BREAK SPACE}"
MINUS = "-\N{ZERO WIDTH NO-BREAK SPACE}"


@tagged("post_install", "-at_install")
class TestStatementFormat(TransactionCase):
    """Statements write amounts and dates through formats read once per
    transaction: what they write must stay what core's format_amount and
    format_date write, and a language changed in the transaction shows at
    once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Statement = cls.env["settlement.statement"]
        for code in ("fa_IR", "ar_001", "he_IL", "fr_FR"):
            cls.env["res.lang"]._activate_lang(code)
        cls.env.company.write(
            {"settlement_calendar": "gregorian", "settlement_native_digits": False}
        )
        cls.partner = cls.env["res.partner"].create(
            {"name": "Format customer", "settlement_calendar": "gregorian"}
        )
        Currency = cls.env["res.currency"].with_context(active_test=False)
        cls.usd = cls.env.ref("base.USD")
        cls.eur = cls.env.ref("base.EUR")
        # Three decimals (Kuwaiti dinar) and none (Japanese yen).
        cls.kwd = Currency.search([("name", "=", "KWD")])
        cls.jpy = Currency.search([("name", "=", "JPY")])

    def _amount(self, amount, currency, lang):
        self.partner.lang = lang
        return self.Statement._format_amount(amount, currency, self.partner)

    def test_amounts_worked_out_by_hand(self):
        self.eur.position = "after"
        self.usd.position = "before"
        for amount, currency, lang, expected in (
            (1234567.891, self.usd, "en_US", f"${NBSP}1,234,567.89"),
            (-1234.5, self.usd, "en_US", f"${NBSP}{MINUS}1,234.50"),
            (0, self.usd, "en_US", f"${NBSP}0.00"),
            # French: a no-break space between thousands, a decimal comma.
            (1234.5, self.eur, "fr_FR", f"1{NBSP}234,50{NBSP}€"),
            (1234.5678, self.kwd, "en_US", f"1,234.568{NBSP}{self.kwd.symbol}"),
            (1234567.4, self.jpy, "en_US", f"¥{NBSP}1,234,567"),
        ):
            with self.subTest(amount=amount, currency=currency.name, lang=lang):
                if currency == self.kwd:
                    currency.position = "after"
                if currency == self.jpy:
                    currency.write({"position": "before", "rounding": 1.0})
                self.assertEqual(self._amount(amount, currency, lang), expected)

    def test_same_text_as_core_in_every_language(self):
        for lang in ("en_US", "fa_IR", "ar_001", "he_IL", "fr_FR"):
            for currency in (self.usd, self.eur, self.kwd):
                for amount in (0, 0.005, -7.5, 1234.5, -98765432.1):
                    with self.subTest(lang=lang, currency=currency.name, amount=amount):
                        self.assertEqual(
                            self._amount(amount, currency, lang),
                            format_amount(self.env, amount, currency, lang_code=lang),
                        )
            day = date(2026, 3, 9)
            with self.subTest(lang=lang, date=day):
                self.assertEqual(
                    self.Statement._format_date(day, self.partner),
                    format_date(self.env, day, lang_code=lang),
                )

    def test_a_language_changed_in_the_transaction_shows_at_once(self):
        self.partner.lang = "en_US"
        day = date(2026, 3, 9)
        self.assertEqual(self.Statement._format_date(day, self.partner), "03/09/2026")
        english = self.env["res.lang"]._lang_get("en_US")
        english.write({"date_format": "%d.%m.%Y", "thousands_sep": "'"})
        self.assertEqual(self.Statement._format_date(day, self.partner), "09.03.2026")
        self.assertEqual(self._amount(1234.5, self.usd, "en_US"), f"${NBSP}1'234.50")

    def test_formatting_a_page_makes_no_query(self):
        self.partner.lang = "fa_IR"
        self.Statement._format_amount(1.0, self.usd, self.partner)
        self.Statement._format_date(date(2026, 1, 1), self.partner)
        with self.assertQueryCount(0):
            for day in range(1, 29):
                self.Statement._format_amount(day * 100.25, self.usd, self.partner)
                self.Statement._format_date(date(2026, 2, day), self.partner)

    def test_moment_in_the_customer_calendar_digits_and_time_zone(self):
        """The "figures as of" moment of a statement read from a lagging
        replica: 2 December 2026 10:30 UTC is 14:00 in Tehran (UTC+03:30)
        on 11 Azar 1405, and 10:30 in London on 12/02/2026."""
        moment = datetime(2026, 12, 2, 10, 30)
        self.partner.write(
            {
                "lang": "fa_IR",
                "tz": "Asia/Tehran",
                "settlement_calendar": "jalali",
                "settlement_native_digits": True,
            }
        )
        self.assertEqual(
            self.Statement._format_moment(moment, self.partner), "۱۴۰۵/۰۹/۱۱ ۱۴:۰۰"
        )
        self.partner.write(
            {
                "lang": "en_US",
                "tz": "Europe/London",
                "settlement_calendar": "gregorian",
                "settlement_native_digits": False,
            }
        )
        self.assertEqual(
            self.Statement._format_moment(moment, self.partner), "12/02/2026 10:30"
        )
        self.assertEqual(self.Statement._format_moment(None, self.partner), "")

    def test_the_primary_is_never_as_of_the_past(self):
        """Only a replica lagging behind gives a moment: on the primary, a
        read/write cursor asks nothing, a read-only one learns it is no
        replica."""
        Query = self.env["settlement.receivable.query"]
        with self.assertQueryCount(0):
            self.assertIsNone(Query._replica_as_of())
        # A read-only request's cursor (on the primary, as without a replica).
        readonly = PropertyMock(return_value=True)
        with patch.object(type(self.env.cr), "readonly", readonly):
            with self.assertQueryCount(1):
                self.assertIsNone(Query._replica_as_of())
        self.assertTrue(readonly.called)
