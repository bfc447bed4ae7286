"""Every PDF the addon prints (statement of account, reminder letter, invoice
discount tiers), rendered by wkhtmltopdf in fa, ar and he, read back and
compared with what the data says; page images kept as artefacts in
$SETTLEMENT_ARTEFACTS/pdf or tests/artifacts/pdf.

A page is read as its reader reads it: the words of each printed line from
right to left, by their position on the page (``pdftotext -bbox``).  On a
right-to-left line every isolated value is then met whole and in order: the
period "دوره: ۱۴۰۳/۱۲/۱۱ – ۱۴۰۴/۰۱/۱۱", the amount in words word after
word.  A value that is not isolated comes out scrambled ("30–1", words of
the amount in words in the wrong order), an overlap puts two labels on one
line.  Expected texts are written here by hand from the data below."""

import os
import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from datetime import date

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.settlement_mgmt.lib.internal_context import credit_check_done_context

from .common import SettlementCommon

LANGS = ("fa_IR", "ar_001", "he_IL")
DATE_FROM, DATE_TO = date(2025, 3, 1), date(2025, 3, 31)
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def artefact_dir():
    """Where PDFs, their text and page images are kept: $SETTLEMENT_ARTEFACTS
    or tests/artifacts, folder pdf (the browser tests keep screenshots in
    folder screenshots of the same place)."""
    path = os.environ.get("SETTLEMENT_ARTEFACTS") or os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "tests", "artifacts"
    )
    path = os.path.abspath(os.path.join(path, "pdf"))
    os.makedirs(path, exist_ok=True)
    return path


def normalize(text):
    """Letters as typed: the PDF holds Arabic contextual forms (ﺷ, ﻻ) and the
    rial sign ﷼, NFKC gives back the letters (ش, لا, ریال); no-break and
    narrow spaces become spaces; the zero-width non-joiner of Persian
    (صرفه‌جویی) leaves no glyph; vowel marks (ً) are left out."""
    text = unicodedata.normalize("NFKC", text).replace("\u200c", "")
    # Vowel marks sit above or below a letter: their place on the page says
    # nothing about their order, they are compared without.
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _right_to_left(word):
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in word)


def _reading_order(word):
    """A word as pdftotext gives it (visual order) in reading order for a
    right-to-left line: right-to-left letters reversed; a left-to-right word
    keeps its letters, a colon or comma printed at its left comes after it
    ("3.00%:" prints as ":3.00%")."""
    if _right_to_left(word):
        return word[::-1]
    stripped = word.lstrip(":,،؛")
    return stripped + word[: len(word) - len(stripped)] if stripped else word


def read_lines(path, gap=1.0):
    """The printed lines of each page, each read from right to left: words
    sorted by their right edge, glyphs closer than ``gap`` points joined.
    pdftotext gives Arabic glyph by glyph and Hebrew words in visual order:
    right-to-left words are turned back to reading order."""
    output = subprocess.run(
        ["pdftotext", "-bbox", path, "-"], capture_output=True, check=True
    ).stdout
    pages = []
    for page in ET.fromstring(output).iter():
        if not page.tag.endswith("page"):
            continue
        words = [
            (
                float(word.get("xMin")),
                float(word.get("yMin")),
                float(word.get("xMax")),
                float(word.get("yMax")),
                _reading_order(word.text),
            )
            for word in page
            if word.tag.endswith("word") and word.text
        ]
        rows = []
        for word in sorted(words, key=lambda w: (w[1] + w[3]) / 2):
            middle = (word[1] + word[3]) / 2
            if rows and abs(rows[-1][0] - middle) < 3.5:
                rows[-1][1].append(word)
            else:
                rows.append([middle, [word]])
        lines = []
        for _middle, row in rows:
            tokens, left = [], None
            for x_min, _y0, x_max, _y1, text in sorted(row, key=lambda w: -w[2]):
                if left is not None and left - x_max <= gap:
                    tokens[-1] += text
                else:
                    tokens.append(text)
                left = x_min
            lines.append(normalize(" ".join(tokens)))
        pages.append(lines)
    return pages


@tagged("post_install", "-at_install")
class TestRightToLeftPdfs(SettlementCommon, HttpCase):
    """HttpCase: wkhtmltopdf fetches the report's styles (Bootstrap, the RTL
    bundle) from the test server, as it does from a real one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in LANGS:
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"].search(
            [("name", "=", "settlement_mgmt")]
        )._update_translations(list(LANGS))
        cls.env.company.write(
            {
                "street": "Ledgerstrasse",
                "city": "Zurich",
                "email": "billing@ledger.example",
            }
        )
        cls.irr = cls.setup_other_currency("IRR", rates=[("2000-01-01", 40000.0)])
        cls.aed = cls.setup_other_currency("AED", rates=[("2000-01-01", 3.67)])
        cls.ils = cls.setup_other_currency("ILS", rates=[("2000-01-01", 3.7)])
        Partner = cls.env["res.partner"]
        cls.fa = Partner.create(
            {
                "name": "شرکت پارس",
                "is_company": True,
                "lang": "fa_IR",
                "email": "fa@example.com",
                "settlement_native_digits": True,
                "credit_limit": 5000.0,
            }
        )
        cls.ar = Partner.create(
            {
                "name": "شركة الخليج",
                "is_company": True,
                "lang": "ar_001",
                "email": "ar@example.com",
                "settlement_native_digits": True,
            }
        )
        cls.he = Partner.create(
            {
                "name": "חברת הגליל",
                "is_company": True,
                "lang": "he_IL",
                "email": "he@example.com",
            }
        )
        # fa: 1,500,000 IRR due 14 Feb 2025, 250,000 paid on 10 Mar 2025.
        cls.fa_invoice = cls._dated_invoice(
            cls.fa, 1_500_000.0, cls.irr, date(2025, 1, 15), date(2025, 2, 14)
        )
        cls._pay(cls.fa_invoice, 250_000.0, days_old=cls._ago(date(2025, 3, 10)))
        # ar: 3,000.75 AED due 4 Apr 2025 (not due on 31 Mar), 500 paid 20 Mar.
        cls.ar_invoice = cls._dated_invoice(
            cls.ar, 3000.75, cls.aed, date(2025, 3, 5), date(2025, 4, 4)
        )
        cls._pay(cls.ar_invoice, 500.0, days_old=cls._ago(date(2025, 3, 20)))
        # he: 1,800 ILS due 19 Feb 2025, 300 paid 5 Mar 2025.
        cls.he_invoice = cls._dated_invoice(
            cls.he, 1800.0, cls.ils, date(2025, 1, 20), date(2025, 2, 19)
        )
        cls._pay(cls.he_invoice, 300.0, days_old=cls._ago(date(2025, 3, 5)))

    @classmethod
    def _ago(cls, day):
        return (cls.today - day).days

    @classmethod
    def _dated_invoice(cls, partner, amount, currency, invoice_date, due):
        return cls._invoice(
            partner,
            amount,
            currency_id=currency.id,
            invoice_date=invoice_date,
            invoice_date_due=due,
        )

    # ------------------------------------------------------------------
    # PDF → lines and images
    # ------------------------------------------------------------------

    def _render(self, report, res_ids, data=None):
        """The PDF as the addon renders it (Odoo returns HTML in tests unless
        asked for the real thing)."""
        pdf, report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report, res_ids, data=data)
        )
        self.assertEqual(report_type, "pdf")
        return pdf

    def _read_pdf(self, pdf, name):
        """The printed lines of ``pdf`` (all pages); the PDF, its text (raw
        pdftotext -layout) and one PNG per page are kept under ``name``."""
        for tool in ("pdftotext", "pdftoppm"):
            self.assertTrue(
                shutil.which(tool),
                f"{tool} reads the PDFs back: apt-get install poppler-utils",
            )
        self.assertTrue(pdf.startswith(b"%PDF"), name)
        folder = artefact_dir()
        path = os.path.join(folder, f"{name}.pdf")
        with open(path, "wb") as file:
            file.write(pdf)
        subprocess.run(
            ["pdftotext", "-layout", path, os.path.join(folder, f"{name}.txt")],
            check=True,
        )
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", path, os.path.join(folder, name)],
            check=True,
        )
        lines = [line for page in read_lines(path) for line in page]
        with open(os.path.join(folder, f"{name}.lines.txt"), "w") as file:
            file.write("\n".join(lines))
        return lines

    def _line(self, lines, start):
        """The one printed line starting with ``start``."""
        found = [line for line in lines if line.startswith(normalize(start))]
        self.assertEqual(
            len(found), 1, f"one line starting {start!r} in:\n" + "\n".join(lines)
        )
        return found[0]

    def _assert_line(self, lines, expected, start=False):
        """A printed line reads ``expected`` (with ``start``: begins with it)."""
        expected = normalize(expected)
        found = [
            line
            for line in lines
            if line == expected or (start and line.startswith(expected))
        ]
        self.assertTrue(
            found,
            f"no printed line reads {expected!r}; the lines:\n" + "\n".join(lines),
        )

    # ------------------------------------------------------------------
    # Statement of account
    # ------------------------------------------------------------------

    def _statement_lines(self, partner):
        pdf = self._render(
            "settlement_mgmt.action_report_statement",
            partner.ids,
            data={"date_from": str(DATE_FROM), "date_to": str(DATE_TO)},
        )
        return self._read_pdf(pdf, f"statement_{partner.lang}")

    def test_statement_fa(self):
        lines = self._statement_lines(self.fa)
        self._assert_line(lines, "شرکت پارس")
        # Jalali, Persian digits: 1 Mar 2025 is 11 Esfand 1403, 31 Mar 2025
        # is 11 Farvardin 1404.
        self._assert_line(lines, "دوره: ۱۴۰۳/۱۲/۱۱ – ۱۴۰۴/۰۱/۱۱")
        # A past period: today's available credit is not the period's and is
        # not printed (issue #21), though the customer has a limit.
        credit = [
            line for line in lines if "در دسترس" in line or "Available credit" in line
        ]
        self.assertEqual(credit, [], "\n".join(lines))
        # 1,500,000 - 250,000 paid = 1,250,000 rials (﷼ reads ریال).
        self._assert_line(lines, "۱۴۰۴/۰۱/۱۱ مانده پایان دوره ۱,۲۵۰,۰۰۰.۰۰ ریال")
        self._assert_line(lines, "به حروف: یک میلیون و دویست و پنجاه هزار ریال")
        # Due 14 Feb: 45 days overdue on 31 Mar, in the 31-60 bucket.
        self._assert_line(lines, "سررسید نشده ۱–۳۰ ۳۱–۶۰ ۶۱–۹۰ ۹۱+")
        zero = "۰.۰۰ ریال"
        self._assert_line(lines, f"{zero} {zero} ۱,۲۵۰,۰۰۰.۰۰ ریال {zero} {zero}")

    def test_statement_ar(self):
        lines = self._statement_lines(self.ar)
        self._assert_line(lines, "شركة الخليج")
        # Gregorian "%d %b, %Y" of ar_001, Arabic-Indic digits.
        self._assert_line(lines, "الفترة: ٠١ مارس, ٢٠٢٥ – ٣١ مارس, ٢٠٢٥")
        # 3,000.75 - 500 paid = 2,500.75 dirhams.
        self._assert_line(lines, "كتابةً: ألفان وخمسمئة درهم وخمسة وسبعون فلساً")
        # Due 4 Apr: not due on 31 Mar.
        self._assert_line(lines, "غير مستحق ١–٣٠ ٣١–٦٠ ٦١–٩٠ ٩١+")

    def test_statement_ar_amounts(self):
        """Debian's wkhtmltopdf (unpatched Qt WebKit) draws a number and
        Arabic letters of one right-to-left run over each other: "٢,٥٠٠.٧٥ د.إ"
        printed as a cluster until number and sign were printed as separate
        inline blocks (lib/printed_amount.py)."""
        lines = self._statement_lines(self.ar)
        self._assert_line(lines, "٣١ مارس, ٢٠٢٥ الرصيد الختامي ٢,٥٠٠.٧٥ د.إ")
        zero = "٠.٠٠ د.إ"
        self._assert_line(lines, f"٢,٥٠٠.٧٥ د.إ {zero} {zero} {zero} {zero}")

    def test_statement_he(self):
        lines = self._statement_lines(self.he)
        self._assert_line(lines, "חברת הגליל")
        self._assert_line(lines, "תקופה: 01/03/2025 – 31/03/2025")
        # 1,800 - 300 paid = 1,500 shekels; "₪ 1,500.00" is a left-to-right
        # value: read from the right its number comes before its sign.
        self._assert_line(lines, "31/03/2025 יתרת סגירה 1,500.00 ₪")
        self._assert_line(lines, "במילים: אלף וחמש מאות שקלים")
        # Due 19 Feb: 40 days overdue on 31 Mar, in the 31-60 bucket.
        self._assert_line(lines, "לא בפיגור 1–30 31–60 61–90 91+")
        zero = "0.00 ₪"
        self._assert_line(lines, f"{zero} {zero} 1,500.00 ₪ {zero} {zero}")
        # On the company's letterhead: its address above, its contacts below.
        letterhead = " ".join(lines)
        for part in ("Ledgerstrasse", "Zurich", "billing@ledger.example"):
            self.assertIn(part, letterhead, "\n".join(lines))

    # ------------------------------------------------------------------
    # Reminder letters, from the dunning run
    # ------------------------------------------------------------------

    def _letters(self):
        """Reminder letters of the three customers, from the dunning run."""
        level = {
            "name": "First",
            "days": 7,
            "channel_ids": [Command.create({"channel": "letter"})],
        }
        self.env.company.settlement_dunning_policy_id = self.env[
            "settlement.dunning.policy"
        ].create(
            {
                "name": "Letters",
                "level_ids": [Command.create(level)],
            }
        )
        Communication = self.env["settlement.dunning.communication"]
        Engine = self.env["settlement.dunning.engine"]
        Engine.with_context(force_report_rendering=True)._cron_settlement_dunning()
        letters = {
            communication.partner_id: communication
            for communication in Communication.search([])
        }
        self.assertEqual(set(letters), {self.fa, self.ar, self.he})
        return letters

    def test_reminder_letters(self):
        letters = self._letters()

        def days(due):
            return str((self.today - due).days)

        # Each row read from the right: reference, due date, days overdue,
        # amount left (the payments above), in the customer's digits.
        expected = {
            self.fa: (
                f"{self.fa_invoice.name} ۱۴۰۳/۱۱/۲۶ "
                f"{days(date(2025, 2, 14)).translate(PERSIAN)} ۱,۲۵۰,۰۰۰.۰۰ ریال",
                "جمع کل ۱,۲۵۰,۰۰۰.۰۰ ریال",
                "[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}",
            ),
            # The amount: see test_reminder_letter_ar_amounts.
            self.ar: (
                f"{self.ar_invoice.name} ٠٤ أبريل, ٢٠٢٥ "
                f"{days(date(2025, 4, 4)).translate(ARABIC)} ",
                "الإجمالي ",
                "[٠-٩]{2} [^ ]+, [٠-٩]{4}",
            ),
            self.he: (
                f"{self.he_invoice.name} 19/02/2025 "
                f"{days(date(2025, 2, 19))} 1,500.00 ₪",
                'סה"כ 1,500.00 ₪',
                "[0-9]{2}/[0-9]{2}/[0-9]{4}",
            ),
        }
        openings = {
            self.fa: ("طبق سوابق ما، موعد پرداخت", "اگر پرداخت شما"),
            self.ar: ("إذا كنتم قد سددتم",),
        }
        for partner, (row, total, letter_date) in expected.items():
            with self.subTest(lang=partner.lang):
                attachment = letters[partner].letter_attachment_id
                lines = self._read_pdf(attachment.raw, f"letter_{partner.lang}")
                self._assert_line(lines, partner.name)
                self._assert_line(lines, row, start=partner == self.ar)
                self._assert_line(lines, total, start=partner == self.ar)
                # Paragraphs whole, first words included (see
                # test_statement_fa: the page cut what Qt WebKit painted past
                # the right edge).
                for opening in openings.get(partner, ()):
                    self._assert_line(lines, opening, start=True)
                # The letter's date in the customer's calendar and digits.
                self.assertTrue(
                    any(re.fullmatch(letter_date, line) for line in lines),
                    "\n".join(lines),
                )

    def test_reminder_letter_ar_amounts(self):
        """See test_statement_ar_amounts: "٢,٥٠٠.٧٥ د.إ" is readable."""
        attachment = self._letters()[self.ar].letter_attachment_id
        lines = self._read_pdf(attachment.raw, "letter_ar_001")
        self._assert_line(lines, "الإجمالي ٢,٥٠٠.٧٥ د.إ")

    # ------------------------------------------------------------------
    # Invoice: early payment discount tiers
    # ------------------------------------------------------------------

    def _tier_lines(self, partner, currency):
        """The printed lines of an invoice of 1,000 on 1 June 2030 (not
        overdue, no reminder) with tiers 3 % 7 days, 1.5 % 15 days."""
        term = self.env["account.payment.term"].create(
            {
                "name": "3% 7 days, 1.5% 15 days, net 30",
                "early_discount": True,
                "discount_percentage": 3.0,
                "discount_days": 7,
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 100, "nb_days": 30}
                    )
                ],
                "settlement_discount_tier_ids": [
                    Command.create({"discount_percentage": 1.5, "discount_days": 15})
                ],
            }
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "currency_id": currency.id,
                "invoice_date": date(2030, 6, 1),
                "invoice_payment_term_id": term.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Goods",
                            "price_unit": 1000.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        invoice.with_context(**credit_check_done_context()).action_post()
        pdf = self._render("account.account_invoices", invoice.ids)
        return self._read_pdf(pdf, f"invoice_tiers_{partner.lang}")

    def test_invoice_discount_tiers_he(self):
        # 3 % off (pay 970, save 30) until 8 June, 1.5 % (pay 985, save 15)
        # until 16 June; the language's date format, Latin digits as the rest
        # of the invoice.
        lines = self._tier_lines(self.he, self.ils)
        self._assert_line(lines, "3.00%: שלמו ₪ 970.00 עד 08/06/2030 וחסכו ₪ 30.00")
        self._assert_line(lines, "1.50%: שלמו ₪ 985.00 עד 16/06/2030 וחסכו ₪ 15.00")

    def test_invoice_discount_tiers_fa_ar(self):
        """See test_statement_ar_amounts: the tier's sentence prints its
        amounts as separate blocks, readable in fa and ar."""
        for partner, currency, tiers in (
            (
                self.fa,
                self.irr,
                (
                    "3.00%: با پرداخت 970.00 ریال تا 2030/06/08، مبلغ 30.00 ریال "
                    "صرفه‌جویی کنید",
                    "1.50%: با پرداخت 985.00 ریال تا 2030/06/16، مبلغ 15.00 ریال "
                    "صرفه‌جویی کنید",
                ),
            ),
            (
                self.ar,
                self.aed,
                (
                    "3.00%: ادفع 970.00 د.إ قبل 08 يونيو, 2030 لتوفير 30.00 د.إ",
                    "1.50%: ادفع 985.00 د.إ قبل 16 يونيو, 2030 لتوفير 15.00 د.إ",
                ),
            ),
        ):
            lines = self._tier_lines(partner, currency)
            for tier in tiers:
                self._assert_line(lines, tier)
